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
// - each professional keeps a weekly agenda of unscheduled-care sessions in
//   its local time zone, as agenda software publishes it (PublishAvailability):
//   GPs an evening or lunchtime session on one or two weekdays (some also on
//   Saturday mornings, a few an evening session for several patients), SOS
//   Médecins home visits every evening and weekend, nurses morning rounds
//   at home, others an hour on one or two weekdays; with the modalities,
//   overbooking places and visibilities of its profession, and the
//   holidays, closed evenings and extra sessions of real agendas.
// The same seed, communes and start day always give the same territory.
#ifndef CRENEAU_TERRITORY_TERRITORY_GENERATOR_H_
#define CRENEAU_TERRITORY_TERRITORY_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/availability.h"
#include "engine/commune_table.h"
#include "engine/engine.h"
#include "engine/types.h"

namespace creneau::territory {

struct TerritoryOptions {
  uint64_t seed = 1;
  // Professionals in all; 0 uses the national density (scaled by `scale`).
  int target_professionals = 0;
  // Multiplies the national density (only when target_professionals is 0).
  double scale = 1.0;
  // Agendas start on the local day of `start`; their exceptions fall in the
  // `days` days from it, and `slots` lists what they generate up to the
  // horizon of an engine publishing them at `start` with a horizon of
  // `days` (AvailabilityHorizonEnd), less what starts within `lead`.
  absl::Time start;
  absl::Duration lead = absl::Minutes(5);
  int days = 14;
  // Prefix of generated ids, so that several territories can coexist.
  std::string id_prefix;
};

// The professionals of a generated territory, their agendas, and the slots
// those generate (for loaders that take slots, such as PostgreSQL's).
struct SyntheticTerritory {
  std::vector<Professional> professionals;
  std::vector<Availability> availability;  // One per professional, in order.
  std::vector<Slot> slots;
};

// Professionals per 1,000 inhabitants at the national density.
double NationalProfessionalsPer1000();

// Generates a territory over `communes` (non-empty, all with a population).
absl::StatusOr<SyntheticTerritory> GenerateTerritory(
    const std::vector<const Commune*>& communes,
    const TerritoryOptions& options);

// Upserts the territory's professionals and publishes their agendas into
// `engine`, as `feed` (which then manages them) at `now`, in batches of
// limits::kMaxBatchSize professionals. Returns the slots the engine
// generated; the first error of the engine otherwise.
absl::StatusOr<size_t> PublishInto(Engine& engine, const Caller& feed,
                                   const SyntheticTerritory& territory,
                                   absl::Time now);

// The IANA zone of a departement ("971" -> "America/Guadeloupe").
std::string TimeZoneOfDepartement(const std::string& departement);

}  // namespace creneau::territory

#endif  // CRENEAU_TERRITORY_TERRITORY_GENERATOR_H_
