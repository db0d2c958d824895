// Synthetic territories: seeded, realistic professionals and unscheduled-care
// slots for a set of real communes, for demos, tests and load.
//
// Calibration (see data/README.md, "Figures from the field"):
// - professionals per profession follow the national self-employed counts
//   (56,700 GPs, 100,000 nurses, 80,000 physiotherapists, 37,000 dentists,
//   8,000 midwives, 20,000 pharmacies, and a few specialists), spread over
//   communes in proportion to population;
// - the total is the territory's real figure when given (CPTS Royan
//   Atlantique: 661 professionals), otherwise the national density;
// - each professional publishes a few unscheduled-care slots per working
//   day in its local time zone, with the modalities, session capacities,
//   overbooking places and visibilities of its profession.
// The same seed, communes and start day always give the same territory.
#ifndef CRENEAU_TERRITORY_TERRITORY_GENERATOR_H_
#define CRENEAU_TERRITORY_TERRITORY_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/commune_table.h"
#include "engine/types.h"

namespace creneau::territory {

struct TerritoryOptions {
  uint64_t seed = 1;
  // Professionals in all; 0 uses the national density (scaled by `scale`).
  int target_professionals = 0;
  // Multiplies the national density (only when target_professionals is 0).
  double scale = 1.0;
  // Slots are generated for the `days` local days starting with the day of
  // `start`, and only those starting more than `lead` after `start`.
  absl::Time start;
  absl::Duration lead = absl::Minutes(5);
  int days = 14;
  // Prefix of generated ids, so that several territories can coexist.
  std::string id_prefix;
};

// The professionals and slots of a generated territory.
struct SyntheticTerritory {
  std::vector<Professional> professionals;
  std::vector<Slot> slots;
};

// Professionals per 1,000 inhabitants at the national density.
double NationalProfessionalsPer1000();

// Generates a territory over `communes` (non-empty, all with a population).
absl::StatusOr<SyntheticTerritory> GenerateTerritory(
    const std::vector<const Commune*>& communes,
    const TerritoryOptions& options);

// The IANA zone of a departement ("971" -> "America/Guadeloupe").
std::string TimeZoneOfDepartement(const std::string& departement);

}  // namespace creneau::territory

#endif  // CRENEAU_TERRITORY_TERRITORY_GENERATOR_H_
