// Geometry on the sphere: how the engine stores locations, measures
// distances and covers a disk with S2 cells.
//
// A location is stored as a unit vector in single precision (UnitPoint, about
// half a meter of resolution on Earth). Every distance the engine reports or
// compares is computed from that stored point, so a search and the reference
// matcher of the tests agree to the bit.
#ifndef CRENEAU_ENGINE_GEO_H_
#define CRENEAU_ENGINE_GEO_H_

#include <array>
#include <cstdint>

#include "engine/types.h"
#include "s2/s2point.h"

namespace creneau::geo {

// Mean Earth radius, as S2Earth::RadiusMeters().
inline constexpr double kEarthRadiusM = 6371010.0;

// A stored location: the unit vector of a LatLng, in single precision.
struct UnitPoint {
  float x = 0, y = 0, z = 0;
  bool operator==(const UnitPoint&) const = default;
};

UnitPoint ToUnitPoint(const LatLng& point);
// The exact (double) unit vector of a query origin.
S2Point ToS2Point(const LatLng& point);
// The leaf S2 cell id of a stored location.
uint64_t LeafCellId(const UnitPoint& point);

// Squared chord length between two points of the unit sphere; monotonic in
// the great-circle distance, cheap to compare.
inline double ChordSquared(const S2Point& a, const UnitPoint& b) {
  const double dx = a.x() - b.x, dy = a.y() - b.y, dz = a.z() - b.z;
  return dx * dx + dy * dy + dz * dz;
}
// The squared chord of a great-circle distance in meters.
double ChordSquaredForMeters(double distance_m);
// ChordSquaredForMeters(radius_km * 1000) for a radius in [0, 63] km, read
// from a table: searches test every home-visit slot against its radius.
// Radii above 63 wrap (callers store them in 6 bits).
double HomeVisitChordSquared(int radius_km);
// The great-circle distance in meters of a squared chord.
double MetersFromChordSquared(double chord_squared);

// A closed range of leaf cell ids.
struct CellRange {
  uint64_t min = 0;
  uint64_t max = 0;
};

// Cell ranges that contain every stored location within `radius_m` of
// `center` (and more: it is a cover, filtered later by exact distance). At
// most 25 ranges, sorted and disjoint. radius_m must be in
// (0, kMaxCoveredRadiusM].
inline constexpr double kMaxCoveredRadiusM = 1.5e6;
struct Covering {
  std::array<CellRange, 25> ranges;
  int size = 0;
};
Covering CoverDisk(const S2Point& center, double radius_m);

}  // namespace creneau::geo

#endif  // CRENEAU_ENGINE_GEO_H_
