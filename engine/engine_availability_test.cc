// Engine::PublishAvailability and ExtendAvailability: generated slots over
// the horizon, republication, taken slots kept, ownership, time zones.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::testing::HasSubstr;

const char kCommunes[] =
    "insee,name,departement,lat,lng,area_km2,population,epci_siren,epci_name\n"
    "17306,Royan,17,45.6248,-1.0281,19.3,18419,241700624,CA Royan Atlantique\n"
    "97411,Saint-Denis,974,-20.8823,55.4504,142.8,153810,249740119,CA CINOR\n";

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) ADD_FAILURE() << name;
  return zone;
}

class EngineAvailabilityTest : public ::testing::Test {
 protected:
  EngineAvailabilityTest() {
    auto table = CommuneTable::FromCsv(kCommunes);
    engine_ = std::make_unique<Engine>(
        std::make_shared<const CommuneTable>(*std::move(table)));
    feed_ = {.name = "agenda", .organisation = "vendor-a"};
    feed_.visibilities = Bit(Visibility::kPublic);
    other_feed_ = {.name = "other", .organisation = "vendor-b"};
    regulator_ = {.name = "sas-17", .organisation = "sas-17"};
    regulator_.visibilities =
        Bit(Visibility::kPublic) | Bit(Visibility::kRegulation);
    // Monday 2026-12-07 08:00 in Paris.
    now_ = absl::ToUnixSeconds(
        Zone("Europe/Paris").At(absl::CivilSecond(2026, 12, 7, 8, 0, 0)).pre);
    Upsert(feed_, "gp-royan", {45.6248, -1.0281}, "Europe/Paris");
    Upsert(feed_, "gp-stdenis", {-20.8823, 55.4504}, "Indian/Reunion");
    Upsert(other_feed_, "gp-other", {45.6248, -1.0281}, "Europe/Paris");
  }

  void Upsert(const Caller& owner, std::string id, LatLng where,
              std::string zone) {
    Professional p;
    p.id = std::move(id);
    p.profession = Profession::kGeneralPractitioner;
    p.location = where;
    p.time_zone = std::move(zone);
    p.display_name = "Dr " + p.id;
    Effects e;
    ASSERT_TRUE(engine_->UpsertProfessionals(owner, {}, {p}, Now(), &e).ok());
  }

  absl::Time Now() const { return absl::FromUnixSeconds(now_); }

  // Monday to Friday 17:00-19:00, 30-minute slots: 4 a weekday.
  static Availability Evenings(const std::string& professional,
                               const std::string& id) {
    Availability a;
    a.professional_id = professional;
    WeeklyTemplate t;
    t.id = id;
    t.weekdays = 0x1f;
    t.start_minute = 17 * 60;
    t.end_minute = 19 * 60;
    t.shape.slot_minutes = 30;
    t.first_day = absl::CivilDay(2026, 12, 1);
    a.templates.push_back(t);
    return a;
  }

  absl::StatusOr<BatchCounts> Publish(const Availability& a,
                                      const Caller* caller = nullptr) {
    effects_.Clear();
    return engine_->PublishAvailability(caller ? *caller : feed_, {}, a, Now(),
                                        &effects_);
  }

  absl::Status HoldAndMaybeConfirm(const std::string& slot, int token,
                                   bool confirm) {
    Effects e;
    const std::string hex = absl::StrFormat("%032x", token);
    absl::StatusOr<Hold> hold = engine_->HoldSlot(
        regulator_, {}, HoldCommand{slot, hex, 600}, Now(), &e);
    if (!hold.ok() || !confirm) return hold.status();
    return engine_
        ->ConfirmBooking(regulator_, {},
                         ConfirmCommand{slot, hex, "patient-1", ""}, Now(), &e)
        .status();
  }

  std::unique_ptr<Engine> engine_;
  Caller feed_, other_feed_, regulator_;
  int64_t now_ = 0;
  Effects effects_;
};

