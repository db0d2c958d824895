// Engine commands: search, holds, bookings, expiry, visibility,
// idempotency, publication rules and empty answers.
#include "engine/engine.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

TEST_F(EngineTest, SearchRanksByStartThenDistanceAndExplainsDistance) {
  ASSERT_TRUE(Publish({MakeSlot("a", "gp-didonne", kT0 + 3600),
                       MakeSlot("b", "gp-royan", kT0 + 3600),
                       MakeSlot("c", "gp-royan", kT0 + 1800)})
                  .ok());
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, RoyanGp(), At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 3u);
  EXPECT_EQ(engine_->ViewSlot(result.hits[0].slot).slot.id, "c");
  EXPECT_EQ(engine_->ViewSlot(result.hits[1].slot).slot.id, "b");
  EXPECT_EQ(engine_->ViewSlot(result.hits[2].slot).slot.id, "a");
  EXPECT_NEAR(result.hits[0].distance_m, 0, 1);
  EXPECT_NEAR(result.hits[2].distance_m, 3500, 500);
  EXPECT_EQ(result.origin_commune, "17306");

  SearchQuery nearest = RoyanGp();
  nearest.order = SearchOrder::kNearest;
  EXPECT_THAT(SearchIds(nearest), ::testing::ElementsAre("c", "b", "a"));
}

TEST_F(EngineTest, WidensUntilEnoughResultsThenStopsAtTheCap) {
  Slot ten_km = MakeSlot("ten-km", "gp-royan", kT0 + 3600);
  ten_km.location = LatLng{45.70, -1.11};  // A session about 10 km north.
  ASSERT_TRUE(Publish({MakeSlot("near", "gp-royan", kT0 + 3600), ten_km,
                       MakeSlot("far", "gp-rochelle", kT0 + 3600)})
                  .ok());
  SearchQuery q = RoyanGp();
  q.limit = 2;
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 2u);
  EXPECT_GT(result.widening_steps, 0);
  EXPECT_GT(result.radius_m, result.initial_radius_m);
  EXPECT_EQ(result.hits[0].reason, MatchReason::kWithinRadius);
  EXPECT_EQ(result.hits[1].reason, MatchReason::kWidenedRadius);
  EXPECT_NEAR(result.hits[1].distance_m, 10700, 800);

  // La Rochelle (60 km) is beyond the cap of this dense territory.
  q.limit = 3;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.hits.size(), 2u);
  EXPECT_LT(result.radius_m, 60000);

  q.radius_m = 100000;  // Explicit radius: searched as given, never widened.
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.hits.size(), 3u);
  EXPECT_EQ(result.widening_steps, 0);
  EXPECT_EQ(result.radius_m, 100000);
}

TEST_F(EngineTest, HoldConfirmGetAndSecondConfirmRefused) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  auto hold = HoldOn("s1", 1);
  ASSERT_TRUE(hold.ok()) << hold.status();
  EXPECT_EQ(hold->expire_unix_s, kT0 + 180);
  EXPECT_TRUE(SearchIds(RoyanGp()).empty()) << "a held slot leaves searches";
  EXPECT_EQ(engine_->GetSlot("s1")->state, SlotState::kHeld);

  auto booking = Confirm("s1", 1);
  ASSERT_TRUE(booking.ok()) << booking.status();
  EXPECT_EQ(booking->status, BookingStatus::kBooked);
  EXPECT_EQ(engine_->GetBooking(booking->id)->patient_ref, "patient-1");
  EXPECT_EQ(engine_->GetSlot("s1")->state, SlotState::kFull);

  auto again = Confirm("s1", 1);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.status().message()),
              HasSubstr("already confirmed"));
}

TEST_F(EngineTest, ReleaseAndCancelGiveThePlaceBack) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  Effects e;
  ASSERT_TRUE(
      engine_->ReleaseHold(regulator_, Key(""), {"s1", Token(1)}, At(now_), &e)
          .ok());
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("s1"));

  ASSERT_TRUE(HoldOn("s1", 2).ok());
  auto booking = Confirm("s1", 2);
  ASSERT_TRUE(booking.ok());
  EXPECT_TRUE(SearchIds(RoyanGp()).empty());
  auto cancelled = engine_->CancelBooking(
      regulator_, Key(""), {booking->id, CancelReason::kPatientBetter},
      At(now_), &e);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->status, BookingStatus::kCancelled);
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("s1"));
  auto twice =
      engine_->CancelBooking(regulator_, Key(""), {booking->id}, At(now_), &e);
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, ExpiryFreesThePlaceExactlyOnceAndClockNeverGoesBack) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1, nullptr, 60).ok());
  Effects e;
  EXPECT_EQ(engine_->ExpireHolds(At(kT0 + 59), &e), 0);
  EXPECT_EQ(engine_->ExpireHolds(At(kT0 + 60), &e), 1);
  EXPECT_EQ(engine_->ExpireHolds(At(kT0 + 61), &e), 0);
  EXPECT_EQ(engine_->GetSlot("s1")->places_held, 0);
  // The clock steps back: the hold stays expired and cannot be confirmed.
  now_ = kT0 + 10;
  auto confirm = Confirm("s1", 1);
  EXPECT_EQ(confirm.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(confirm.status().message()), HasSubstr("expired at"));
  EXPECT_EQ(engine_->clock_unix_s(), kT0 + 61);
}

