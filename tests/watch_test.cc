// The change feed against the real creneaud: followers that break their
// stream at random points and resume receive exactly the stored log (nothing
// missed, nothing twice), across a kill -9 and restart too; a consumer that
// stops reading is ended with RESOURCE_EXHAUSTED while a fast one keeps up,
// and resumes without a gap; `creneau watch` prints the feed.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/change_follower.h"
#include "tests/support/run_command.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

constexpr int kSlots = 60;
constexpr int kWriters = 4;

uint64_t Seed() {
  const uint64_t seed = std::random_device()();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

class WatchTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> flags = {}) {
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
  void ExpectTheStoredLog(const ChangeFollower& follower) {
    ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    storage::StoreOptions options;
    options.path = dir_.Sub("data");
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    const std::vector<std::string> expected =
        ExpectedChanges(**store, follower.last_sequence());
    EXPECT_EQ(follower.out_of_order(), 0);
    ASSERT_EQ(follower.lines().size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(follower.lines()[i], expected[i]) << "line " << i;
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(WatchTest, ResumingAtRandomPointsUnderWritesGivesExactlyTheLog) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const uint64_t seed = Seed();
  std::atomic<bool> stop{false};
  std::atomic<int> ok_calls{0};
  ChangeFollower follower(server_.get(), seed, 4);
  std::thread follow([&] {
    EXPECT_TRUE(follower.Run("sentinel", absl::Seconds(120)))
        << follower.last_error();
  });
  std::thread churn([&] { Churn(seed, stop, &ok_calls); });
  std::this_thread::sleep_for(std::chrono::seconds(4));
  stop = true;
  churn.join();
  PublishSentinel();
  follow.join();
  std::printf(
      "%d calls answered OK; the follower resumed %d times at random points "
      "and received %zu object changes up to #%llu\n",
      ok_calls.load(), follower.resumes(), follower.lines().size(),
      static_cast<unsigned long long>(follower.last_sequence()));
  EXPECT_GT(ok_calls.load(), 500);
  EXPECT_GT(follower.resumes(), 20);
  ASSERT_NO_FATAL_FAILURE(ExpectTheStoredLog(follower));
}

TEST_F(WatchTest, AKillAndRestartInTheMiddleMissesNothingAndRepeatsNothing) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const uint64_t seed = Seed();
  std::atomic<bool> stop{false};
  std::atomic<int> ok_calls{0};
  ChangeFollower follower(server_.get(), seed, 16);
  std::thread follow([&] {
    EXPECT_TRUE(follower.Run("sentinel", absl::Seconds(120)))
        << follower.last_error();
  });
  std::thread churn([&] { Churn(seed, stop, &ok_calls); });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const int before = ok_calls.load();
  EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  churn.join();
  PublishSentinel();
  follow.join();
  std::printf(
      "%d calls answered OK (%d before the kill); the follower lost its "
      "stream %d times, resumed %d times, received %zu object changes up to "
      "#%llu\n",
      ok_calls.load(), before, follower.stream_errors(), follower.resumes(),
      follower.lines().size(),
      static_cast<unsigned long long>(follower.last_sequence()));
  EXPECT_GT(before, 100);
  EXPECT_GT(ok_calls.load() - before, 100);
  EXPECT_GE(follower.stream_errors(), 1);
  ASSERT_NO_FATAL_FAILURE(ExpectTheStoredLog(follower));
}

// A consumer that stops reading holds one message at the server: once it
// is more than the tail keeps behind, its stream ends with
// RESOURCE_EXHAUSTED naming where to resume, while a fast one beside it
// follows every change and the writers never wait for either.
TEST_F(WatchTest, AStalledConsumerIsEndedWhileAFastOneKeepsUp) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--no_sync"}));
  const uint64_t seed = Seed();
  // The stalled stream: opened, read once, then left unread. Small
  // transport windows, so that the client's buffers do not absorb the
  // whole feed.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
  auto stalled_channel = grpc::CreateCustomChannel(
      server_->address(), grpc::InsecureChannelCredentials(), args);
  auto stalled_stub = v1::ChangeService::NewStub(stalled_channel);
  grpc::ClientContext stalled_context;
  v1::WatchChangesRequest from_now;
  from_now.set_from_now(true);
  auto stalled = stalled_stub->WatchChanges(&stalled_context, from_now);

  std::atomic<bool> stop{false};
  std::atomic<int> ok_calls{0};
  ChangeFollower fast(server_.get(), seed, 0);
  std::thread follow([&] {
    EXPECT_TRUE(fast.Run("sentinel", absl::Seconds(120))) << fast.last_error();
  });
  std::thread churn([&] { Churn(seed, stop, &ok_calls); });
  // Until the stalled stream is well over the tail's capacity behind.
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (ok_calls.load() < 30000 && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  churn.join();
  PublishSentinel();
  follow.join();

  // The stalled consumer reads what was buffered, then the end.
  v1::WatchChangesResponse response;
  uint64_t received_up_to = 0;
  int messages = 0;
  while (stalled->Read(&response)) {
    received_up_to = response.last_sequence();
    ++messages;
  }
  const grpc::Status status = stalled->Finish();
  std::printf(
      "%d calls answered OK; the fast consumer received %zu object changes "
      "up to #%llu; the stalled one %d messages up to #%llu, then: %s\n",
      ok_calls.load(), fast.lines().size(),
      static_cast<unsigned long long>(fast.last_sequence()), messages,
      static_cast<unsigned long long>(received_up_to),
      status.error_message().c_str());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find(
                absl::StrCat("resume after sequence ", received_up_to)),
            std::string::npos);
  EXPECT_LT(received_up_to + 16384, fast.last_sequence());
  EXPECT_GT(ok_calls.load(), 20000);

