// Names and national codes of the engine's enums, for CLIs, logs, CSV files
// and messages. Parsing accepts the name, the national code and a few
// common aliases, case-insensitively.
#ifndef CRENEAU_ENGINE_NAMES_H_
#define CRENEAU_ENGINE_NAMES_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "engine/types.h"

namespace creneau {

// "general-practitioner", "nurse", ...; "unspecified" for kUnspecified.
absl::string_view ProfessionName(Profession profession);
// National code: TRE-R38 ("SM54") for physicians, TRE-G15 ("60") otherwise.
absl::string_view ProfessionCode(Profession profession);
// Accepts a name, a code or an alias ("gp", "generaliste", "kine", "sf",
// "ide"). Returns nullopt for anything else, including "unspecified".
std::optional<Profession> ParseProfession(absl::string_view text);

// "in-office", "home-visit", "teleconsultation".
absl::string_view ModalityName(Modality modality);
std::optional<Modality> ParseModality(absl::string_view text);

// "public", "professionals", "regulation", "cpts-members".
absl::string_view VisibilityName(Visibility visibility);
std::optional<Visibility> ParseVisibility(absl::string_view text);

// "own-practice", "msp", "health-centre", "sos-medecins".
absl::string_view StructureTypeName(StructureType structure);
std::optional<StructureType> ParseStructureType(absl::string_view text);

// "free", "held", "full", "withdrawn".
absl::string_view SlotStateName(SlotState state);
// "booked", "cancelled".
absl::string_view BookingStatusName(BookingStatus status);
// "active", "confirmed", "released", "expired".
absl::string_view HoldStateName(HoldState state);
// "patient-better", "patient-unreachable", "professional-unavailable",
// "duplicate", "other".
absl::string_view CancelReasonName(CancelReason reason);
std::optional<CancelReason> ParseCancelReason(absl::string_view text);
// "cpts", "sas-area", "national", "other".
absl::string_view TerritoryKindName(TerritoryKind kind);
std::optional<TerritoryKind> ParseTerritoryKind(absl::string_view text);

}  // namespace creneau

#endif  // CRENEAU_ENGINE_NAMES_H_