TEST_F(EngineTest, AnotherCallersTokenOrAnotherSlotIsRefused) {
  const auto unknown_message = [&](int token) {
    auto unknown = Confirm("s1", token);
    EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
    return std::string(unknown.status().message());
  };
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600),
                       MakeSlot("s2", "gp-royan", kT0 + 7200)})
                  .ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  auto wrong_slot = Confirm("s2", 1);
  EXPECT_EQ(wrong_slot.status().code(), absl::StatusCode::kFailedPrecondition);
  Effects e;
  Caller other = regulator_;
  other.name = "sas-33";
  auto stolen = engine_->ConfirmBooking(
      other, Key(""), {"s1", Token(1), "p", ""}, At(now_), &e);
  // Another caller's hold answers as an unknown token.
  EXPECT_EQ(stolen.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(stolen.status().message(), unknown_message(99));
}

TEST_F(EngineTest, OverbookingPlacesAreForRegulationOnly) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 1, 1)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());  // The regular place.
  EXPECT_TRUE(SearchIds(RoyanGp(), &public_).empty());
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, RoyanGp(), At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 1u);
  EXPECT_TRUE(result.hits[0].overbooking_only);
  EXPECT_EQ(HoldOn("s1", 2, &public_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Only on request: a plain hold does not fall back to the overbooking
  // place, and a public caller may not ask for one.
  EXPECT_EQ(HoldOn("s1", 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(HoldOn("s1", 3, &public_, 180, true).status().code(),
            absl::StatusCode::kPermissionDenied);
  auto over = HoldOn("s1", 3, nullptr, 180, true);
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_TRUE(over->overbooking_place);
  EXPECT_EQ(HoldOn("s1", 4, nullptr, 180, true).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, VisibilityIsEnforcedBySearchAndHold) {
  Slot s = MakeSlot("reg", "gp-royan", kT0 + 3600);
  s.visibility = Visibility::kRegulation;
  ASSERT_TRUE(Publish({s}).ok());
  EXPECT_TRUE(SearchIds(RoyanGp(), &public_).empty());
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("reg"));
  // A slot the caller may not see answers as an unknown one.
  auto hidden = HoldOn("reg", 1, &public_);
  EXPECT_EQ(hidden.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden.status().message(), "slot_id: no slot 'reg'");
  EXPECT_EQ(HoldOn("nothing", 2, &public_).status().message(),
            "slot_id: no slot 'nothing'");
}

TEST_F(EngineTest, IdempotentRetriesReturnTheFirstAnswer) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  Effects e1, e2, e3;
  auto first = engine_->HoldSlot(regulator_, Key("req-1", 42),
                                 {"s1", Token(1), 180}, At(now_), &e1);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(e1.replayed);
  now_ += 5;
  auto retry = engine_->HoldSlot(regulator_, Key("req-1", 42),
                                 {"s1", Token(2), 180}, At(now_), &e2);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(e2.replayed);
  EXPECT_TRUE(e2.empty());
  EXPECT_EQ(retry->token, first->token);
  EXPECT_EQ(engine_->GetSlot("s1")->places_held, 1);
  auto different = engine_->HoldSlot(regulator_, Key("req-1", 43),
                                     {"s1", Token(3), 180}, At(now_), &e3);
  EXPECT_EQ(different.status().code(), absl::StatusCode::kAlreadyExists);
  auto other_method = engine_->ReleaseHold(regulator_, Key("req-1", 42),
                                           {"s1", Token(1)}, At(now_), &e3);
  EXPECT_EQ(other_method.status().code(), absl::StatusCode::kAlreadyExists);
  // Another caller may use the same request id for itself.
  Caller other = regulator_;
  other.name = "sas-33";
  Effects e4;
  EXPECT_EQ(engine_
                ->HoldSlot(other, Key("req-1", 42), {"s1", Token(5), 180},
                           At(now_), &e4)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);  // Full, not a replay.
}

TEST_F(EngineTest, ABadSlotRefusesTheWholeBatch) {
  std::vector<Slot> batch = {MakeSlot("ok1", "gp-royan", kT0 + 3600),
                             MakeSlot("bad", "gp-royan", kT0 - 60),
                             MakeSlot("ok2", "gp-royan", kT0 + 7200)};
  auto result = Publish(batch);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "slots[1].start_time: must be in the future");
  EXPECT_EQ(engine_->stats().slots, 0u);
  batch[1] = MakeSlot("ok1", "gp-royan", kT0 + 60);
  EXPECT_THAT(std::string(Publish(batch).status().message()),
              HasSubstr("slots[1].id: duplicate of slots[0]"));
  batch[1] = MakeSlot("x", "nobody", kT0 + 60);
  EXPECT_EQ(Publish(batch).status().code(),
            absl::StatusCode::kFailedPrecondition);
  std::vector<Slot> huge(limits::kMaxBatchSize + 1,
                         MakeSlot("y", "gp-royan", kT0 + 60));
  EXPECT_EQ(Publish(huge).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->stats().slots, 0u);
}

TEST_F(EngineTest, RepublishRulesForSlotsWithPlacesTaken) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 2)}).ok());
  EXPECT_EQ(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 2)})->unchanged, 1);
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  ASSERT_TRUE(HoldOn("s1", 2).ok());
  EXPECT_EQ(
      Publish({MakeSlot("s1", "gp-royan", kT0 + 7200, 2)}).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 1)}).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 3)})->updated, 1);
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("s1"));
  Effects e;
  EXPECT_EQ(engine_->WithdrawSlots(feed_, Key(""), {"s1"}, At(now_), &e)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, PreferredProfessionalComesFirstWhateverTheDistance) {
  ASSERT_TRUE(Publish({MakeSlot("near", "gp-royan", kT0 + 3600),
                       MakeSlot("mine", "gp-rochelle", kT0 + 7200)})
                  .ok());
  SearchQuery q = RoyanGp();
  q.radius_m = 5000;
  q.preferred_professional_id = "gp-rochelle";
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 2u);
  EXPECT_EQ(engine_->ViewSlot(result.hits[0].slot).slot.id, "mine");
  EXPECT_EQ(result.hits[0].reason, MatchReason::kPreferredProfessional);
}

