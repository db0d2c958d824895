// Engine::MatchAndHold: the best place held in the search's step, passing
// over what the caller may not hold, empty answers with their reason, and
// retries.
#include <optional>
#include <string>

#include "engine/engine.h"
#include "engine/testing/engine_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::creneau::testing::At;
using ::creneau::testing::EngineTest;
using ::creneau::testing::kT0;
using ::creneau::testing::Token;

class MatchAndHoldTest : public EngineTest {
 protected:
  absl::StatusOr<std::optional<Hold>> Match(const SearchQuery& query, int token,
                                            const Caller* caller = nullptr,
                                            const std::string& request_id = "",
                                            uint64_t fingerprint = 1) {
    Effects e;
    MatchHoldCommand command{query, Token(token), 180};
    auto held = engine_->MatchAndHold(caller ? *caller : regulator_,
                                      Key(request_id, fingerprint), command,
                                      At(now_), &result_, &e);
    sink_.Apply(e);
    replayed_ = e.replayed;
    return held;
  }
  std::string HitId(size_t i = 0) {
    return engine_->ViewSlot(result_.hits.at(i).slot).slot.id;
  }

  SearchResult result_;
  bool replayed_ = false;
};

TEST_F(MatchAndHoldTest, HoldsTheBestPlaceAndExplainsIt) {
  ASSERT_TRUE(Publish({MakeSlot("later", "gp-royan", kT0 + 7200),
                       MakeSlot("soonest", "gp-didonne", kT0 + 3600)})
                  .ok());
  auto held = Match(RoyanGp(), 1);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_TRUE(held->has_value());
  EXPECT_EQ((*held)->slot_id, "soonest");
  EXPECT_EQ((*held)->holder, regulator_.name);
  EXPECT_EQ((*held)->expire_unix_s, kT0 + 180);
  ASSERT_EQ(result_.hits.size(), 1u);
  EXPECT_EQ(HitId(), "soonest");
  EXPECT_NEAR(result_.hits[0].distance_m, 3500, 500);
  EXPECT_EQ(result_.hits[0].minutes_to_start, 60);
  // Explained as ranked, before the hold took a place of the week.
  EXPECT_EQ(result_.hits[0].week_orientations, 0);
  EXPECT_EQ(engine_->GetSlot("soonest")->places_held, 1);

  // The next call gets the next place; then none is left.
  held = Match(RoyanGp(), 2);
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_EQ((*held)->slot_id, "later");
  held = Match(RoyanGp(), 3);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_FALSE(held->has_value());
  EXPECT_TRUE(result_.hits.empty());
  EXPECT_EQ(result_.empty_reason, EmptyReason::kAllTaken);
}

TEST_F(MatchAndHoldTest, PassesOverWhatTheCallerMayNotHold) {
  Effects e;
  Caller admin;
  admin.name = "root";
  admin.administrator = true;
  ASSERT_TRUE(
      engine_
          ->UpsertTerritory(
              admin, Key(""),
              {"t-rochelle", "La Rochelle", TerritoryKind::kCpts, {"17300"}},
              Engine::UpsertMode::kCreate, At(now_), &e)
          .ok());
  Caller rochelle = regulator_;
  rochelle.name = "sas-rochelle";
  rochelle.scope = {false, {"t-rochelle"}};
  ASSERT_TRUE(Publish({MakeSlot("royan", "gp-royan", kT0 + 3600),
                       MakeSlot("full", "gp-didonne", kT0 + 1800, 1, 1),
                       MakeSlot("rochelle", "gp-rochelle", kT0 + 7200)})
                  .ok());
  ASSERT_TRUE(HoldOn("full", 1).ok());  // Only its overbooking place is left.
  SearchQuery q = RoyanGp();
  q.radius_m = 100000;
  // Royan is outside this regulator's territory, and an overbooking place
  // is only taken on explicit request: La Rochelle's slot is held.
  auto held = Match(q, 2, &rochelle);
  ASSERT_TRUE(held.ok() && held->has_value()) << held.status();
  EXPECT_EQ((*held)->slot_id, "rochelle");
  EXPECT_EQ(HitId(), "rochelle");
  // Then only places it may not hold are left.
  held = Match(q, 3, &rochelle);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_FALSE(held->has_value());
  EXPECT_EQ(result_.empty_reason, EmptyReason::kNoneHoldable);
  EXPECT_EQ(engine_->GetSlot("royan")->places_held, 0);
}

