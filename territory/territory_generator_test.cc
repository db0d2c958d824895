#include "territory/territory_generator.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "gtest/gtest.h"

namespace creneau::territory {
namespace {

const CommuneTable& Communes() {
  static const CommuneTable* table = [] {
    const char* dir = std::getenv("CRENEAU_DATA_DIR");
    std::ifstream in(std::string(dir ? dir : "data") + "/communes.csv");
    std::stringstream text;
    text << in.rdbuf();
    return new CommuneTable(*CommuneTable::FromCsv(text.str()));
  }();
  return *table;
}

TerritoryOptions RoyanOptions(uint64_t seed) {
  TerritoryOptions options;
  options.seed = seed;
  options.target_professionals = 661;
  options.start = absl::FromUnixSeconds(1'900'000'000);  // A Sunday evening.
  options.days = 14;
  return options;
}

TEST(TerritoryGeneratorTest, RoyanAtlantiqueIsCalibratedOnTheField) {
  const auto communes = Communes().CommunesOfEpci("CA Royan Atlantique");
  ASSERT_EQ(communes.size(), 33u);
  auto territory = GenerateTerritory(communes, RoyanOptions(7));
  ASSERT_TRUE(territory.ok()) << territory.status();
  EXPECT_EQ(territory->professionals.size(), 661u);

  std::set<std::string> insee, ids;
  for (const Commune* c : communes) insee.insert(c->insee);
  std::map<Profession, int> per_profession;
  for (const Professional& p : territory->professionals) {
    EXPECT_TRUE(insee.contains(p.commune_code)) << p.commune_code;
    EXPECT_TRUE(ids.insert(p.id).second) << "duplicate " << p.id;
    EXPECT_EQ(p.time_zone, "Europe/Paris");
    ++per_profession[p.profession];
  }
  // National shares: nurses first, then physiotherapists, then GPs.
  EXPECT_GT(per_profession[Profession::kNurse],
            per_profession[Profession::kPhysiotherapist]);
  EXPECT_GT(per_profession[Profession::kPhysiotherapist],
            per_profession[Profession::kGeneralPractitioner]);
  EXPECT_NEAR(per_profession[Profession::kGeneralPractitioner], 116, 3);

  // An agenda per professional, valid, with sessions in local hours from
  // 07:00 to 22:00, and the exceptions of real agendas.
  ASSERT_EQ(territory->availability.size(), 661u);
  int vacations = 0, closures = 0, openings = 0;
  for (size_t i = 0; i < 661; ++i) {
    const Availability& a = territory->availability[i];
    EXPECT_EQ(a.professional_id, territory->professionals[i].id);
    EXPECT_TRUE(ValidateAvailability(a).ok()) << ValidateAvailability(a);
    EXPECT_FALSE(a.templates.empty());
    for (const AvailabilityException& e : a.exceptions) {
      vacations += e.kind == ExceptionKind::kVacation;
      closures += e.kind == ExceptionKind::kClosure;
      openings += e.kind == ExceptionKind::kOpening;
    }
  }
  EXPECT_GT(vacations, 20);
  EXPECT_GT(closures, 20);
  EXPECT_GT(openings, 0);

  // The slots they generate: a few per professional and week, all ahead,
  // every modality, some sessions for several patients.
  const int64_t start = 1'900'000'000, end = start + 15 * 86400;
  std::set<std::string> slot_ids;
  std::map<Modality, int> per_modality;
  int sessions_for_several = 0;
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  for (const Slot& s : territory->slots) {
    EXPECT_TRUE(slot_ids.insert(s.id).second) << "duplicate " << s.id;
    EXPECT_TRUE(IsGeneratedSlotId(s.id)) << s.id;
    EXPECT_GT(s.start_unix_s, start);
    EXPECT_LT(s.start_unix_s, end);
    const int hour =
        absl::ToCivilHour(absl::FromUnixSeconds(s.start_unix_s), paris).hour();
    EXPECT_GE(hour, 7);
    EXPECT_LT(hour, 22);
    ++per_modality[s.modality];
    sessions_for_several += s.capacity > 1;
  }
  EXPECT_GT(per_modality[Modality::kInOffice], 1000);
  EXPECT_GT(per_modality[Modality::kHomeVisit], 1000);
  EXPECT_GT(per_modality[Modality::kTeleconsultation], 50);
  EXPECT_GT(sessions_for_several, 0);
  const double per_professional = double(territory->slots.size()) / 661;
  EXPECT_GT(per_professional, 5);
  EXPECT_LT(per_professional, 25);
}

// The slots listed are those an engine generates from the agendas (less
// the few within the lead), so loaders that take slots see the same data.
TEST(TerritoryGeneratorTest, SlotsAreWhatTheEngineGenerates) {
  const auto communes = Communes().CommunesOfEpci("CA Royan Atlantique");
  const TerritoryOptions options = RoyanOptions(3);
  auto territory = GenerateTerritory(communes, options);
  ASSERT_TRUE(territory.ok()) << territory.status();
  Engine engine(std::make_shared<const CommuneTable>(Communes()));
  const Caller feed{"demo-feed", Bit(Visibility::kPublic), false, "demo"};
  absl::StatusOr<size_t> published =
      PublishInto(engine, feed, *territory, options.start);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_GE(*published, territory->slots.size());
  EXPECT_LE(*published, territory->slots.size() + 50);
  for (const Slot& s : territory->slots) {
    absl::StatusOr<SlotView> view = engine.GetSlot(feed, s.id);
    ASSERT_TRUE(view.ok()) << s.id << ": " << view.status();
    EXPECT_EQ(view->slot.start_unix_s, s.start_unix_s) << s.id;
    EXPECT_EQ(view->slot.capacity, s.capacity) << s.id;
  }
}

TEST(TerritoryGeneratorTest, SameSeedSameTerritoryOtherSeedOtherOne) {
  const auto communes = Communes().CommunesOfEpci("CA Royan Atlantique");
  auto a = GenerateTerritory(communes, RoyanOptions(7));
  auto b = GenerateTerritory(communes, RoyanOptions(7));
  auto c = GenerateTerritory(communes, RoyanOptions(8));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->professionals, b->professionals);
  EXPECT_EQ(a->slots, b->slots);
  EXPECT_NE(a->slots, c->slots);
}

TEST(TerritoryGeneratorTest, OverseasCommunesUseTheirTimeZone) {
  const Commune* pointe_a_pitre = Communes().Find("97120");
  ASSERT_NE(pointe_a_pitre, nullptr);
  TerritoryOptions options = RoyanOptions(1);
  options.target_professionals = 50;
  auto territory = GenerateTerritory({pointe_a_pitre}, options);
  ASSERT_TRUE(territory.ok());
  for (const Professional& p : territory->professionals) {
    EXPECT_EQ(p.time_zone, "America/Guadeloupe");
  }
  EXPECT_EQ(TimeZoneOfDepartement("974"), "Indian/Reunion");
}

TEST(TerritoryGeneratorTest, NationalDensityWithoutATarget) {
  const Commune* royan = Communes().Find("17306");
  TerritoryOptions options = RoyanOptions(1);
  options.target_professionals = 0;
  auto territory = GenerateTerritory({royan}, options);
  ASSERT_TRUE(territory.ok());
  const double expected =
      royan->population / 1000.0 * NationalProfessionalsPer1000();
  EXPECT_NEAR(territory->professionals.size(), expected, 1.0);
  EXPECT_FALSE(GenerateTerritory({}, options).ok());
}

}  // namespace
}  // namespace creneau::territory
