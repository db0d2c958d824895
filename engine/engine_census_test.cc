// Engine::CountSlots: every slot counted once, by profession and by what
// its places allow now (free, full, capped).
#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/testing/engine_test_fixture.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::creneau::testing::EngineTest;
using ::creneau::testing::kT0;

int64_t Count(const SlotCensus& census, Profession profession,
              SlotCensusState state) {
  return census.slots[static_cast<int>(profession)][static_cast<int>(state)];
}

TEST_F(EngineTest, TheCensusCountsSlotsByProfessionAndState) {
  // gp-didonne takes one orientation a week: once booked, its other slot
  // of that week is capped.
  Professional capped = Gp("gp-didonne", {45.6031, -0.9969});
  capped.weekly_orientation_cap = 1;
  Upsert({capped});
  ASSERT_TRUE(Publish({MakeSlot("free-1", "gp-royan", kT0 + 3600),
                       MakeSlot("free-2", "gp-royan", kT0 + 7200, 2),
                       MakeSlot("held", "gp-royan", kT0 + 5400),
                       MakeSlot("booked", "gp-didonne", kT0 + 3600),
                       MakeSlot("capped", "gp-didonne", kT0 + 7200)})
                  .ok());
  ASSERT_TRUE(HoldOn("held", 1).ok());
  ASSERT_TRUE(HoldOn("booked", 2).ok());
  ASSERT_TRUE(Confirm("booked", 2).ok());
  // One of free-2's two places held: a place is still free.
  ASSERT_TRUE(HoldOn("free-2", 3).ok());

  const SlotCensus census = engine_->CountSlots();
  const Profession gp = Profession::kGeneralPractitioner;
  EXPECT_EQ(Count(census, gp, SlotCensusState::kFree), 2);
  EXPECT_EQ(Count(census, gp, SlotCensusState::kFull), 2);
  EXPECT_EQ(Count(census, gp, SlotCensusState::kCapped), 1);
  EXPECT_EQ(Count(census, gp, SlotCensusState::kWithdrawn), 0);
  int64_t total = 0;
  for (const auto& by_state : census.slots) {
    for (int64_t n : by_state) total += n;
  }
  EXPECT_EQ(total, static_cast<int64_t>(engine_->stats().slots));
}

}  // namespace
}  // namespace creneau
