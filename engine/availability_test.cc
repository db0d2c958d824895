#include "engine/availability.h"

#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/limits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::testing::HasSubstr;

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) ADD_FAILURE() << "no zone " << name;
  return zone;
}

int64_t At(const absl::TimeZone& zone, int y, int mo, int d, int h, int mi) {
  return absl::ToUnixSeconds(
      zone.At(absl::CivilSecond(y, mo, d, h, mi, 0)).pre);
}

WeeklyTemplate EveryDay(std::string id, int start_minute, int end_minute,
                        int slot_minutes) {
  WeeklyTemplate t;
  t.id = std::move(id);
  t.weekdays = kAllWeekdays;
  t.start_minute = start_minute;
  t.end_minute = end_minute;
  t.shape.slot_minutes = slot_minutes;
  t.first_day = absl::CivilDay(2026, 1, 1);
  return t;
}

std::vector<Slot> Expand(const Availability& a, const absl::TimeZone& zone,
                         int64_t from, int64_t until) {
  std::vector<Slot> out;
  const absl::Status status = ExpandAvailability(
      a, zone, from, until, limits::kMaxGeneratedSlotsPerProfessional, &out);
  EXPECT_TRUE(status.ok()) << status;
  return out;
}

std::vector<std::string> Ids(const std::vector<Slot>& slots) {
  std::vector<std::string> ids;
  for (const Slot& s : slots) ids.push_back(s.id);
  return ids;
}

Availability NightSessions() {
  // 01:00 to 04:00 every night in 30-minute slots: crosses both changes.
  Availability a;
  a.professional_id = "pro-1";
  a.templates.push_back(EveryDay("night", 60, 240, 30));
  return a;
}

TEST(AvailabilityTest, SpringForwardSkipsTheMissingHourInParis) {
  const absl::TimeZone paris = Zone("Europe/Paris");
  // 2026-03-29: 02:00 local jumps to 03:00.
  const std::vector<Slot> slots =
      Expand(NightSessions(), paris, At(paris, 2026, 3, 29, 0, 0),
             At(paris, 2026, 3, 29, 12, 0));
  EXPECT_THAT(
      Ids(slots),
      ::testing::ElementsAre("t:night:20260329T0100", "t:night:20260329T0130",
                             "t:night:20260329T0300", "t:night:20260329T0330"));
  // 01:30 lasts until 02:00 local, which is 03:00: the next slot starts
  // right after it in absolute time.
  EXPECT_EQ(slots[2].start_unix_s - slots[1].start_unix_s, 30 * 60);
}

TEST(AvailabilityTest, FallBackGeneratesTheRepeatedHourOnce) {
  const absl::TimeZone paris = Zone("Europe/Paris");
  // 2026-10-25: 03:00 local goes back to 02:00.
  const std::vector<Slot> slots =
      Expand(NightSessions(), paris, At(paris, 2026, 10, 25, 0, 0),
             At(paris, 2026, 10, 25, 12, 0));
  const std::vector<std::string> ids = Ids(slots);
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  std::set<int64_t> starts;
  for (const Slot& s : slots) starts.insert(s.start_unix_s);
  EXPECT_EQ(starts.size(), slots.size()) << "a start generated twice";
  // 02:00 and 02:30 are the first occurrences (summer time, UTC+2).
  EXPECT_EQ(slots[2].id, "t:night:20261025T0200");
  EXPECT_EQ(slots[2].start_unix_s, absl::ToUnixSeconds(absl::FromCivil(
                                       absl::CivilSecond(2026, 10, 25, 0, 0, 0),
                                       absl::UTCTimeZone())));
}

TEST(AvailabilityTest, ReunionSessionsAreInReunionTime) {
  const absl::TimeZone reunion = Zone("Indian/Reunion");  // UTC+4.
  Availability a;
  a.professional_id = "pro-974";
  WeeklyTemplate t = EveryDay("stdenis-evening", 17 * 60, 19 * 60, 60);
  t.weekdays = 1 << 0;  // Mondays.
  a.templates.push_back(t);
  const std::vector<Slot> slots =
      Expand(a, reunion, At(reunion, 2026, 12, 7, 0, 0),
             At(reunion, 2026, 12, 8, 0, 0));
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].id, "t:stdenis-evening:20261207T1700");
  // 17:00 in Saint-Denis is 13:00 UTC, 14:00 in Paris.
  EXPECT_EQ(slots[0].start_unix_s, absl::ToUnixSeconds(absl::FromCivil(
                                       absl::CivilSecond(2026, 12, 7, 13, 0, 0),
                                       absl::UTCTimeZone())));
  EXPECT_EQ(slots[0].duration_s, 3600);
  EXPECT_EQ(slots[0].professional_id, "pro-974");
}

