#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "absl/strings/str_format.h"

namespace creneau::bench {

// Values below kSubBuckets land in octave 0 one per bucket; above, octave k
// holds [2^(k+b-1), 2^(k+b)) in kSubBuckets equal steps (b = kSubBucketBits).
int LatencyHistogram::BucketOf(int64_t ns) {
  if (ns < kSubBuckets) return static_cast<int>(std::max<int64_t>(ns, 0));
  const int top_bit = 63 - std::countl_zero(static_cast<uint64_t>(ns));
  const int octave = top_bit - kSubBucketBits + 1;
  if (octave > kOctaves) return kBuckets - 1;
  const int shift = octave - 1;
  // (ns >> shift) is in [kSubBuckets, 2 * kSubBuckets).
  const int sub = static_cast<int>(ns >> shift) - kSubBuckets;
  return octave * kSubBuckets + sub;
}

int64_t LatencyHistogram::UpperBoundOf(int bucket) {
  const int octave = bucket / kSubBuckets;
  const int sub = bucket % kSubBuckets;
  if (octave == 0) return sub;
  const int shift = octave - 1;
  return ((static_cast<int64_t>(kSubBuckets + sub) + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t ns) {
  ns = std::max<int64_t>(ns, 0);
  ++counts_[BucketOf(ns)];
  ++count_;
  min_ns_ = std::min(min_ns_, ns);
  max_ns_ = std::max(max_ns_, ns);
  sum_ns_ += static_cast<double>(ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ns_ = std::min(min_ns_, other.min_ns_);
  max_ns_ = std::max(max_ns_, other.max_ns_);
  sum_ns_ += other.sum_ns_;
}

int64_t LatencyHistogram::PercentileNs(double p) const {
  if (count_ == 0) return 0;
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(p / 100.0 * count_)));
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return i == kBuckets - 1 ? max_ns_ : std::min(UpperBoundOf(i), max_ns_);
    }
  }
  return max_ns_;
}

std::string LatencyHistogram::Summary() const {
  const auto us = [this](double p) { return PercentileNs(p) / 1e3; };
  return absl::StrFormat(
      "n=%d p50=%.2fus p90=%.2fus p99=%.2fus p99.9=%.2fus max=%.2fus", count_,
      us(50), us(90), us(99), us(99.9), max_ns_ / 1e3);
}

}  // namespace creneau::bench
