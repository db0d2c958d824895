// Restart test: book through gRPC, kill the server with SIGKILL (also in the
// middle of concurrent bookings), restart it on the same data directory, and
// find every acknowledged booking, cancellation and release, holds that
// lapsed while it was down expired, and no slot over its places.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_client.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/server_process.h"

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
  // Books far more than a week's cap allows: uncapped (the cap has its own
  // tests).
  ServerProcess server(dir.Sub("data"), {"--default_weekly_orientation_cap=0"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient client(server);
  // Enough places that the concurrent bookers are still busy when the kill
  // lands: 40 slots for the known history, 960 (about 1,440 places) for them.
  constexpr int kSlots = 1000;
  Populate(client, kSlots);

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
  // server is killed once 200 of their bookings were acknowledged, while
  // they are still sending (the places last far longer).
  std::mutex mu;
  std::map<std::string, v1::Booking> concurrent;  // Acknowledged.
  std::atomic<bool> stop{false};
  std::atomic<int> in_flight{0};     // Calls sent, not yet answered.
  std::atomic<int> refused_full{0};  // Holds refused: no place left.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      ApiClient c(server);
      std::mt19937 rng(t);
      while (!stop.load()) {
        v1::Hold hold;
        v1::Booking booking;
        const std::string slot =
            absl::StrCat("slot-", 40 + rng() % (kSlots - 40));
        ++in_flight;
        const grpc::Status held = c.Hold(slot, 600, &hold);
        --in_flight;
        if (held.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
          ++refused_full;
        }
        if (!held.ok()) continue;
        ++in_flight;
        const grpc::Status confirmed = c.Confirm(hold, &booking);
        --in_flight;
        if (confirmed.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          concurrent[booking.id()] = booking;
        }
      }
    });
  }
  constexpr size_t kKillAfterBookings = 200;
  const absl::Time phase_b = absl::Now();
  while (absl::Now() - phase_b < absl::Seconds(30)) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (concurrent.size() >= kKillAfterBookings) break;
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  const int in_flight_at_kill = in_flight.load();
  EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  stop.store(true);
  for (auto& thread : threads) thread.join();
  std::printf(
      "%zu concurrent bookings acknowledged before SIGKILL, %d calls in "
      "flight at the kill, %d holds refused as full\n",
      concurrent.size(), in_flight_at_kill, refused_full.load());
  EXPECT_GE(concurrent.size(), kKillAfterBookings);
  // The kill must land in the middle of the traffic, not after it.
  EXPECT_GT(in_flight_at_kill, 0) << "no request was in flight at the kill";

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
  int free_places = 0;
  for (int i = 0; i < kSlots; ++i) {
    const std::string id = absl::StrCat("slot-", i);
    const v1::Slot slot = after.GetSlot(id);
    free_places +=
        slot.capacity() -
        std::min(slot.capacity(), slot.places_booked() + slot.places_held());
    EXPECT_LE(slot.places_booked() + slot.places_held(),
              slot.capacity() + slot.overbooking_places())
        << id << " holds more than its places";
    EXPECT_GE(slot.places_booked(), booked_per_slot[id]) << id;
  }
  // Places were left: the bookers were still at work when the kill came.
  EXPECT_GT(free_places, 0) << "every place was taken before the kill";
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
