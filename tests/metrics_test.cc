// The HTTP side port and the call log from end to end: after a known
// workload /metrics counts exactly what happened (calls per method and
// code, searches empty by reason, slots by state, principals' calls),
// promtool accepts the page, /healthz and /readyz answer, and the JSON log
// has one object per line with every mutation, and neither patient nor
// orientation references, nor bearer or hold tokens.
#include <cstdio>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/principals_file.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

constexpr char kPatientRef[] = "patient-7e1d-secret";
constexpr char kOrientationRef[] = "orientation-55c2-secret";
constexpr int kSearches = 7;
constexpr int kSlots = 6;

// The value of the sample `series` (name and labels as printed) in a
// Prometheus text page; -1 when absent.
double SampleOf(const std::string& page, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      return std::stod(std::string(line.substr(series.size() + 1)));
    }
  }
  return -1;
}

std::string Rpc(const std::string& service, const std::string& method,
                const std::string& code) {
  return absl::StrCat("creneau_rpc_requests_total{service=\"creneau.v1.",
                      service, "\",method=\"", method, "\",code=\"", code,
                      "\"}");
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WritePrincipalsFile(dir_.Sub("principals"), {feed_, regulator_});
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("data"),
        std::vector<std::string>{"--principals_file=" + dir_.Sub("principals"),
                                 "--insecure_transport_behind_mesh",
                                 "--log_format=json",
                                 "--health_listen=127.0.0.1:0"});
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    ASSERT_GT(server_->http_port(), 0);
  }

  std::string Get(const std::string& path, int* status = nullptr) {
    httplib::Client client("127.0.0.1", server_->http_port());
    client.set_read_timeout(10, 0);
    auto answer = client.Get(path.c_str());
    EXPECT_TRUE(answer) << path;
    if (!answer) return "";
    if (status != nullptr) *status = answer->status;
    return answer->body;
  }

  // Feed publishes kSlots slots; the regulator searches kSearches times,
  // once for a profession nobody practises, holds three slots, books two
  // (one cancelled), releases one; a call with an unknown token.
  void Workload() {
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
    for (int i = 0; i < kSlots; ++i) {
      *publish.add_slots() = ApiSlot(absl::StrCat("s-", i), "pa-1", 2 + i);
    }
    v1::PublishSlotsResponse published;
    ASSERT_TRUE(slots
                    ->PublishSlots(ClientContext(feed_.token).get(), publish,
                                   &published)
                    .ok());
    for (int i = 0; i < kSearches - 1; ++i) {
      v1::SearchSlotsResponse found;
      ASSERT_TRUE(orientation
                      ->SearchSlots(ClientContext(regulator_.token).get(),
                                    RoyanSearch(), &found)
                      .ok());
      ASSERT_EQ(found.matches_size(), kSlots);
    }
    v1::SearchSlotsRequest nobody = RoyanSearch();
    nobody.set_profession(v1::PROFESSION_DERMATOLOGIST);
    v1::SearchSlotsResponse none;
    ASSERT_TRUE(
        orientation
            ->SearchSlots(ClientContext(regulator_.token).get(), nobody, &none)
            .ok());
    ASSERT_EQ(none.empty_reason(), v1::EMPTY_REASON_NO_SUPPLY_IN_REACH);
    std::vector<std::string> booking_ids;
    for (int i = 0; i < 3; ++i) {
      v1::HoldSlotRequest hold;
      hold.set_request_id(absl::StrCat("rq-hold-", i));
      hold.set_slot_id(absl::StrCat("s-", i));
      v1::HoldSlotResponse held;
      ASSERT_TRUE(
          orientation
              ->HoldSlot(ClientContext(regulator_.token).get(), hold, &held)
              .ok());
      hold_tokens_.push_back(held.hold().token());
      if (i == 2) {
        v1::ReleaseHoldRequest release;
        release.set_request_id("rq-release");
        release.set_slot_id(hold.slot_id());
        release.set_hold_token(held.hold().token());
        v1::ReleaseHoldResponse released;
        ASSERT_TRUE(orientation
                        ->ReleaseHold(ClientContext(regulator_.token).get(),
                                      release, &released)
                        .ok());
        continue;
      }
      v1::ConfirmBookingRequest confirm;
      confirm.set_request_id(absl::StrCat("rq-confirm-", i));
      confirm.set_slot_id(hold.slot_id());
      confirm.set_hold_token(held.hold().token());
      confirm.set_patient_ref(kPatientRef);
      confirm.set_orientation_ref(kOrientationRef);
      v1::ConfirmBookingResponse confirmed;
      ASSERT_TRUE(orientation
                      ->ConfirmBooking(ClientContext(regulator_.token).get(),
                                       confirm, &confirmed)
                      .ok());
      booking_ids.push_back(confirmed.booking().id());
    }
    v1::CancelBookingRequest cancel;
    cancel.set_request_id("rq-cancel");
    cancel.set_booking_id(booking_ids[1]);
    cancel.set_reason_code(v1::CANCEL_REASON_PATIENT_BETTER);
    v1::CancelBookingResponse cancelled;
    ASSERT_TRUE(orientation
                    ->CancelBooking(ClientContext(regulator_.token).get(),
                                    cancel, &cancelled)
                    .ok());
    v1::SearchSlotsResponse refused;
    EXPECT_EQ(orientation
                  ->SearchSlots(ClientContext("not-a-token").get(),
                                RoyanSearch(), &refused)
                  .error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }

  TempDir dir_;
  const TestPrincipal feed_ = MakePrincipal("feed-a", "feed", "vendor-a", "*");
  const TestPrincipal regulator_ =
      MakePrincipal("reg-a", "regulator", "sas-a", "*");
  std::unique_ptr<ServerProcess> server_;
  std::vector<std::string> hold_tokens_;
};

