// EventTail: readers get every event after their position in order, or are
// told to read older ones from the store; the listener hears every append.
#include "storage/event_tail.h"

#include "gtest/gtest.h"

namespace creneau::storage {
namespace {

std::vector<SharedEvent> Events(uint64_t first, uint64_t count) {
  std::vector<SharedEvent> events;
  for (uint64_t s = first; s < first + count; ++s) {
    auto event = std::make_shared<SequencedEvent>();
    event->sequence = s;
    events.push_back(std::move(event));
  }
  return events;
}

TEST(EventTailTest, ReadsAfterAPositionAndDropsTheOldest) {
  EventTail tail;
  int heard = 0;
  tail.set_listener([&] { ++heard; });
  tail.Reset(100);
  std::vector<SharedEvent> out;
  EXPECT_TRUE(tail.ReadAfter(100, 10, &out));  // Nothing yet.
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(tail.ReadAfter(99, 10, &out));  // Before the tail: the store.

  EXPECT_EQ(tail.first_sequence(), 101u);
  tail.Append(Events(101, 5));
  EXPECT_EQ(heard, 1);
  EXPECT_EQ(tail.last_sequence(), 105u);
  EXPECT_EQ(tail.first_sequence(), 101u);
  ASSERT_TRUE(tail.ReadAfter(102, 2, &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->sequence, 103u);
  EXPECT_EQ(out[1]->sequence, 104u);

  tail.Append(Events(106, EventTail::kCapacity));
  EXPECT_EQ(heard, 2);
  const uint64_t last = 105 + EventTail::kCapacity;
  out.clear();
  EXPECT_FALSE(tail.ReadAfter(104, 10, &out));  // 105 was dropped.
  EXPECT_EQ(tail.first_sequence(), 106u);
  ASSERT_TRUE(tail.ReadAfter(105, EventTail::kCapacity + 10, &out));
  ASSERT_EQ(out.size(), EventTail::kCapacity);
  EXPECT_EQ(out.front()->sequence, 106u);
  EXPECT_EQ(out.back()->sequence, last);
}

TEST(EventTailDeathTest, RefusesAGap) {
  EventTail tail;
  tail.Reset(10);
  EXPECT_DEATH(tail.Append(Events(12, 1)), "");
}

}  // namespace
}  // namespace creneau::storage
