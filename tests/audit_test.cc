// The audit trail from end to end: changes, booking reads and refused calls
// are listed by the admin RPC and by `creneau audit`, filtered by booking,
// slot, professional, principal and time, paged, kept across a restart,
// refused to everyone but administrators; a patient reference appears
// neither in a record nor in the server's debug log.
#include <signal.h>

#include <cstdio>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "creneau/v1/admin_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/principals_file.h"
#include "tests/support/run_command.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

constexpr char kPatientRef[] = "patient-ref-4242-secret";

using Output = CommandOutput;

Output RunCli(const std::string& args) {
  return RunCommand(absl::StrCat(CRENEAU_CLI_PATH, " ", args));
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WritePrincipalsFile(dir_.Sub("principals"),
                        {admin_, feed_, regulator_, other_regulator_});
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("data"),
        std::vector<std::string>{"--principals_file=" + dir_.Sub("principals"),
                                 "--insecure_transport_behind_mesh",
                                 "--log_level=debug"});
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    ASSERT_NO_FATAL_FAILURE(Scenario());
    // A graceful stop writes the refusals counted since the last record;
    // everything else was written as it happened.
    ASSERT_EQ(server_->Stop(SIGTERM), 0);
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  }

  // Feed publishes, the regulator books and reads the booking twice, a
  // regulator of another organisation tries to read it, the feed cancels
  // it (the professional fell ill).
  void Scenario() {
    auto slots = server_->Slots();
    auto orientation = server_->Orientation();
    v1::UpsertProfessionalsRequest upsert;
    upsert.set_request_id("rq-upsert");
    *upsert.add_professionals() = ApiProfessional("pa-1");
    v1::UpsertProfessionalsResponse upserted;
    ASSERT_TRUE(slots
                    ->UpsertProfessionals(ClientContext(feed_.token).get(),
                                          upsert, &upserted)
                    .ok());
    v1::PublishSlotsRequest publish;
    publish.set_request_id("rq-publish");
    *publish.add_slots() = ApiSlot("s-1", "pa-1", 3);
    *publish.add_slots() = ApiSlot("s-2", "pa-1", 4);
    v1::PublishSlotsResponse published;
    ASSERT_TRUE(slots
                    ->PublishSlots(ClientContext(feed_.token).get(), publish,
                                   &published)
                    .ok());
    v1::HoldSlotRequest hold;
    hold.set_request_id("rq-hold");
    hold.set_slot_id("s-1");
    v1::HoldSlotResponse held;
    ASSERT_TRUE(
        orientation
            ->HoldSlot(ClientContext(regulator_.token).get(), hold, &held)
            .ok());
    v1::ConfirmBookingRequest confirm;
    confirm.set_request_id("rq-confirm");
    confirm.set_slot_id("s-1");
    confirm.set_hold_token(held.hold().token());
    confirm.set_patient_ref(kPatientRef);
    v1::ConfirmBookingResponse confirmed;
    ASSERT_TRUE(orientation
                    ->ConfirmBooking(ClientContext(regulator_.token).get(),
                                     confirm, &confirmed)
                    .ok());
    booking_id_ = confirmed.booking().id();
    v1::GetBookingRequest get;
    get.set_booking_id(booking_id_);
    v1::GetBookingResponse got;
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(
          orientation
              ->GetBooking(ClientContext(regulator_.token).get(), get, &got)
              .ok());
    }
    EXPECT_EQ(
        orientation
            ->GetBooking(ClientContext(other_regulator_.token).get(), get, &got)
            .error_code(),
        grpc::StatusCode::NOT_FOUND);
    v1::CancelBookingRequest cancel;
    cancel.set_request_id("rq-cancel");
    cancel.set_booking_id(booking_id_);
    cancel.set_reason_code(v1::CANCEL_REASON_PROFESSIONAL_UNAVAILABLE);
    v1::CancelBookingResponse cancelled;
    ASSERT_TRUE(orientation
                    ->CancelBooking(ClientContext(feed_.token).get(), cancel,
                                    &cancelled)
                    .ok());
  }

  // Every record matching `request`, page by page.
  std::vector<v1::AuditRecord> List(v1::ListAuditRequest request,
                                    const std::string& token = "") {
    auto admin = v1::AdminService::NewStub(server_->Channel());
    std::vector<v1::AuditRecord> records;
    for (int page = 0; page < 10000; ++page) {
      v1::ListAuditResponse response;
      const grpc::Status status = admin->ListAudit(
          ClientContext(token.empty() ? admin_.token : token).get(), request,
          &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      records.insert(records.end(), response.records().begin(),
                     response.records().end());
      if (!status.ok() || response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return records;
  }
  static std::vector<std::string> Actions(
      const std::vector<v1::AuditRecord>& records) {
    std::vector<std::string> actions;
    for (const auto& r : records) actions.push_back(r.action());
    return actions;
  }

  TempDir dir_;
  const TestPrincipal admin_ = MakePrincipal("ops", "admin", "ops", "*");
  const TestPrincipal feed_ = MakePrincipal("feed-a", "feed", "vendor-a", "*");
  const TestPrincipal regulator_ =
      MakePrincipal("reg-a", "regulator", "sas-a", "*");
  const TestPrincipal other_regulator_ =
      MakePrincipal("reg-b", "regulator", "sas-b", "*");
  std::unique_ptr<ServerProcess> server_;
  std::string booking_id_;
};

TEST_F(AuditTest, ABookingsStoryWhoWhenAndWhy) {
  v1::ListAuditRequest request;
  request.set_booking_id(booking_id_);
  const std::vector<v1::AuditRecord> story = List(request);
  EXPECT_EQ(Actions(story),
            (std::vector<std::string>{"booking_confirmed", "booking_read",
                                      "booking_read", "booking_cancelled"}));
  ASSERT_EQ(story.size(), 4u);
  EXPECT_EQ(story[0].principal(), "reg-a");
  EXPECT_EQ(story[0].organisation(), "sas-a");
  EXPECT_EQ(story[0].request_id(), "rq-confirm");
  EXPECT_EQ(story[1].principal(), "reg-a");
  EXPECT_EQ(story[3].principal(), "feed-a");
  EXPECT_EQ(story[3].organisation(), "vendor-a");
  EXPECT_EQ(story[3].request_id(), "rq-cancel");
  EXPECT_EQ(story[3].detail(), "reason professional-unavailable");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  for (size_t i = 0; i < story.size(); ++i) {
    EXPECT_LE(story[i].time().seconds(), now);
    EXPECT_GT(story[i].time().seconds(), now - 600);
    if (i > 0) {
      EXPECT_GT(story[i].sequence(), story[i - 1].sequence());
    }
  }

  v1::ListAuditRequest by_slot;
  by_slot.set_slot_id("s-1");
  const std::vector<std::string> slot_actions = Actions(List(by_slot));
  EXPECT_EQ(slot_actions.front(), "slots_published");
  EXPECT_EQ(slot_actions[1], "slot_held");
  v1::ListAuditRequest by_professional;
  by_professional.set_professional_id("pa-1");
  EXPECT_EQ(Actions(List(by_professional)).front(), "professionals_upserted");
}

TEST_F(AuditTest, RefusalsAreCountedPerPrincipal) {
  v1::ListAuditRequest request;
  request.set_principal("reg-b");
  const std::vector<v1::AuditRecord> refused = List(request);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].action(), "calls_refused");
  EXPECT_EQ(refused[0].detail(), "NOT_FOUND x1");
  EXPECT_EQ(refused[0].organisation(), "sas-b");
}

