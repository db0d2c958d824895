// Fair share under abuse: a reader floods creneaud at 30 times its rate
// while a regulator searches and books at ten cycles a second (the flood
// driver of bench/flood.h). The regulator is never refused and books in
// both phases; the flooder gets no more than its token bucket allows and
// RESOURCE_EXHAUSTED for the rest; after a restart the audit trail counts
// every refusal exactly, against the flooder only. Both principals'
// latency histograms are printed; the figures that compare them live in
// bench/results/ (bench/run_all.sh), not here.
#include "bench/flood.h"

#include <signal.h>

#include <cstdio>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "creneau/v1/admin_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/principals_file.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

constexpr double kRatePerS = 100, kBurst = 200;  // creneaud's defaults.
constexpr double kFloodRatePerS = 30 * kRatePerS;
constexpr absl::Duration kPhase = absl::Seconds(3);

// calls_refused records by principal: status code -> calls.
std::map<std::string, std::map<std::string, int64_t>> RefusalsInAudit(
    const ServerProcess& server, const std::string& admin_token) {
  auto admin = v1::AdminService::NewStub(server.Channel());
  std::map<std::string, std::map<std::string, int64_t>> refusals;
  v1::ListAuditRequest request;
  request.set_page_size(1000);
  for (int page = 0; page < 1000; ++page) {
    v1::ListAuditResponse response;
    const grpc::Status status =
        admin->ListAudit(ClientContext(admin_token).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::AuditRecord& r : response.records()) {
      if (r.action() != "calls_refused") continue;
      // "RESOURCE_EXHAUSTED x123"
      const std::vector<std::string> parts = absl::StrSplit(r.detail(), " x");
      int64_t count = 0;
      EXPECT_EQ(parts.size(), 2u) << r.detail();
      if (parts.size() == 2 && absl::SimpleAtoi(parts[1], &count)) {
        refusals[r.principal()][parts[0]] += count;
      }
    }
    if (!status.ok() || response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  return refusals;
}

TEST(FloodTest, TheFlooderIsCappedAndTheRegulatorServed) {
  TempDir dir;
  const TestPrincipal regulator =
      MakePrincipal("sas17-1", "regulator", "sas-17", "cpts-royan-atlantique");
  const TestPrincipal flooder =
      MakePrincipal("app-1", "reader", "patient-app", "*");
  const TestPrincipal admin = MakePrincipal("ops", "admin", "ops", "*");
  WritePrincipalsFile(dir.Sub("principals"), {regulator, flooder, admin});
  ServerProcess server(
      dir.Sub("data"),
      {"--principals_file=" + dir.Sub("principals"),
       "--insecure_transport_behind_mesh", "--log_level=warn",
       "--demo_territory=CA Royan Atlantique", "--demo_days=3",
       absl::StrCat("--requests_per_s_per_principal=", kRatePerS),
       absl::StrCat("--burst_per_principal=", kBurst)});
  ASSERT_TRUE(server.Start().ok()) << server.Log();

  auto communes = LoadCommuneFile(CRENEAU_SOURCE_DATA_DIR "/communes.csv");
  ASSERT_TRUE(communes.ok()) << communes.status();
  const Workload royan(**communes,
                       (*communes)->CommunesOfEpci("CA Royan Atlantique"));
  bench::FloodOptions options;
  options.server = server.address();
  options.regulator_token = regulator.token;
  options.flooder_token = flooder.token;
  options.regulator_cycles_per_s = 10;
  options.flood_rate_per_s = kFloodRatePerS;
  options.phase = kPhase;
  absl::StatusOr<bench::FloodReport> report = bench::RunFlood(options, royan);
  ASSERT_TRUE(report.ok()) << report.status();
  std::printf("%s", report->Text().c_str());

  // The regulator: never refused, and booking in both phases (30 cycles
  // each; a few may find nothing in scope).
  for (const bench::RegulatorPhase* phase :
       {&report->alone, &report->flooded}) {
    EXPECT_EQ(phase->calls.errors, 0) << phase->calls.first_error;
    EXPECT_EQ(phase->calls.exhausted, 0);
    EXPECT_GE(phase->calls.calls.at("search"), 25);
    EXPECT_GE(phase->bookings, 10);
  }

  // The flooder: its bucket and nothing more, the rest refused.
  const bench::LoadReport& flood = report->flooder;
  const double elapsed_s = absl::ToDoubleSeconds(flood.elapsed);
  EXPECT_EQ(flood.errors, 0) << flood.first_error;
  EXPECT_GE(flood.ok + flood.exhausted,
            static_cast<int64_t>(0.9 * kFloodRatePerS * elapsed_s));
  EXPECT_LE(flood.ok, kBurst + kRatePerS * (elapsed_s + 1));
  EXPECT_GE(flood.ok, kRatePerS * elapsed_s / 2) << "starved below its rate";
  EXPECT_GE(flood.exhausted, 20 * flood.ok);

  // Every refusal is in the audit trail once the server has stopped (the
  // counts of the last interval are written on the way out).
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const auto refusals = RefusalsInAudit(server, admin.token);
  ASSERT_TRUE(refusals.count(flooder.name)) << "no refusal recorded";
  EXPECT_EQ(refusals.at(flooder.name).at("RESOURCE_EXHAUSTED"),
            flood.exhausted);
  EXPECT_FALSE(refusals.count(regulator.name))
      << "the regulator was refused: "
      << refusals.at(regulator.name).begin()->first;
  std::printf(
      "audit: %lld RESOURCE_EXHAUSTED recorded for %s; regulator p99 ratio "
      "%.2f (flooded / alone, not asserted)\n",
      static_cast<long long>(flood.exhausted), flooder.name.c_str(),
      report->p99_ratio());
}

}  // namespace
}  // namespace creneau::testing
