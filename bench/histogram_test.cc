#include "bench/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace creneau::bench {
namespace {

TEST(LatencyHistogramTest, EmptyAnswersZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.PercentileNs(99), 0);
  EXPECT_EQ(h.min_ns(), 0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.PercentileNs(50), 50);
  EXPECT_EQ(h.PercentileNs(99), 99);
  EXPECT_EQ(h.PercentileNs(100), 100);
  EXPECT_EQ(h.min_ns(), 1);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 50.5);
}

// Against sorting: every percentile within the bucket precision.
TEST(LatencyHistogramTest, PercentilesMatchSortedSample) {
  const uint64_t seed = 20261123;
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(9.0, 2.0);  // ~8 us, wide tail.
  LatencyHistogram h;
  std::vector<int64_t> values;
  for (int i = 0; i < 200000; ++i) {
    const int64_t v = static_cast<int64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    const size_t rank = static_cast<size_t>(std::ceil(p / 100 * values.size()));
    const int64_t exact = values[std::max<size_t>(rank, 1) - 1];
    const int64_t got = h.PercentileNs(p);
    EXPECT_GE(got, exact) << "p" << p;
    EXPECT_LE(got, exact + exact / LatencyHistogram::kSubBuckets * 2 + 1)
        << "p" << p;
  }
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (int v = 0; v < 5000; v += 7) {
    (v % 2 ? a : b).Record(v * 1000);
    all.Record(v * 1000);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double p : {10.0, 50.0, 99.0}) {
    EXPECT_EQ(a.PercentileNs(p), all.PercentileNs(p));
  }
  EXPECT_EQ(a.max_ns(), all.max_ns());
}

TEST(LatencyHistogramTest, HugeValuesLandInTheLastBucket) {
  LatencyHistogram h;
  h.Record(int64_t{1} << 60);
  h.Record(-5);
  EXPECT_EQ(h.count(), 2);
  EXPECT_EQ(h.max_ns(), int64_t{1} << 60);
  EXPECT_EQ(h.PercentileNs(100), int64_t{1} << 60);
  EXPECT_EQ(h.PercentileNs(50), 0);
}

}  // namespace
}  // namespace creneau::bench
