// Portable, seeded draws for the territory generator (the standard
// distributions differ between libraries; these do not), so that the same
// seed gives the same territory everywhere.
#ifndef CRENEAU_TERRITORY_INTERNAL_DRAW_H_
#define CRENEAU_TERRITORY_INTERNAL_DRAW_H_

#include <array>
#include <cstdint>
#include <random>

namespace creneau::territory::internal {

class Draw {
 public:
  explicit Draw(uint64_t seed) : rng_(seed) {}
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0.
  int Below(int n) {
    return static_cast<int>(rng_() % static_cast<uint64_t>(n));
  }
  bool Chance(double p) { return Unit() < p; }
  // An index drawn with these weights (not all zero).
  template <size_t N>
  int Weighted(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int pick = Below(total);
    for (size_t i = 0; i < N; ++i) {
      if ((pick -= weights[i]) < 0) return static_cast<int>(i);
    }
    return 0;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace creneau::territory::internal

#endif  // CRENEAU_TERRITORY_INTERNAL_DRAW_H_