TEST_F(MetricsTest, CountsAKnownWorkload) {
  ASSERT_NO_FATAL_FAILURE(Workload());
  const std::string page = Get("/metrics");
  EXPECT_EQ(SampleOf(page, Rpc("OrientationService", "SearchSlots", "OK")),
            kSearches);
  EXPECT_EQ(SampleOf(page, Rpc("OrientationService", "SearchSlots",
                               "UNAUTHENTICATED")),
            1);
  EXPECT_EQ(SampleOf(page, Rpc("OrientationService", "HoldSlot", "OK")), 3);
  EXPECT_EQ(SampleOf(page, Rpc("OrientationService", "ConfirmBooking", "OK")),
            2);
  EXPECT_EQ(SampleOf(page, Rpc("OrientationService", "ReleaseHold", "OK")), 1);
  EXPECT_EQ(SampleOf(page, Rpc("OrientationService", "CancelBooking", "OK")),
            1);
  EXPECT_EQ(SampleOf(page, Rpc("SlotService", "PublishSlots", "OK")), 1);
  EXPECT_EQ(
      SampleOf(page,
               "creneau_rpc_latency_seconds_count{service=\"creneau.v1."
               "OrientationService\",method=\"SearchSlots\",code=\"OK\"}"),
      kSearches);
  EXPECT_EQ(SampleOf(page,
                     "creneau_searches_empty_total{reason=\"EMPTY_REASON_NO_"
                     "SUPPLY_IN_REACH\"}"),
            1);
  EXPECT_EQ(SampleOf(page, "creneau_slots"), kSlots);
  EXPECT_EQ(SampleOf(page, "creneau_active_holds"), 0);
  // One slot booked; the cancelled and the released ones are free again.
  EXPECT_EQ(SampleOf(page,
                     "creneau_slots_by_state{profession=\"general-"
                     "practitioner\",state=\"full\"}"),
            1);
  EXPECT_EQ(SampleOf(page,
                     "creneau_slots_by_state{profession=\"general-"
                     "practitioner\",state=\"free\"}"),
            kSlots - 1);
  // 7 searches, 3 holds, 2 confirms, a release and a cancel.
  EXPECT_EQ(
      SampleOf(page, "creneau_principal_requests_total{principal=\"reg-a\"}"),
      kSearches + 7);
  EXPECT_EQ(SampleOf(page,
                     "creneau_principal_refusals_total{principal=\"("
                     "unauthenticated)\"}"),
            1);
  EXPECT_GE(SampleOf(page, "creneau_wal_commits_total"), 8);
  EXPECT_GT(SampleOf(page, "creneau_wal_syncs_total"), 0);
  EXPECT_GT(SampleOf(page, "creneau_resident_memory_bytes"), 1 << 20);
  EXPECT_EQ(SampleOf(page, "creneau_up"), 1);

  // Debian's promtool (deploy/setup.sh installs it) checks the format.
  const std::string file = dir_.Sub("metrics.txt");
  { std::ofstream(file) << page; }
  const int promtool =
      std::system(absl::StrCat("promtool check metrics < ", file, " > ", file,
                               ".check 2>&1")
                      .c_str());
  std::ifstream check(file + ".check");
  std::stringstream check_text;
  check_text << check.rdbuf();
  EXPECT_EQ(promtool, 0) << check_text.str();
}

