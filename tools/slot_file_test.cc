#include "tools/slot_file.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cli.h"
#include "tools/internal/cli_format.h"
#include "tools/table.h"

namespace creneau::tools {
namespace {

using ::testing::HasSubstr;

TEST(SlotFileTest, ReadsSlotsFromCsv) {
  auto file = ParseSlotFile(
      "week.csv",
      "id,professional_id,start_time,duration_min,modality,capacity,"
      "visibility\n"
      "a:1,10003456789,2030-03-18T09:00:00+01:00,15,in-office,1,regulation\n"
      "a:2,10003456789,2030-03-18T18:00:00+01:00,90,in-office,6,public\n");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->slots.size(), 2u);
  EXPECT_EQ(file->slots[0].start_time().seconds(), 1900051200);  // 08:00 UTC.
  EXPECT_EQ(file->slots[0].duration().seconds(), 900);
  EXPECT_EQ(file->slots[0].visibility(), creneau::v1::VISIBILITY_REGULATION);
  EXPECT_EQ(file->slots[1].capacity(), 6);
  EXPECT_FALSE(file->slots[1].has_location());
}

TEST(SlotFileTest, ReadsProfessionalsFromCsvAndBothFromJson) {
  auto csv = ParseSlotFile(
      "pros.csv",
      "id,profession,latitude,longitude,commune_code,display_name,"
      "home_visit_radius_km\n"
      "10003456789,SM54,45.62,-1.03,17306,Dr Martin,15\n");
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_EQ(csv->professionals.size(), 1u);
  EXPECT_EQ(csv->professionals[0].profession(),
            creneau::v1::PROFESSION_GENERAL_PRACTITIONER);
  EXPECT_EQ(csv->professionals[0].home_visit_radius_km(), 15);
  EXPECT_EQ(csv->professionals[0].weekly_orientation_cap(), 0);

  auto json = ParseSlotFile("export.json", R"({
    "professionals": [{"id": "p1", "profession": "PROFESSION_NURSE",
                       "location": {"latitude": 45.6, "longitude": -1.0}}],
    "slots": [{"id": "s1", "professional_id": "p1", "start_time": "2030-03-18T08:00:00Z",
               "duration": "1800s", "modality": "MODALITY_HOME_VISIT"}]})");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->professionals.size(), 1u);
  ASSERT_EQ(json->slots.size(), 1u);
  EXPECT_EQ(json->slots[0].duration().seconds(), 1800);
}

TEST(SlotFileTest, ErrorsNameTheLineAndColumn) {
  auto file =
      ParseSlotFile("week.csv",
                    "id,professional_id,start_time,duration_min,modality\n"
                    "a:1,p,2030-03-18T09:00:00Z,15,in-office\n"
                    "a:2,p,tomorrow,15,in-office\n");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(std::string(file.status().message()),
              HasSubstr("line 3, column start_time"));
  EXPECT_FALSE(ParseSlotFile("week.txt", "").ok());
  EXPECT_FALSE(ParseSlotFile("x.json", "{not json").ok());
}

TEST(CliParsingTest, DurationsAndDistances) {
  EXPECT_EQ(ParseHumanDuration("48h"), absl::Hours(48));
  EXPECT_EQ(ParseHumanDuration("3d"), absl::Hours(72));
  EXPECT_EQ(ParseHumanDuration("90s"), absl::Seconds(90));
  EXPECT_EQ(ParseHumanDuration("soon"), std::nullopt);
  EXPECT_EQ(ParseDistanceMeters("10km"), 10000);
  EXPECT_EQ(ParseDistanceMeters("2.5 km"), 2500);
  EXPECT_EQ(ParseDistanceMeters("500m"), 500);
  EXPECT_EQ(ParseDistanceMeters("800"), 800);
  EXPECT_EQ(ParseDistanceMeters("far"), std::nullopt);
  EXPECT_EQ(ParseDistanceMeters("-3km"), std::nullopt);
}

// A slot in La Réunion, seen from Paris: its own time, with its zone.
TEST(CliFormatTest, SlotTimesInTheSlotsZone) {
  google::protobuf::Timestamp t;
  t.set_seconds(1'900'214'100);  // 2030-03-20T05:15:00Z, a Wednesday.
  EXPECT_EQ(internal::LocalTime(t, "Europe/Paris"), "Wed 20 Mar 06:15");
  EXPECT_EQ(internal::SlotTime(t, "Indian/Reunion", "Europe/Paris"),
            "Wed 20 Mar 09:15 Indian/Reunion");
  EXPECT_EQ(internal::SlotTime(t, "Europe/Paris", "Europe/Paris"),
            "Wed 20 Mar 06:15");
  // Seen from La Réunion, a Paris slot names Paris.
  EXPECT_EQ(internal::SlotTime(t, "Europe/Paris", "Indian/Reunion"),
            "Wed 20 Mar 06:15 Europe/Paris");
  // No zone known: the caller's.
  EXPECT_EQ(internal::SlotTime(t, "", "Indian/Reunion"), "Wed 20 Mar 09:15");
}

// A booking and a slot in La Reunion print, for a caller in Paris, in
// Reunion time with the zone named.
TEST(CliFormatTest, BookingAndSlotPrintInTheirOwnZone) {
  v1::Booking booking;
  booking.set_id("bk-1");
  booking.mutable_start_time()->set_seconds(1'900'214'100);
  booking.set_time_zone("Indian/Reunion");
  std::ostringstream out;
  internal::PrintBooking(booking, "Europe/Paris", out);
  EXPECT_THAT(out.str(), ::testing::HasSubstr(
                             "start        Wed 20 Mar 09:15 Indian/Reunion"));
  v1::Slot slot;
  slot.set_id("s-1");
  *slot.mutable_start_time() = booking.start_time();
  slot.set_time_zone("Indian/Reunion");
  out.str("");
  internal::PrintSlot(slot, "Europe/Paris", out);
  EXPECT_THAT(out.str(), ::testing::HasSubstr(
                             "start        Wed 20 Mar 09:15 Indian/Reunion"));
  // From La Reunion, the same slot needs no zone.
  out.str("");
  internal::PrintSlot(slot, "Indian/Reunion", out);
  EXPECT_THAT(out.str(),
              ::testing::HasSubstr("start        Wed 20 Mar 09:15 ("));
}

TEST(TableTest, PadsByCharactersNotBytes) {
  Table table({"commune", "n"});
  table.AddRow({"Saint-Georges-de-Didonne", "1"});
  table.AddRow({"Étaules", "22"});
  EXPECT_EQ(table.Render(),
            "commune                   n\n"
            "------------------------  --\n"
            "Saint-Georges-de-Didonne  1\n"
            "Étaules                   22\n");
}

}  // namespace
}  // namespace creneau::tools
