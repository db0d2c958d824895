// creneaud: the creneau server. Wires the parts together: flags, commune
// data, principals, store, engine host, gRPC server, optional demo
// territory, signals (SIGINT/SIGTERM stop, SIGHUP reloads the principals).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/gatekeeper.h"
#include "server/http/http_port.h"
#include "server/principals.h"
#include "server/request_log.h"
#include "server/rpc_metrics.h"
#include "server/server.h"
#include "server/server_metrics.h"
#include "server/territory_loader.h"
#include "spdlog/spdlog.h"
#include "storage/engine_host.h"
#include "storage/store.h"

namespace creneau::server {
namespace {

struct Flags {
  ServerConfig server;
  std::string data_dir = "creneau-data";
  std::string communes;
  std::string principals_file;
  bool insecure_transport = false;
  GateOptions gate;
  int max_holds_per_principal = limits::kDefaultMaxActiveHoldsPerCaller;
  int default_weekly_orientation_cap = limits::kDefaultWeeklyOrientationCap;
  RankingWeights ranking;
  int32_t availability_horizon_days = limits::kDefaultAvailabilityHorizonDays;
  int max_requests_remembered_per_principal =
      limits::kDefaultMaxRequestRecordsPerCaller;
  int max_professionals_per_organisation =
      limits::kDefaultMaxProfessionalsPerOrganisation;
  int audit_retention_days = 365;
  int tls_reload_s = 5;
  std::string port_file;
  std::string demo_territory;
  int demo_professionals = 0;
  double demo_scale = 1.0;
  int demo_days = 14;
  uint64_t demo_seed = 1;
  bool no_sync = false;
  std::string log_level = "info";
  std::string log_format = "text";
  int log_slow_call_ms = 250;
  std::string http_listen = "127.0.0.1:9464";
  std::string http_port_file;
  int shutdown_grace_s = 10;
};

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first commune file found: the flag, then beside an installed binary,
// then the source tree this binary was built from.
std::string FindCommunes(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::error_code ignored;
  const auto exe = std::filesystem::canonical("/proc/self/exe", ignored);
  for (const std::string& candidate :
       {(exe.parent_path() / "../share/creneau/communes.csv").string(),
        std::string(CRENEAU_SOURCE_DATA_DIR) + "/communes.csv"}) {
    if (std::filesystem::exists(candidate, ignored)) return candidate;
  }
  return std::string(CRENEAU_SOURCE_DATA_DIR) + "/communes.csv";
}

bool IsLoopback(const std::string& listen) {
  return absl::StartsWith(listen, "127.") ||
         absl::StartsWith(listen, "[::1]") ||
         absl::StartsWith(listen, "localhost:");
}

int Fail(const absl::Status& status) {
  spdlog::critical("{}", status.ToString());
  return 1;
}

// Tokens and patient references must not cross a network in clear: with a
// principals file, or on any address but loopback, TLS is required unless
// the operator says a service mesh terminates it.
absl::Status CheckTransport(const Flags& flags) {
  const bool tls = !flags.server.tls_cert_file.empty();
  const bool loopback = IsLoopback(flags.server.listen);
  if (flags.principals_file.empty() && !loopback) {
    return absl::FailedPreconditionError(
        "--listen is not a loopback address: give --principals_file (open "
        "mode, where everyone is admin, is for loopback only)");
  }
  if (tls || (flags.principals_file.empty() && loopback)) {
    return absl::OkStatus();
  }
  if (!flags.insecure_transport) {
    return absl::FailedPreconditionError(
        "bearer tokens and patient references would cross the network in "
        "clear: give --tls_cert and --tls_key, or "
        "--insecure_transport_behind_mesh when a service mesh terminates "
        "TLS in front of creneaud");
  }
  spdlog::warn(
      "**** INSECURE TRANSPORT: serving plaintext gRPC with principals "
      "(--insecure_transport_behind_mesh). Tokens and patient references "
      "are protected only if a service mesh terminates TLS in front of "
      "creneaud on this host. ****");
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const PrincipalDirectory>> LoadPrincipals(
    const std::string& path) {
  if (path.empty()) return std::make_shared<const PrincipalDirectory>();
  absl::StatusOr<PrincipalDirectory> directory = ReadPrincipalsFile(path);
  if (!directory.ok()) return directory.status();
  spdlog::info("{} principal(s) from {}", directory->size(), path);
  return std::make_shared<const PrincipalDirectory>(*std::move(directory));
}

storage::HostOptions HostOptionsOf(const Flags& flags) {
  storage::HostOptions options;
  options.engine.max_active_holds_per_caller = flags.max_holds_per_principal;
  options.engine.default_weekly_orientation_cap =
      flags.default_weekly_orientation_cap;
  options.engine.ranking = flags.ranking;
  options.engine.availability_horizon_days = flags.availability_horizon_days;
  options.engine.max_request_records_per_caller =
      flags.max_requests_remembered_per_principal;
  options.engine.max_professionals_per_organisation =
      flags.max_professionals_per_organisation;
  options.event_retention = absl::Hours(24) * flags.audit_retention_days;
  return options;
}

// Waits for signals: SIGHUP reloads the principals file (calls go on; TLS
// files are re-read by gRPC on their own), SIGINT or SIGTERM returns.
int WaitForStop(const Flags& flags, Gatekeeper& gate) {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  while (true) {
    int received = 0;
    sigwait(&signals, &received);
    if (received != SIGHUP) return received;
    if (flags.principals_file.empty()) {
      spdlog::info("SIGHUP: open mode, no principals file to reload");
      continue;
    }
    auto reloaded = LoadPrincipals(flags.principals_file);
    if (!reloaded.ok()) {
      spdlog::error("SIGHUP: keeping the current principals: {}",
                    reloaded.status().ToString());
      continue;
    }
    gate.Reload(*std::move(reloaded));
    spdlog::info(
        "SIGHUP: principals reloaded (TLS files are re-read every {} s)",
        flags.tls_reload_s);
  }
}

absl::Status LoadDemo(const Flags& flags, storage::EngineHost& host,
                      const CommuneTable& communes, absl::Time now) {
  TerritoryLoadOptions demo;
  demo.territory = flags.demo_territory;
  demo.professionals = flags.demo_professionals;
  demo.scale = flags.demo_scale;
  demo.days = flags.demo_days;
  demo.seed = flags.demo_seed;
  return LoadTerritory(host, communes, demo, now).status();
}

// Serves /metrics, /healthz and /readyz on --http_listen (off when empty).
absl::StatusOr<std::unique_ptr<http::HttpPort>> StartHttp(
    const Flags& flags, ServerMetrics& metrics,
    const storage::EngineHost& host) {
  if (flags.http_listen.empty()) return nullptr;
  if (!IsLoopback(flags.http_listen)) {
    spdlog::warn(
        "--http_listen {} is not loopback: /metrics names principals and "
        "counts; let only the monitoring network reach it",
        flags.http_listen);
  }
  http::HttpHandlers handlers;
  handlers.metrics = [&metrics] { return metrics.Render(); };
  handlers.ready = [&host]() -> absl::Status {
    if (absl::Status disk = host.store().health(); !disk.ok()) return disk;
    if (!host.serving()) {
      return absl::UnavailableError("loading the stored state");
    }
    return absl::OkStatus();
  };
  auto port = http::HttpPort::Start(flags.http_listen, std::move(handlers));
  if (!port.ok()) return port.status();
  spdlog::info("HTTP on {}: /metrics /healthz /readyz",
               flags.http_listen.substr(0, flags.http_listen.rfind(':') + 1) +
                   std::to_string((*port)->port()));
  if (!flags.http_port_file.empty()) {
    std::ofstream(flags.http_port_file) << (*port)->port() << "\n";
  }
  return port;
}

int Run(Flags flags) {
  absl::StatusOr<LogFormat> log_format = ParseLogFormat(flags.log_format);
  if (!log_format.ok()) {
    std::fprintf(stderr, "%s\n", log_format.status().ToString().c_str());
    return 1;
  }
  ConfigureLogging(*log_format, flags.log_level);
  if (absl::Status s = CheckTransport(flags); !s.ok()) return Fail(s);
  const std::string communes_path = FindCommunes(flags.communes);
  absl::StatusOr<std::string> communes_text = ReadFile(communes_path);
  if (!communes_text.ok()) return Fail(communes_text.status());
  absl::StatusOr<CommuneTable> communes = CommuneTable::FromCsv(*communes_text);
  if (!communes.ok()) return Fail(communes.status());
  spdlog::info("{} communes from {}", communes->size(), communes_path);
  auto principals = LoadPrincipals(flags.principals_file);
  if (!principals.ok()) return Fail(principals.status());
  Gatekeeper gate(*std::move(principals), flags.gate);

  storage::StoreOptions store_options;
  store_options.path = flags.data_dir;
  store_options.sync = !flags.no_sync;
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(store_options);
  if (!store.ok()) return Fail(store.status());

  storage::MonotonicWallClock clock;
  const auto shared_communes =
      std::make_shared<const CommuneTable>(*std::move(communes));
  storage::EngineHost host(shared_communes, store->get(), &clock,
                           HostOptionsOf(flags));
  host.set_audit_source(
      [&gate](absl::Time now) { return gate.TakeRefusals(now); });
  RpcMetrics rpc_metrics(CreneauServer::ServiceNames());
  ServerMetrics metrics(&rpc_metrics, &host, &gate);
  flags.server.metrics = &rpc_metrics;
  flags.server.call_log.slow_call = absl::Milliseconds(flags.log_slow_call_ms);
  flags.server.identity.data_dir = flags.data_dir;
  flags.server.tls_reload_interval = absl::Seconds(flags.tls_reload_s);
  absl::StatusOr<std::unique_ptr<CreneauServer>> server =
      CreneauServer::Start(flags.server, &host, &gate);
  if (!server.ok()) return Fail(server.status());
  host.set_on_unhealthy([s = server->get()] { s->SetServing(false); });
  const std::string address = absl::StrCat(
      flags.server.listen.substr(0, flags.server.listen.rfind(':')), ":",
      (*server)->port());
  spdlog::info("listening on {} (health NOT_SERVING while loading)", address);
  if ((*server)->health_port() != 0) {
    spdlog::info("gRPC health only, plaintext, on port {}",
                 (*server)->health_port());
  }
  if (!flags.port_file.empty()) {
    std::ofstream(flags.port_file) << (*server)->port() << "\n";
  }
  auto http = StartHttp(flags, metrics, host);
  if (!http.ok()) return Fail(http.status());

  absl::StatusOr<storage::LoadStats> loaded = host.Load();
  if (!loaded.ok()) return Fail(loaded.status());
  spdlog::info(
      "loaded {} territories, {} professionals, {} slots, {} holds, {} "
      "bookings from {} in {}",
      loaded->territories, loaded->professionals, loaded->slots, loaded->holds,
      loaded->bookings, flags.data_dir, absl::FormatDuration(loaded->elapsed));
  metrics.set_reload_time(loaded->elapsed);
  if (!flags.demo_territory.empty() && loaded->professionals == 0) {
    absl::Status demo = LoadDemo(flags, host, *shared_communes, clock.Now());
    if (!demo.ok()) return Fail(demo);
  }
  host.StartMaintenance();
  (*server)->SetServing(true);
  spdlog::info(
      "ready: try `creneau --server {} search --commune 17306 --profession gp`",
      address);

  const int received = WaitForStop(flags, gate);
  spdlog::info("signal {}: shutting down (grace {} s)", received,
               flags.shutdown_grace_s);
  (*server)->Shutdown(absl::Seconds(flags.shutdown_grace_s));
  http->reset();
  spdlog::info("stopped; every acknowledged write is on disk");
  return 0;
}

void AddFlags(CLI::App& app, Flags& flags) {
  app.add_option("--listen", flags.server.listen,
                 "host:port to serve on (port 0: any free)")
      ->capture_default_str();
  app.add_option("--data_dir", flags.data_dir,
                 "RocksDB data directory (created if missing)")
      ->capture_default_str();
  app.add_option("--communes", flags.communes,
                 "communes CSV (default: the shipped data)");
  app.add_option("--principals_file", flags.principals_file,
                 "principals, one \"<sha256:digest|cn:name> name role "
                 "organisation scope\" per line, mode 0600 (see `creneau "
                 "token new`); without it every caller is admin (loopback "
                 "only). SIGHUP reloads it");
  app.add_option("--tls_cert", flags.server.tls_cert_file,
                 "PEM certificate: serve TLS");
  app.add_option("--tls_key", flags.server.tls_key_file,
                 "PEM private key of --tls_cert");
  app.add_option("--tls_client_ca", flags.server.tls_client_ca_file,
                 "PEM CA: require client certificates it signed (mutual TLS)");
  app.add_option("--tls_reload_s", flags.tls_reload_s,
                 "seconds between re-reads of the TLS files")
      ->capture_default_str();
  app.add_flag("--insecure_transport_behind_mesh", flags.insecure_transport,
               "serve plaintext with principals or off loopback, because a "
               "service mesh terminates TLS in front of creneaud");
  app.add_option("--requests_per_s_per_principal", flags.gate.requests_per_s,
                 "average request rate a principal may send (0: unlimited)")
      ->capture_default_str();
  app.add_option("--burst_per_principal", flags.gate.burst,
                 "requests a principal may send at once above its rate")
      ->capture_default_str();
  app.add_option("--default_weekly_orientation_cap",
                 flags.default_weekly_orientation_cap,
                 "orientations a week for professionals without their own "
                 "cap (0: uncapped)")
      ->check(CLI::Range(0, limits::kMaxWeeklyOrientationCap))
      ->capture_default_str();
  app.add_option("--balanced_minutes_per_km", flags.ranking.minutes_per_km,
                 "balanced order: minutes of delay one km of trip is worth")
      ->check(CLI::Range(0.0, limits::kMaxMinutesPerKm))
      ->capture_default_str();
  app.add_option("--balanced_minutes_per_full_week",
                 flags.ranking.minutes_per_full_week,
                 "balanced order: minutes of delay a professional at their "
                 "weekly cap counts as (0: ignore the week's load)")
      ->check(CLI::Range(0.0, limits::kMaxMinutesPerFullWeek))
      ->capture_default_str();
  app.add_option("--availability_horizon_days", flags.availability_horizon_days,
                 "days ahead that slots generated from availability "
                 "templates are kept published")
      ->check(CLI::Range(1, limits::kMaxAvailabilityHorizonDays))
      ->capture_default_str();
  app.add_option("--max_holds_per_principal", flags.max_holds_per_principal,
                 "active holds one principal may have (admins exempt)")
      ->capture_default_str();
  app.add_option("--max_requests_remembered_per_principal",
                 flags.max_requests_remembered_per_principal,
                 "idempotency records kept for one principal (25 hours each)")
      ->capture_default_str();
  app.add_option("--max_professionals_per_organisation",
                 flags.max_professionals_per_organisation,
                 "professionals one organisation may manage")
      ->capture_default_str();
  app.add_option("--audit_retention_days", flags.audit_retention_days,
                 "days the event log (audit trail) is kept")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  app.add_option("--max_message_bytes", flags.server.max_message_bytes,
                 "largest request or response")
      ->capture_default_str();
  app.add_option("--max_concurrent_streams",
                 flags.server.max_concurrent_streams,
                 "concurrent calls per connection")
      ->capture_default_str();
  app.add_option("--max_threads", flags.server.max_threads,
                 "threads for calls, at most")
      ->capture_default_str();
  app.add_option("--port_file", flags.port_file,
                 "write the bound port to this file");
  app.add_option("--demo_territory", flags.demo_territory,
                 "on first start (empty data), generate this EPCI's "
                 "professionals and slots and define its territory, e.g. "
                 "\"CA Royan Atlantique\", or \"France\" for every commune "
                 "(national load tests)");
  app.add_option("--demo_professionals", flags.demo_professionals,
                 "professionals in the demo territory (0: national density)")
      ->capture_default_str();
  app.add_option("--demo_scale", flags.demo_scale,
                 "multiplies the national density when --demo_professionals "
                 "is 0")
      ->capture_default_str();
  app.add_option("--demo_days", flags.demo_days, "days of demo slots")
      ->capture_default_str();
  app.add_option("--demo_seed", flags.demo_seed, "seed of the demo generator")
      ->capture_default_str();
  app.add_flag(
      "--no_sync", flags.no_sync,
      "do not sync the log before acknowledging (benchmarks only: a power loss "
      "may lose acknowledged writes)");
  app.add_flag("--bench_service", flags.server.bench_service,
               "also serve creneau.bench.v1.BenchService (an empty RPC, the "
               "ceiling for load tests)");
  app.add_option("--log_level", flags.log_level,
                 "trace, debug, info, warn, error")
      ->capture_default_str();
  app.add_option("--log_format", flags.log_format,
                 "text, or json: one object per line (time, level, event, "
                 "request_id, principal, rpc, code, latency_us)")
      ->capture_default_str();
  app.add_option("--log_slow_call_ms", flags.log_slow_call_ms,
                 "calls at least this long are logged (mutations always "
                 "are)")
      ->check(CLI::Range(1, 3600 * 1000))
      ->capture_default_str();
  app.add_option("--http_listen", flags.http_listen,
                 "host:port of the HTTP side port: /metrics (Prometheus), "
                 "/healthz, /readyz; empty: off; port 0: any free")
      ->capture_default_str();
  app.add_option("--http_port_file", flags.http_port_file,
                 "write the bound HTTP port to this file");
  app.add_option("--health_listen", flags.server.health_listen,
                 "host:port of a plaintext gRPC listener with grpc.health.v1 "
                 "only, for probes that cannot speak TLS (Kubernetes); "
                 "empty: none");
  app.add_option("--shutdown_grace_s", flags.shutdown_grace_s,
                 "seconds running calls get to finish on SIGTERM")
      ->capture_default_str();
}

}  // namespace
}  // namespace creneau::server

int main(int argc, char** argv) {
  // Signals are taken synchronously by main (sigwait); block them before
  // any thread starts so that no other thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Debian builds Abseil without NDEBUG, which leaves its debugging
  // lock-order checker on: every Mutex acquisition updates a global graph
  // under a global spin lock. Lock order is a test-time concern.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  creneau::server::Flags flags;
  CLI::App app{
      "creneaud: matches patients who need unscheduled care with open slots"};
  creneau::server::AddFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  return creneau::server::Run(std::move(flags));
}