TEST_F(MetricsTest, HealthAndReadiness) {
  int status = 0;
  EXPECT_EQ(Get("/healthz", &status), "ok\n");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(Get("/readyz", &status), "ready\n");
  EXPECT_EQ(status, 200);
  Get("/nothing-here", &status);
  EXPECT_EQ(status, 404);
}

// The plaintext listener for probes answers grpc.health.v1 and nothing
// else: no other service is reachable without TLS through it.
TEST_F(MetricsTest, TheHealthOnlyListenerServesHealthAndNothingElse) {
  // Its port, from the start-up log line.
  int port = 0;
  const std::string log = server_->Log();
  const std::string marker = "gRPC health only, plaintext, on port ";
  const size_t at = log.find(marker);
  ASSERT_NE(at, std::string::npos) << log;
  port = std::atoi(log.c_str() + at + marker.size());
  ASSERT_GT(port, 0);
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse health;
  ASSERT_TRUE(grpc::health::v1::Health::NewStub(channel)
                  ->Check(ClientContext().get(), check, &health)
                  .ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  check.set_service("creneau.v1.OrientationService");
  ASSERT_TRUE(grpc::health::v1::Health::NewStub(channel)
                  ->Check(ClientContext().get(), check, &health)
                  .ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  v1::SearchSlotsResponse found;
  EXPECT_EQ(v1::OrientationService::NewStub(channel)
                ->SearchSlots(ClientContext(regulator_.token).get(),
                              RoyanSearch(), &found)
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(MetricsTest, TheJsonLogHasEveryMutationAndNoSecret) {
  ASSERT_NO_FATAL_FAILURE(Workload());
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string log = server_->Log();
  std::map<std::string, int> mutations;  // "rpc code" -> calls logged.
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    ++lines;
    const auto record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(record.contains("time") && record.contains("level") &&
                record.contains("event"))
        << line;
    if (record["event"] != "call") continue;
    for (const char* field :
         {"request_id", "principal", "rpc", "code", "latency_us"}) {
      EXPECT_TRUE(record.contains(field)) << field << " in " << line;
    }
    ++mutations[absl::StrCat(record["rpc"].get<std::string>(), " ",
                             record["code"].get<std::string>(), " ",
                             record["principal"].get<std::string>())];
  }
  EXPECT_GT(lines, 5);
  EXPECT_EQ(mutations["HoldSlot OK reg-a"], 3);
  EXPECT_EQ(mutations["ConfirmBooking OK reg-a"], 2);
  EXPECT_EQ(mutations["CancelBooking OK reg-a"], 1);
  EXPECT_EQ(mutations["PublishSlots OK feed-a"], 1);
  EXPECT_EQ(mutations["SearchSlots OK reg-a"], 0) << "reads are not logged";
  for (const std::string& secret :
       std::vector<std::string>{kPatientRef, kOrientationRef, feed_.token,
                                regulator_.token, "not-a-token"}) {
    EXPECT_FALSE(absl::StrContains(log, secret)) << secret;
  }
  ASSERT_EQ(hold_tokens_.size(), 3u);
  for (const std::string& token : hold_tokens_) {
    EXPECT_FALSE(absl::StrContains(log, token)) << "hold token " << token;
  }
}

}  // namespace
}  // namespace creneau::testing
