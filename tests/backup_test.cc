// Backup while serving: bookings go on in four threads while an admin takes
// a backup; a server started on the copy has every booking acknowledged
// before the backup began, as it was. `creneau status` and `creneau backup`
// do the same from the command line.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "creneau/v1/admin_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/run_command.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

constexpr int kThreads = 4;
constexpr int kSlotsPerThread = 150;

struct Acknowledged {
  std::string booking_id;
  std::string slot_id;
  absl::Time at;
};

std::string RunCli(const std::string& args, int* code) {
  const CommandOutput out =
      RunCommand(absl::StrCat(CRENEAU_CLI_PATH, " ", args));
  *code = out.code;
  return out.text;
}

void Publish(ServerProcess& server) {
  auto slots = server.Slots();
  v1::UpsertProfessionalsRequest upsert;
  upsert.set_request_id("rq-upsert");
  *upsert.add_professionals() = ApiProfessional("pa-1");
  v1::UpsertProfessionalsResponse upserted;
  ASSERT_TRUE(
      slots->UpsertProfessionals(ClientContext().get(), upsert, &upserted)
          .ok());
  v1::PublishSlotsRequest publish;
  publish.set_request_id("rq-publish");
  for (int i = 0; i < kThreads * kSlotsPerThread; ++i) {
    *publish.add_slots() = ApiSlot(absl::StrCat("s-", i), "pa-1", 2 + i * 0.25);
  }
  v1::PublishSlotsResponse published;
  ASSERT_TRUE(
      slots->PublishSlots(ClientContext().get(), publish, &published).ok());
}

// Holds and confirms slots [first, first + count) in turn until `stop`;
// counts the calls that failed in `failures`.
void Book(ServerProcess& server, int first, int count,
          const std::atomic<bool>& stop, absl::Mutex& mu,
          std::vector<Acknowledged>& acknowledged, std::atomic<int>& failures) {
  auto orientation = server.Orientation();
  for (int i = first; i < first + count && !stop.load(); ++i) {
    const std::string slot_id = absl::StrCat("s-", i);
    v1::HoldSlotRequest hold;
    hold.set_request_id(absl::StrCat("rq-hold-", i));
    hold.set_slot_id(slot_id);
    v1::HoldSlotResponse held;
    if (const grpc::Status status =
            orientation->HoldSlot(ClientContext().get(), hold, &held);
        !status.ok()) {
      if (failures++ == 0) ADD_FAILURE() << "hold: " << status.error_message();
      continue;
    }
    v1::ConfirmBookingRequest confirm;
    confirm.set_request_id(absl::StrCat("rq-confirm-", i));
    confirm.set_slot_id(slot_id);
    confirm.set_hold_token(held.hold().token());
    confirm.set_patient_ref(absl::StrCat("patient-", i));
    v1::ConfirmBookingResponse confirmed;
    if (const grpc::Status status = orientation->ConfirmBooking(
            ClientContext().get(), confirm, &confirmed);
        !status.ok()) {
      if (failures++ == 0) {
        ADD_FAILURE() << "confirm: " << status.error_message();
      }
      continue;
    }
    absl::MutexLock lock(&mu);
    acknowledged.push_back({confirmed.booking().id(), slot_id, absl::Now()});
  }
}

TEST(BackupTest, ARestoredCopyHasEveryBookingAcknowledgedBeforeIt) {
  TempDir dir;
  // One professional takes every booking: no weekly cap.
  ServerProcess server(dir.Sub("data"), {"--default_weekly_orientation_cap=0"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ASSERT_NO_FATAL_FAILURE(Publish(server));

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  absl::Mutex mu;
  std::vector<Acknowledged> acknowledged;
  std::vector<std::thread> bookers;
  for (int t = 0; t < kThreads; ++t) {
    bookers.emplace_back([&, t] {
      Book(server, t * kSlotsPerThread, kSlotsPerThread, stop, mu, acknowledged,
           failures);
    });
  }
  // Let the load run, then back up in the middle of it.
  const absl::Time load_deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < load_deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    absl::MutexLock lock(&mu);
    if (acknowledged.size() >= kThreads * kSlotsPerThread / 3) break;
  }
  auto admin = v1::AdminService::NewStub(server.Channel());
  v1::BackupRequest request;
  request.set_directory(dir.Sub("backup"));
  v1::BackupResponse backup;
  const absl::Time began = absl::Now();
  const grpc::Status backed_up = admin->Backup(
      ClientContext("", absl::Seconds(60)).get(), request, &backup);
  const absl::Time ended = absl::Now();
  // The load goes on after the backup for a while, then stops.
  absl::SleepFor(absl::Milliseconds(200));
  stop = true;
  for (std::thread& t : bookers) t.join();
  ASSERT_TRUE(backed_up.ok()) << backed_up.error_message();
  EXPECT_EQ(failures.load(), 0) << "holds and confirms that failed";

  std::vector<Acknowledged> before, during;
  for (const Acknowledged& a : acknowledged) {
    if (a.at < began) before.push_back(a);
    if (a.at >= began && a.at <= ended) during.push_back(a);
  }
  ASSERT_GE(before.size(), 50u) << "too little load before the backup";
  ASSERT_GT(acknowledged.size(), before.size())
      << "the load should go on after the backup";
  std::cout << "backup: " << backup.bytes() << " bytes in " << backup.files()
            << " files in " << absl::FormatDuration(ended - began) << "; "
            << acknowledged.size() << " bookings acknowledged in all, "
            << before.size() << " before the backup, " << during.size()
            << " during it\n";

  ServerProcess restored(dir.Sub("backup"));
  ASSERT_TRUE(restored.Start().ok()) << restored.Log();
  auto orientation = restored.Orientation();
  size_t found = 0;
  for (const Acknowledged& a : before) {
    v1::GetBookingRequest get;
    get.set_booking_id(a.booking_id);
    v1::GetBookingResponse got;
    const grpc::Status status =
        orientation->GetBooking(ClientContext().get(), get, &got);
    ASSERT_TRUE(status.ok()) << a.booking_id << ": " << status.error_message();
    EXPECT_EQ(got.booking().slot_id(), a.slot_id);
    EXPECT_EQ(got.booking().status(), v1::BOOKING_STATUS_BOOKED);
    ++found;
  }
  EXPECT_EQ(found, before.size());
  std::cout << "restored: " << found << " of " << before.size()
            << " bookings acknowledged before the backup found as they were\n";

  // The command line, on the restored server.
  int code = -1;
  const std::string server_flag = absl::StrCat("--server=", restored.address());
  const std::string status = RunCli(server_flag + " status", &code);
  EXPECT_EQ(code, 0) << status;
  EXPECT_TRUE(absl::StrContains(status, "health         SERVING")) << status;
  EXPECT_TRUE(absl::StrContains(status, "professionals  1\n")) << status;
  const std::string second = RunCli(
      absl::StrCat(server_flag, " backup ", dir.Sub("second-backup")), &code);
  EXPECT_EQ(code, 0) << second;
  EXPECT_TRUE(
      absl::StrContains(second, "backup in " + dir.Sub("second-backup")))
      << second;
  const std::string again = RunCli(
      absl::StrCat(server_flag, " backup ", dir.Sub("second-backup")), &code);
  EXPECT_EQ(code, 1) << again;
  EXPECT_TRUE(absl::StrContains(again, "ALREADY_EXISTS")) << again;
}

}  // namespace
}  // namespace creneau::testing
