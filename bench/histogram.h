// LatencyHistogram: records durations in log-linear buckets (the HDR
// histogram layout: every power of two split into kSubBuckets linear
// buckets), so percentiles are exact to within 1/kSubBuckets (under 0.8 %)
// from 1 ns to about 4.6 hours, in constant memory and O(1) per record.
// Not thread-safe: give each thread its own and Merge them.
#ifndef CRENEAU_BENCH_HISTOGRAM_H_
#define CRENEAU_BENCH_HISTOGRAM_H_

#include <array>
#include <cstdint>
#include <string>

namespace creneau::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;  // 128 linear buckets per octave.
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kOctaves = 44 - kSubBucketBits;  // Up to 2^44 ns.

  // Records one duration in nanoseconds; values past the range are counted
  // in the last bucket (and max_ns keeps the true value).
  void Record(int64_t ns);
  // Adds every count of `other`.
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t min_ns() const { return count_ ? min_ns_ : 0; }
  int64_t max_ns() const { return max_ns_; }
  double mean_ns() const { return count_ ? sum_ns_ / count_ : 0; }
  // The smallest recorded value v such that at least `p` percent of the
  // values are <= v (to bucket precision). 0 when empty; p in [0, 100].
  int64_t PercentileNs(double p) const;

  // "p50=.. p90=.. p99=.. p99.9=.. max=.." in microseconds.
  std::string Summary() const;

 private:
  static int BucketOf(int64_t ns);
  static int64_t UpperBoundOf(int bucket);

  static constexpr int kBuckets = (kOctaves + 1) * kSubBuckets;
  std::array<int64_t, kBuckets> counts_{};
  int64_t count_ = 0;
  int64_t min_ns_ = INT64_MAX;
  int64_t max_ns_ = 0;
  double sum_ns_ = 0;
};

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_HISTOGRAM_H_
