// The French communes: INSEE code, position, population, intercommunality.
// Searches by commune code start from the commune's point, and the default
// search radius comes from the population density around it.
#ifndef CRENEAU_ENGINE_COMMUNE_TABLE_H_
#define CRENEAU_ENGINE_COMMUNE_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/geo.h"
#include "engine/types.h"

namespace creneau {

struct Commune {
  std::string insee;        // "17306"
  std::string name;         // "Royan"
  std::string departement;  // "17"
  LatLng location;
  double area_km2 = 0;  // 0 when unknown.
  int64_t population = 0;
  std::string epci_siren;  // Empty for a few island communes.
  std::string epci_name;   // "CA Royan Atlantique"
};

// Immutable once built; safe to share between threads.
class CommuneTable {
 public:
  // Most rows accepted: France has about 35,000 communes.
  static constexpr size_t kMaxCommunes = 100000;

  // Parses the project's data/communes.csv format (header line first; the
  // columns insee, name, departement, lat, lng, area_km2, population,
  // epci_siren, epci_name are read by name). INVALID_ARGUMENT names the line
  // and column of the first bad row.
  static absl::StatusOr<CommuneTable> FromCsv(absl::string_view csv_text);

  // An empty table: commune searches fail with NOT_FOUND and radii use the
  // national density.
  CommuneTable() = default;

  // nullptr when unknown.
  const Commune* Find(absl::string_view insee) const;
  // The commune whose point is nearest to `point`; nullptr for an empty
  // table.
  const Commune* Nearest(const LatLng& point) const;
  // Communes whose EPCI name or SIREN equals `epci` exactly.
  std::vector<const Commune*> CommunesOfEpci(absl::string_view epci) const;
  // Inhabitants per km2 of the commune's departement (national average when
  // the departement's area is unknown).
  double DensityAround(const Commune& commune) const;

  const std::vector<Commune>& communes() const { return communes_; }
  size_t size() const { return communes_.size(); }

 private:
  void BuildIndexes();

  std::vector<Commune> communes_;
  absl::flat_hash_map<std::string, uint32_t> by_insee_;
  absl::flat_hash_map<std::string, double> departement_density_;
  double national_density_ = 100;
  // Communes bucketed by S2 cell at kGridLevel, for Nearest.
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> grid_;
  std::vector<geo::UnitPoint> points_;
};

// The radius a search starts with and the widest it may widen to, from the
// population density around the origin:
// - initial: the radius of a disk holding about 50,000 inhabitants at that
//   density, within [2 km, 40 km];
// - cap: 380 km / density^(1/3), within [10 km, 150 km], which gives the
//   SAS figures of about 14 km in Paris and 133 km in Creuse.
struct SearchRadii {
  int32_t initial_m = 0;
  int32_t cap_m = 0;
};
SearchRadii RadiiForDensity(double inhabitants_per_km2);

}  // namespace creneau

#endif  // CRENEAU_ENGINE_COMMUNE_TABLE_H_
