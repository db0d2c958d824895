// MatchAndHold over gRPC against the real creneaud, and `creneau
// match-hold`: regulators calling together for the same patient profile get
// different places or an empty answer, never an error; retries; errors that
// name the field.
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/run_command.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

constexpr int kPlaces = 12;
constexpr int kCallers = 32;

std::string RunCli(const std::string& args, int* code) {
  const CommandOutput out =
      RunCommand(absl::StrCat(CRENEAU_CLI_PATH, " ", args));
  *code = out.code;
  return out.text;
}

class MatchAndHoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.Sub("data"));
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    auto slots = server_->Slots();
    v1::UpsertProfessionalsRequest upsert;
    upsert.set_request_id("rq-upsert");
    *upsert.add_professionals() = ApiProfessional("gp-royan");
    *upsert.add_professionals() =
        ApiProfessional("gp-didonne", 45.6031, -0.9969);
    v1::UpsertProfessionalsResponse upserted;
    ASSERT_TRUE(
        slots->UpsertProfessionals(ClientContext().get(), upsert, &upserted)
            .ok());
    v1::PublishSlotsRequest publish;
    publish.set_request_id("rq-publish");
    for (int i = 0; i < kPlaces; ++i) {
      *publish.add_slots() =
          ApiSlot(absl::StrCat("s-", i), i % 2 ? "gp-royan" : "gp-didonne",
                  2 + i * 0.25);
    }
    v1::PublishSlotsResponse published;
    ASSERT_TRUE(
        slots->PublishSlots(ClientContext().get(), publish, &published).ok());
  }

  static v1::MatchAndHoldRequest Request(const std::string& id) {
    v1::MatchAndHoldRequest request;
    request.set_request_id(id);
    *request.mutable_search() = RoyanSearch();
    request.mutable_search()->set_radius_m(10000);
    return request;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(MatchAndHoldTest, CallersTogetherGetDifferentPlacesOrAnEmptyAnswer) {
  absl::Mutex mu;
  std::set<std::string> held_slots, tokens;
  int empty = 0, errors = 0;
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      auto orientation = server_->Orientation();
      v1::MatchAndHoldResponse response;
      const grpc::Status status = orientation->MatchAndHold(
          ClientContext().get(), Request(absl::StrCat("rq-", c)), &response);
      absl::MutexLock lock(&mu);
      if (!status.ok()) {
        ++errors;
        ADD_FAILURE() << status.error_message();
      } else if (!response.has_hold()) {
        ++empty;
        EXPECT_EQ(response.search().empty_reason(), v1::EMPTY_REASON_ALL_TAKEN);
        EXPECT_EQ(response.search().matches_size(), 0);
      } else {
        EXPECT_TRUE(held_slots.insert(response.hold().slot_id()).second)
            << response.hold().slot_id() << " held twice";
        tokens.insert(response.hold().token());
        // The match is the held place, with its reasons.
        ASSERT_EQ(response.search().matches_size(), 1);
        const v1::SlotMatch& match = response.search().matches(0);
        EXPECT_EQ(match.slot().id(), response.hold().slot_id());
        EXPECT_TRUE(match.in_scope());
        EXPECT_FALSE(match.reason_text().empty());
        EXPECT_GT(match.score().minutes_to_start(), 0);
      }
    });
  }
  for (std::thread& t : callers) t.join();
  std::printf("%d callers at once for %d places: %zu held, %d empty\n",
              kCallers, kPlaces, held_slots.size(), empty);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(static_cast<int>(held_slots.size()), kPlaces);
  EXPECT_EQ(static_cast<int>(tokens.size()), kPlaces);
  EXPECT_EQ(empty, kCallers - kPlaces);
}

TEST_F(MatchAndHoldTest, TheBestPlaceIsHeldAndConfirmedAsAnyHold) {
  auto orientation = server_->Orientation();
  v1::MatchAndHoldRequest request = Request("rq-first");
  request.mutable_ttl()->set_seconds(60);
  v1::MatchAndHoldResponse first;
  ASSERT_TRUE(
      orientation->MatchAndHold(ClientContext().get(), request, &first).ok());
  ASSERT_TRUE(first.has_hold());
  EXPECT_EQ(first.hold().slot_id(), "s-0") << "the soonest";
  const int64_t ttl_s =
      first.hold().expire_time().seconds() - absl::ToUnixSeconds(absl::Now());
  EXPECT_GT(ttl_s, 50);
  EXPECT_LE(ttl_s, 60);
  // A retry gets the same hold and match; another payload is refused.
  v1::MatchAndHoldResponse retry;
  ASSERT_TRUE(
      orientation->MatchAndHold(ClientContext().get(), request, &retry).ok());
  EXPECT_EQ(retry.hold().token(), first.hold().token());
  ASSERT_EQ(retry.search().matches_size(), 1);
  EXPECT_EQ(retry.search().matches(0).slot().id(), "s-0");
  request.mutable_search()->set_radius_m(20000);
  v1::MatchAndHoldResponse reused;
  EXPECT_EQ(orientation->MatchAndHold(ClientContext().get(), request, &reused)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // Confirmed like any hold.
  v1::ConfirmBookingRequest confirm;
  confirm.set_request_id("rq-confirm");
  confirm.set_slot_id(first.hold().slot_id());
  confirm.set_hold_token(first.hold().token());
  confirm.set_patient_ref("patient-7");
  v1::ConfirmBookingResponse booked;
  const grpc::Status status =
      orientation->ConfirmBooking(ClientContext().get(), confirm, &booked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(booked.booking().slot_id(), "s-0");
}

TEST_F(MatchAndHoldTest, ErrorsNameTheField) {
  auto orientation = server_->Orientation();
  const auto error = [&](v1::MatchAndHoldRequest request) {
    v1::MatchAndHoldResponse response;
    const grpc::Status status =
        orientation->MatchAndHold(ClientContext().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    return status.error_message();
  };
  v1::MatchAndHoldRequest request = Request("rq-bad");
  request.clear_search();
  EXPECT_TRUE(absl::StartsWith(error(request), "search")) << error(request);
  request = Request("rq-bad");
  request.mutable_ttl()->set_seconds(3600);
  EXPECT_TRUE(absl::StartsWith(error(request), "ttl")) << error(request);
  request = Request("");
  EXPECT_TRUE(absl::StartsWith(error(request), "request_id"));
  request = Request("rq-bad");
  request.mutable_search()->set_radius_m(-1);
  EXPECT_TRUE(absl::StartsWith(error(request), "radius_m"));
}

TEST_F(MatchAndHoldTest, TheCliHoldsAndSaysWhatToDoNext) {
  const std::string server = absl::StrCat("--server=", server_->address());
  int code = -1;
  const std::string held = RunCli(
      server + " match-hold --commune 17306 --profession gp --radius 10km",
      &code);
  EXPECT_EQ(code, 0) << held;
  EXPECT_TRUE(absl::StrContains(held, "held s-0 until")) << held;
  EXPECT_TRUE(absl::StrContains(held, "next: creneau confirm s-0")) << held;
  const std::string bad =
      RunCli(server + " match-hold --commune 17306 --ttl soon", &code);
  EXPECT_EQ(code, 2) << bad;
  EXPECT_TRUE(absl::StrContains(bad, "match-hold: --ttl")) << bad;
}

}  // namespace
}  // namespace creneau::testing
