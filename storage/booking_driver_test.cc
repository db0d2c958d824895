// The durable booking driver of the benchmarks: several runs on one host
// (a benchmark's iterations) book without a single refused step. Request ids
// reused from one run to the next were refused as ids already used for
// another method, or replayed an old answer instead of booking.
#include "storage/testing/booking_driver.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "storage/testing/manual_clock.h"
#include "storage/testing/temp_dir.h"

namespace creneau::storage {
namespace {

constexpr int kSlots = 400;
constexpr int32_t kPlacesPerSlot = 100;  // limits::kMaxCapacity.

const Caller& Feed() {
  static const Caller feed{.name = "feed-1",
                           .visibilities = 0xff,
                           .organisation = "vendor",
                           .scope = Scope{.national = true}};
  return feed;
}

// Applies one command on the host and waits for its acknowledgement.
template <typename T, typename ApplyFn>
absl::Status Apply(EngineHost& host, ApplyFn apply) {
  absl::Notification done;
  absl::Status status;
  host.Mutate<T>(apply, [&](absl::StatusOr<T> result) {
    status = result.status();
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

TEST(BookingDriverTest, SuccessiveRunsOnOneHostBookWithoutErrors) {
  ::creneau::testing::TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("db");
  options.sync = false;  // The driver's requests are tested, not durability.
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  testing::ManualClock clock;
  HostOptions host_options;
  host_options.engine.default_weekly_orientation_cap = 0;
  EngineHost host(nullptr, store->get(), &clock, host_options);
  ASSERT_TRUE(host.Load().ok());

  Professional doctor;
  doctor.id = "gp-1";
  doctor.profession = Profession::kGeneralPractitioner;
  doctor.location = {45.6248, -1.0281};
  doctor.time_zone = "Europe/Paris";
  std::vector<Slot> slots;
  std::vector<std::string> ids;
  for (int i = 0; i < kSlots; ++i) {
    Slot& slot = slots.emplace_back();
    slot.id = absl::StrCat("gp-1:", i);
    slot.professional_id = doctor.id;
    slot.start_unix_s = absl::ToUnixSeconds(clock.Now()) + 3600 + 900 * i;
    slot.duration_s = 900;
    slot.modality = Modality::kInOffice;
    slot.capacity = kPlacesPerSlot;
    ids.push_back(slot.id);
  }
  ASSERT_TRUE(
      Apply<BatchCounts>(host, [&](Engine& e, absl::Time now, Effects* fx) {
        return e.UpsertProfessionals(Feed(), {"up", 1}, {doctor}, now, fx);
      }).ok());
  ASSERT_TRUE(
      Apply<BatchCounts>(host, [&](Engine& e, absl::Time now, Effects* fx) {
        return e.PublishSlots(Feed(), {"pub", 2}, slots, now, fx);
      }).ok());

  testing::BookingDriverOptions driver;
  driver.clients = 16;
  driver.duration = absl::Milliseconds(100);
  int64_t booked = 0;
  for (int run = 0; run < 3; ++run) {
    const testing::BookingRun result =
        testing::RunDurableBookings(host, ids, driver);
    EXPECT_EQ(result.errors, 0) << "run " << run << ": " << result.first_error;
    EXPECT_GT(result.bookings, 0) << "run " << run;
    booked += result.bookings;
  }
  // Every booking counted is a place taken: none was a replayed answer.
  ASSERT_LT(booked, int64_t{kSlots} * kPlacesPerSlot) << "slots too few";
  const absl::StatusOr<size_t> stored = host.Read<size_t>(
      [](const Engine& engine, absl::Time) -> absl::StatusOr<size_t> {
        return engine.stats().bookings;
      });
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, static_cast<size_t>(booked));
}

}  // namespace
}  // namespace creneau::storage
