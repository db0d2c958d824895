#include "engine/internal/chunked_vector.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace creneau::internal {
namespace {

TEST(ChunkedVectorTest, GrowsAcrossChunksWithoutMovingElements) {
  ChunkedVector<std::string, 4> strings;
  EXPECT_TRUE(strings.empty());
  std::vector<const std::string*> addresses;
  for (int i = 0; i < 10; ++i) {
    std::string& s = strings.emplace_back();
    EXPECT_TRUE(s.empty());
    s = "element " + std::to_string(i);
    addresses.push_back(&s);
  }
  ASSERT_EQ(strings.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(&strings[i], addresses[i]);
    EXPECT_EQ(strings[i], "element " + std::to_string(i));
  }
}

TEST(ChunkedVectorTest, ReserveKeepsSizeAndContents) {
  ChunkedVector<int, 8> numbers;
  numbers.emplace_back() = 7;
  numbers.reserve(100);
  EXPECT_EQ(numbers.size(), 1u);
  EXPECT_EQ(numbers[0], 7);
  const int* first = &numbers[0];
  for (int i = 1; i < 100; ++i) numbers.emplace_back() = i;
  EXPECT_EQ(&numbers[0], first);
  EXPECT_EQ(numbers[99], 99);
}

TEST(ChunkedVectorTest, MovesAsAWhole) {
  ChunkedVector<int, 2> numbers;
  for (int i = 0; i < 5; ++i) numbers.emplace_back() = i;
  const int* third = &numbers[2];
  ChunkedVector<int, 2> moved = std::move(numbers);
  EXPECT_EQ(moved.size(), 5u);
  EXPECT_EQ(&moved[2], third);
}

// Counts live instances, to check what is constructed and destroyed.
struct Counted {
  static inline int live = 0;
  Counted() { ++live; }
  ~Counted() { --live; }
};

TEST(ChunkedVectorTest, ConstructsOnlyAppendedElementsAndDestroysThem) {
  {
    ChunkedVector<Counted, 4> counted;
    counted.reserve(100);
    EXPECT_EQ(Counted::live, 0);
    for (int i = 0; i < 6; ++i) counted.emplace_back();
    EXPECT_EQ(Counted::live, 6);
    ChunkedVector<Counted, 4> moved = std::move(counted);
    EXPECT_EQ(Counted::live, 6);
    ChunkedVector<Counted, 4> assigned;
    assigned.emplace_back();
    EXPECT_EQ(Counted::live, 7);
    assigned = std::move(moved);
    EXPECT_EQ(Counted::live, 6);
    EXPECT_EQ(assigned.size(), 6u);
  }
  EXPECT_EQ(Counted::live, 0);
}

}  // namespace
}  // namespace creneau::internal
