// Territory sources: the communes a territory is made of, from an EPCI (an
// intercommunality, by SIREN), a département, or an explicit list, read
// against the commune table.
#ifndef CRENEAU_TERRITORY_TERRITORY_SOURCE_H_
#define CRENEAU_TERRITORY_TERRITORY_SOURCE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/commune_table.h"
#include "engine/types.h"

namespace creneau::territory {

// The INSEE codes, sorted, of the communes of EPCI `siren` (9 digits).
// INVALID_ARGUMENT for a malformed SIREN, NOT_FOUND when no commune of the
// table belongs to it.
absl::StatusOr<std::vector<std::string>> CommunesOfEpci(
    const CommuneTable& communes, absl::string_view siren);

// The INSEE codes, sorted, of the communes of département `code` ("17",
// "2A", "974"). INVALID_ARGUMENT for a malformed code, NOT_FOUND when no
// commune of the table lies in it.
absl::StatusOr<std::vector<std::string>> CommunesOfDepartement(
    const CommuneTable& communes, absl::string_view code);

// The demo's CPTS: "CPTS Royan Atlantique", the communes of EPCI 241700640
// (CA Royan Atlantique). NOT_FOUND when the commune table lacks them.
inline constexpr char kRoyanAtlantiqueSiren[] = "241700640";
inline constexpr char kRoyanAtlantiqueId[] = "cpts-royan-atlantique";
absl::StatusOr<Territory> RoyanAtlantique(const CommuneTable& communes);

}  // namespace creneau::territory

#endif  // CRENEAU_TERRITORY_TERRITORY_SOURCE_H_
