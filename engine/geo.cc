#include "engine/geo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "engine/check.h"
#include "s2/s2cell_id.h"
#include "s2/s2coords.h"
#include "s2/s2latlng.h"
#include "s2/s2metrics.h"

namespace creneau::geo {
namespace {

// A covering cell is chosen at least this much wider than the radius, so that
// rounding in the stored points never puts a point within the radius outside
// the 3x3 block of cells around the center.
constexpr double kCoverMarginM = 50.0;

}  // namespace

UnitPoint ToUnitPoint(const LatLng& point) {
  const S2Point p = ToS2Point(point);
  return UnitPoint{static_cast<float>(p.x()), static_cast<float>(p.y()),
                   static_cast<float>(p.z())};
}

S2Point ToS2Point(const LatLng& point) {
  return S2LatLng::FromDegrees(point.lat_deg, point.lng_deg).ToPoint();
}

uint64_t LeafCellId(const UnitPoint& point) {
  return S2CellId(S2Point(point.x, point.y, point.z)).id();
}

double ChordSquaredForMeters(double distance_m) {
  const double half_angle = distance_m / kEarthRadiusM / 2;
  const double chord = 2 * std::sin(std::min(half_angle, M_PI_2));
  return chord * chord;
}

namespace {

// Built at start-up (namespace scope, no guard on the search path).
const std::array<double, 64> kHomeVisitChordSquared = [] {
  std::array<double, 64> table;
  for (int km = 0; km < 64; ++km) {
    table[km] = ChordSquaredForMeters(km * 1000.0);
  }
  return table;
}();

}  // namespace

double HomeVisitChordSquared(int radius_km) {
  return kHomeVisitChordSquared[radius_km & 63];
}

double MetersFromChordSquared(double chord_squared) {
  const double half_chord = std::min(1.0, std::sqrt(chord_squared) / 2);
  return 2 * std::asin(half_chord) * kEarthRadiusM;
}

namespace {

// Sorts `cells` (ids of cells of one `level`) and merges adjacent ones into
// ranges of leaf ids.
Covering MergeCells(uint64_t* cells, int count, int level) {
  std::sort(cells, cells + count);
  // A cell's leaves are the ids within lsb - 1 of its own id.
  const uint64_t half_span = S2CellId::lsb_for_level(level) - 1;
  Covering covering;
  for (int i = 0; i < count; ++i) {
    const CellRange range{cells[i] - half_span, cells[i] + half_span};
    if (covering.size > 0 &&
        range.min <= covering.ranges[covering.size - 1].max + 2) {
      CellRange& last = covering.ranges[covering.size - 1];
      last.max = std::max(last.max, range.max);
    } else {
      covering.ranges[covering.size++] = range;
    }
  }
  return covering;
}

// The center cell and its neighbours at the level whose cells are at least
// as wide as the radius: valid everywhere, across cube faces too.
Covering CoverDiskCoarse(const S2Point& center, double radius_m) {
  CRENEAU_CHECK(radius_m > 0 && radius_m <= kMaxCoveredRadiusM);
  const double angle = (radius_m + kCoverMarginM) / kEarthRadiusM;
  const int level = std::max(1, S2::kMinWidth.GetLevelForMinValue(angle));
  const S2CellId cell = S2CellId(center).parent(level);

  // The cell and its (7 or) 8 neighbours: a point within one cell width of
  // the center cannot be outside them.
  std::array<uint64_t, 9> cells;
  int count = 0;
  cells[count++] = cell.id();
  // AppendAllNeighbors needs a vector; the heap allocation is avoided by a
  // thread-local buffer reused across searches.
  thread_local std::vector<S2CellId> neighbors;
  neighbors.clear();
  cell.AppendAllNeighbors(level, &neighbors);
  CRENEAU_CHECK(neighbors.size() <= 8);
  for (S2CellId n : neighbors) cells[count++] = n.id();
  return MergeCells(cells.data(), count, level);
}

}  // namespace

Covering CoverDisk(const S2Point& center, double radius_m) {
  CRENEAU_CHECK(radius_m > 0 && radius_m <= kMaxCoveredRadiusM);
  const double angle = (radius_m + kCoverMarginM) / kEarthRadiusM;
  // Cells at least half the radius wide: every point within the radius is
  // within two cells of the center's cell on each axis (5x5 block), and the
  // block's cells that lie wholly outside the disk are skipped. About half
  // the area of the coarse 3x3 block, so fewer entries to walk.
  const int level = S2::kMinWidth.GetLevelForMinValue(angle / 2);
  if (level < 2) return CoverDiskCoarse(center, radius_m);
  // The center's leaf (i, j) on its face, as S2CellId(center) computes it,
  // without building and decoding the id.
  double u = 0, v = 0;
  const int face = S2::XYZtoFaceUV(center, &u, &v);
  const int size = S2CellId::GetSizeIJ(level);
  int i = S2::STtoIJ(S2::UVtoST(u));
  int j = S2::STtoIJ(S2::UVtoST(v));
  i -= i % size;
  j -= j % size;
  if (i < 2 * size || j < 2 * size || i + 3 * size > S2CellId::kMaxSize ||
      j + 3 * size > S2CellId::kMaxSize) {
    return CoverDiskCoarse(center, radius_m);  // The block crosses a face.
  }
  // A cell is kept when its center is within the radius plus half its
  // largest diagonal.
  const double reach = angle + S2::kMaxDiag.GetValue(level) / 2;
  const double max_chord = 2 * std::sin(std::min(reach, M_PI) / 2);
  const double max_chord_squared = max_chord * max_chord;
  std::array<uint64_t, 25> cells;
  int count = 0;
  for (int di = -2; di <= 2; ++di) {
    const int ci = i + di * size;
    // The cell's center, in the (si, ti) units of S2::FaceSiTitoXYZ.
    const double cu = S2::STtoUV(S2::SiTitoST(2 * ci + size));
    for (int dj = -2; dj <= 2; ++dj) {
      const int cj = j + dj * size;
      const double cv = S2::STtoUV(S2::SiTitoST(2 * cj + size));
      const S2Point p = S2::FaceUVtoXYZ(face, cu, cv);
      // Chord squared between the unit vector of p and the center.
      const double chord_squared =
          2 - 2 * p.DotProd(center) / std::sqrt(p.Norm2());
      if (chord_squared > max_chord_squared) continue;
      cells[count++] = S2CellId::FromFaceIJ(face, ci, cj).parent(level).id();
    }
  }
  return MergeCells(cells.data(), count, level);
}

}  // namespace creneau::geo
