#include "engine/internal/interner.h"

#include <cstdio>
#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace creneau::internal {
namespace {

TEST(InternerTest, EmptyIsZeroAndNumbersAreStable) {
  Interner interner;
  EXPECT_EQ(interner.Intern(""), Interner::kEmpty);
  EXPECT_EQ(interner.view(Interner::kEmpty), "");
  const Interner::Number paris = interner.Intern("Europe/Paris");
  EXPECT_NE(paris, Interner::kEmpty);
  EXPECT_EQ(interner.Intern(std::string("Europe/Paris")), paris);
  EXPECT_EQ(interner.Find("Europe/Paris"), paris);
  EXPECT_EQ(interner.Find("America/Cayenne"), Interner::kEmpty);
  EXPECT_EQ(interner.size(), 2u);
}

// Many strings, interned in random order and again: every number keeps
// naming its string (views stay valid as the store grows).
TEST(InternerTest, MatchesReferenceMap) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  Interner interner;
  std::map<std::string, Interner::Number> model;
  std::map<Interner::Number, absl::string_view> views;
  for (int step = 0; step < 50'000; ++step) {
    const std::string text = absl::StrCat("commune-", rng() % 20'000);
    const Interner::Number number = interner.Intern(text);
    auto [it, fresh] = model.emplace(text, number);
    ASSERT_EQ(it->second, number) << "seed " << seed << " step " << step;
    if (fresh) views[number] = interner.view(number);
  }
  ASSERT_EQ(interner.size(), model.size() + 1) << "seed " << seed;
  for (const auto& [text, number] : model) {
    ASSERT_EQ(views[number], text) << "seed " << seed;
    ASSERT_EQ(interner.view(number), text) << "seed " << seed;
  }
}

}  // namespace
}  // namespace creneau::internal