TEST_F(AuditTest, PagesFiltersAndTimeGiveTheSameRecords) {
  v1::ListAuditRequest all;
  all.set_page_size(1000);
  const std::vector<v1::AuditRecord> whole = List(all);
  // Upsert, publish, hold, confirm, 2 reads, cancel, 1 refusal at least.
  ASSERT_GE(whole.size(), 8u);
  v1::ListAuditRequest one_by_one;
  one_by_one.set_page_size(1);
  const std::vector<v1::AuditRecord> paged = List(one_by_one);
  ASSERT_EQ(paged.size(), whole.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(paged[i].sequence(), whole[i].sequence());
  }
  v1::ListAuditRequest future;
  future.mutable_since()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 3600);
  EXPECT_TRUE(List(future).empty());
  v1::ListAuditRequest past;
  past.mutable_since()->set_seconds(whole.front().time().seconds());
  EXPECT_EQ(List(past).size(), whole.size());

  for (const auto& r : whole) {
    EXPECT_FALSE(absl::StrContains(r.DebugString(), kPatientRef))
        << r.DebugString();
  }
  EXPECT_FALSE(absl::StrContains(server_->Log(), kPatientRef))
      << "the patient reference is in the server log";
  EXPECT_TRUE(absl::StrContains(server_->Log(), "[debug]"))
      << "the log is not at debug level: the check above proves nothing";
}