TEST_F(MatchAndHoldTest, RetryReturnsTheFirstHoldAndItsMatch) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-didonne", kT0 + 3600),
                       MakeSlot("s2", "gp-royan", kT0 + 7200)})
                  .ok());
  auto first = Match(RoyanGp(), 1, nullptr, "req-1");
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_FALSE(replayed_);
  const double distance_m = result_.hits.at(0).distance_m;
  now_ += 5;
  auto retry = Match(RoyanGp(), 2, nullptr, "req-1");
  ASSERT_TRUE(retry.ok() && retry->has_value()) << retry.status();
  EXPECT_TRUE(replayed_);
  EXPECT_EQ(**retry, **first);
  EXPECT_EQ(HitId(), "s1");
  EXPECT_NEAR(result_.hits[0].distance_m, distance_m, 1);
  EXPECT_EQ(engine_->GetSlot("s2")->places_held, 0) << "nothing else held";
  // Once the query's window has passed, a retry still gets the hold, with
  // no match.
  SearchQuery past = RoyanGp();
  past.window_start_unix_s = kT0 + 60;
  past.window_end_unix_s = kT0 + 7300;
  auto windowed = Match(past, 4, nullptr, "req-2");
  ASSERT_TRUE(windowed.ok() && windowed->has_value()) << windowed.status();
  now_ = kT0 + 7400;
  auto late = Match(past, 5, nullptr, "req-2");
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(replayed_);
  EXPECT_EQ(**late, **windowed);
  EXPECT_TRUE(result_.hits.empty());
  // The same id with another payload is refused.
  auto reused = Match(RoyanGp(), 3, nullptr, "req-1", 2);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(MatchAndHoldTest, AnEmptyAnswerIsNotRemembered) {
  auto empty = Match(RoyanGp(), 1, nullptr, "req-1");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  EXPECT_EQ(result_.empty_reason, EmptyReason::kOutsideWindow);
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  // The retry searches again and finds the new place.
  auto retry = Match(RoyanGp(), 1, nullptr, "req-1");
  ASSERT_TRUE(retry.ok() && retry->has_value()) << retry.status();
  EXPECT_FALSE(replayed_);
  EXPECT_EQ((*retry)->slot_id, "s1");
}

TEST_F(MatchAndHoldTest, RefusesBadTermsAndAUsedToken) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  Effects e;
  MatchHoldCommand command{RoyanGp(), "not-a-token", 180};
  auto bad = engine_->MatchAndHold(regulator_, Key(""), command, At(now_),
                                   &result_, &e);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::StartsWith("token"));
  command.token = Token(1);
  command.ttl_s = 5;
  bad = engine_->MatchAndHold(regulator_, Key(""), command, At(now_), &result_,
                              &e);
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::StartsWith("ttl"));
  SearchQuery no_profession = RoyanGp();
  no_profession.profession = Profession::kUnspecified;
  auto invalid = Match(no_profession, 1);
  EXPECT_THAT(std::string(invalid.status().message()),
              ::testing::StartsWith("profession"));
  // A token already used by a hold is refused, and nothing is held.
  ASSERT_TRUE(HoldOn("s1", 7).ok());
  ASSERT_TRUE(Publish({MakeSlot("s2", "gp-royan", kT0 + 3600)}).ok());
  EXPECT_EQ(Match(RoyanGp(), 7).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(engine_->GetSlot("s2")->places_held, 0);
}

}  // namespace
}  // namespace creneau
