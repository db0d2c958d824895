#include "server/to_proto.h"

#include "gtest/gtest.h"

namespace creneau::server {
namespace {

TEST(ToProtoTest, ReasonTexts) {
  SearchHit hit;
  hit.distance_m = 2400;
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
}

}  // namespace
}  // namespace creneau::server
