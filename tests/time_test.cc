// Time: holds expire on the clock they were given, whatever the clock does.
// - jumps forward: every lapsed hold expires exactly once, at the first
//   command or maintenance pass after its expiry;
// - jumps backward: nothing revives, nothing expires early, and a hold
//   made after the jump still lasts its full TTL from the latest time seen;
// - daylight saving: TTLs are absolute durations, so a hold made just
//   before a transition lasts exactly its TTL; generated slots never fall
//   in the skipped hour and never repeat in the doubled one, and keep their
//   local times and durations on both sides of a transition;
// - the server's clock never steps back while the process runs, and a step
//   of the system's wall clock moves no hold (the step injected through
//   the clock's sources, the hold made and expired through EngineHost).
#include "absl/time/time.h"

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "storage/clock.h"
#include "storage/engine_host.h"
#include "storage/store.h"
#include "storage/testing/temp_dir.h"
#include "territory/territory_generator.h"

namespace creneau {
namespace {

const Caller kRegulator{"sas", Bit(Visibility::kPublic), false, ""};

class TimeTest : public ::testing::Test {
 protected:
  TimeTest() : engine_(std::make_shared<const CommuneTable>()) {
    Professional p{"gp",
                   Profession::kGeneralPractitioner,
                   {45.6, -1.0},
                   "",
                   "Europe/Paris"};
    Effects fx;
    EXPECT_TRUE(
        engine_.UpsertProfessionals(kRegulator, {}, {p}, t0_, &fx).ok());
  }

  void Publish(const std::string& id, absl::Time start, int capacity = 1) {
    Slot s;
    s.id = id;
    s.professional_id = "gp";
    s.start_unix_s = absl::ToUnixSeconds(start);
    s.duration_s = 900;
    s.modality = Modality::kInOffice;
    s.capacity = capacity;
    Effects fx;
    ASSERT_TRUE(engine_.PublishSlots(kRegulator, {}, {s}, now_, &fx).ok());
  }
  absl::StatusOr<Hold> HoldAt(const std::string& slot, int n, int ttl_s) {
    Effects fx;
    return engine_.HoldSlot(
        kRegulator, {}, {slot, absl::StrFormat("%032x", n), ttl_s}, now_, &fx);
  }
  absl::StatusOr<Booking> ConfirmAt(const std::string& slot, int n) {
    Effects fx;
    return engine_.ConfirmBooking(kRegulator, {},
                                  {slot, absl::StrFormat("%032x", n), "p", ""},
                                  now_, &fx);
  }
  int Expire() {
    Effects fx;
    return engine_.ExpireHolds(now_, &fx);
  }

