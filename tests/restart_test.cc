// Restart test: book through gRPC, kill the server with SIGKILL (also in the
// middle of concurrent bookings), restart it on the same data directory, and
// find every acknowledged booking, cancellation and release, holds that
// lapsed while it was down expired, and no slot over its places.
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/api_client.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace creneau::testing {
namespace {

using ::testing::HasSubstr;

void Populate(ApiClient& client, int slots) {
  v1::UpsertProfessionalsRequest professionals;
  professionals.set_request_id("restart-professionals");
  for (int i = 0; i < 5; ++i) {
    *professionals.add_professionals() = ApiProfessional(
        absl::StrCat("gp-", i), kRoyanLat + 0.01 * i, kRoyanLng);
  }
  v1::UpsertProfessionalsResponse upserted;
  ASSERT_TRUE(
      client.slots
          ->UpsertProfessionals(ClientContext().get(), professionals, &upserted)
          .ok());
  v1::PublishSlotsRequest publish;
  publish.set_request_id("restart-slots");
  for (int i = 0; i < slots; ++i) {
    *publish.add_slots() =
        ApiSlot(absl::StrCat("slot-", i), absl::StrCat("gp-", i % 5),
                3 + i * 0.01, 1 + i % 2);
  }
  v1::PublishSlotsResponse published;
  ASSERT_TRUE(
      client.slots->PublishSlots(ClientContext().get(), publish, &published)
          .ok());
}

TEST(RestartTest, AcknowledgedWritesSurviveSigkillAndLapsedHoldsExpire) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient client(server);
  Populate(client, 200);

  // Phase A: a known history, every step acknowledged.
  std::map<std::string, v1::Booking> booked;  // By id, as acknowledged.
  std::vector<v1::Hold> released, long_holds, short_holds;
  for (int i = 0; i < 20; ++i) {
    v1::Hold hold;
    v1::Booking booking;
    ASSERT_TRUE(client.Hold(absl::StrCat("slot-", i), 900, &hold).ok());
    ASSERT_TRUE(client.Confirm(hold, &booking).ok());
    booked[booking.id()] = booking;
  }
  std::set<std::string> cancelled;
  for (auto it = booked.begin(); cancelled.size() < 5; ++it) {
    ASSERT_TRUE(client.Cancel(it->first).ok());
    cancelled.insert(it->first);
  }
  for (int i = 20; i < 35; ++i) {
    v1::Hold hold;
    const int ttl = i < 30 ? 900 : 10;
    ASSERT_TRUE(client.Hold(absl::StrCat("slot-", i), ttl, &hold).ok());
    if (i < 25) {
      ASSERT_TRUE(client.Release(hold).ok());
      released.push_back(hold);
    } else if (i < 30) {
      long_holds.push_back(hold);
    } else {
      short_holds.push_back(hold);
    }
  }
  const absl::Time short_holds_taken = absl::Now();

  // Phase B: eight clients book the other slots as fast as they can; the
  // server is killed while they run.
  std::mutex mu;
  std::map<std::string, v1::Booking> concurrent;  // Acknowledged.
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      ApiClient c(server);
      std::mt19937 rng(t);
      while (!stop.load()) {
        v1::Hold hold;
        v1::Booking booking;
        const std::string slot = absl::StrCat("slot-", 40 + rng() % 160);
        if (!c.Hold(slot, 600, &hold).ok()) continue;
        if (c.Confirm(hold, &booking).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          concurrent[booking.id()] = booking;
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(1500));
  EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  stop.store(true);
  for (auto& thread : threads) thread.join();
  std::printf("%zu concurrent bookings acknowledged before SIGKILL\n",
              concurrent.size());
  EXPECT_GT(concurrent.size(), 0u);

  // The short holds lapse while the server is down.
  absl::SleepFor(absl::Seconds(11) - (absl::Now() - short_holds_taken));
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient after(server);

  for (const auto* bookings : {&booked, &concurrent}) {
    for (const auto& [id, acknowledged] : *bookings) {
      v1::Booking found;
      ASSERT_TRUE(after.GetBooking(id, &found).ok()) << "lost booking " << id;
      EXPECT_EQ(found.slot_id(), acknowledged.slot_id());
      EXPECT_EQ(found.status(), cancelled.contains(id)
                                    ? v1::BOOKING_STATUS_CANCELLED
                                    : v1::BOOKING_STATUS_BOOKED)
          << id;
    }
  }
  std::map<std::string, int> booked_per_slot;
  for (const auto& [id, b] : concurrent) ++booked_per_slot[b.slot_id()];
  for (int i = 0; i < 200; ++i) {
    const std::string id = absl::StrCat("slot-", i);
    const v1::Slot slot = after.GetSlot(id);
    EXPECT_LE(slot.places_booked() + slot.places_held(),
              slot.capacity() + slot.overbooking_places())
        << id << " holds more than its places";
    EXPECT_GE(slot.places_booked(), booked_per_slot[id]) << id;
  }
  v1::Booking none;
  for (const v1::Hold& hold : released) {
    EXPECT_EQ(after.GetSlot(hold.slot_id()).places_held(), 0)
        << "resurrected hold";
    EXPECT_THAT(after.Confirm(hold, &none).error_message(),
                HasSubstr("released"));
  }
  for (const v1::Hold& hold : short_holds) {
    EXPECT_EQ(after.GetSlot(hold.slot_id()).places_held(), 0)
        << "lapsed hold still active";
    EXPECT_THAT(after.Confirm(hold, &none).error_message(),
                HasSubstr("expired"));
  }
  for (const v1::Hold& hold : long_holds) {
    EXPECT_EQ(after.GetSlot(hold.slot_id()).places_held(), 1);
    v1::Booking booking;
    EXPECT_TRUE(after.Confirm(hold, &booking).ok())
        << "an acknowledged hold survives";
  }
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace creneau::testing