TEST_F(EngineAvailabilityTest, PublishesTheHorizonAndRepublishingIsANoOp) {
  auto counts = Publish(Evenings("gp-royan", "royan-eve"));
  ASSERT_TRUE(counts.ok()) << counts.status();
  // From Monday 08:00 over 14 days (rounded up to a whole day): 10
  // weekdays of 4 slots, and the Monday of the third week's horizon day.
  EXPECT_GE(counts->created, 40);
  EXPECT_LE(counts->created, 44);
  EXPECT_EQ(effects_.availability_put.size(), 1u);
  ASSERT_EQ(effects_.events.size(), 1u);
  EXPECT_EQ(effects_.events[0].type, EventType::kAvailabilityPublished);
  EXPECT_EQ(effects_.events[0].subjects[0],
            (Subject{SubjectKind::kProfessional, "gp-royan"}));
  auto slot = engine_->GetSlot("t:royan-eve:20261207T1700");
  ASSERT_TRUE(slot.ok()) << slot.status();
  EXPECT_EQ(slot->slot.duration_s, 1800);

  auto again = Publish(Evenings("gp-royan", "royan-eve"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->withdrawn, 0);
  EXPECT_EQ(again->unchanged, counts->created);

  auto stored = engine_->GetAvailability(feed_, "gp-royan");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->availability, Evenings("gp-royan", "royan-eve"));
}

TEST_F(EngineAvailabilityTest, AVacationWithdrawsFreeSlotsButNotABookedOne) {
  ASSERT_TRUE(Publish(Evenings("gp-royan", "royan-eve")).ok());
  ASSERT_TRUE(HoldAndMaybeConfirm("t:royan-eve:20261208T1730", 1, true).ok());
  Availability a = Evenings("gp-royan", "royan-eve");
  AvailabilityException vacation;
  vacation.kind = ExceptionKind::kVacation;
  vacation.first_day = absl::CivilDay(2026, 12, 8);
  vacation.last_day = absl::CivilDay(2026, 12, 9);
  a.exceptions.push_back(vacation);
  auto counts = Publish(a);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->withdrawn, 7);  // 8 slots of Tuesday and Wednesday.
  EXPECT_EQ(counts->kept, 1);       // The booked one stays.
  auto booked = engine_->GetSlot("t:royan-eve:20261208T1730");
  ASSERT_TRUE(booked.ok());
  EXPECT_FALSE(booked->slot.withdrawn);
  EXPECT_TRUE(engine_->GetSlot("t:royan-eve:20261208T1700")->slot.withdrawn);
  // Ending the vacation publishes them again.
  counts = Publish(Evenings("gp-royan", "royan-eve"));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->updated, 7);
}

TEST_F(EngineAvailabilityTest, AShortenedTemplateKeepsItsHeldSlot) {
  ASSERT_TRUE(Publish(Evenings("gp-royan", "royan-eve")).ok());
  ASSERT_TRUE(HoldAndMaybeConfirm("t:royan-eve:20261207T1830", 2, false).ok());
  Availability a = Evenings("gp-royan", "royan-eve");
  a.templates[0].end_minute = 18 * 60;  // 17:00-18:00 now.
  auto counts = Publish(a);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->kept, 1);
  EXPECT_EQ(counts->withdrawn, counts->unchanged - 1);  // 2 of 4 per day.
  EXPECT_FALSE(engine_->GetSlot("t:royan-eve:20261207T1830")->slot.withdrawn);
  EXPECT_TRUE(engine_->GetSlot("t:royan-eve:20261207T1800")->slot.withdrawn);
}

TEST_F(EngineAvailabilityTest, MaintenanceExtendsTheHorizonDayByDay) {
  ASSERT_TRUE(Publish(Evenings("gp-royan", "royan-eve")).ok());
  Effects e;
  EXPECT_EQ(engine_->ExtendAvailability(Now(), &e), 0);
  EXPECT_TRUE(e.empty());
  now_ += 3 * 24 * 3600;  // Thursday.
  EXPECT_EQ(engine_->ExtendAvailability(Now(), &e), 1);
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_EQ(e.events[0].actor, kSystemActor);
  EXPECT_GT(e.slots_put.size(), 0u);
  for (const Slot& s : e.slots_put) {
    EXPECT_GT(s.start_unix_s, now_ + 10 * 24 * 3600) << s.id;
  }
  Effects twice;
  EXPECT_EQ(engine_->ExtendAvailability(Now(), &twice), 0);
}

