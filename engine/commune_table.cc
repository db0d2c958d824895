#include "engine/commune_table.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/csv.h"
#include "engine/validate.h"
#include "s2/s2cell_id.h"
#include "s2/s2metrics.h"

namespace creneau {
namespace {

// Level of the S2 cells that bucket communes for Nearest (about 30 km).
constexpr int kGridLevel = 8;

struct Columns {
  int insee = -1, name = -1, departement = -1, lat = -1, lng = -1, area = -1,
      population = -1, epci_siren = -1, epci_name = -1;
};

absl::StatusOr<Columns> ReadHeader(const std::vector<std::string>& header) {
  Columns c;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    const std::string& h = header[i];
    if (h == "insee") c.insee = i;
    if (h == "name") c.name = i;
    if (h == "departement") c.departement = i;
    if (h == "lat") c.lat = i;
    if (h == "lng") c.lng = i;
    if (h == "area_km2") c.area = i;
    if (h == "population") c.population = i;
    if (h == "epci_siren") c.epci_siren = i;
    if (h == "epci_name") c.epci_name = i;
  }
  for (int index : {c.insee, c.name, c.departement, c.lat, c.lng, c.area,
                    c.population, c.epci_siren, c.epci_name}) {
    if (index < 0) {
      return absl::InvalidArgumentError(
          "line 1: header must name insee, name, departement, lat, lng, "
          "area_km2, population, epci_siren, epci_name");
    }
  }
  return c;
}

absl::StatusOr<Commune> ReadRow(const Columns& c,
                                const std::vector<std::string>& row, int line) {
  const auto bad = [line](absl::string_view column, absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": ", column, ": ", why));
  };
  const int needed =
      std::max({c.insee, c.name, c.departement, c.lat, c.lng, c.area,
                c.population, c.epci_siren, c.epci_name});
  if (static_cast<int>(row.size()) <= needed)
    return bad("row", "too few fields");
  Commune commune;
  commune.insee = row[c.insee];
  if (!IsValidCommuneCode(commune.insee)) return bad("insee", "not a code");
  commune.name = row[c.name];
  commune.departement = row[c.departement];
  if (!absl::SimpleAtod(row[c.lat], &commune.location.lat_deg) ||
      !absl::SimpleAtod(row[c.lng], &commune.location.lng_deg) ||
      !IsValidLatLng(commune.location)) {
    return bad("lat/lng", "not a WGS84 position");
  }
  if (!row[c.area].empty() &&
      (!absl::SimpleAtod(row[c.area], &commune.area_km2) ||
       !(commune.area_km2 >= 0))) {
    return bad("area_km2", "not a non-negative number");
  }
  if (!absl::SimpleAtoi(row[c.population], &commune.population) ||
      commune.population < 0) {
    return bad("population", "not a non-negative integer");
  }
  commune.epci_siren = row[c.epci_siren];
  commune.epci_name = row[c.epci_name];
  return commune;
}

}  // namespace

absl::StatusOr<CommuneTable> CommuneTable::FromCsv(absl::string_view csv_text) {
  CsvReader reader(csv_text);
  std::vector<std::string> fields;
  if (!reader.Next(&fields)) {
    if (!reader.status().ok()) return reader.status();
    return absl::InvalidArgumentError("line 1: empty commune file");
  }
  absl::StatusOr<Columns> columns = ReadHeader(fields);
  if (!columns.ok()) return columns.status();

  CommuneTable table;
  while (reader.Next(&fields)) {
    if (table.communes_.size() >= kMaxCommunes) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than ", kMaxCommunes, " communes"));
    }
    absl::StatusOr<Commune> commune = ReadRow(*columns, fields, reader.line());
    if (!commune.ok()) return commune.status();
    if (table.by_insee_.contains(commune->insee)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", reader.line(), ": insee: duplicate ", commune->insee));
    }
    table.by_insee_[commune->insee] = table.communes_.size();
    table.communes_.push_back(*std::move(commune));
  }
  if (!reader.status().ok()) return reader.status();
  table.BuildIndexes();
  return table;
}