TEST_F(AuditTest, OnlyAdministratorsReadItAndBadRequestsAreNamed) {
  auto admin = v1::AdminService::NewStub(server_->Channel());
  v1::ListAuditRequest request;
  v1::ListAuditResponse response;
  for (const TestPrincipal* p : {&feed_, &regulator_}) {
    EXPECT_EQ(
        admin->ListAudit(ClientContext(p->token).get(), request, &response)
            .error_code(),
        grpc::StatusCode::PERMISSION_DENIED)
        << p->name;
  }
  request.set_page_token("not-a-number");
  grpc::Status bad =
      admin->ListAudit(ClientContext(admin_.token).get(), request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(bad.error_message(), "page_token"));
  request.clear_page_token();
  request.set_page_size(5000);
  bad = admin->ListAudit(ClientContext(admin_.token).get(), request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(bad.error_message(), "page_size"));
}

TEST_F(AuditTest, TheCliListsWithTheSameFilters) {
  const std::string cli = absl::StrCat("--server ", server_->address());
  Output story = RunCli(absl::StrCat(cli, " --token ", admin_.token,
                                     " audit --booking ", booking_id_));
  EXPECT_EQ(story.code, 0) << story.text;
  EXPECT_TRUE(absl::StrContains(story.text, "4 record(s)")) << story.text;
  EXPECT_TRUE(absl::StrContains(story.text, "reason professional-unavailable"))
      << story.text;
  Output refused = RunCli(absl::StrCat(cli, " --token ", admin_.token,
                                       " audit --principal reg-b --since 1h"));
  EXPECT_EQ(refused.code, 0) << refused.text;
  EXPECT_TRUE(absl::StrContains(refused.text, "NOT_FOUND x1")) << refused.text;
  Output denied = RunCli(
      absl::StrCat(cli, " --token ", regulator_.token, " audit --since 1h"));
  EXPECT_EQ(denied.code, 1) << denied.text;
  EXPECT_TRUE(absl::StrContains(denied.text, "PERMISSION_DENIED"))
      << denied.text;
  // Global options where a newcomer types them: after the subcommand.
  Output after = RunCli(absl::StrCat("audit --booking ", booking_id_, " ", cli,
                                     " --token ", admin_.token, " --json"));
  EXPECT_EQ(after.code, 0) << after.text;
  EXPECT_TRUE(absl::StrContains(after.text, "\"records\"")) << after.text;
  std::printf("%s", story.text.c_str());

  // The professional's feed lists their bookings (who is coming), another
  // organisation's regulator does not see them, and the listing is an
  // audited read of the booking.
  Output listed = RunCli(absl::StrCat(cli, " --token ", feed_.token,
                                      " bookings --professional pa-1"));
  EXPECT_EQ(listed.code, 0) << listed.text;
  EXPECT_TRUE(absl::StrContains(listed.text, booking_id_)) << listed.text;
  EXPECT_TRUE(absl::StrContains(listed.text, "1 booking(s)")) << listed.text;
  Output other = RunCli(absl::StrCat(cli, " --token ", other_regulator_.token,
                                     " bookings --professional pa-1"));
  EXPECT_EQ(other.code, 0) << other.text;
  EXPECT_TRUE(absl::StrContains(other.text, "0 booking(s)")) << other.text;
  Output reads = RunCli(absl::StrCat(cli, " --token ", admin_.token,
                                     " audit --principal feed-a --since 1h"));
  EXPECT_TRUE(absl::StrContains(reads.text, "booking_read")) << reads.text;
  std::printf("%s", listed.text.c_str());
}

}  // namespace
}  // namespace creneau::testing
