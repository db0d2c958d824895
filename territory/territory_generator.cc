#include "territory/territory_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/limits.h"
#include "engine/status_macros.h"
#include "territory/internal/agenda.h"

namespace creneau::territory {
namespace {

struct ProfessionProfile {
  Profession profession;
  double national_count;  // Self-employed, France.
  const char* title;      // Shown before the surname.
  int duration_min;
  // Modality weights: in office, home visit, teleconsultation.
  std::array<int, 3> modality_weights;
};

constexpr ProfessionProfile kProfiles[] = {
    {Profession::kGeneralPractitioner, 56700, "Dr", 15, {80, 10, 10}},
    {Profession::kNurse, 100000, "IDE", 30, {30, 70, 0}},
    {Profession::kPhysiotherapist, 80000, "MK", 30, {90, 10, 0}},
    {Profession::kDentist, 37000, "Dr", 30, {100, 0, 0}},
    {Profession::kMidwife, 8000, "SF", 30, {70, 0, 30}},
    {Profession::kPharmacist, 20000, "Pharmacie", 15, {100, 0, 0}},
    {Profession::kPaediatrician, 2800, "Dr", 20, {100, 0, 0}},
    {Profession::kPsychiatrist, 6000, "Dr", 30, {60, 0, 40}},
    {Profession::kOphthalmologist, 4000, "Dr", 20, {100, 0, 0}},
    {Profession::kDermatologist, 2800, "Dr", 20, {80, 0, 20}},
    {Profession::kCardiologist, 4500, "Dr", 30, {100, 0, 0}},
    {Profession::kGynaecologist, 1500, "Dr", 20, {100, 0, 0}},
};

constexpr const char* kSurnames[] = {
    "Martin",   "Bernard", "Thomas",   "Petit",   "Robert",   "Richard",
    "Durand",   "Dubois",  "Moreau",   "Laurent", "Simon",    "Michel",
    "Lefebvre", "Leroy",   "Roux",     "David",   "Bertrand", "Morel",
    "Fournier", "Girard",  "Bonnet",   "Dupont",  "Lambert",  "Fontaine",
    "Rousseau", "Vincent", "Muller",   "Lefevre", "Faure",    "Andre",
    "Mercier",  "Blanc",   "Guerin",   "Boyer",   "Garnier",  "Chevalier",
    "Francois", "Legrand", "Gauthier", "Garcia",  "Perrin",   "Robin"};

constexpr double kFrancePopulation = 67.6e6;

using internal::Draw;

double TotalNationalCount() {
  double total = 0;
  for (const auto& p : kProfiles) total += p.national_count;
  return total;
}

// Counts per profession summing to `total` (largest remainders).
std::vector<int> SplitCounts(double total) {
  std::vector<int> counts;
  std::vector<std::pair<double, size_t>> remainders;
  int assigned = 0;
  const double national = TotalNationalCount();
  for (size_t i = 0; i < std::size(kProfiles); ++i) {
    const double exact = total * kProfiles[i].national_count / national;
    counts.push_back(static_cast<int>(exact));
    assigned += counts.back();
    remainders.emplace_back(exact - counts.back(), i);
  }
  std::sort(remainders.rbegin(), remainders.rend());
  for (size_t k = 0; assigned < std::llround(total) && k < remainders.size();
       ++k) {
    ++counts[remainders[k].second];
    ++assigned;
  }
  return counts;
}

LatLng Around(const Commune& c, Draw& draw) {
  const double spread_m =
      std::min(3000.0, 600.0 * std::sqrt(std::max(c.area_km2, 1.0) / M_PI));
  const double r = spread_m * std::sqrt(draw.Unit());
  const double angle = 2 * M_PI * draw.Unit();
  const double lat = c.location.lat_deg + r * std::sin(angle) / 111320.0;
  const double lng =
      c.location.lng_deg +
      r * std::cos(angle) / (111320.0 * std::cos(lat * M_PI / 180));
  return {std::clamp(lat, -90.0, 90.0), std::clamp(lng, -180.0, 180.0)};
}

}  // namespace

double NationalProfessionalsPer1000() {
  return TotalNationalCount() / kFrancePopulation * 1000;
}

std::string TimeZoneOfDepartement(const std::string& departement) {
  if (departement == "971") return "America/Guadeloupe";
  if (departement == "972") return "America/Martinique";
  if (departement == "973") return "America/Cayenne";
  if (departement == "974") return "Indian/Reunion";
  if (departement == "976") return "Indian/Mayotte";
  return "Europe/Paris";
}

absl::StatusOr<SyntheticTerritory> GenerateTerritory(
    const std::vector<const Commune*>& communes,
    const TerritoryOptions& options) {
  if (communes.empty())
    return absl::InvalidArgumentError("no commune to generate for");
  if (options.days < 1 || options.days > 366) {
    return absl::InvalidArgumentError("days: must be in [1, 366]");
  }
  std::vector<double> cumulative;
  double population = 0;
  for (const Commune* c : communes) {
    population += static_cast<double>(c->population);
    cumulative.push_back(population);
  }
  if (population <= 0)
    return absl::InvalidArgumentError("the communes have no population");
  const double total =
      options.target_professionals > 0
          ? options.target_professionals
          : population / 1000 * NationalProfessionalsPer1000() * options.scale;
  const std::vector<int> counts = SplitCounts(total);

  Draw draw(options.seed);
  SyntheticTerritory territory;
  int64_t serial = 0;
  const int64_t start_s = absl::ToUnixSeconds(options.start);
  const int64_t lead_s = absl::ToInt64Seconds(options.lead);
  const int64_t until_s = AvailabilityHorizonEnd(start_s, options.days);
  std::vector<Slot> generated;  // One professional's, reused.
  for (size_t kind = 0; kind < std::size(kProfiles); ++kind) {
    const ProfessionProfile& profile = kProfiles[kind];
    for (int n = 0; n < counts[kind]; ++n) {
      const double pick = draw.Unit() * population;
      const size_t at =
          std::upper_bound(cumulative.begin(), cumulative.end(), pick) -
          cumulative.begin();
      const Commune& commune = *communes[std::min(at, communes.size() - 1)];
      Professional p;
      p.id = absl::StrFormat("%s1%010d", options.id_prefix, ++serial);
      p.profession = profile.profession;
      p.location = Around(commune, draw);
      p.commune_code = commune.insee;
      p.time_zone = TimeZoneOfDepartement(commune.departement);
      const bool sos = p.profession == Profession::kGeneralPractitioner &&
                       commune.population > 15000 && draw.Chance(0.1);
      p.structure = sos                 ? StructureType::kSosMedecins
                    : draw.Chance(0.15) ? StructureType::kMsp
                    : draw.Chance(0.05) ? StructureType::kHealthCentre
                                        : StructureType::kOwnPractice;
      if (draw.Chance(0.7)) {
        p.cpts_id = absl::StrCat("cpts-", commune.epci_siren.empty()
                                              ? commune.departement
                                              : commune.epci_siren);
      }
      const bool physician = profile.title == std::string("Dr") &&
                             p.profession != Profession::kDentist;
      p.sector = physician ? (draw.Chance(0.8) ? 1 : 2) : 0;
      // SOS Médecins cover their conurbation, nurses' rounds reach farther
      // than a GP's visits (the default); no draw, so the rest is unchanged.
      p.home_visit_radius_km = sos                                  ? 30
                               : p.profession == Profession::kNurse ? 15
                                                                    : 0;
      p.display_name = absl::StrCat(profile.title, " ",
                                    kSurnames[draw.Below(std::size(kSurnames))],
                                    " - ", commune.name);
      territory.professionals.push_back(p);

      absl::TimeZone zone;
      if (!absl::LoadTimeZone(p.time_zone, &zone)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "time zone ", p.time_zone, " is not installed (package tzdata)"));
      }
      const absl::CivilDay first = absl::ToCivilDay(options.start, zone);
      Availability agenda = internal::AgendaOf(
          p, sos, {profile.duration_min, profile.modality_weights}, first,
          options.days, draw);
      // The slots an engine publishing `agenda` at `start` generates, less
      // those within `lead` of it.
      RETURN_IF_ERROR(ExpandAvailability(
          agenda, zone, start_s + lead_s + 1, until_s,
          limits::kMaxGeneratedSlotsPerProfessional, &generated));
      for (Slot& s : generated) territory.slots.push_back(std::move(s));
      territory.availability.push_back(std::move(agenda));
    }
  }
  return territory;
}

}  // namespace creneau::territory
