#include "engine/internal/index_partition.h"

#include <cstdio>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "s2/s2cell_id.h"
#include "s2/s2latlng.h"

namespace creneau::internal {
namespace {

using Key = std::pair<uint64_t, SlotNo>;  // (cell, slot)

StoredEntry EntryFor(SlotNo slot, uint32_t start) {
  StoredEntry e;
  e.slot = slot;
  e.start_unix_s = start;
  return e;
}

std::vector<std::pair<Key, uint32_t>> Scan(const IndexPartition& partition,
                                           uint64_t min, uint64_t max) {
  std::vector<std::pair<Key, uint32_t>> seen;
  partition.ForEachInRange(min, max, [&](uint64_t cell, const StoredEntry& e) {
    seen.push_back({{cell, e.slot}, e.start_unix_s});
  });
  std::sort(seen.begin(), seen.end());
  return seen;
}

TEST(IndexPartitionTest, EraseThenReviveInPlace) {
  IndexPartition partition;
  EXPECT_TRUE(partition.Insert(10, EntryFor(1, 100)));
  EXPECT_FALSE(partition.Insert(10, EntryFor(1, 100)));  // Already live.
  EXPECT_TRUE(partition.Contains(10, 1));
  EXPECT_TRUE(partition.Erase(10, 1));
  EXPECT_FALSE(partition.Erase(10, 1));  // No longer live.
  EXPECT_FALSE(partition.Contains(10, 1));
  EXPECT_TRUE(partition.Insert(10, EntryFor(1, 200)));  // New start kept.
  const auto seen = Scan(partition, 0, 100);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, 200u);
  EXPECT_EQ(partition.live_count(), 1u);
}

// Random insertions, erasures and revivals across many merges and
// compactions must leave exactly the entries of a std::map, and every range
// scan must see exactly them.
TEST(IndexPartitionTest, MatchesReferenceModel) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint64_t> cell(1, 400);
  std::uniform_int_distribution<SlotNo> slot(0, 3000);
  std::uniform_int_distribution<int> coin(0, 99);

  IndexPartition partition;
  std::map<Key, uint32_t> model;  // Live entries and their start.
  for (int step = 0; step < 60'000; ++step) {
    const Key key{cell(rng), slot(rng)};
    // Insert more often early on, erase more later: sizes grow then shrink.
    const bool insert = coin(rng) < (step < 30'000 ? 70 : 30);
    if (insert) {
      const uint32_t start = static_cast<uint32_t>(step);
      const bool fresh = model.emplace(key, start).second;
      ASSERT_EQ(partition.Insert(key.first, EntryFor(key.second, start)), fresh)
          << "seed " << seed << " step " << step;
    } else {
      const bool present = model.erase(key) == 1;
      ASSERT_EQ(partition.Erase(key.first, key.second), present)
          << "seed " << seed << " step " << step;
    }
    ASSERT_EQ(partition.live_count(), model.size());
    if (step % 500 == 0) {
      const uint64_t a = cell(rng), b = cell(rng);
      const uint64_t min = std::min(a, b), max = std::max(a, b);
      std::vector<std::pair<Key, uint32_t>> expected;
      for (auto it = model.lower_bound({min, 0});
           it != model.end() && it->first.first <= max; ++it) {
        expected.push_back(*it);
      }
      ASSERT_EQ(Scan(partition, min, max), expected)
          << "seed " << seed << " step " << step;
    }
  }
  for (const auto& [key, start] : model) {
    ASSERT_TRUE(partition.Contains(key.first, key.second)) << "seed " << seed;
  }
}

// Thousands of entries under three keys (a dense town): erasures and
// revivals must find their entry among the many of its key.
TEST(IndexPartitionTest, ManyEntriesShareAKey) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  IndexPartition partition;
  std::map<Key, uint32_t> model;
  for (int step = 0; step < 40'000; ++step) {
    const Key key{1 + rng() % 3, static_cast<SlotNo>(rng() % 6000)};
    if (rng() % 3 != 0) {
      const bool fresh = model.emplace(key, step).second;
      ASSERT_EQ(partition.Insert(key.first, EntryFor(key.second, step)), fresh)
          << "seed " << seed << " step " << step;
    } else {
      ASSERT_EQ(partition.Erase(key.first, key.second), model.erase(key) == 1)
          << "seed " << seed << " step " << step;
    }
  }
  for (const auto& [key, start] : model) {
    ASSERT_TRUE(partition.Contains(key.first, key.second)) << "seed " << seed;
  }
  ASSERT_EQ(Scan(partition, 0, 10).size(), model.size()) << "seed " << seed;
}

// Cell ranges of level 14 or coarser map to keys exactly; finer ones that
// share a key are merged into one range.
TEST(KeysOfTest, ExactForCoarseCellsMergedForFine) {
  const S2CellId center = S2CellId(S2LatLng::FromDegrees(48.867, 2.363));
  geo::Covering covering;
  const S2CellId coarse = center.parent(14);
  covering.ranges[covering.size++] = {coarse.range_min().id(),
                                      coarse.range_max().id()};
  KeyCovering keys = KeysOf(covering);
  ASSERT_EQ(keys.size, 1);
  EXPECT_EQ(keys.ranges[0].min, CellKeyOf(coarse.range_min().id()));
  EXPECT_EQ(keys.ranges[0].max, CellKeyOf(coarse.range_max().id()));
  EXPECT_EQ(keys.ranges[0].max - keys.ranges[0].min, 1u);  // Two keys.

  // Two level-17 cells, not adjacent, under one key.
  const S2CellId fine = center.parent(17);
  const S2CellId other = fine.next().next();
  ASSERT_EQ(CellKeyOf(fine.id()), CellKeyOf(other.id()));
  covering.size = 0;
  covering.ranges[covering.size++] = {fine.range_min().id(),
                                      fine.range_max().id()};
  covering.ranges[covering.size++] = {other.range_min().id(),
                                      other.range_max().id()};
  keys = KeysOf(covering);
  ASSERT_EQ(keys.size, 1);
  EXPECT_EQ(keys.ranges[0].min, CellKeyOf(fine.id()));
  EXPECT_EQ(keys.ranges[0].max, CellKeyOf(fine.id()));
}

}  // namespace
}  // namespace creneau::internal
