// creneau-load: the load generator of bench/run_all.sh.
//
//   creneau-load grpc    --call search|empty|mix|book [--open --rate R] ...
//   creneau-load flood   --regulator_token T --flooder_token F [--flood_rate R]
//   creneau-load pg      --call search|book --conninfo "host=127.0.0.1 ..."
//   creneau-load pg-load --conninfo ... --territory France --scale 1
//
// Every run is bounded by --duration_s, targets loopback only, prints a
// text report on stderr and one JSON object on stdout (or --json_out).
#include <cstdio>
#include <fstream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench/fixtures.h"
#include "bench/flood.h"
#include "bench/grpc_load.h"
#include "bench/pg_load.h"
#include "bench/watch_load.h"
#include "server/territory_loader.h"

namespace creneau::bench {
namespace {

struct Common {
  std::string communes = CRENEAU_SOURCE_DATA_DIR "/communes.csv";
  std::string territory = server::kNationalTerritory;
  double duration_s = 10;
  uint64_t seed = 1;
  std::string json_out;
};

[[noreturn]] void Die(const absl::Status& status) {
  std::fprintf(stderr, "creneau-load: %s\n", status.ToString().c_str());
  std::exit(1);
}

std::shared_ptr<const CommuneTable> LoadCommunes(const std::string& path) {
  auto table = LoadCommuneFile(path);
  if (!table.ok()) Die(table.status());
  return *std::move(table);
}

std::vector<const Commune*> Origins(const CommuneTable& communes,
                                    const std::string& territory) {
  if (territory == server::kNationalTerritory) return {};
  std::vector<const Commune*> origins = communes.CommunesOfEpci(territory);
  if (origins.empty()) {
    Die(absl::NotFoundError(
        absl::StrCat("--territory: no EPCI '", territory, "'")));
  }
  return origins;
}

// Prints a LoadReport or FloodReport: text on stderr, JSON on stdout or to
// --json_out.
template <typename Report>
void Emit(const Common& common, const absl::StatusOr<Report>& report) {
  if (!report.ok()) Die(report.status());
  std::fputs(report->Text().c_str(), stderr);
  if (common.json_out.empty()) {
    std::fputs(report->Json().c_str(), stdout);
  } else {
    std::ofstream(common.json_out) << report->Json();
  }
}

// libpq connection strings name a host; only loopback ones are accepted.
void CheckLoopbackConninfo(const std::string& conninfo) {
  if (!absl::StrContains(conninfo, "host=127.") &&
      !absl::StrContains(conninfo, "host=::1") &&
      !absl::StrContains(conninfo, "host=localhost") &&
      !absl::StrContains(conninfo, "host=/")) {
    Die(
        absl::InvalidArgumentError("--conninfo: give host=127.0.0.1, ::1, "
                                   "localhost or a socket directory"));
  }
}

void AddCommon(CLI::App* app, Common* common) {
  app->add_option("--communes", common->communes, "communes CSV")
      ->capture_default_str();
  app->add_option("--territory", common->territory,
                  "EPCI whose communes calls come from, or France")
      ->capture_default_str();
  app->add_option("--duration_s", common->duration_s, "seconds of load")
      ->capture_default_str();
  app->add_option("--seed", common->seed, "seed of the draws")
      ->capture_default_str();
  app->add_option("--json_out", common->json_out, "write the JSON report here");
}

}  // namespace
}  // namespace creneau::bench

