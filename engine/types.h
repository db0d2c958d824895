// Domain types of the creneau engine: professionals, slots, holds, bookings,
// and the caller on whose behalf a command runs.
//
// These are plain values with no behaviour; the engine (engine.h) owns the
// rules. Times are whole seconds since the Unix epoch (UTC), durations whole
// seconds. Ids are validated strings (see limits.h for their formats).
#ifndef CRENEAU_ENGINE_TYPES_H_
#define CRENEAU_ENGINE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace creneau {

// Kinds of professional. Values match creneau.v1.Profession.
enum class Profession : uint8_t {
  kUnspecified = 0,
  kGeneralPractitioner = 1,
  kNurse = 2,
  kPhysiotherapist = 3,
  kMidwife = 4,
  kDentist = 5,
  kPharmacist = 6,
  kPaediatrician = 7,
  kPsychiatrist = 8,
  kOphthalmologist = 9,
  kDermatologist = 10,
  kCardiologist = 11,
  kGynaecologist = 12,
};
inline constexpr int kProfessionCount = 13;  // Including kUnspecified.
using ProfessionMask = uint16_t;
constexpr ProfessionMask Bit(Profession p) {
  return static_cast<ProfessionMask>(1u << int(p));
}

// Values match creneau.v1.Modality.
enum class Modality : uint8_t {
  kUnspecified = 0,
  kInOffice = 1,
  kHomeVisit = 2,
  kTeleconsultation = 3,
};
inline constexpr int kModalityCount = 4;

// Values match creneau.v1.Visibility.
enum class Visibility : uint8_t {
  kUnspecified = 0,
  kPublic = 1,
  kProfessionals = 2,
  kRegulation = 3,
  kCptsMembers = 4,
};
inline constexpr int kVisibilityCount = 5;

// Values match creneau.v1.StructureType.
enum class StructureType : uint8_t {
  kUnspecified = 0,
  kOwnPractice = 1,
  kMsp = 2,
  kHealthCentre = 3,
  kSosMedecins = 4,
};

// A set of modalities or visibilities, one bit per enum value.
using ModalityMask = uint8_t;
using VisibilityMask = uint8_t;
constexpr ModalityMask Bit(Modality m) { return uint8_t{1} << int(m); }
constexpr VisibilityMask Bit(Visibility v) { return uint8_t{1} << int(v); }
inline constexpr ModalityMask kAllModalities = Bit(Modality::kInOffice) |
                                               Bit(Modality::kHomeVisit) |
                                               Bit(Modality::kTeleconsultation);

// WGS84 degrees.
struct LatLng {
  double lat_deg = 0;
  double lng_deg = 0;
  bool operator==(const LatLng&) const = default;
};

struct Professional {
  std::string id;
  Profession profession = Profession::kUnspecified;
  LatLng location;
  std::string commune_code;  // INSEE code or empty.
  std::string time_zone;     // IANA name.
  StructureType structure = StructureType::kOwnPractice;
  std::string cpts_id;  // Empty when not a CPTS member.
  int32_t sector = 0;
  int32_t weekly_orientation_cap = 0;  // 0: the engine's default.
  // Home-visit slots are offered only to patients within this distance;
  // 0: limits::kDefaultHomeVisitRadiusKm.
  int32_t home_visit_radius_km = 0;
  std::string display_name;
  // The organisation (agenda vendor) that manages this professional: the
  // organisation of the caller that created it, changed only by an
  // administrator's transfer. Set by the engine; ignored on input.
  std::string owner;
  bool operator==(const Professional&) const = default;
};

// A stored professional as the engine reads it back: Professional's fields,
// the strings viewing the engine's tables (valid until the engine is next
// mutated). The engine keeps professionals in compact records, so reading
// one copies no string.
struct ProfessionalView {
  absl::string_view owner;
  absl::string_view id;
  Profession profession = Profession::kUnspecified;
  LatLng location;
  absl::string_view commune_code;
  absl::string_view time_zone;
  StructureType structure = StructureType::kOwnPractice;
  absl::string_view cpts_id;
  int32_t sector = 0;
  int32_t weekly_orientation_cap = 0;
  int32_t home_visit_radius_km = 0;
  absl::string_view display_name;

  // An owning copy.
  Professional ToProfessional() const {
    Professional p;
    p.owner = std::string(owner);
    p.id = std::string(id);
    p.profession = profession;
    p.location = location;
    p.commune_code = std::string(commune_code);
    p.time_zone = std::string(time_zone);
    p.structure = structure;
    p.cpts_id = std::string(cpts_id);
    p.sector = sector;
    p.weekly_orientation_cap = weekly_orientation_cap;
    p.home_visit_radius_km = home_visit_radius_km;
    p.display_name = std::string(display_name);
    return p;
  }
};

// A slot as published. Mutable state (places held and booked) lives in the
// engine and is reported by SlotView.
struct Slot {
  std::string id;
  std::string professional_id;
  int64_t start_unix_s = 0;
  int32_t duration_s = 0;
  Modality modality = Modality::kUnspecified;
  int32_t capacity = 1;
  int32_t overbooking_places = 0;
  Visibility visibility = Visibility::kPublic;
  std::optional<LatLng> location;  // Override of the professional's.
  bool withdrawn = false;
  bool operator==(const Slot&) const = default;
};

