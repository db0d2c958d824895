#include "engine/testing/fixtures.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/check.h"

#ifdef CRENEAU_TCMALLOC
#include "gperftools/malloc_extension.h"
#endif

namespace creneau::testing {
namespace {

// Slots per professional and day, on average, and the professions with
// their shares of the professionals.
constexpr double kSlotsPerProfessionalDay = 1.5;
constexpr std::pair<Profession, double> kProfessionShares[] = {
    {Profession::kGeneralPractitioner, 0.20}, {Profession::kNurse, 0.33},
    {Profession::kPhysiotherapist, 0.25},     {Profession::kDentist, 0.12},
    {Profession::kPharmacist, 0.07},          {Profession::kMidwife, 0.03},
};

Professional SyntheticProfessional(const Commune& commune, int number,
                                   Profession profession,
                                   std::mt19937_64& rng) {
  std::uniform_real_distribution<double> jitter(-0.01, 0.01);
  Professional p;
  p.id = absl::StrFormat("syn-%07d", number);
  p.profession = profession;
  p.location = {commune.location.lat_deg + jitter(rng),
                commune.location.lng_deg + jitter(rng)};
  p.commune_code = commune.insee;
  p.time_zone = "Europe/Paris";
  if (!commune.epci_siren.empty() && rng() % 2 == 0) {
    p.cpts_id = absl::StrCat("cpts-", commune.epci_siren);
  }
  return p;
}

Slot SyntheticSlot(const Professional& p, absl::CivilDay day,
                   std::mt19937_64& rng) {
  const int quarter = static_cast<int>(rng() % 44);  // 08:00 to 18:45.
  const absl::CivilMinute at(day.year(), day.month(), day.day(), 8,
                             15 * quarter);
  Slot s;
  s.id = absl::StrCat(p.id, "-", absl::FormatCivilTime(at));
  s.professional_id = p.id;
  s.start_unix_s =
      absl::ToUnixSeconds(absl::FromCivil(at, absl::UTCTimeZone()));
  s.duration_s = 15 * 60;
  const int roll = static_cast<int>(rng() % 100);
  s.modality = roll < 80   ? Modality::kInOffice
               : roll < 92 ? Modality::kHomeVisit
                           : Modality::kTeleconsultation;
  if (rng() % 20 == 0) s.capacity = 4;
  if (rng() % 10 == 0) s.overbooking_places = 1;
  const int visibility = static_cast<int>(rng() % 10);
  s.visibility = visibility < 6   ? Visibility::kPublic
                 : visibility < 7 ? Visibility::kProfessionals
                                  : Visibility::kRegulation;
  return s;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CommuneTable>> LoadCommuneFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<CommuneTable> table = CommuneTable::FromCsv(text.str());
  if (!table.ok()) return table.status();
  return std::make_shared<const CommuneTable>(*std::move(table));
}

std::shared_ptr<const CommuneTable> ShippedCommunes() {
  static const auto* table = [] {
    const char* dir = std::getenv("CRENEAU_DATA_DIR");
    const std::string path =
        std::string(dir ? dir : CRENEAU_SOURCE_DATA_DIR) + "/communes.csv";
    auto loaded = LoadCommuneFile(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(),
                   loaded.status().ToString().c_str());
      std::abort();
    }
    return new std::shared_ptr<const CommuneTable>(*std::move(loaded));
  }();
  return *table;
}

size_t HeapBytesInUse() {
#ifdef CRENEAU_TCMALLOC
  size_t bytes = 0;
  CRENEAU_CHECK(MallocExtension::instance()->GetNumericProperty(
      "generic.current_allocated_bytes", &bytes));
  return bytes;
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

SyntheticData SyntheticFrance(const CommuneTable& communes, size_t target_slots,
                              absl::Time start, int days, uint64_t seed) {
  CRENEAU_CHECK(days > 0);
  std::mt19937_64 rng(seed);
  std::vector<const Commune*> inhabited;
  std::vector<double> population;
  for (const Commune& c : communes.communes()) {
    if (c.population <= 0) continue;
    inhabited.push_back(&c);
    population.push_back(static_cast<double>(c.population));
  }
  CRENEAU_CHECK(!inhabited.empty());
  std::discrete_distribution<size_t> where(population.begin(),
                                           population.end());
  std::vector<double> shares;
  for (const auto& [profession, share] : kProfessionShares) {
    shares.push_back(share);
  }
  std::discrete_distribution<size_t> what(shares.begin(), shares.end());
  const size_t professionals = std::max<size_t>(
      1, static_cast<size_t>(target_slots / (kSlotsPerProfessionalDay * days)));
  const absl::CivilDay first = absl::ToCivilDay(start, absl::UTCTimeZone());
  SyntheticData data;
  data.professionals.reserve(professionals);
  data.slots.reserve(target_slots + target_slots / 10);
  std::vector<Slot> day_slots;
  for (size_t n = 0; n < professionals; ++n) {
    const Profession profession = kProfessionShares[what(rng)].first;
    data.professionals.push_back(SyntheticProfessional(
        *inhabited[where(rng)], static_cast<int>(n), profession, rng));
    const Professional& p = data.professionals.back();
    for (int d = 0; d < days; ++d) {
      const int count = static_cast<int>(rng() % 4);  // 0 to 3, mean 1.5.
      day_slots.clear();
      for (int k = 0; k < count; ++k) {
        Slot s = SyntheticSlot(p, first + d, rng);
        if (s.start_unix_s <= absl::ToUnixSeconds(start)) continue;
        bool taken = false;  // One slot per quarter hour.
        for (const Slot& other : day_slots) taken |= other.id == s.id;
        if (!taken) day_slots.push_back(std::move(s));
      }
      for (Slot& s : day_slots) data.slots.push_back(std::move(s));
    }
  }
  return data;
}

absl::Time FixtureStart() {
  return absl::FromCivil(absl::CivilHour(2026, 11, 23, 8), absl::UTCTimeZone());
}

const SyntheticData& SyntheticFranceOf(size_t slots) {
  static auto* cache = new std::map<size_t, SyntheticData>;
  auto it = cache->find(slots);
  if (it == cache->end()) {
    it = cache
             ->emplace(slots, SyntheticFrance(*ShippedCommunes(), slots,
                                              FixtureStart()))
             .first;
  }
  return it->second;
}

}  // namespace creneau::testing