  const absl::Time t0_ = absl::FromUnixSeconds(1'900'000'000);
  absl::Time now_ = t0_;
  Engine engine_;
};

TEST_F(TimeTest, ForwardJumpExpiresEveryLapsedHoldExactlyOnce) {
  for (int i = 0; i < 5; ++i)
    Publish(absl::StrCat("s", i), t0_ + absl::Hours(30));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(HoldAt(absl::StrCat("s", i), i, 60 + 60 * i).ok());
  now_ += absl::Hours(10);  // Past every expiry at once.
  EXPECT_EQ(Expire(), 5);
  EXPECT_EQ(Expire(), 0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ConfirmAt(absl::StrCat("s", i), i).status().code(),
              absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(engine_.GetSlot(absl::StrCat("s", i))->places_held, 0);
  }
}

TEST_F(TimeTest, BackwardJumpNeitherRevivesNorShortensHolds) {
  Publish("a", t0_ + absl::Hours(30));
  Publish("b", t0_ + absl::Hours(30));
  ASSERT_TRUE(HoldAt("a", 1, 60).ok());
  now_ = t0_ + absl::Seconds(61);
  EXPECT_EQ(Expire(), 1);
  now_ = t0_ - absl::Hours(2);  // The clock steps back two hours.
  EXPECT_EQ(Expire(), 0);
  EXPECT_FALSE(ConfirmAt("a", 1).ok()) << "an expired hold came back";
  // A hold made now counts its TTL from the latest time seen (t0 + 61 s).
  auto held = HoldAt("b", 2, 120);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->expire_unix_s, absl::ToUnixSeconds(t0_) + 61 + 120);
  now_ = t0_ + absl::Seconds(61 + 119);
  EXPECT_EQ(Expire(), 0);
  EXPECT_TRUE(ConfirmAt("b", 2).ok());
}

TEST_F(TimeTest, HoldAcrossDaylightSavingLastsExactlyItsTtl) {
  const absl::TimeZone paris = [] {
    absl::TimeZone tz;
    EXPECT_TRUE(absl::LoadTimeZone("Europe/Paris", &tz));
    return tz;
  }();
  // 01:59 on 2027-03-28, a minute before clocks go from 02:00 to 03:00, and
  // 02:59 (first time) on 2026-10-25, before 03:00 becomes 02:00 again.
  for (const absl::CivilSecond local :
       {absl::CivilSecond(2027, 3, 28, 1, 59, 0),
        absl::CivilSecond(2026, 10, 25, 2, 59, 0)}) {
    Engine engine(std::make_shared<const CommuneTable>());
    Professional p{"gp",
                   Profession::kGeneralPractitioner,
                   {45.6, -1.0},
                   "",
                   "Europe/Paris"};
    const absl::Time at = paris.At(local).pre;
    Effects fx;
    ASSERT_TRUE(engine.UpsertProfessionals(kRegulator, {}, {p}, at, &fx).ok());
    Slot s{"s",
           "gp",
           absl::ToUnixSeconds(at + absl::Hours(2)),
           900,
           Modality::kInOffice,
           1};
    ASSERT_TRUE(engine.PublishSlots(kRegulator, {}, {s}, at, &fx).ok());
    auto held = engine.HoldSlot(kRegulator, {},
                                {"s", std::string(32, 'a'), 180}, at, &fx);
    ASSERT_TRUE(held.ok());
    EXPECT_EQ(held->expire_unix_s - absl::ToUnixSeconds(at), 180);
    EXPECT_EQ(engine.ExpireHolds(at + absl::Seconds(179), &fx), 0);
    EXPECT_EQ(engine.ExpireHolds(at + absl::Seconds(180), &fx), 1);
  }
}

TEST(TimeGeneratorTest, SlotsAvoidTheSkippedHourAndNeverRepeat) {
  Commune royan;
  royan.insee = "17306";
  royan.name = "Royan";
  royan.departement = "17";
  royan.location = {45.6248, -1.0281};
  royan.population = 18419;
  royan.area_km2 = 19.3;
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  for (const absl::CivilDay day :
       {absl::CivilDay(2027, 3, 27), absl::CivilDay(2026, 10, 24)}) {
    territory::TerritoryOptions options;
    options.seed = 5;
    options.target_professionals = 200;
    options.start = paris.At(absl::CivilSecond(day)).pre;
    options.days = 3;
    auto territory = territory::GenerateTerritory({&royan}, options);
    ASSERT_TRUE(territory.ok()) << territory.status();
    ASSERT_GT(territory->slots.size(), 100u);
    std::set<std::pair<std::string, int64_t>> seen;
    for (const Slot& s : territory->slots) {
      const absl::Time start = absl::FromUnixSeconds(s.start_unix_s);
      const absl::CivilSecond local = paris.At(start).cs;
      // Round trip: a wall time in a skipped hour would not come back.
      EXPECT_EQ(paris.At(local).pre, start) << s.id;
      EXPECT_TRUE(seen.insert({s.professional_id, s.start_unix_s}).second)
          << "two slots at once: " << s.id;
    }
  }
}

// Slots generated on the days around each transition keep the local time
// their agenda gave them (the id carries it): 08:15 local is 07:15 UTC in
// winter and 06:15 UTC in summer. A conversion that ignored daylight saving
// (a fixed offset) puts every slot on one side of the transition an hour off.
TEST(TimeGeneratorTest, SlotsKeepTheirLocalTimesAcrossDaylightSaving) {
  Commune royan;
  royan.insee = "17306";
  royan.name = "Royan";
  royan.departement = "17";
  royan.location = {45.6248, -1.0281};
  royan.population = 18419;
  royan.area_km2 = 19.3;
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  struct Transition {
    absl::CivilDay first_day;
    int offset_before_h, offset_after_h;
    absl::CivilDay change;  // The Sunday of the transition.
  };
  for (const Transition& t : {Transition{absl::CivilDay(2027, 3, 26), 1, 2,
                                         absl::CivilDay(2027, 3, 28)},
                              Transition{absl::CivilDay(2026, 10, 23), 2, 1,
                                         absl::CivilDay(2026, 10, 25)}}) {
    territory::TerritoryOptions options;
    options.seed = 11;
    options.target_professionals = 300;
    options.start = paris.At(absl::CivilSecond(t.first_day)).pre;
    options.days = 4;
    auto territory = territory::GenerateTerritory({&royan}, options);
    ASSERT_TRUE(territory.ok()) << territory.status();
    int before = 0, after = 0;
    for (const Slot& s : territory->slots) {
      // The local time the agenda meant, from the generated id
      // ("t:<session>:20270329T0815").
      const std::string stamp = s.id.substr(s.id.size() - 13);
      absl::CivilMinute meant;
      ASSERT_TRUE(absl::ParseCivilTime(
          absl::StrCat(stamp.substr(0, 4), "-", stamp.substr(4, 2), "-",
                       stamp.substr(6, 2), "T", stamp.substr(9, 2), ":",
                       stamp.substr(11, 2)),
          &meant))
          << s.id;
      const int offset_h = absl::CivilDay(meant) < t.change ? t.offset_before_h
                                                            : t.offset_after_h;
      (absl::CivilDay(meant) < t.change ? before : after)++;
      const absl::Time expected =
          absl::FromCivil(absl::CivilSecond(meant), absl::UTCTimeZone()) -
          absl::Hours(offset_h);
      ASSERT_EQ(absl::FromUnixSeconds(s.start_unix_s), expected)
          << s.id << " starts at "
          << absl::FormatTime(absl::FromUnixSeconds(s.start_unix_s));
      // Agenda hours, local: sessions from 07:00 to 22:00.
      const int minute = meant.hour() * 60 + meant.minute();
      EXPECT_TRUE(minute >= 7 * 60 && minute < 22 * 60) << s.id;
      // The local end is the start plus the duration (no transition falls
      // within opening hours), and durations are the profiles' own.
      const absl::CivilSecond local_end =
          paris.At(absl::FromUnixSeconds(s.start_unix_s + s.duration_s)).cs;
      EXPECT_EQ(local_end - absl::CivilSecond(meant), s.duration_s) << s.id;
      EXPECT_TRUE(s.duration_s % (5 * 60) == 0 && s.duration_s >= 10 * 60 &&
                  s.duration_s <= 90 * 60)
          << s.id << " lasts " << s.duration_s << " s";
    }
    // Both sides of the transition were generated and checked.
    EXPECT_GT(before, 50);
    EXPECT_GT(after, 50);
  }
}

TEST(ServerClockTest, NeverStepsBackWhileRunning) {
  storage::MonotonicWallClock clock;
  absl::Time last = clock.Now();
  for (int i = 0; i < 100000; ++i) {
    const absl::Time now = clock.Now();
    ASSERT_GE(now, last);
    last = now;
  }
  EXPECT_LT(absl::AbsDuration(clock.Now() - absl::Now()), absl::Seconds(5));
}

// A step of the system's wall clock, injected through the server's clock
// sources: the server's time does not move, holds keep their TTL measured
// on the monotonic clock, through EngineHost as in production.
TEST(ServerClockTest, WallClockStepsChangeNoHold) {
  std::atomic<int64_t> wall_s{1'900'000'000};
  std::atomic<int64_t> steady_ms{0};
  storage::MonotonicWallClock::Sources sources;
  sources.wall = [&] { return absl::FromUnixSeconds(wall_s.load()); };
  sources.steady = [&] {
    return storage::MonotonicWallClock::SteadyTime(
        std::chrono::milliseconds(steady_ms.load()));
  };
  const storage::MonotonicWallClock clock(sources);
  const absl::Time start = clock.Now();
  ASSERT_EQ(start, absl::FromUnixSeconds(1'900'000'000));

  testing::TempDir dir;
  storage::StoreOptions options;
  options.path = dir.Sub("data");
  auto store = storage::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  storage::EngineHost host(std::make_shared<const CommuneTable>(), store->get(),
                           &clock);
  ASSERT_TRUE(host.Load().ok());
  const auto mutate = [&](auto apply) {
    using T = typename std::invoke_result_t<decltype(apply), Engine&,
                                            absl::Time, Effects*>::value_type;
    absl::Notification done;
    absl::StatusOr<T> result = absl::UnknownError("unanswered");
    host.Mutate<T>(apply, [&](absl::StatusOr<T> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  };
  Professional p{
      "gp", Profession::kGeneralPractitioner, {45.6, -1.0}, "", "Europe/Paris"};
  ASSERT_TRUE(mutate([&](Engine& e, absl::Time now, Effects* fx) {
                return e.UpsertProfessionals(kRegulator, {}, {p}, now, fx);
              }).ok());
  Slot s{"s", "gp", absl::ToUnixSeconds(start) + 3600, 900, Modality::kInOffice,
         1};
  ASSERT_TRUE(mutate([&](Engine& e, absl::Time now, Effects* fx) {
                return e.PublishSlots(kRegulator, {}, {s}, now, fx);
              }).ok());
  auto held = mutate([&](Engine& e, absl::Time now, Effects* fx) {
    return e.HoldSlot(kRegulator, {}, {"s", std::string(32, 'b'), 60}, now, fx);
  });
  ASSERT_TRUE(held.ok()) << held.status();
  const auto expire = [&] {
    return mutate([](Engine& e, absl::Time now, Effects* fx) {
      return absl::StatusOr<int>(e.ExpireHolds(now, fx));
    });
  };
  const auto held_places = [&] {
    return host
        .Read<SlotView>(
            [](const Engine& e, absl::Time) { return e.GetSlot("s"); })
        ->places_held;
  };
  // The system clock jumps two hours ahead, then three hours back.
  wall_s += 2 * 3600;
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(*expire(), 0) << "a wall clock step expired a hold";
  wall_s -= 3 * 3600;
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(*expire(), 0);
  EXPECT_EQ(held_places(), 1);
  // The monotonic clock alone decides: 59 s later still held, 60 s expired.
  steady_ms += 59'000;
  EXPECT_EQ(clock.Now(), start + absl::Seconds(59));
  EXPECT_EQ(*expire(), 0);
  EXPECT_EQ(held_places(), 1);
  steady_ms += 1'000;
  EXPECT_EQ(*expire(), 1);
  EXPECT_EQ(held_places(), 0);
}

}  // namespace
}  // namespace creneau
