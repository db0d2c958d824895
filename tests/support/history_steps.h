// Steps: a step function of time built from +1/-1 events, answering its
// minimum and maximum over a time range in constant time (sparse tables),
// for the history tests' checks of what a serial order allows.
#ifndef CRENEAU_TESTS_SUPPORT_HISTORY_STEPS_H_
#define CRENEAU_TESTS_SUPPORT_HISTORY_STEPS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace creneau::testing {

// A step function of time from +1/-1 events, with range min and max.
class Steps {
 public:
  void Add(int64_t t, int delta, bool first_at_ties) {
    events_.push_back({t, first_at_ties ? 0 : 1, delta});
  }
  void Build() {
    std::sort(events_.begin(), events_.end());
    int value = 0;
    for (const auto& e : events_) {
      value += e.delta;
      times_.push_back(e.t);
      values_.push_back(value);
    }
    BuildTable(/*max=*/true, &max_);
    BuildTable(/*max=*/false, &min_);
  }
  // Adds to `out` a +1 where this function reaches `threshold` and a -1
  // where it falls below again (both generous at ties: up first, down
  // last), so that `out` sums, over several functions, how many are at or
  // above the threshold at once.
  void AddThresholdCrossings(int threshold, Steps* out) const {
    bool above = false;
    for (size_t i = 0; i < values_.size(); ++i) {
      const bool now_above = values_[i] >= threshold;
      if (now_above == above) continue;
      out->Add(times_[i], now_above ? +1 : -1, now_above);
      above = now_above;
    }
  }
  int Max() const {
    return values_.empty() ? 0 : Query(0, values_.size() - 1, true);
  }
  // Extremes over [a, b]: the value at a and every value taken in (a, b].
  int RangeMax(int64_t a, int64_t b) const { return Range(a, b, true); }
  int RangeMin(int64_t a, int64_t b) const { return Range(a, b, false); }

 private:
  struct Event {
    int64_t t;
    int order;
    int delta;
    bool operator<(const Event& o) const {
      return t != o.t ? t < o.t : order < o.order;
    }
  };
  int Range(int64_t a, int64_t b, bool max) const {
    const size_t first =
        std::upper_bound(times_.begin(), times_.end(), a) - times_.begin();
    const size_t last =
        std::upper_bound(times_.begin(), times_.end(), b) - times_.begin();
    int at_a = first == 0 ? 0 : values_[first - 1];
    if (last > first) {
      const int inside = Query(first, last - 1, max);
      at_a = max ? std::max(at_a, inside) : std::min(at_a, inside);
    }
    return at_a;
  }
  void BuildTable(bool max, std::vector<std::vector<int>>* table) {
    table->assign(1, values_);
    for (size_t w = 1; 2 * w <= values_.size(); w *= 2) {
      const auto& prev = table->back();
      std::vector<int> next(values_.size() - 2 * w + 1);
      for (size_t i = 0; i < next.size(); ++i) {
        next[i] = max ? std::max(prev[i], prev[i + w])
                      : std::min(prev[i], prev[i + w]);
      }
      table->push_back(std::move(next));
    }
  }
  int Query(size_t i, size_t j, bool max) const {
    const auto& table = max ? max_ : min_;
    const int level = 63 - __builtin_clzll(j - i + 1);
    const int x = table[level][i],
              y = table[level][j + 1 - (size_t{1} << level)];
    return max ? std::max(x, y) : std::min(x, y);
  }

  std::vector<Event> events_;
  std::vector<int64_t> times_;
  std::vector<int> values_;
  std::vector<std::vector<int>> max_, min_;
};

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_HISTORY_STEPS_H_
