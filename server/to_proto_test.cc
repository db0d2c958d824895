#include "server/to_proto.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace creneau::server {
namespace {

TEST(ToProtoTest, ReasonTexts) {
  SearchHit hit;
  hit.distance_m = 2400;
  hit.trip_m = 2400;
  hit.minutes_to_start = 40;
  hit.week_orientations = 4;
  hit.weekly_cap = 20;
  hit.load = 0.2;
  hit.score = 40 + 6 * 2.4 + 1440 * 0.2;
  const RankingWeights weights;
  EXPECT_EQ(ReasonText(hit, SearchOrder::kBalanced, weights, false),
            "score 342 = 40 min + 14 for 2.4 km + 288 for 4 of 20 this week");
  EXPECT_EQ(ReasonText(hit, SearchOrder::kSoonest, weights, false),
            "4 of 20 this week");
  hit.distance_m = 350;
  hit.weekly_cap = 0;
  hit.reason = MatchReason::kWidenedRadius;
  hit.overbooking_only = true;
  EXPECT_EQ(ReasonText(hit, SearchOrder::kNearest, weights, true),
            "4 this week, uncapped, found after widening, another profession "
            "searched, overbooking place only");
  hit.reason = MatchReason::kPreferredProfessional;
  hit.overbooking_only = false;
  EXPECT_EQ(ReasonText(hit, SearchOrder::kSoonest, weights, false),
            "patient's own professional, 4 this week, uncapped");
  // A teleconsultation 300 km away: no trip in the score.
  hit.reason = MatchReason::kTeleconsultation;
  hit.distance_m = 300000;
  hit.trip_m = 0;
  hit.weekly_cap = 20;
  hit.score = 40 + 1440 * 0.2;
  EXPECT_EQ(ReasonText(hit, SearchOrder::kBalanced, weights, false),
            "score 328 = 40 min + 0 for no trip + 288 for 4 of 20 this week, "
            "teleconsultation, not bound by the radius");
}

// The sentence on an answer counts the teleconsultations found beyond the
// radius, which the "within" would otherwise misstate.
TEST(ToProtoTest, ExplanationCountsTeleconsultationsFromFarther) {
  CommuneTable communes;
  SearchQuery query;
  query.profession = Profession::kGeneralPractitioner;
  SearchResult result;
  result.radius_m = 1000;
  result.initial_radius_m = 1000;
  SearchHit near, remote;
  near.distance_m = 600;
  remote.reason = MatchReason::kTeleconsultation;
  remote.distance_m = 6000;
  result.hits = {near, remote};
  EXPECT_EQ(Explanation(communes, query, result),
            "2 slot(s) within 1.0 km, 1 of them teleconsultations from "
            "farther");
  result.hits = {near};
  EXPECT_EQ(Explanation(communes, query, result), "1 slot(s) within 1.0 km");
}

// Every event the engine records has an audit action name of its own.
TEST(ToProtoTest, EveryEventTypeHasAnActionName) {
  std::set<std::string> names;
  for (int type = 1; type <= static_cast<int>(EventType::kRequestsExpired);
       ++type) {
    const std::string name = ActionName(static_cast<EventType>(type));
    EXPECT_NE(name, "unknown") << "event type " << type;
    EXPECT_TRUE(names.insert(name).second) << name << " given twice";
  }
}

}  // namespace
}  // namespace creneau::server
