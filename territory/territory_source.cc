#include "territory/territory_source.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace creneau::territory {
namespace {

bool AllDigits(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(c);
  });
}

// Département codes: two digits, 2A or 2B, or three digits overseas.
bool IsDepartementCode(absl::string_view code) {
  if (code == "2A" || code == "2B") return true;
  return (code.size() == 2 || code.size() == 3) && AllDigits(code);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> CommunesOfEpci(
    const CommuneTable& communes, absl::string_view siren) {
  if (siren.size() != 9 || !AllDigits(siren)) {
    return absl::InvalidArgumentError(
        "epci_siren: must be the 9 digits of an EPCI's SIREN");
  }
  std::vector<std::string> codes;
  for (const Commune& c : communes.communes()) {
    if (c.epci_siren == siren) codes.push_back(c.insee);
  }
  if (codes.empty()) {
    return absl::NotFoundError(
        absl::StrCat("epci_siren: no commune belongs to EPCI ", siren));
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

absl::StatusOr<std::vector<std::string>> CommunesOfDepartement(
    const CommuneTable& communes, absl::string_view code) {
  if (!IsDepartementCode(code)) {
    return absl::InvalidArgumentError(
        "departement: must be a département code such as 17, 2A or 974");
  }
  std::vector<std::string> codes;
  for (const Commune& c : communes.communes()) {
    if (c.departement == code) codes.push_back(c.insee);
  }
  if (codes.empty()) {
    return absl::NotFoundError(
        absl::StrCat("departement: no commune lies in département ", code));
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

absl::StatusOr<Territory> RoyanAtlantique(const CommuneTable& communes) {
  absl::StatusOr<std::vector<std::string>> codes =
      CommunesOfEpci(communes, kRoyanAtlantiqueSiren);
  if (!codes.ok()) return codes.status();
  Territory territory;
  territory.id = kRoyanAtlantiqueId;
  territory.name = "CPTS Royan Atlantique";
  territory.kind = TerritoryKind::kCpts;
  territory.commune_codes = *std::move(codes);
  return territory;
}

}  // namespace creneau::territory
