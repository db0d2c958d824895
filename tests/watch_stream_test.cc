// The change feed's streams against the real creneaud: a snapshot then the
// changes after it, the end of every stream at shutdown, and `creneau
// watch`.
#include "tests/watch_fixture.h"

namespace creneau::testing {
namespace {

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