// Values match creneau.v1.SlotState.
enum class SlotState : uint8_t {
  kUnspecified = 0,
  kFree = 1,
  kHeld = 2,
  kFull = 3,
  kWithdrawn = 4,
};

// A slot with its current places, as reads return it.
struct SlotView {
  Slot slot;
  Profession profession = Profession::kUnspecified;
  LatLng location;  // Effective: the override or the professional's.
  int32_t places_held = 0;
  int32_t places_booked = 0;
  SlotState state = SlotState::kUnspecified;
  // Its professional reached the weekly orientation cap in its week: it
  // is out of searches and its regular places cannot be held.
  bool weekly_cap_reached = false;
  bool operator==(const SlotView&) const = default;
};

enum class HoldState : uint8_t {
  kActive = 1,
  kConfirmed = 2,
  kReleased = 3,
  kExpired = 4,
};

struct Hold {
  std::string token;  // 32 lowercase hex characters, chosen by the caller.
  std::string slot_id;
  std::string holder;  // Caller name.
  int64_t create_unix_s = 0;
  int64_t expire_unix_s = 0;
  bool overbooking_place = false;
  HoldState state = HoldState::kActive;
  int64_t close_unix_s = 0;  // When it left kActive; 0 while active.
  bool operator==(const Hold&) const = default;
};

// Values match creneau.v1.BookingStatus.
enum class BookingStatus : uint8_t {
  kUnspecified = 0,
  kBooked = 1,
  kCancelled = 2,
};

// Why a booking was cancelled: a code, never free text (a sentence could
// carry health details). Values match creneau.v1.CancelReason.
enum class CancelReason : uint8_t {
  kUnspecified = 0,
  kPatientBetter = 1,
  kPatientUnreachable = 2,
  kProfessionalUnavailable = 3,
  kDuplicate = 4,
  kOther = 5,
};
inline constexpr int kCancelReasonCount = 6;

struct Booking {
  std::string id;
  std::string slot_id;
  std::string professional_id;
  int64_t start_unix_s = 0;
  int32_t duration_s = 0;
  Modality modality = Modality::kUnspecified;
  std::string patient_ref;
  std::string orientation_ref;
  BookingStatus status = BookingStatus::kBooked;
  int64_t create_unix_s = 0;
  int64_t cancel_unix_s = 0;
  CancelReason cancel_reason = CancelReason::kUnspecified;
  bool overbooking_place = false;
  std::string booked_by;     // Caller name.
  std::string organisation;  // The caller's organisation: who may read it.
  std::string hold_token;    // The hold it came from.
  bool operator==(const Booking&) const = default;
};

// Values match creneau.v1.TerritoryKind.
enum class TerritoryKind : uint8_t {
  kUnspecified = 0,
  kCpts = 1,     // A CPTS, often one EPCI.
  kSasArea = 2,  // The area of a département's SAS call centre.
  kNational = 3,
  kOther = 4,
};
inline constexpr int kTerritoryKindCount = 5;

// A named set of INSEE communes: the unit of scopes and indicators.
struct Territory {
  std::string id;    // [A-Za-z0-9._:-], chosen by the administrator.
  std::string name;  // UTF-8, e.g. "CPTS Royan Atlantique".
  TerritoryKind kind = TerritoryKind::kUnspecified;
  // Sorted, unique INSEE codes; empty for kNational (every commune).
  std::vector<std::string> commune_codes;
  bool operator==(const Territory&) const = default;
};

// Where a caller may act: every commune, or the communes of the listed
// territories (an unknown territory id adds none).
struct Scope {
  bool national = true;
  std::vector<std::string> territory_ids;  // When not national.
  bool operator==(const Scope&) const = default;
};

// Who a command runs for. The server derives it from the authenticated
// principal (its role, organisation and scope); the engine trusts it and
// enforces, with it, the access rules that are data: ownership, scope,
// visibility, organisations.
struct Caller {
  std::string name;                 // Recorded in events; scopes request ids.
  VisibilityMask visibilities = 0;  // Slots it may see and take.
  bool may_overbook = false;        // Regulation roles only.
  // Owns the professionals it creates, sees and cancels the bookings it (or
  // a colleague) made, sees every slot of its own professionals, and the
  // kCptsMembers slots of the CPTS whose id it is.
  std::string organisation;
  // Where it may hold and book, and create professionals.
  Scope scope;
  // Bypasses ownership, scope and organisation rules, and sees everything.
  bool administrator = false;
  bool operator==(const Caller&) const = default;
};

// Idempotency key of a mutation: the caller's request id and a fingerprint
// of everything else in the request (computed by the server).
struct RequestKey {
  std::string request_id;
  uint64_t payload_fingerprint = 0;
};

}  // namespace creneau

#endif  // CRENEAU_ENGINE_TYPES_H_
