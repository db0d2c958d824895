// The access matrix's principals (one per column: role, organisation,
// scope) and the client environment its cells call through: every RPC as
// any principal, on fresh objects. Used by tests/access_test.cc and
// tests/access_watch_test.cc.
#ifndef CRENEAU_TESTS_ACCESS_ENV_H_
#define CRENEAU_TESTS_ACCESS_ENV_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "creneau/v1/admin_service.grpc.pb.h"
#include "creneau/v1/territory_service.grpc.pb.h"
#include "engine/limits.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/principals_file.h"
#include "tests/support/server_process.h"
#include "tests/support/test_pki.h"

namespace creneau::testing::access {

// The matrix books pa-royan's slots of one week far more than the default
// weekly cap allows (the cap has its own tests): the largest cap there is.
inline v1::Professional Pro(const std::string& id, double lat = kRoyanLat,
                            double lng = kRoyanLng) {
  v1::Professional p = ApiProfessional(id, lat, lng);
  p.set_weekly_orientation_cap(limits::kMaxWeeklyOrientationCap);
  return p;
}

// The columns: one principal per role, plus a second regulator of the same
// organisation as the first.
enum Who { kAdmin, kFeedA, kFeedB, kRegA, kRegA2, kRegB, kReader, kWhoCount };
constexpr const char* kNames[kWhoCount] = {
    "admin", "feed-a", "feed-b", "reg-a", "reg-a2", "reg-b", "reader"};
constexpr const char* kLines[kWhoCount] = {"admin admin ops *",
                                           "feed-a feed vendor-a *",
                                           "feed-b feed vendor-b *",
                                           "reg-a regulator sas-a t-royan",
                                           "reg-a2 regulator sas-a t-royan",
                                           "reg-b regulator sas-b t-rochelle",
                                           "reader reader app *"};

// Role, organisation and scope of each column, as the principals file
// spells them.
inline TestPrincipal PrincipalOf(Who who) {
  const std::vector<std::string> fields = absl::StrSplit(kLines[who], ' ');
  return MakePrincipal(kNames[who], fields[1], fields[2], fields[3]);
}
inline std::string TokenOf(Who who) { return PrincipalOf(who).token; }

class Env {
 public:
  // Backups go under `backup_root` (created).
  Env(const ServerProcess& server, std::string backup_root)
      : backup_root_(std::move(backup_root)),
        channel_(server.Channel()),
        slots_(v1::SlotService::NewStub(channel_)),
        orientation_(v1::OrientationService::NewStub(channel_)),
        territories_(v1::TerritoryService::NewStub(channel_)),
        admin_(v1::AdminService::NewStub(channel_)) {}

  std::string Fresh(const std::string& prefix) {
    return absl::StrCat(prefix, "-", ++counter_);
  }
  std::string BackupDir(const std::string& name) {
    std::filesystem::create_directories(backup_root_);
    return absl::StrCat(backup_root_, "/", name);
  }
  std::unique_ptr<grpc::ClientContext> As(Who who) {
    return ClientContext(TokenOf(who));
  }

