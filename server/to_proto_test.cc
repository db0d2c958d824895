#include "server/to_proto.h"

#include "gtest/gtest.h"

namespace creneau::server {
namespace {

TEST(ToProtoTest, ReasonTexts) {
  SearchHit hit;
  hit.distance_m = 2400;
  const absl::Time now = absl::FromUnixSeconds(1'900'000'000);
  EXPECT_EQ(ReasonText(hit, 1'900'000'000 + 3 * 3600 + 600, now),
            "2.4 km, in 3 h 10 min");
  hit.distance_m = 350;
  hit.reason = MatchReason::kWidenedRadius;
  hit.overbooking_only = true;
  EXPECT_EQ(ReasonText(hit, 1'900'000'000 + 600, now),
            "350 m, in 10 min (found after widening), overbooking place only");
}

}  // namespace
}  // namespace creneau::server
