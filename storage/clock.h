// The server's clock: wall time that never jumps while the process runs.
//
// It reads the wall clock once at start and then advances with the monotonic
// clock, so that an NTP step or a manual change of the system time neither
// expires holds early nor keeps them alive. Across restarts the wall clock
// is read again; the engine refuses to go back in time on its own.
#ifndef CRENEAU_STORAGE_CLOCK_H_
#define CRENEAU_STORAGE_CLOCK_H_

#include <chrono>
#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace creneau::storage {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class MonotonicWallClock final : public Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  // Where the clock reads its two times. Production reads the system's
  // clocks; tests pass sources they can step.
  struct Sources {
    std::function<absl::Time()> wall = [] { return absl::Now(); };
    std::function<SteadyTime()> steady = [] {
      return std::chrono::steady_clock::now();
    };
  };

  MonotonicWallClock() : MonotonicWallClock(Sources()) {}
  // Reads `sources.wall` once, now; later readings follow `sources.steady`.
  explicit MonotonicWallClock(Sources sources)
      : steady_(std::move(sources.steady)),
        wall_at_start_(sources.wall()),
        steady_at_start_(steady_()) {}

  absl::Time Now() const override {
    return wall_at_start_ + absl::FromChrono(steady_() - steady_at_start_);
  }

 private:
  const std::function<SteadyTime()> steady_;
  const absl::Time wall_at_start_;
  const SteadyTime steady_at_start_;
};

}  // namespace creneau::storage

#endif  // CRENEAU_STORAGE_CLOCK_H_
