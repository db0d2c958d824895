#include "server/from_proto.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau::server {
namespace {

using ::testing::HasSubstr;

v1::Professional ValidProfessional() {
  v1::Professional p;
  p.set_id("10003456789");
  p.set_profession(v1::PROFESSION_NURSE);
  p.mutable_location()->set_latitude(45.62);
  p.mutable_location()->set_longitude(-1.03);
  return p;
}

v1::Slot ValidSlot() {
  v1::Slot s;
  s.set_id("agenda:1");
  s.set_professional_id("10003456789");
  s.mutable_start_time()->set_seconds(1'900'000'000);
  s.mutable_duration()->set_seconds(1200);
  s.set_modality(v1::MODALITY_HOME_VISIT);
  return s;
}

TEST(FromProtoTest, ProfessionalDefaultsAndErrors) {
  v1::UpsertProfessionalsRequest request;
  request.set_request_id("r1");
  *request.add_professionals() = ValidProfessional();
  auto mapped = ProfessionalsFromRequest(request);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ((*mapped)[0].time_zone, "Europe/Paris");
  EXPECT_EQ((*mapped)[0].structure, StructureType::kOwnPractice);
  EXPECT_EQ((*mapped)[0].profession, Profession::kNurse);

  request.mutable_professionals(0)->clear_location();
  EXPECT_EQ(ProfessionalsFromRequest(request).status().message(),
            "professionals[0].location: required");
  *request.mutable_professionals(0) = ValidProfessional();
  request.mutable_professionals(0)->set_time_zone("Mars/Olympus_Mons");
  EXPECT_THAT(
      std::string(ProfessionalsFromRequest(request).status().message()),
      HasSubstr("professionals[0].time_zone: must be one of Europe/Paris"));
  *request.mutable_professionals(0) = ValidProfessional();
  request.mutable_professionals(0)->set_profession(
      static_cast<v1::Profession>(99));
  EXPECT_EQ(ProfessionalsFromRequest(request).status().message(),
            "professionals[0].profession: unknown value 99");
  request.clear_request_id();
  EXPECT_THAT(std::string(ProfessionalsFromRequest(request).status().message()),
              HasSubstr("request_id: required"));
}

TEST(FromProtoTest, SlotDefaultsAndErrors) {
  v1::PublishSlotsRequest request;
  request.set_request_id("r1");
  *request.add_slots() = ValidSlot();
  auto mapped = SlotsFromRequest(request);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ((*mapped)[0].capacity, 1);
  EXPECT_EQ((*mapped)[0].visibility, Visibility::kPublic);
  EXPECT_FALSE((*mapped)[0].location.has_value());
  EXPECT_EQ((*mapped)[0].duration_s, 1200);

  request.mutable_slots(0)->mutable_location()->set_latitude(45.7);
  request.mutable_slots(0)->mutable_location()->set_longitude(-1.1);
  EXPECT_TRUE((*SlotsFromRequest(request))[0].location.has_value());
  request.mutable_slots(0)->mutable_location()->set_latitude(std::nan(""));
  EXPECT_THAT(std::string(SlotsFromRequest(request).status().message()),
              HasSubstr("slots[0].location: must be a WGS84 position"));

  *request.mutable_slots(0) = ValidSlot();
  request.mutable_slots(0)->mutable_start_time()->set_nanos(-5);
  EXPECT_EQ(SlotsFromRequest(request).status().message(),
            "slots[0].start_time: not a valid timestamp");
  *request.mutable_slots(0) = ValidSlot();
  request.mutable_slots(0)->mutable_duration()->set_seconds(60);
  EXPECT_EQ(SlotsFromRequest(request).status().message(),
            "slots[0].duration: must be between 5 minutes and 12 hours");
  request.clear_slots();
  EXPECT_EQ(SlotsFromRequest(request).status().message(),
            "slots: must not be empty");
}

TEST(FromProtoTest, SearchQuery) {
  v1::SearchSlotsRequest request;
  request.set_profession(v1::PROFESSION_GENERAL_PRACTITIONER);
  EXPECT_EQ(QueryFromRequest(request).status().message(),
            "origin: one of point or commune_code is required");
  request.set_commune_code("17306");
  request.add_modalities(v1::MODALITY_IN_OFFICE);
  request.add_modalities(v1::MODALITY_TELECONSULTATION);
  auto query = QueryFromRequest(request);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->modalities,
            Bit(Modality::kInOffice) | Bit(Modality::kTeleconsultation));
  EXPECT_EQ(query->order, SearchOrder::kSoonest);
  EXPECT_FALSE(query->window_start_unix_s.has_value());
  request.add_modalities(v1::MODALITY_UNSPECIFIED);
  EXPECT_EQ(QueryFromRequest(request).status().message(),
            "modalities[2]: unknown value 0");
  request.clear_modalities();
  request.set_commune_code("Royan");
  EXPECT_THAT(std::string(QueryFromRequest(request).status().message()),
              HasSubstr("commune_code: must be a 5-character INSEE code"));
}

TEST(FromProtoTest, HoldTtl) {
  v1::HoldSlotRequest request;
  request.set_request_id("r");
  request.set_slot_id("s");
  EXPECT_EQ(HoldFromRequest(request, "t")->ttl_s, 180);
  request.mutable_ttl()->set_seconds(3600);
  EXPECT_EQ(HoldFromRequest(request, "t").status().message(),
            "ttl: must be between 10 seconds and 15 minutes");
  request.mutable_ttl()->set_seconds(300);
  EXPECT_EQ(HoldFromRequest(request, "t")->ttl_s, 300);
}

}  // namespace
}  // namespace creneau::server
