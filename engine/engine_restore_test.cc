// Engine state: professionals moved and read back, restore (refusals, the
// same state from the persisted effects), retention.
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/engine.h"
#include "engine/testing/engine_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::creneau::testing::At;
using ::creneau::testing::EffectsSink;
using ::creneau::testing::EngineTest;
using ::creneau::testing::kT0;
using ::creneau::testing::Token;
using ::testing::HasSubstr;

TEST_F(EngineTest, ProfessionalMoveCarriesItsSlots) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-rochelle", kT0 + 3600)}).ok());
  SearchQuery q = RoyanGp();
  q.radius_m = 5000;
  EXPECT_TRUE(SearchIds(q).empty());
  Upsert({Gp("gp-rochelle", {45.6240, -1.0270})});
  EXPECT_THAT(SearchIds(q), ::testing::ElementsAre("s1"));
}

// Professionals are stored in compact records (strings shared or interned);
// every field must read back as published, through every update.
TEST_F(EngineTest, ProfessionalsReadBackAsPublished) {
  Professional full = Gp("gp-full", {45.6100, -1.0100});
  full.commune_code = "17306";
  full.structure = StructureType::kHealthCentre;
  full.cpts_id = "cpts-royan";
  full.sector = 2;
  full.weekly_orientation_cap = 12;
  full.display_name = std::string(limits::kMaxDisplayNameBytes, 'n');
  Professional bare = Gp("gp-bare", {45.6200, -1.0200});
  bare.display_name.clear();
  Upsert({full, bare});
  // They read back managed by the feed's organisation, which created them.
  full.owner = bare.owner = feed_.organisation;
  ASSERT_TRUE(Publish({MakeSlot("s-full", "gp-full", kT0 + 3600),
                       MakeSlot("s-bare", "gp-bare", kT0 + 3600)})
                  .ok());
  const auto read_back = [&](const std::string& id) {
    const std::optional<ProfessionalView> view = engine_->FindProfessional(id);
    EXPECT_TRUE(view.has_value()) << id;
    return view ? view->ToProfessional() : Professional{};
  };
  EXPECT_EQ(read_back("gp-full"), full);
  EXPECT_EQ(read_back("gp-bare"), bare);
  EXPECT_FALSE(engine_->FindProfessional("gp-nobody").has_value());
  // The slot's number, as a search hands it out.
  SlotNo no = kNoSlot;
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, RoyanGp(), At(now_), &result).ok());
  for (const SearchHit& hit : result.hits) {
    if (engine_->ViewSlot(hit.slot).slot.id == "s-full") no = hit.slot;
  }
  ASSERT_NE(no, kNoSlot);
  EXPECT_EQ(engine_->ProfessionalOfSlot(no).ToProfessional(), full);

  // The same again changes nothing; a new name and CPTS replace the old.
  Effects effects;
  auto counts = engine_->UpsertProfessionals(feed_, Key(""), {full, bare},
                                             At(now_), &effects);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->unchanged, 2);
  full.display_name = "Dr Full";
  full.cpts_id.clear();
  bare.display_name = "Dr Bare, maison de sant\u00e9";
  bare.commune_code = "17333";
  Upsert({full, bare});
  EXPECT_EQ(read_back("gp-full"), full);
  EXPECT_EQ(read_back("gp-bare"), bare);
  EXPECT_EQ(engine_->ProfessionalOfSlot(no).ToProfessional(), full);
}

TEST_F(EngineTest, RestoreRefusesProfessionalsPublicationWouldRefuse) {
  Engine fresh(communes_);
  Professional long_name = Gp("gp-long", {45.6, -1.0});
  long_name.display_name = std::string(limits::kMaxDisplayNameBytes + 1, 'n');
  EXPECT_EQ(fresh.RestoreProfessional(long_name).code(),
            absl::StatusCode::kDataLoss);
  Professional bad_id =
      Gp(std::string(limits::kMaxIdLength + 1, 'x'), {45.6, -1.0});
  EXPECT_EQ(fresh.RestoreProfessional(bad_id).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(fresh.RestoreProfessional(Gp("gp-ok", {45.6, -1.0})).ok());
  EXPECT_FALSE(fresh.FindProfessional("gp-long").has_value());
}

TEST_F(EngineTest, PurgeRemovesWhatOutlivedItsRetention) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}, "r1").ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  auto booking = Confirm("s1", 1);
  ASSERT_TRUE(booking.ok());
  Effects e;
  EXPECT_EQ(engine_->Purge(At(kT0 + 3600), &e), 0);
  const int64_t later = kT0 + 3600 + 900 + limits::kEndedSlotRetentionS;
  EXPECT_GT(engine_->Purge(At(later), &e), 0);
  EXPECT_EQ(engine_->GetSlot("s1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(engine_->GetBooking(booking->id).ok())
      << "bookings outlive slots";
  EXPECT_EQ(engine_->stats().idempotency_records, 0u);
  EXPECT_EQ(engine_->FindHold(Token(1)), nullptr);
}

TEST_F(EngineTest, RestoringTheEffectsGivesTheSameState) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 2, 1),
                       MakeSlot("s2", "gp-didonne", kT0 + 7200)},
                      "pub-1")
                  .ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  ASSERT_TRUE(HoldOn("s1", 2).ok());
  ASSERT_TRUE(Confirm("s1", 2, "conf-1").ok());
  ASSERT_TRUE(HoldOn("s2", 3, nullptr, 30).ok());
  now_ += 40;
  Effects e;
  engine_->ExpireHolds(At(now_), &e);
  sink_.Apply(e);

  Engine restored(communes_);
  for (const auto& [id, p] : sink_.professionals)
    ASSERT_TRUE(restored.RestoreProfessional(p).ok());
  for (const auto& [id, s] : sink_.slots)
    ASSERT_TRUE(restored.RestoreSlot(s).ok());
  for (const auto& [t, h] : sink_.holds)
    ASSERT_TRUE(restored.RestoreHold(h).ok());
  for (const auto& [id, b] : sink_.bookings)
    ASSERT_TRUE(restored.RestoreBooking(b).ok());
  for (const auto& [k, r] : sink_.idempotency)
    ASSERT_TRUE(restored.RestoreIdempotency(r).ok());
  ASSERT_TRUE(restored.FinishRestore(sink_.clock).ok());

  for (const std::string id : {"s1", "s2"}) {
    const SlotView a = *engine_->GetSlot(id), b = *restored.GetSlot(id);
    EXPECT_EQ(a.slot, b.slot);
    EXPECT_EQ(a.places_held, b.places_held) << id;
    EXPECT_EQ(a.places_booked, b.places_booked) << id;
    EXPECT_EQ(a.state, b.state) << id;
  }
  EXPECT_EQ(restored.stats().searchable_slots,
            engine_->stats().searchable_slots);
  EXPECT_EQ(restored.clock_unix_s(), engine_->clock_unix_s());
  // A retry after the restart is answered from the restored record.
  Effects r;
  auto replay = restored.ConfirmBooking(regulator_, Key("conf-1"),
                                        {"s1", Token(2), "patient-1", "case-9"},
                                        At(now_), &r);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(r.replayed);
  // A booking's id is its hold token's last 20 hex digits.
  EXPECT_EQ(replay->id, "bk-00000000000000000002");
}

}  // namespace
}  // namespace creneau
