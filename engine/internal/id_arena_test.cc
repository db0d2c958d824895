#include "engine/internal/id_arena.h"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"

namespace creneau::internal {
namespace {

TEST(IdArenaTest, KeepsEachIdUntilRemoved) {
  IdArena arena;
  const IdArena::Handle a = arena.Add("a");
  const IdArena::Handle b = arena.Add(std::string(limits::kMaxIdLength, 'b'));
  EXPECT_EQ(arena.view(a), "a");
  EXPECT_EQ(arena.view(b), std::string(limits::kMaxIdLength, 'b'));
  EXPECT_EQ(arena.bytes_allocated(), IdArena::kBlockBytes);
}

TEST(IdArenaTest, RemovedRoomGoesToTheNextIdOfTheSameLength) {
  IdArena arena;
  const IdArena::Handle first = arena.Add("slot-1");
  const IdArena::Handle other = arena.Add("slot-22");
  arena.Remove(first);
  const IdArena::Handle longer = arena.Add("slot-333");
  EXPECT_NE(longer, first);
  const IdArena::Handle same_length = arena.Add("slot-4");
  EXPECT_EQ(same_length, first);
  EXPECT_EQ(arena.view(same_length), "slot-4");
  EXPECT_EQ(arena.view(other), "slot-22");
  EXPECT_EQ(arena.view(longer), "slot-333");
}

TEST(IdArenaDeathTest, RefusesEmptyAndOverlongIdsAndDoubleRemoval) {
  IdArena arena;
  EXPECT_DEATH(arena.Add(""), "");
  EXPECT_DEATH(arena.Add(std::string(limits::kMaxIdLength + 1, 'x')), "");
  const IdArena::Handle id = arena.Add("x");
  arena.Remove(id);
  EXPECT_DEATH(arena.Remove(id), "");
  EXPECT_DEATH(IdArena(256), "");  // Beyond the length byte.
}

TEST(IdArenaTest, LongerStringsWhenConstructedSo) {
  IdArena arena(255);
  const std::string longest(255, 'n');
  const IdArena::Handle a = arena.Add(longest);
  const IdArena::Handle b = arena.Add("Dr Marie Curie");
  EXPECT_EQ(arena.view(a), longest);
  EXPECT_EQ(arena.view(b), "Dr Marie Curie");
  arena.Remove(a);
  EXPECT_EQ(arena.Add(longest), a);  // Its room, reused.
}

// Random adds and removals over several blocks, against a map of the ids
// each live handle must show.
TEST(IdArenaTest, MatchesAReferenceUnderRandomChurn) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  IdArena arena;
  absl::flat_hash_map<IdArena::Handle, std::string> live;
  std::vector<IdArena::Handle> handles;
  for (int step = 0; step < 200'000; ++step) {
    if (!handles.empty() && rng() % 3 == 0) {
      const size_t at = rng() % handles.size();
      arena.Remove(handles[at]);
      live.erase(handles[at]);
      handles[at] = handles.back();
      handles.pop_back();
      continue;
    }
    std::string id(1 + rng() % limits::kMaxIdLength, ' ');
    for (char& c : id) c = static_cast<char>('a' + rng() % 26);
    const IdArena::Handle handle = arena.Add(id);
    ASSERT_TRUE(live.emplace(handle, id).second)
        << "room given twice, seed " << seed;
    handles.push_back(handle);
  }
  EXPECT_GT(arena.bytes_allocated(), IdArena::kBlockBytes);
  for (const auto& [handle, id] : live) {
    ASSERT_EQ(arena.view(handle), id) << "seed " << seed;
  }
}

}  // namespace
}  // namespace creneau::internal
