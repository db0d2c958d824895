#include "territory/territory_source.h"

#include <algorithm>

#include "engine/testing/fixtures.h"
#include "gtest/gtest.h"

namespace creneau::territory {
namespace {

TEST(TerritorySourceTest, RoyanAtlantiqueIsItsThirtyThreeCommunes) {
  auto royan = RoyanAtlantique(*testing::ShippedCommunes());
  ASSERT_TRUE(royan.ok()) << royan.status();
  EXPECT_EQ(royan->id, "cpts-royan-atlantique");
  EXPECT_EQ(royan->name, "CPTS Royan Atlantique");
  EXPECT_EQ(royan->commune_codes.size(), 33u);
  EXPECT_TRUE(
      std::is_sorted(royan->commune_codes.begin(), royan->commune_codes.end()));
  EXPECT_NE(std::find(royan->commune_codes.begin(), royan->commune_codes.end(),
                      "17306"),
            royan->commune_codes.end());  // Royan itself.
}

TEST(TerritorySourceTest, DepartementsAndBadCodes) {
  const CommuneTable& communes = *testing::ShippedCommunes();
  auto charente = CommunesOfDepartement(communes, "17");
  ASSERT_TRUE(charente.ok());
  EXPECT_GT(charente->size(), 400u);  // Charente-Maritime: 460 communes.
  EXPECT_LT(charente->size(), 500u);
  auto corse = CommunesOfDepartement(communes, "2A");
  ASSERT_TRUE(corse.ok());
  EXPECT_GT(corse->size(), 100u);
  EXPECT_EQ(CommunesOfDepartement(communes, "1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CommunesOfDepartement(communes, "99").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CommunesOfEpci(communes, "12345").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CommunesOfEpci(communes, "000000000").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace creneau::territory