TEST_F(EngineTest, EmptyAnswersSayWhy) {
  SearchQuery q = RoyanGp();
  SearchResult result;
  q.profession = Profession::kDentist;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kNoSupplyInReach);

  q = RoyanGp();
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kOutsideWindow);

  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kAllTaken);

  ASSERT_TRUE(Publish({MakeSlot("s2", "gp-royan", kT0 + 3600)}).ok());
  q.modalities = Bit(Modality::kTeleconsultation);
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kNoMatchingSlot);
}

// A teleconsultation is not bound by the radius: a GP in Lyon (400 km from
// Royan) is offered to a Royan patient searching 5 km, with no trip in the
// score; one in La Reunion (9,000 km) is not.
TEST_F(EngineTest, TeleconsultationsReachBeyondTheRadius) {
  Professional lyon = Gp("gp-lyon", {45.7640, 4.8357});
  Professional reunion = Gp("gp-reunion", {-20.8821, 55.4507});
  reunion.time_zone = "Indian/Reunion";
  Upsert({lyon, reunion});
  Slot video = MakeSlot("video-lyon", "gp-lyon", kT0 + 7200);
  video.modality = Modality::kTeleconsultation;
  Slot far_video = MakeSlot("video-reunion", "gp-reunion", kT0 + 3600);
  far_video.modality = Modality::kTeleconsultation;
  ASSERT_TRUE(
      Publish({video, far_video, MakeSlot("lyon-office", "gp-lyon", kT0 + 3600),
               MakeSlot("royan-office", "gp-royan", kT0 + 5400)})
          .ok());
  SearchQuery q = RoyanGp();
  q.radius_m = 5000;
  q.order = SearchOrder::kNearest;
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 2u);
  // Nearest first: the video call ranks at the patient's door.
  EXPECT_EQ(engine_->ViewSlot(result.hits[0].slot).slot.id, "video-lyon");
  EXPECT_EQ(result.hits[0].reason, MatchReason::kTeleconsultation);
  EXPECT_NEAR(result.hits[0].distance_m, 451'000, 10'000);
  EXPECT_EQ(engine_->ViewSlot(result.hits[1].slot).slot.id, "royan-office");
  EXPECT_EQ(result.hits[1].reason, MatchReason::kWithinRadius);

  q.order = SearchOrder::kBalanced;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  engine_->ExplainHits(&result);
  ASSERT_EQ(result.hits.size(), 2u);
  int remote = 0;
  for (const SearchHit& hit : result.hits) {
    if (hit.reason != MatchReason::kTeleconsultation) continue;
    ++remote;
    EXPECT_EQ(hit.trip_m, 0);
    EXPECT_NEAR(hit.distance_m, 451'000, 10'000);
    EXPECT_NEAR(hit.score, hit.minutes_to_start, 1e-9);
  }
  EXPECT_EQ(remote, 1);

  // In-office only: the Lyon practice is still beyond the radius.
  q.modalities = Bit(Modality::kInOffice);
  EXPECT_EQ(SearchIds(q), std::vector<std::string>{"royan-office"});
}

TEST_F(EngineTest, SearchValidatesEveryField) {
  SearchResult result;
  const auto code = [&](SearchQuery q) {
    return engine_->Search(regulator_, q, At(now_), &result).code();
  };
  SearchQuery q = RoyanGp();
  q.radius_m = 10'000'000;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.commune_code = "99999";
  EXPECT_EQ(code(q), absl::StatusCode::kNotFound);
  q = RoyanGp();
  q.point = LatLng{45, -1};
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.limit = 101;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.window_end_unix_s = kT0 + 32 * 86400;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.profession = Profession::kUnspecified;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace creneau
