// The change feed against the real creneaud: followers that break their
// stream at random points and resume receive exactly the stored log (nothing
// missed, nothing twice), across a kill -9 and restart too; a consumer that
// stops reading is ended with RESOURCE_EXHAUSTED while a fast one keeps up,
// and resumes without a gap.
#include "tests/watch_fixture.h"

namespace creneau::testing {
namespace {

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

}  // namespace
}  // namespace creneau::testing
