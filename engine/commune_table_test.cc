#include "engine/commune_table.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace creneau {
namespace {

std::string ReadDataFile(const std::string& name) {
  const char* dir = std::getenv("CRENEAU_DATA_DIR");
  std::ifstream in(std::string(dir ? dir : "data") + "/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class ShippedCommunesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto table = CommuneTable::FromCsv(ReadDataFile("communes.csv"));
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = new CommuneTable(*std::move(table));
  }
  static void TearDownTestSuite() { delete table_; }
  static CommuneTable* table_;
};
CommuneTable* ShippedCommunesTest::table_ = nullptr;

TEST_F(ShippedCommunesTest, LoadsEveryCommune) {
  EXPECT_EQ(table_->size(), 34909u);
  const Commune* royan = table_->Find("17306");
  ASSERT_NE(royan, nullptr);
  EXPECT_EQ(royan->name, "Royan");
  EXPECT_EQ(royan->epci_name, "CA Royan Atlantique");
  EXPECT_NE(table_->Find("2A004"), nullptr);  // Ajaccio.
  EXPECT_EQ(table_->Find("99999"), nullptr);
}

TEST_F(ShippedCommunesTest, RoyanAtlantiqueHas33Communes) {
  const auto communes = table_->CommunesOfEpci("CA Royan Atlantique");
  EXPECT_EQ(communes.size(), 33u);
  int64_t population = 0;
  for (const Commune* c : communes) population += c->population;
  EXPECT_EQ(population, 85271);
  EXPECT_EQ(table_->CommunesOfEpci(communes[0]->epci_siren).size(), 33u);
}

TEST_F(ShippedCommunesTest, NearestFindsTheCommuneOfAPoint) {
  const Commune* royan = table_->Find("17306");
  const Commune* nearest = table_->Nearest(royan->location);
  ASSERT_NE(nearest, nullptr);
  EXPECT_EQ(nearest->insee, "17306");
  // A point in the Bay of Biscay, far from any commune, still gets one.
  EXPECT_NE(table_->Nearest({45.0, -4.0}), nullptr);
}

TEST_F(ShippedCommunesTest, RadiiFollowTheSasFigures) {
  const SearchRadii paris =
      RadiiForDensity(table_->DensityAround(*table_->Find("75101")));
  EXPECT_NEAR(paris.cap_m, 14000, 1500);
  const Commune* gueret = table_->Find("23096");
  ASSERT_NE(gueret, nullptr);
  const SearchRadii creuse = RadiiForDensity(table_->DensityAround(*gueret));
  EXPECT_NEAR(creuse.cap_m, 133000, 10000);
  EXPECT_LE(paris.initial_m, creuse.initial_m);
}

TEST(CommuneTableTest, ReportsTheLineOfABadRow) {
  const auto table = CommuneTable::FromCsv(
      "insee,name,departement,region,lat,lng,area_km2,population,postal_codes,"
      "epci_siren,epci_name\n"
      "17306,Royan,17,75,45.62,-1.03,19.3,18419,17200,241700624,CA\n"
      "17307,Bad,17,75,north,-1.03,19.3,10,17200,241700624,CA\n");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table.status().message(), "line 3: lat/lng: not a WGS84 position");
}

TEST(CommuneTableTest, RejectsAMissingColumnAndDuplicates) {
  EXPECT_FALSE(CommuneTable::FromCsv("insee,name\n17306,Royan\n").ok());
  const std::string header =
      "insee,name,departement,lat,lng,area_km2,population,epci_siren,epci_"
      "name\n";
  const std::string row = "17306,Royan,17,45.62,-1.03,19.3,18419,1,CA\n";
  const auto table = CommuneTable::FromCsv(header + row + row);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("duplicate"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace creneau