TEST_F(EngineAvailabilityTest, OwnershipAndIdsAreEnforced) {
  auto foreign = Publish(Evenings("gp-royan", "x"), &other_feed_);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->GetAvailability(other_feed_, "gp-royan").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(Publish(Evenings("gp-royan", "shared-id")).ok());
  auto taken = Publish(Evenings("gp-other", "shared-id"), &other_feed_);
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(taken.status().message(), HasSubstr("shared-id"));
  Slot manual;
  manual.id = "t:shared-id:20261207T2000";
  manual.professional_id = "gp-royan";
  manual.start_unix_s = now_ + 3600;
  manual.duration_s = 900;
  manual.modality = Modality::kInOffice;
  Effects e;
  EXPECT_THAT(
      engine_->PublishSlots(feed_, {}, {manual}, Now(), &e).status().message(),
      HasSubstr("reserved"));
}

TEST_F(EngineAvailabilityTest, AReunionTemplateIsInReunionTime) {
  ASSERT_TRUE(Publish(Evenings("gp-stdenis", "stdenis-eve")).ok());
  auto slot = engine_->GetSlot("t:stdenis-eve:20261207T1700");
  ASSERT_TRUE(slot.ok()) << slot.status();
  // 17:00 in Saint-Denis (UTC+4) is 13:00 UTC.
  EXPECT_EQ(
      slot->slot.start_unix_s,
      absl::ToUnixSeconds(absl::FromCivil(
          absl::CivilSecond(2026, 12, 7, 13, 0, 0), absl::UTCTimeZone())));
  EXPECT_TRUE(HoldAndMaybeConfirm(slot->slot.id, 3, true).ok());
}

// A professional who moves to La Réunion keeps their evening hours: the
// free generated slots move to 17:00 Saint-Denis time (same ids), the held
// one keeps the instant the patient was given.
TEST_F(EngineAvailabilityTest, AChangeOfTimeZoneMovesTheFreeGeneratedSlots) {
  ASSERT_TRUE(Publish(Evenings("gp-royan", "royan-eve")).ok());
  const auto start_of = [&](const std::string& id) {
    absl::StatusOr<SlotView> slot = engine_->GetSlot(id);
    EXPECT_TRUE(slot.ok()) << id << ": " << slot.status();
    return slot.ok() ? slot->slot.start_unix_s : 0;
  };
  const int64_t held_before = start_of("t:royan-eve:20261208T1730");
  ASSERT_TRUE(HoldAndMaybeConfirm("t:royan-eve:20261208T1730", 4, false).ok());

  Upsert(feed_, "gp-royan", {-20.8823, 55.4504}, "Indian/Reunion");
  const auto utc = [](int day, int hour, int minute) {
    return absl::ToUnixSeconds(
        absl::FromCivil(absl::CivilSecond(2026, 12, day, hour, minute, 0),
                        absl::UTCTimeZone()));
  };
  // 17:00 in Saint-Denis (UTC+4) is 13:00 UTC; it was 16:00 UTC in Paris.
  EXPECT_EQ(start_of("t:royan-eve:20261208T1700"), utc(8, 13, 0));
  EXPECT_EQ(start_of("t:royan-eve:20261211T1830"), utc(11, 14, 30));
  EXPECT_EQ(start_of("t:royan-eve:20261208T1730"), held_before);
  EXPECT_EQ(held_before, utc(8, 16, 30));
  // Today's 17:00 in Saint-Denis is still ahead of 08:00 in Paris.
  EXPECT_EQ(start_of("t:royan-eve:20261207T1700"), utc(7, 13, 0));

  // Republishing the same agenda in the new zone changes nothing more.
  auto again = Publish(Evenings("gp-royan", "royan-eve"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created + again->updated + again->withdrawn, 0);
}

}  // namespace
}  // namespace creneau
