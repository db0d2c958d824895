#include "engine/geo.h"

#include <random>

#include "gtest/gtest.h"
#include "s2/s2cell_id.h"
#include "s2/s2earth.h"
#include "s2/s2latlng.h"

namespace creneau::geo {
namespace {

bool Covered(const Covering& covering, uint64_t cell) {
  for (int i = 0; i < covering.size; ++i) {
    if (cell >= covering.ranges[i].min && cell <= covering.ranges[i].max) {
      return true;
    }
  }
  return false;
}

TEST(GeoTest, DistanceMatchesS2WithinOneMeter) {
  const LatLng royan{45.6248, -1.0281};
  const LatLng la_rochelle{46.1591, -1.1520};
  const S2Point a = ToS2Point(royan);
  const double ours =
      MetersFromChordSquared(ChordSquared(a, ToUnitPoint(la_rochelle)));
  const double s2 = S2Earth::GetDistanceMeters(
      S2LatLng::FromDegrees(royan.lat_deg, royan.lng_deg),
      S2LatLng::FromDegrees(la_rochelle.lat_deg, la_rochelle.lng_deg));
  EXPECT_NEAR(ours, s2, 1.0);
  EXPECT_NEAR(ours, 60300, 500);  // About 60 km as the crow flies.
}

TEST(GeoTest, ChordConversionsRoundTrip) {
  for (double m : {1.0, 150.0, 2000.0, 14000.0, 133000.0, 200000.0}) {
    EXPECT_NEAR(MetersFromChordSquared(ChordSquaredForMeters(m)), m,
                1e-6 * m + 1e-6);
  }
}

// Every point within the radius must fall in the covering, for random
// centers (including near cube-face edges and poles) and radii.
TEST(GeoTest, CoverDiskContainsEveryPointWithinRadius) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lat(-89.0, 89.0), lng(-180.0, 180.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 300; ++trial) {
    const LatLng center{lat(rng), lng(rng)};
    // 100 m..200 km (a search's radius), and one trial in ten up to
    // kMaxCoveredRadiusM (a teleconsultation's reach).
    const double radius_m = trial % 10 == 0
                                ? kMaxCoveredRadiusM * (0.1 + 0.9 * unit(rng))
                                : 100.0 * std::pow(2000.0, unit(rng));
    const S2Point c = ToS2Point(center);
    const Covering covering = CoverDisk(c, radius_m);
    ASSERT_GE(covering.size, 1);
    ASSERT_LE(covering.size, 9);
    for (int i = 1; i < covering.size; ++i) {
      ASSERT_LT(covering.ranges[i - 1].max, covering.ranges[i].min);
    }
    const double limit = ChordSquaredForMeters(radius_m);
    for (int k = 0; k < 200; ++k) {
      // A point at a random bearing and distance up to the radius.
      const double bearing = unit(rng) * 2 * M_PI;
      const double d = radius_m * std::sqrt(unit(rng)) / kEarthRadiusM;
      const S2LatLng ll(c);
      const double lat1 = ll.lat().radians(), lng1 = ll.lng().radians();
      const double lat2 =
          std::asin(std::sin(lat1) * std::cos(d) +
                    std::cos(lat1) * std::sin(d) * std::cos(bearing));
      const double lng2 =
          lng1 + std::atan2(std::sin(bearing) * std::sin(d) * std::cos(lat1),
                            std::cos(d) - std::sin(lat1) * std::sin(lat2));
      const UnitPoint p = ToUnitPoint(
          {lat2 * 180 / M_PI, std::remainder(lng2 * 180 / M_PI, 360.0)});
      if (ChordSquared(c, p) > limit) continue;
      ASSERT_TRUE(Covered(covering, LeafCellId(p)))
          << "seed " << seed << " center " << center.lat_deg << ","
          << center.lng_deg << " radius " << radius_m;
    }
  }
}

TEST(GeoTest, CoveringOfASmallDiskIsSmall) {
  const S2Point c = ToS2Point({48.8566, 2.3522});
  const Covering covering = CoverDisk(c, 2000);
  // A few ranges (the 5x5 block of cells half the radius wide, merged where
  // contiguous along the curve), never none, and the center's own cell in
  // one of them; each no wider than a few times the radius.
  ASSERT_GE(covering.size, 1);
  ASSERT_LE(covering.size, 9);
  EXPECT_TRUE(Covered(covering, LeafCellId(ToUnitPoint({48.8566, 2.3522}))));
  for (int i = 0; i < covering.size; ++i) {
    const S2CellId lo(covering.ranges[i].min), hi(covering.ranges[i].max);
    EXPECT_LT(
        S2LatLng(lo.ToPoint()).GetDistance(S2LatLng(hi.ToPoint())).radians() *
            kEarthRadiusM,
        40000);
  }
}

}  // namespace
}  // namespace creneau::geo