int main(int argc, char** argv) {
  // As in creneaud: Debian's Abseil leaves its debugging lock-order checker
  // on (a global graph updated on every Mutex acquisition); off here.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  using namespace creneau::bench;
  CLI::App app{
      "creneau-load: load generator for creneaud, its empty-RPC "
      "ceiling and the PostgreSQL + PostGIS baseline"};
  app.require_subcommand(1);
  Common common;
  double scale = 1.0;
  int days = 14;

  GrpcLoadOptions grpc;
  double warmup_s = 1;
  CLI::App* g = app.add_subcommand("grpc", "load creneaud over gRPC");
  AddCommon(g, &common);
  g->add_option("--server", grpc.server, "creneaud address (loopback)")
      ->capture_default_str();
  g->add_option("--token", grpc.token, "bearer token");
  g->add_option("--call", grpc.call,
                "search, empty, mix, or book (hold and confirm every hit "
                "of a search, then search again)")
      ->capture_default_str();
  g->add_flag("--open", grpc.open_loop, "open loop at --rate");
  g->add_option("--rate", grpc.rate_per_s, "open loop: calls per second");
  g->add_option("--concurrency", grpc.concurrency, "closed loop: callers")
      ->capture_default_str();
  g->add_option("--channels", grpc.channels, "TCP connections")
      ->capture_default_str();
  g->add_option("--warmup_s", warmup_s,
                "seconds of load sent first and not measured")
      ->capture_default_str();
  WatchOptions watch;
  g->add_option("--watchers", watch.watchers,
                "change-feed readers following the server during the load")
      ->check(CLI::Range(0, WatcherPool::kMaxWatchers));
  g->add_option("--watch_filter", watch.filter,
                "none (every change), or profession (watcher i follows one "
                "profession)")
      ->check(CLI::IsMember({"none", "profession"}))
      ->capture_default_str();

  FloodOptions flood;
  CLI::App* f = app.add_subcommand(
      "flood",
      "a regulator searching and booking alone, then while another "
      "principal floods the server far past its rate");
  AddCommon(f, &common);
  f->add_option("--server", flood.server, "creneaud address (loopback)")
      ->capture_default_str();
  f->add_option("--regulator_token", flood.regulator_token,
                "bearer token of the regulator")
      ->required();
  f->add_option("--flooder_token", flood.flooder_token,
                "bearer token of the flooding principal")
      ->required();
  f->add_option("--regulator_cycles_per_s", flood.regulator_cycles_per_s,
                "search, hold and confirm cycles a second")
      ->capture_default_str();
  f->add_option("--flood_rate", flood.flood_rate_per_s,
                "flooder searches a second (open loop)")
      ->capture_default_str();
  f->add_option("--flood_channels", flood.flood_channels,
                "flooder TCP connections")
      ->capture_default_str();

  PgLoadOptions pg;
  CLI::App* p = app.add_subcommand("pg", "load PostgreSQL + PostGIS via libpq");
  AddCommon(p, &common);
  p->add_option("--conninfo", pg.conninfo, "libpq connection string")
      ->required();
  p->add_option("--call", pg.call, "search or book")->capture_default_str();
  p->add_option("--concurrency", pg.connections, "connections")
      ->capture_default_str();

  std::string load_conninfo;
  CLI::App* l = app.add_subcommand(
      "pg-load",
      "generate the territory (as creneaud --demo_territory does) "
      "and COPY it into PostgreSQL");
  AddCommon(l, &common);
  l->add_option("--conninfo", load_conninfo, "libpq connection string")
      ->required();
  l->add_option("--scale", scale, "multiplies the national density")
      ->capture_default_str();
  l->add_option("--days", days, "days of slots")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto communes = LoadCommunes(common.communes);
  const Workload workload(*communes, Origins(*communes, common.territory));
  const absl::Duration duration = absl::Seconds(common.duration_s);
  if (g->parsed()) {
    grpc.duration = duration;
    grpc.warmup = absl::Seconds(warmup_s);
    grpc.seed = common.seed;
    watch.server = grpc.server;
    watch.token = grpc.token;
    WatcherPool watchers(watch);
    watchers.Start();
    absl::StatusOr<LoadReport> report = RunGrpcLoad(grpc, workload);
    const WatchCounts counts = watchers.Stop();
    if (report.ok()) {
      report->watchers = watch.watchers;
      report->watch_objects = counts.objects;
      report->watch_ended_behind = counts.ended_behind;
      report->watch_errors = counts.errors;
    }
    Emit(common, std::move(report));
  } else if (f->parsed()) {
    flood.phase = duration;
    flood.seed = common.seed;
    Emit(common, RunFlood(flood, workload));
  } else if (p->parsed()) {
    CheckLoopbackConninfo(pg.conninfo);
    pg.duration = duration;
    pg.seed = common.seed;
    Emit(common, RunPgLoad(pg, workload));
  } else {
    CheckLoopbackConninfo(load_conninfo);
    creneau::server::TerritoryLoadOptions options;
    options.territory = common.territory;
    options.scale = scale;
    options.days = days;
    options.seed = common.seed;
    size_t used = 0;
    const absl::Time start = absl::Now();
    auto territory = creneau::server::GenerateNamedTerritory(
        *communes, options, absl::Now(), &used);
    if (!territory.ok()) Die(territory.status());
    std::fprintf(stderr,
                 "pg-load: %zu professionals, %zu slots generated; copying\n",
                 territory->professionals.size(), territory->slots.size());
    if (absl::Status s = LoadPostgis(load_conninfo, *territory); !s.ok())
      Die(s);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    std::fprintf(stderr, "pg-load: done in %.1f s (%.0f slots/s)\n", seconds,
                 territory->slots.size() / seconds);
    std::printf("{\"slots\": %zu, \"professionals\": %zu, \"load_s\": %s}\n",
                territory->slots.size(), territory->professionals.size(),
                JsonNumber(seconds).c_str());
  }
  return 0;
}
