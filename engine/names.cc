#include "engine/names.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace creneau {
namespace {

struct ProfessionInfo {
  Profession profession;
  absl::string_view name;
  absl::string_view code;
  std::array<absl::string_view, 3> aliases;
};

constexpr ProfessionInfo kProfessions[] = {
    {Profession::kGeneralPractitioner,
     "general-practitioner",
     "SM54",
     {"gp", "generaliste", "general-practice"}},
    {Profession::kNurse, "nurse", "60", {"infirmier", "ide", ""}},
    {Profession::kPhysiotherapist,
     "physiotherapist",
     "70",
     {"kine", "kinesitherapeute", "physio"}},
    {Profession::kMidwife, "midwife", "50", {"sage-femme", "sf", ""}},
    {Profession::kDentist, "dentist", "40", {"chirurgien-dentiste", "", ""}},
    {Profession::kPharmacist, "pharmacist", "21", {"pharmacien", "", ""}},
    {Profession::kPaediatrician,
     "paediatrician",
     "SM40",
     {"pediatre", "pediatrician", ""}},
    {Profession::kPsychiatrist, "psychiatrist", "SM42", {"psychiatre", "", ""}},
    {Profession::kOphthalmologist,
     "ophthalmologist",
     "SM38",
     {"ophtalmologue", "", ""}},
    {Profession::kDermatologist,
     "dermatologist",
     "SM15",
     {"dermatologue", "", ""}},
    {Profession::kCardiologist,
     "cardiologist",
     "SM04",
     {"cardiologue", "", ""}},
    {Profession::kGynaecologist,
     "gynaecologist",
     "SM19",
     {"gynecologue", "gynecologist", ""}},
};

template <typename Enum, size_t N>
std::optional<Enum> ParseByName(
    absl::string_view text,
    const std::array<std::pair<Enum, absl::string_view>, N>& table) {
  for (const auto& [value, name] : table) {
    if (absl::EqualsIgnoreCase(text, name)) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
absl::string_view NameOf(
    Enum value,
    const std::array<std::pair<Enum, absl::string_view>, N>& table) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unspecified";
}

constexpr std::array<std::pair<Modality, absl::string_view>, 3> kModalities{{
    {Modality::kInOffice, "in-office"},
    {Modality::kHomeVisit, "home-visit"},
    {Modality::kTeleconsultation, "teleconsultation"},
}};

constexpr std::array<std::pair<Visibility, absl::string_view>, 4> kVisibilities{
    {
        {Visibility::kPublic, "public"},
        {Visibility::kProfessionals, "professionals"},
        {Visibility::kRegulation, "regulation"},
        {Visibility::kCptsMembers, "cpts-members"},
    }};

constexpr std::array<std::pair<StructureType, absl::string_view>, 4>
    kStructures{{
        {StructureType::kOwnPractice, "own-practice"},
        {StructureType::kMsp, "msp"},
        {StructureType::kHealthCentre, "health-centre"},
        {StructureType::kSosMedecins, "sos-medecins"},
    }};

constexpr std::array<std::pair<SlotState, absl::string_view>, 4> kSlotStates{{
    {SlotState::kFree, "free"},
    {SlotState::kHeld, "held"},
    {SlotState::kFull, "full"},
    {SlotState::kWithdrawn, "withdrawn"},
}};

constexpr std::array<std::pair<BookingStatus, absl::string_view>, 2>
    kBookingStatuses{{
        {BookingStatus::kBooked, "booked"},
        {BookingStatus::kCancelled, "cancelled"},
    }};

constexpr std::array<std::pair<HoldState, absl::string_view>, 4> kHoldStates{{
    {HoldState::kActive, "active"},
    {HoldState::kConfirmed, "confirmed"},
    {HoldState::kReleased, "released"},
    {HoldState::kExpired, "expired"},
}};

constexpr std::array<std::pair<CancelReason, absl::string_view>, 5>
    kCancelReasons{{
        {CancelReason::kPatientBetter, "patient-better"},
        {CancelReason::kPatientUnreachable, "patient-unreachable"},
        {CancelReason::kProfessionalUnavailable, "professional-unavailable"},
        {CancelReason::kDuplicate, "duplicate"},
        {CancelReason::kOther, "other"},
    }};

constexpr std::array<std::pair<TerritoryKind, absl::string_view>, 4>
    kTerritoryKinds{{
        {TerritoryKind::kCpts, "cpts"},
        {TerritoryKind::kSasArea, "sas-area"},
        {TerritoryKind::kNational, "national"},
        {TerritoryKind::kOther, "other"},
    }};

}  // namespace

absl::string_view ProfessionName(Profession profession) {
  for (const auto& info : kProfessions) {
    if (info.profession == profession) return info.name;
  }
  return "unspecified";
}

absl::string_view ProfessionCode(Profession profession) {
  for (const auto& info : kProfessions) {
    if (info.profession == profession) return info.code;
  }
  return "";
}

std::optional<Profession> ParseProfession(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return std::nullopt;
  for (const auto& info : kProfessions) {
    if (absl::EqualsIgnoreCase(text, info.name) ||
        absl::EqualsIgnoreCase(text, info.code)) {
      return info.profession;
    }
    for (absl::string_view alias : info.aliases) {
      if (!alias.empty() && absl::EqualsIgnoreCase(text, alias)) {
        return info.profession;
      }
    }
  }
  return std::nullopt;
}

absl::string_view ModalityName(Modality m) { return NameOf(m, kModalities); }
std::optional<Modality> ParseModality(absl::string_view text) {
  return ParseByName(absl::StripAsciiWhitespace(text), kModalities);
}

absl::string_view VisibilityName(Visibility v) {
  return NameOf(v, kVisibilities);
}
std::optional<Visibility> ParseVisibility(absl::string_view text) {
  return ParseByName(absl::StripAsciiWhitespace(text), kVisibilities);
}

absl::string_view StructureTypeName(StructureType s) {
  return NameOf(s, kStructures);
}
std::optional<StructureType> ParseStructureType(absl::string_view text) {
  return ParseByName(absl::StripAsciiWhitespace(text), kStructures);
}

absl::string_view SlotStateName(SlotState s) { return NameOf(s, kSlotStates); }
absl::string_view BookingStatusName(BookingStatus s) {
  return NameOf(s, kBookingStatuses);
}
absl::string_view HoldStateName(HoldState s) { return NameOf(s, kHoldStates); }

absl::string_view CancelReasonName(CancelReason r) {
  return NameOf(r, kCancelReasons);
}
std::optional<CancelReason> ParseCancelReason(absl::string_view text) {
  return ParseByName(text, kCancelReasons);
}
absl::string_view TerritoryKindName(TerritoryKind k) {
  return NameOf(k, kTerritoryKinds);
}
std::optional<TerritoryKind> ParseTerritoryKind(absl::string_view text) {
  return ParseByName(text, kTerritoryKinds);
}

}  // namespace creneau
