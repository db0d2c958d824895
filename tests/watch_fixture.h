// The change feed's integration tests' fixture: a real creneaud with one
// professional and its slots, writers that hold, confirm, release and
// cancel at random, and the check of what a follower received against the
// stored log. Used by tests/watch_test.cc and tests/watch_stream_test.cc.
#ifndef CRENEAU_TESTS_WATCH_FIXTURE_H_
#define CRENEAU_TESTS_WATCH_FIXTURE_H_
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/change_follower.h"
#include "tests/support/run_command.h"
#include "tests/support/server_process.h"

namespace creneau::testing {

constexpr int kSlots = 60;
constexpr int kWriters = 4;

inline uint64_t Seed() {
  const uint64_t seed = std::random_device()();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

class WatchTest : public ::testing::Test {
 protected:
  // creneaud with `flags`, the professional "gp-royan" and kSlots slots.
  void StartServer(std::vector<std::string> flags = {}) {
    ASSERT_NO_FATAL_FAILURE(StartWithProfessional(std::move(flags)));
    v1::PublishSlotsRequest publish;
    publish.set_request_id("rq-publish");
    for (int i = 0; i < kSlots; ++i) {
      *publish.add_slots() =
          ApiSlot(absl::StrCat("s-", i), "gp-royan", 2 + i * 0.25, 2);
    }
    v1::PublishSlotsResponse published;
    ASSERT_TRUE(server_->Slots()
                    ->PublishSlots(ClientContext().get(), publish, &published)
                    .ok());
  }

  // creneaud with `flags` and the professional "gp-royan", no slot; the
  // port is kept across restarts.
  void StartWithProfessional(std::vector<std::string> flags) {
    server_ = std::make_unique<ServerProcess>(dir_.Sub("data"), flags);
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    server_->KeepPortAcrossRestarts();
    v1::UpsertProfessionalsRequest upsert;
    upsert.set_request_id("rq-upsert");
    *upsert.add_professionals() = ApiProfessional("gp-royan");
    v1::UpsertProfessionalsResponse upserted;
    ASSERT_TRUE(
        server_->Slots()
            ->UpsertProfessionals(ClientContext().get(), upsert, &upserted)
            .ok());
  }

  // Holds, confirms, releases and cancels at random on `kWriters` threads
  // until `stop`; counts the calls answered OK.
  void Churn(uint64_t seed, const std::atomic<bool>& stop,
             std::atomic<int>* ok_calls) {
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        std::mt19937_64 rng(seed + w);
        auto orientation = server_->Orientation();
        for (int i = 0; !stop.load(); ++i) {
          const std::string slot = absl::StrCat("s-", rng() % kSlots);
          v1::HoldSlotRequest hold;
          hold.set_request_id(absl::StrCat("h-", w, "-", i, "-", seed));
          hold.set_slot_id(slot);
          v1::HoldSlotResponse held;
          if (!orientation->HoldSlot(ClientContext().get(), hold, &held).ok()) {
            continue;
          }
          ++*ok_calls;
          const std::string token = held.hold().token();
          if (rng() % 2 == 0) {
            v1::ReleaseHoldRequest release;
            release.set_request_id(absl::StrCat("r-", w, "-", i, "-", seed));
            release.set_slot_id(slot);
            release.set_hold_token(token);
            v1::ReleaseHoldResponse released;
            *ok_calls +=
                orientation
                    ->ReleaseHold(ClientContext().get(), release, &released)
                    .ok();
            continue;
          }
          v1::ConfirmBookingRequest confirm;
          confirm.set_request_id(absl::StrCat("c-", w, "-", i, "-", seed));
          confirm.set_slot_id(slot);
          confirm.set_hold_token(token);
          confirm.set_patient_ref("patient-ref-1");
          v1::ConfirmBookingResponse confirmed;
          if (!orientation
                   ->ConfirmBooking(ClientContext().get(), confirm, &confirmed)
                   .ok()) {
            continue;
          }
          ++*ok_calls;
          v1::CancelBookingRequest cancel;
          cancel.set_request_id(absl::StrCat("x-", w, "-", i, "-", seed));
          cancel.set_booking_id(confirmed.booking().id());
          cancel.set_reason_code(v1::CANCEL_REASON_PATIENT_BETTER);
          v1::CancelBookingResponse cancelled;
          *ok_calls +=
              orientation
                  ->CancelBooking(ClientContext().get(), cancel, &cancelled)
                  .ok();
        }
      });
    }
    for (std::thread& t : writers) t.join();
  }

  // Publishes the slot whose change ends the followers' runs.
  void PublishSentinel() {
    v1::PublishSlotsRequest publish;
    publish.set_request_id("rq-sentinel");
    *publish.add_slots() = ApiSlot("sentinel", "gp-royan", 30);
    v1::PublishSlotsResponse published;
    ASSERT_TRUE(server_->Slots()
                    ->PublishSlots(ClientContext().get(), publish, &published)
                    .ok());
  }

  // Stops the server and compares what `follower` received with the log.
  void ExpectTheStoredLog(const ChangeFollower& follower,
                          bool requests = false) {
    ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    storage::StoreOptions options;
    options.path = dir_.Sub("data");
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    const std::vector<std::string> expected =
        ExpectedChanges(**store, follower.last_sequence(), requests);
    EXPECT_EQ(follower.out_of_order(), 0);
    ASSERT_EQ(follower.lines().size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(follower.lines()[i], expected[i]) << "line " << i;
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_WATCH_FIXTURE_H_
