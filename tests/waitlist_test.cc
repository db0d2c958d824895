// The waitlist over gRPC and the CLI: a request that found nothing gets the
// next place published, its organisation's feed says so with the hold's
// token, and after kill -9 in the middle nothing is lost, nothing is served
// twice, and the queue's order holds.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/watch_fixture.h"

namespace creneau::testing {
namespace {

constexpr int kRequests = 60;

class WaitlistTest : public WatchTest {
 protected:
  void StartEmpty() {
    // No weekly cap: one professional takes every request here.
    ASSERT_NO_FATAL_FAILURE(
        StartWithProfessional({"--default_weekly_orientation_cap=0"}));
  }

  v1::WaitingRequest Enqueue(const std::string& request_id) {
    v1::EnqueueRequestRequest request;
    request.set_request_id(request_id);
    request.mutable_search()->set_commune_code("17306");
    request.mutable_search()->set_profession(
        v1::PROFESSION_GENERAL_PRACTITIONER);
    request.set_patient_ref("patient-" + request_id);
    request.mutable_hold_ttl()->set_seconds(900);
    v1::EnqueueRequestResponse response;
    const grpc::Status status = server_->Orientation()->EnqueueRequest(
        ClientContext().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.request();
  }

  // Publishes slot `id` (retrying the same request until it is answered,
  // across a restart); true once acknowledged.
  bool PublishUntilAcknowledged(const std::string& id, double hours_ahead) {
    v1::PublishSlotsRequest publish;
    publish.set_request_id("pub-" + id);
    *publish.add_slots() = ApiSlot(id, "gp-royan", hours_ahead);
    for (int attempt = 0; attempt < 600; ++attempt) {
      v1::PublishSlotsResponse published;
      if (server_->Slots()
              ->PublishSlots(ClientContext().get(), publish, &published)
              .ok()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::vector<v1::WaitingRequest> AllRequests() {
    v1::ListRequestsRequest list;
    list.set_include_closed(true);
    list.set_page_size(1000);
    v1::ListRequestsResponse listed;
    const grpc::Status status = server_->Orientation()->ListRequests(
        ClientContext().get(), list, &listed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {listed.requests().begin(), listed.requests().end()};
  }
};

TEST_F(WaitlistTest, AWaitingRequestIsHeldWhenAPlaceComesAndConfirmed) {
  ASSERT_NO_FATAL_FAILURE(StartEmpty());
  const v1::WaitingRequest waiting = Enqueue("rq-1");
  EXPECT_EQ(waiting.state(), v1::WAITING_REQUEST_STATE_WAITING);
  EXPECT_EQ(waiting.patient_ref(), "patient-rq-1");
  // A retry answers the same request.
  EXPECT_EQ(Enqueue("rq-1").id(), waiting.id());

  ASSERT_TRUE(PublishUntilAcknowledged("s-1", 3));
  const std::vector<v1::WaitingRequest> all = AllRequests();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0].state(), v1::WAITING_REQUEST_STATE_HELD);
  EXPECT_EQ(all[0].hold().slot_id(), "s-1");

  // The feed from the start: enqueued, then held, without the patient.
  ChangeFollower follower(server_.get(), 1, 0);
  follower.FollowRequests();
  ASSERT_TRUE(follower.RunUntil(
      [](const v1::ChangedObject& o) {
        return o.request().state() == v1::WAITING_REQUEST_STATE_HELD;
      },
      absl::Seconds(30)));
  ASSERT_EQ(follower.lines().size(), 2u);
  EXPECT_EQ(follower.lines()[0],
            absl::StrCat("#2 request_enqueued request ", waiting.id(), " 1  "));
  EXPECT_EQ(follower.lines()[1], absl::StrCat("#4 request_matched request ",
                                              waiting.id(), " 2 s-1 "));

  v1::ConfirmBookingRequest confirm;
  confirm.set_request_id("rq-confirm");
  confirm.set_slot_id("s-1");
  confirm.set_hold_token(all[0].hold().token());
  confirm.set_patient_ref("patient-rq-1");
  v1::ConfirmBookingResponse confirmed;
  EXPECT_TRUE(server_->Orientation()
                  ->ConfirmBooking(ClientContext().get(), confirm, &confirmed)
                  .ok());

  // The CLI: enqueue, list, follow, cancel.
  const std::string cli =
      absl::StrCat(CRENEAU_CLI_PATH, " --server ", server_->address(), " ");
  CommandOutput out = RunCommand(
      cli + "requests enqueue --commune 17306 --profession gp --patient p-2");
  EXPECT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("  waiting  #2  general-practitioner"),
            std::string::npos)
      << out.text;
  out = RunCommand(cli + "requests --follow --count 2 2>&1");
  EXPECT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("snapshot  request " + waiting.id() + "  held"),
            std::string::npos)
      << out.text;
  const std::string second = AllRequests().at(1).id();
  out = RunCommand(cli + "requests cancel " + second);
  EXPECT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("cancelled"), std::string::npos) << out.text;
  out = RunCommand(cli + "requests");
  EXPECT_EQ(out.code, 0) << out.text;
  EXPECT_EQ(out.text, "") << out.text;
  out = RunCommand(cli + "requests --all");
  EXPECT_EQ(std::count(out.text.begin(), out.text.end(), '\n'), 2) << out.text;
}

// kill -9 while places are published for waiting requests and the
// organisation's feed is followed: after the restart every request was
// served exactly once, oldest first, and the follower received exactly the
// stored log.
TEST_F(WaitlistTest, KillNineLosesNothingAndServesNothingTwice) {
  const uint64_t seed = Seed();
  std::mt19937_64 rng(seed);
  ASSERT_NO_FATAL_FAILURE(StartEmpty());
  for (int i = 0; i < kRequests; ++i) Enqueue(absl::StrCat("rq-", i));

  ChangeFollower follower(server_.get(), seed, 7);
  follower.FollowRequests();
  const std::string last_slot = absl::StrCat("w-", kRequests - 1);
  bool followed = false;
  std::thread following([&] {
    followed = follower.RunUntil(
        [&](const v1::ChangedObject& o) {
          return o.request().hold().slot_id() == last_slot;
        },
        absl::Seconds(180));
  });
  std::atomic<int> published = 0;
  std::thread publishing([&] {
    for (int i = 0; i < kRequests; ++i) {
      if (!PublishUntilAcknowledged(absl::StrCat("w-", i), 2 + i * 0.25)) break;
      ++published;
      // Paced, so that the kill falls in the middle of the run.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 600));
  const int before_kill = published.load();
  server_->Stop(SIGKILL);
  ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  publishing.join();
  following.join();
  std::printf(
      "published %d slots (%d before the kill); the follower resumed "
      "%d times, lost its stream %d times, received %zu changes\n",
      published.load(), before_kill, follower.resumes(),
      follower.stream_errors(), follower.lines().size());
  ASSERT_EQ(published.load(), kRequests);
  EXPECT_GT(before_kill, 0);
  EXPECT_LT(before_kill, kRequests);
  ASSERT_TRUE(followed) << follower.last_error();
  EXPECT_GE(follower.stream_errors(), 1);

  // Oldest first: the i-th request enqueued got the i-th slot published.
  std::vector<v1::WaitingRequest> all = AllRequests();
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  std::map<std::string, int> holds_per_slot;
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(all[i].state(), v1::WAITING_REQUEST_STATE_HELD) << i;
    EXPECT_EQ(all[i].hold().slot_id(), absl::StrCat("w-", i)) << i;
    ++holds_per_slot[all[i].hold().slot_id()];
  }
  EXPECT_EQ(holds_per_slot.size(), static_cast<size_t>(kRequests));
  // Each request reached HELD once on the feed.
  std::map<std::string, int> held_lines;
  for (const std::string& line : follower.lines()) {
    if (line.find("request_matched") != std::string::npos) ++held_lines[line];
  }
  EXPECT_EQ(held_lines.size(), static_cast<size_t>(kRequests));
  for (const auto& [line, count] : held_lines) EXPECT_EQ(count, 1) << line;
  ExpectTheStoredLog(follower, /*requests=*/true);
}

// Thousands of holds lapsing while the server is down expire at start-up in
// events of at most 4,096 subjects, and the feed carries them in messages a
// client with gRPC's default 4 MiB limit receives: nothing is lost or sent
// twice.
TEST_F(WaitlistTest, AMassExpiryReachesTheFeedInBoundedMessages) {
  ASSERT_NO_FATAL_FAILURE(StartEmpty());
  constexpr int kSlotsOfHundred = 45;
  v1::PublishSlotsRequest publish;
  publish.set_request_id("rq-big");
  for (int i = 0; i < kSlotsOfHundred; ++i) {
    *publish.add_slots() = ApiSlot(absl::StrCat("big-", i), "gp-royan", 5, 100);
  }
  v1::PublishSlotsResponse published;
  ASSERT_TRUE(server_->Slots()
                  ->PublishSlots(ClientContext().get(), publish, &published)
                  .ok());
  // Held from several callers at once (group commit makes that quick even
  // under a sanitizer) with a TTL long enough that none lapses before the
  // stop: all 4,500 must expire together at the next start.
  constexpr int kHolds = kSlotsOfHundred * 100;
  constexpr int kHoldingThreads = 8;
  constexpr int kHoldTtlS = 30;
  const absl::Time holding_started = absl::Now();
  std::atomic<int> held_count = 0;
  std::vector<std::thread> holding;
  for (int t = 0; t < kHoldingThreads; ++t) {
    holding.emplace_back([&, t] {
      auto orientation = server_->Orientation();
      for (int i = t; i < kHolds; i += kHoldingThreads) {
        v1::HoldSlotRequest hold;
        hold.set_request_id(absl::StrCat("h-", i));
        hold.set_slot_id(absl::StrCat("big-", i % kSlotsOfHundred));
        hold.mutable_ttl()->set_seconds(kHoldTtlS);
        v1::HoldSlotResponse held;
        const grpc::Status status =
            orientation->HoldSlot(ClientContext().get(), hold, &held);
        EXPECT_TRUE(status.ok()) << i << ": " << status.error_message();
        held_count += status.ok();
      }
    });
  }
  for (std::thread& thread : holding) thread.join();
  ASSERT_EQ(held_count.load(), kHolds);
  const absl::Duration holding_took = absl::Now() - holding_started;
  std::printf("%d holds taken in %s\n", kHolds,
              absl::FormatDuration(holding_took).c_str());
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  // The test's premise, not a timing goal: every hold still active at the
  // stop (otherwise some expire while the server runs, in small events).
  ASSERT_LT(holding_took, absl::Seconds(kHoldTtlS))
      << "the holds took longer than their TTL";
  // Until the last hold has lapsed too.
  absl::SleepFor(holding_started + holding_took + absl::Seconds(kHoldTtlS + 1) -
                 absl::Now());
  ASSERT_TRUE(server_->Start().ok()) << server_->Log();

  ChangeFollower follower(server_.get(), 1, 0);
  // The publication's 45 free slots, then each of the 4,500 expiries
  // (events record every slot's state after the whole command: free).
  int free_objects = 0;
  ASSERT_TRUE(follower.RunUntil(
      [&](const v1::ChangedObject& o) {
        free_objects +=
            o.slot().id().rfind("big-", 0) == 0 && o.slot().places_held() == 0;
        return free_objects == kSlotsOfHundred + kHolds;
      },
      absl::Seconds(120)))
      << follower.last_error();
  EXPECT_EQ(follower.stream_errors(), 0) << follower.last_error();
  // Two events: 4,096 expiries, then the other 404.
  std::map<std::string, int> per_change;
  for (const std::string& line : follower.lines()) {
    if (line.find(" holds_expired ") != std::string::npos) {
      ++per_change[line.substr(0, line.find(' '))];
    }
  }
  ASSERT_EQ(per_change.size(), 2u);
  EXPECT_EQ(per_change.begin()->second, 4096);
  EXPECT_EQ(per_change.rbegin()->second, kHolds - 4096);
  ExpectTheStoredLog(follower);
}

}  // namespace
}  // namespace creneau::testing