void CommuneTable::BuildIndexes() {
  absl::flat_hash_map<std::string, std::pair<double, double>> totals;
  double population = 0, area = 0;
  points_.reserve(communes_.size());
  for (uint32_t i = 0; i < communes_.size(); ++i) {
    const Commune& c = communes_[i];
    points_.push_back(geo::ToUnitPoint(c.location));
    const S2CellId cell =
        S2CellId(geo::ToS2Point(c.location)).parent(kGridLevel);
    grid_[cell.id()].push_back(i);
    if (c.area_km2 > 0) {
      auto& [dept_population, dept_area] = totals[c.departement];
      dept_population += c.population;
      dept_area += c.area_km2;
      population += c.population;
      area += c.area_km2;
    }
  }
  if (area > 0) national_density_ = population / area;
  for (const auto& [dept, sums] : totals) {
    if (sums.second > 0) departement_density_[dept] = sums.first / sums.second;
  }
}

const Commune* CommuneTable::Find(absl::string_view insee) const {
  auto it = by_insee_.find(insee);
  return it == by_insee_.end() ? nullptr : &communes_[it->second];
}

const Commune* CommuneTable::Nearest(const LatLng& point) const {
  if (communes_.empty()) return nullptr;
  const S2Point center = geo::ToS2Point(point);
  const S2CellId cell = S2CellId(center).parent(kGridLevel);
  std::vector<S2CellId> cells;
  cell.AppendAllNeighbors(kGridLevel, &cells);
  cells.push_back(cell);

  double best = std::numeric_limits<double>::infinity();
  const Commune* nearest = nullptr;
  for (S2CellId c : cells) {
    auto it = grid_.find(c.id());
    if (it == grid_.end()) continue;
    for (uint32_t i : it->second) {
      const double d = geo::ChordSquared(center, points_[i]);
      if (d < best || (d == best && communes_[i].insee < nearest->insee)) {
        best = d;
        nearest = &communes_[i];
      }
    }
  }
  // The 3x3 block surely holds the nearest commune when one was found within
  // a cell width; otherwise (open sea) look at every commune.
  const double sure_m = S2::kMinWidth.GetValue(kGridLevel) * geo::kEarthRadiusM;
  if (nearest != nullptr && best <= geo::ChordSquaredForMeters(sure_m)) {
    return nearest;
  }
  for (uint32_t i = 0; i < communes_.size(); ++i) {
    const double d = geo::ChordSquared(center, points_[i]);
    if (d < best) {
      best = d;
      nearest = &communes_[i];
    }
  }
  return nearest;
}

std::vector<const Commune*> CommuneTable::CommunesOfEpci(
    absl::string_view epci) const {
  std::vector<const Commune*> found;
  for (const Commune& c : communes_) {
    if (!epci.empty() && (c.epci_name == epci || c.epci_siren == epci)) {
      found.push_back(&c);
    }
  }
  return found;
}

double CommuneTable::DensityAround(const Commune& commune) const {
  auto it = departement_density_.find(commune.departement);
  return it == departement_density_.end() ? national_density_ : it->second;
}

SearchRadii RadiiForDensity(double inhabitants_per_km2) {
  const double density = std::max(1.0, inhabitants_per_km2);
  const double initial_km = std::sqrt(50000.0 / (M_PI * density));
  const double cap_km = 380.0 / std::cbrt(density);
  SearchRadii radii;
  radii.initial_m =
      static_cast<int32_t>(std::clamp(initial_km, 2.0, 40.0) * 1000);
  radii.cap_m = static_cast<int32_t>(std::clamp(cap_km, 10.0, 150.0) * 1000);
  radii.initial_m = std::min(radii.initial_m, radii.cap_m);
  return radii;
}

}  // namespace creneau
