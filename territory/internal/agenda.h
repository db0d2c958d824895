// The recurring availability of a generated professional: weekly
// unscheduled-care sessions as its agenda software would publish them, with
// the holidays, closed evenings and extra sessions of real agendas.
#ifndef CRENEAU_TERRITORY_INTERNAL_AGENDA_H_
#define CRENEAU_TERRITORY_INTERNAL_AGENDA_H_

#include <array>

#include "absl/time/civil_time.h"
#include "engine/availability.h"
#include "engine/types.h"
#include "territory/internal/draw.h"

namespace creneau::territory::internal {

// What a profession's sessions look like.
struct AgendaProfile {
  int slot_minutes = 15;
  // Modality weights: in office, home visit, teleconsultation.
  std::array<int, 3> modality_weights = {100, 0, 0};
};

// The availability of `professional` (an SOS Médecins doctor when `sos`),
// its templates valid from `first_day` on, its exceptions within the
// `days` days from `first_day`. Template and exception ids are the
// professional's id and a suffix, so they are unique when professional ids
// are. Always valid (ValidateAvailability), with at least one template.
Availability AgendaOf(const Professional& professional, bool sos,
                      const AgendaProfile& profile, absl::CivilDay first_day,
                      int days, Draw& draw);

}  // namespace creneau::territory::internal

#endif  // CRENEAU_TERRITORY_INTERNAL_AGENDA_H_