  // Resuming where it was told gives the rest, as the fast one saw it.
  ChangeFollower resumed(server_.get(), seed, 0);
  resumed.StartAfter(received_up_to);
  ASSERT_TRUE(resumed.Run("sentinel", absl::Seconds(60)));
  ASSERT_FALSE(resumed.lines().empty());
  const std::string first = resumed.lines().front();
  auto at = std::find(fast.lines().begin(), fast.lines().end(), first);
  ASSERT_NE(at, fast.lines().end());
  EXPECT_TRUE(std::equal(resumed.lines().begin(), resumed.lines().end(), at,
                         fast.lines().end()));
  ASSERT_NO_FATAL_FAILURE(ExpectTheStoredLog(fast));
}

// A snapshot is the current state of everything the caller may see, at one
// sequence, then the changes after it: nothing between them is lost.
TEST_F(WatchTest, ASnapshotThenTheChangesAfterIt) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto orientation = server_->Orientation();
  v1::HoldSlotRequest hold;
  hold.set_request_id("rq-hold-before");
  hold.set_slot_id("s-7");
  v1::HoldSlotResponse held;
  ASSERT_TRUE(orientation->HoldSlot(ClientContext().get(), hold, &held).ok());

  auto stub = v1::ChangeService::NewStub(server_->Channel());
  auto context = ClientContext("", absl::Seconds(30));
  v1::WatchChangesRequest request;
  request.set_snapshot(true);
  auto reader = stub->WatchChanges(context.get(), request);
  v1::WatchChangesResponse response;
  std::map<std::string, int> held_places;
  int professionals = 0, messages = 0;
  uint64_t at = 0;
  while (reader->Read(&response) && response.snapshot()) {
    ++messages;
    at = response.last_sequence();
    for (const v1::Change& change : response.changes()) {
      EXPECT_EQ(change.action(), "snapshot");
      EXPECT_EQ(change.sequence(), at);
      for (const v1::ChangedObject& o : change.objects()) {
        if (o.has_slot()) held_places[o.slot().id()] = o.slot().places_held();
        professionals += o.has_professional();
      }
    }
  }
  // The end of the snapshot: no changes, the same sequence.
  EXPECT_FALSE(response.snapshot());
  EXPECT_EQ(response.changes_size(), 0);
  EXPECT_EQ(response.last_sequence(), at);
  EXPECT_EQ(professionals, 1);
  ASSERT_EQ(held_places.size(), static_cast<size_t>(kSlots));
  EXPECT_EQ(held_places["s-7"], 1);
  EXPECT_EQ(held_places["s-8"], 0);
  EXPECT_GE(messages, 1);

  // A change made now is the next thing the stream sends.
  hold.set_request_id("rq-hold-after");
  hold.set_slot_id("s-8");
  ASSERT_TRUE(orientation->HoldSlot(ClientContext().get(), hold, &held).ok());
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_EQ(response.changes_size(), 1);
  EXPECT_EQ(response.changes(0).sequence(), at + 1);
  EXPECT_EQ(response.changes(0).action(), "slot_held");
  ASSERT_EQ(response.changes(0).objects_size(), 1);
  EXPECT_EQ(response.changes(0).objects(0).slot().id(), "s-8");
  EXPECT_EQ(response.changes(0).objects(0).slot().places_held(), 1);
  context->TryCancel();
  reader->Finish();
}

// Stopping the server ends every stream at once, saying where to resume;
// `creneau watch` prints the feed, one object a line.
TEST_F(WatchTest, ShutdownSaysWhereToResumeAndTheCliPrintsTheFeed) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const CommandOutput cli = RunCommand(
      absl::StrCat(CRENEAU_CLI_PATH, " --server ", server_->address(),
                   " watch --after 0 --count 3 2>&1"));
  EXPECT_EQ(cli.code, 0) << cli.text;
  EXPECT_NE(cli.text.find("#1  professionals_upserted  professional gp-royan"),
            std::string::npos)
      << cli.text;
  EXPECT_NE(cli.text.find("#2  slots_published  slot s-0  "), std::string::npos)
      << cli.text;
  EXPECT_EQ(std::count(cli.text.begin(), cli.text.end(), '\n'), 3) << cli.text;

  auto stub = v1::ChangeService::NewStub(server_->Channel());
  auto context = ClientContext("", absl::Seconds(30));
  v1::WatchChangesRequest request;
  request.set_after_sequence(1);
  auto reader = stub->WatchChanges(context.get(), request);
  v1::WatchChangesResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.last_sequence(), 2u);
  const absl::Time stopping = absl::Now();
  EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  while (reader->Read(&response)) {
  }
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("resume after sequence 2"),
            std::string::npos)
      << status.error_message();
  // At once, not at the end of the shutdown's grace period (10 s).
  EXPECT_LT(absl::Now() - stopping, absl::Seconds(5));
}

}  // namespace
}  // namespace creneau::testing