  grpc::Status Upsert(Who who, const v1::Professional& p) {
    v1::UpsertProfessionalsRequest r;
    r.set_request_id(Fresh("rq"));
    *r.add_professionals() = p;
    v1::UpsertProfessionalsResponse out;
    return slots_->UpsertProfessionals(As(who).get(), r, &out);
  }
  // A fresh slot of `professional` published by `owner`.
  std::string Publish(Who owner, const std::string& professional,
                      v1::Visibility visibility = v1::VISIBILITY_PUBLIC) {
    v1::Slot s = ApiSlot(Fresh("slot"), professional, 3);
    s.set_visibility(visibility);
    const grpc::Status status = PublishSlot(owner, s);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return s.id();
  }
  grpc::Status PublishSlot(Who who, const v1::Slot& s) {
    v1::PublishSlotsRequest r;
    r.set_request_id(Fresh("rq"));
    *r.add_slots() = s;
    v1::PublishSlotsResponse out;
    return slots_->PublishSlots(As(who).get(), r, &out);
  }
  grpc::Status Withdraw(Who who, const std::string& slot) {
    v1::WithdrawSlotsRequest r;
    r.set_request_id(Fresh("rq"));
    r.add_slot_ids(slot);
    v1::WithdrawSlotsResponse out;
    return slots_->WithdrawSlots(As(who).get(), r, &out);
  }
  // One evening session on Mondays under a fresh template id.
  grpc::Status PublishAvailability(Who who, const std::string& professional) {
    v1::PublishAvailabilityRequest r;
    r.set_request_id(Fresh("rq"));
    v1::Availability* a = r.mutable_availability();
    a->set_professional_id(professional);
    v1::WeeklyTemplate* t = a->add_templates();
    t->set_id(Fresh("tpl"));
    t->add_weekdays(1);
    t->set_start_time("18:00");
    t->set_end_time("18:30");
    t->mutable_shape()->set_slot_minutes(30);
    t->mutable_shape()->set_modality(v1::MODALITY_IN_OFFICE);
    t->set_first_day("2026-01-01");
    v1::PublishAvailabilityResponse out;
    return slots_->PublishAvailability(As(who).get(), r, &out);
  }
  grpc::Status GetSlot(Who who, const std::string& slot) {
    v1::GetSlotRequest r;
    r.set_slot_id(slot);
    v1::GetSlotResponse out;
    return slots_->GetSlot(As(who).get(), r, &out);
  }
  grpc::Status Hold(Who who, const std::string& slot, v1::Hold* hold) {
    v1::HoldSlotRequest r;
    r.set_request_id(Fresh("rq"));
    r.set_slot_id(slot);
    v1::HoldSlotResponse out;
    grpc::Status status = orientation_->HoldSlot(As(who).get(), r, &out);
    *hold = out.hold();
    return status;
  }
  grpc::Status Confirm(Who who, const v1::Hold& hold, v1::Booking* booking) {
    v1::ConfirmBookingRequest r;
    r.set_request_id(Fresh("rq"));
    r.set_slot_id(hold.slot_id());
    r.set_hold_token(hold.token());
    r.set_patient_ref("p-matrix");
    v1::ConfirmBookingResponse out;
    grpc::Status status = orientation_->ConfirmBooking(As(who).get(), r, &out);
    if (booking != nullptr) *booking = out.booking();
    return status;
  }
  grpc::Status Release(Who who, const v1::Hold& hold) {
    v1::ReleaseHoldRequest r;
    r.set_request_id(Fresh("rq"));
    r.set_slot_id(hold.slot_id());
    r.set_hold_token(hold.token());
    v1::ReleaseHoldResponse out;
    return orientation_->ReleaseHold(As(who).get(), r, &out);
  }
  grpc::Status GetBooking(Who who, const std::string& id) {
    v1::GetBookingRequest r;
    r.set_booking_id(id);
    v1::GetBookingResponse out;
    return orientation_->GetBooking(As(who).get(), r, &out);
  }
  grpc::Status Cancel(Who who, const std::string& id) {
    v1::CancelBookingRequest r;
    r.set_request_id(Fresh("rq"));
    r.set_booking_id(id);
    r.set_reason_code(v1::CANCEL_REASON_PROFESSIONAL_UNAVAILABLE);
    v1::CancelBookingResponse out;
    return orientation_->CancelBooking(As(who).get(), r, &out);
  }
  // OK when ListBookings as `who` lists booking `id` (all pages), NOT_FOUND
  // when the call succeeds without it, else the call's status.
  grpc::Status Listed(Who who, v1::ListBookingsRequest r,
                      const std::string& id) {
    r.set_page_size(1000);
    for (int page = 0; page < 1000; ++page) {
      v1::ListBookingsResponse out;
      const grpc::Status s = orientation_->ListBookings(As(who).get(), r, &out);
      if (!s.ok()) return s;
      for (const v1::Booking& b : out.bookings()) {
        if (b.id() == id) return grpc::Status::OK;
      }
      if (out.next_page_token().empty()) break;
      r.set_page_token(out.next_page_token());
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "not listed");
  }
  // A fresh booking by reg-a on a public slot of pa-royan.
  std::string Booked() {
    v1::Hold hold;
    v1::Booking booking;
    EXPECT_TRUE(Hold(kRegA, Publish(kFeedA, "pa-royan"), &hold).ok());
    EXPECT_TRUE(Confirm(kRegA, hold, &booking).ok());
    return booking.id();
  }

  v1::SlotService::Stub& slots() { return *slots_; }
  v1::OrientationService::Stub& orientation() { return *orientation_; }
  v1::TerritoryService::Stub& territories() { return *territories_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  v1::AdminService::Stub& admin() { return *admin_; }

 private:
  const std::string backup_root_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SlotService::Stub> slots_;
  std::unique_ptr<v1::OrientationService::Stub> orientation_;
  std::unique_ptr<v1::TerritoryService::Stub> territories_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  int counter_ = 0;
};

// The server of the matrix (TLS, a principals file with every column,
// territories t-royan and t-rochelle) and its first professionals: feed-a's
// pa-royan and pa-rochelle, feed-b's pb-royan.
class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestPki pki(dir_.path());
    ASSERT_TRUE(pki.Init().ok());
    auto server_cert = pki.Issue("server", "localhost", 30, true);
    ASSERT_TRUE(server_cert.ok()) << server_cert.status();
    const std::string principals = dir_.Sub("principals");
    std::vector<TestPrincipal> all;
    for (int w = 0; w < kWhoCount; ++w) {
      all.push_back(PrincipalOf(static_cast<Who>(w)));
    }
    WritePrincipalsFile(principals, all);
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("data"),
        std::vector<std::string>{
            "--log_level=warn", "--principals_file=" + principals,
            "--tls_cert=" + server_cert->cert, "--tls_key=" + server_cert->key,
            "--requests_per_s_per_principal=0",
            "--max_holds_per_principal=1000"});
    server_->UseTls(pki.ca_cert());
    // Health checks need no principal; Start waits for SERVING over TLS.
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    env_ = std::make_unique<Env>(*server_, dir_.Sub("backups"));
    Define("t-royan",
           [](v1::TerritorySource* s) { s->set_epci_siren("241700640"); });
    Define("t-rochelle", [](v1::TerritorySource* s) {
      s->mutable_communes()->add_commune_codes("17300");
    });
    ASSERT_TRUE(env_->Upsert(kFeedA, Pro("pa-royan")).ok());
    v1::Professional rochelle = Pro("pa-rochelle", 46.16205, -1.17647);
    rochelle.set_commune_code("17300");
    ASSERT_TRUE(env_->Upsert(kFeedA, rochelle).ok());
    ASSERT_TRUE(env_->Upsert(kFeedB, Pro("pb-royan")).ok());
  }

  void Define(const std::string& id,
              std::function<void(v1::TerritorySource*)> source) {
    v1::CreateTerritoryRequest r;
    r.set_request_id("define-" + id);
    r.set_territory_id(id);
    r.set_name(id);
    r.set_kind(v1::TERRITORY_KIND_CPTS);
    source(r.mutable_source());
    v1::CreateTerritoryResponse out;
    const grpc::Status s =
        env_->territories().CreateTerritory(env_->As(kAdmin).get(), r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Env> env_;
};

}  // namespace creneau::testing::access

#endif  // CRENEAU_TESTS_ACCESS_ENV_H_