TEST(AvailabilityTest, ExceptionsCloseVacateAndOpen) {
  const absl::TimeZone paris = Zone("Europe/Paris");
  Availability a;
  a.professional_id = "pro-1";
  WeeklyTemplate evening = EveryDay("eve", 17 * 60, 19 * 60, 30);
  evening.weekdays = 0x1f;  // Monday to Friday.
  a.templates.push_back(evening);
  AvailabilityException closure;  // Tuesday 2026-12-08 from 18:00.
  closure.kind = ExceptionKind::kClosure;
  closure.first_day = closure.last_day = absl::CivilDay(2026, 12, 8);
  closure.start_minute = 18 * 60;
  closure.end_minute = 24 * 60;
  a.exceptions.push_back(closure);
  AvailabilityException vacation;  // Thursday and Friday.
  vacation.kind = ExceptionKind::kVacation;
  vacation.first_day = absl::CivilDay(2026, 12, 10);
  vacation.last_day = absl::CivilDay(2026, 12, 11);
  a.exceptions.push_back(vacation);
  AvailabilityException opening;  // Saturday morning home visits.
  opening.id = "sat-visits";
  opening.kind = ExceptionKind::kOpening;
  opening.first_day = opening.last_day = absl::CivilDay(2026, 12, 12);
  opening.start_minute = 9 * 60;
  opening.end_minute = 10 * 60;
  opening.shape.slot_minutes = 60;
  opening.shape.modality = Modality::kHomeVisit;
  a.exceptions.push_back(opening);
  ASSERT_TRUE(ValidateAvailability(a).ok()) << ValidateAvailability(a);
  const std::vector<Slot> slots = Expand(a, paris, At(paris, 2026, 12, 7, 0, 0),
                                         At(paris, 2026, 12, 14, 0, 0));
  EXPECT_THAT(
      Ids(slots),
      ::testing::ElementsAre(
          "t:eve:20261207T1700", "t:eve:20261207T1730", "t:eve:20261207T1800",
          "t:eve:20261207T1830", "t:eve:20261208T1700", "t:eve:20261208T1730",
          "t:eve:20261209T1700", "t:eve:20261209T1730", "t:eve:20261209T1800",
          "t:eve:20261209T1830", "t:sat-visits:20261212T0900"));
  EXPECT_EQ(slots.back().modality, Modality::kHomeVisit);
}

TEST(AvailabilityTest, ValidityRangeAndStableIds) {
  const absl::TimeZone paris = Zone("Europe/Paris");
  Availability a;
  a.professional_id = "pro-1";
  WeeklyTemplate t = EveryDay("am", 8 * 60, 9 * 60, 20);
  t.first_day = absl::CivilDay(2026, 12, 9);
  t.last_day = absl::CivilDay(2026, 12, 10);
  a.templates.push_back(t);
  const int64_t from = At(paris, 2026, 12, 1, 0, 0);
  const int64_t until = At(paris, 2026, 12, 31, 0, 0);
  const std::vector<Slot> first = Expand(a, paris, from, until);
  EXPECT_EQ(first.size(), 6u);  // 3 a day, 2 days.
  EXPECT_EQ(Expand(a, paris, from, until), first);
  // A window cut inside the day keeps only what starts in it.
  EXPECT_EQ(Expand(a, paris, At(paris, 2026, 12, 9, 8, 10),
                   At(paris, 2026, 12, 9, 8, 40))
                .size(),
            1u);
}

TEST(AvailabilityTest, RefusesWhatCannotBeExpanded) {
  Availability a;
  a.professional_id = "pro-1";
  a.templates.push_back(EveryDay("a:b", 0, 60, 15));
  EXPECT_THAT(ValidateAvailability(a).message(), HasSubstr("templates[0].id"));
  a.templates[0] = EveryDay("x", 600, 600, 15);
  EXPECT_THAT(ValidateAvailability(a).message(),
              HasSubstr("templates[0].end_minute"));
  a.templates[0] = EveryDay("x", 0, 60, 2);
  EXPECT_THAT(ValidateAvailability(a).message(),
              HasSubstr("templates[0].slot_minutes"));
  a.templates[0] = EveryDay("x", 0, 60, 15);
  a.templates[0].weekdays = 0;
  EXPECT_THAT(ValidateAvailability(a).message(),
              HasSubstr("templates[0].weekdays"));
  a.templates[0] = EveryDay("x", 0, 60, 15);
  a.templates.push_back(EveryDay("x", 60, 120, 15));
  EXPECT_THAT(ValidateAvailability(a).message(),
              HasSubstr("templates[1].id: duplicate of templates[0]"));
  // 5-minute slots around the clock for a year: refused, not expanded.
  a.templates.resize(1);
  a.templates[0] = EveryDay("x", 0, 1440, 5);
  ASSERT_TRUE(ValidateAvailability(a).ok());
  std::vector<Slot> out;
  const absl::Status status = ExpandAvailability(
      a, absl::UTCTimeZone(), At(absl::UTCTimeZone(), 2026, 1, 1, 0, 0),
      At(absl::UTCTimeZone(), 2027, 1, 1, 0, 0),
      limits::kMaxGeneratedSlotsPerProfessional, &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("5000"));
}

}  // namespace
}  // namespace creneau
