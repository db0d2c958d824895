#include "engine/names.h"

#include "gtest/gtest.h"

namespace creneau {
namespace {

TEST(NamesTest, EveryProfessionRoundTripsByNameAndCode) {
  for (int i = 1; i < kProfessionCount; ++i) {
    const auto profession = static_cast<Profession>(i);
    EXPECT_EQ(ParseProfession(ProfessionName(profession)), profession);
    EXPECT_EQ(ParseProfession(ProfessionCode(profession)), profession);
  }
}

TEST(NamesTest, ProfessionAliasesAndCase) {
  EXPECT_EQ(ParseProfession("GP"), Profession::kGeneralPractitioner);
  EXPECT_EQ(ParseProfession("sm54"), Profession::kGeneralPractitioner);
  EXPECT_EQ(ParseProfession(" kine "), Profession::kPhysiotherapist);
  EXPECT_EQ(ParseProfession("sage-femme"), Profession::kMidwife);
  EXPECT_EQ(ParseProfession("unspecified"), std::nullopt);
  EXPECT_EQ(ParseProfession(""), std::nullopt);
  EXPECT_EQ(ParseProfession("astronaut"), std::nullopt);
}

TEST(NamesTest, OtherEnums) {
  EXPECT_EQ(ParseModality("home-visit"), Modality::kHomeVisit);
  EXPECT_EQ(ModalityName(Modality::kTeleconsultation), "teleconsultation");
  EXPECT_EQ(ParseVisibility("CPTS-members"), Visibility::kCptsMembers);
  EXPECT_EQ(ParseStructureType("msp"), StructureType::kMsp);
  EXPECT_EQ(ParseModality("bus"), std::nullopt);
  EXPECT_EQ(SlotStateName(SlotState::kHeld), "held");
  EXPECT_EQ(BookingStatusName(BookingStatus::kCancelled), "cancelled");
  EXPECT_EQ(HoldStateName(HoldState::kExpired), "expired");
}

}  // namespace
}  // namespace creneau
