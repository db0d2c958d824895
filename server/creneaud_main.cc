// creneaud: the creneau server. Wires the parts together: flags, commune
// data, store, engine host, gRPC server, optional demo territory, signals.
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
#include "server/server.h"
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
  std::string tokens_file;
  std::string port_file;
  std::string demo_territory;
  int demo_professionals = 0;
  double demo_scale = 1.0;
  int demo_days = 14;
  uint64_t demo_seed = 1;
  bool no_sync = false;
  std::string log_level = "info";
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
std::string FindCommunes(const std::string& flag, const char* argv0) {
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

int Run(const Flags& flags, const char* argv0) {
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  const std::string communes_path = FindCommunes(flags.communes, argv0);
  absl::StatusOr<std::string> communes_text = ReadFile(communes_path);
  if (!communes_text.ok()) return Fail(communes_text.status());
  absl::StatusOr<CommuneTable> communes = CommuneTable::FromCsv(*communes_text);
  if (!communes.ok()) return Fail(communes.status());
  spdlog::info("{} communes from {}", communes->size(), communes_path);

  Authenticator authenticator;
  if (!flags.tokens_file.empty()) {
    absl::StatusOr<std::string> tokens = ReadFile(flags.tokens_file);
    if (!tokens.ok()) return Fail(tokens.status());
    absl::StatusOr<Authenticator> parsed =
        Authenticator::FromTokensFile(*tokens);
    if (!parsed.ok()) return Fail(parsed.status());
    authenticator = *std::move(parsed);
    spdlog::info("{} principal(s) from {}", authenticator.size(),
                 flags.tokens_file);
  } else if (!IsLoopback(flags.server.listen)) {
    return Fail(absl::FailedPreconditionError(
        "--listen is not a loopback address: give --auth_tokens_file (open "
        "mode is for "
        "loopback only)"));
  }

  storage::StoreOptions store_options;
  store_options.path = flags.data_dir;
  store_options.sync = !flags.no_sync;
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(store_options);
  if (!store.ok()) return Fail(store.status());

  storage::MonotonicWallClock clock;
  const auto shared_communes =
      std::make_shared<const CommuneTable>(*std::move(communes));
  storage::EngineHost host(shared_communes, store->get(), &clock);
  absl::StatusOr<std::unique_ptr<CreneauServer>> server =
      CreneauServer::Start(flags.server, &host, &authenticator);
  if (!server.ok()) return Fail(server.status());
  host.set_on_unhealthy([s = server->get()] { s->SetServing(false); });
  const std::string address = absl::StrCat(
      flags.server.listen.substr(0, flags.server.listen.rfind(':')), ":",
      (*server)->port());
  spdlog::info("listening on {} (health NOT_SERVING while loading)", address);
  if (!flags.port_file.empty()) {
    std::ofstream(flags.port_file) << (*server)->port() << "\n";
  }

  absl::StatusOr<storage::LoadStats> loaded = host.Load();
  if (!loaded.ok()) return Fail(loaded.status());
  spdlog::info(
      "loaded {} professionals, {} slots, {} holds, {} bookings from {} in {}",
      loaded->professionals, loaded->slots, loaded->holds, loaded->bookings,
      flags.data_dir, absl::FormatDuration(loaded->elapsed));
  if (!flags.demo_territory.empty() && loaded->professionals == 0) {
    TerritoryLoadOptions demo;
    demo.territory = flags.demo_territory;
    demo.professionals = flags.demo_professionals;
    demo.scale = flags.demo_scale;
    demo.days = flags.demo_days;
    demo.seed = flags.demo_seed;
    absl::StatusOr<TerritoryLoadStats> loaded_demo =
        LoadTerritory(host, *shared_communes, demo, clock.Now());
    if (!loaded_demo.ok()) return Fail(loaded_demo.status());
  }
  host.StartMaintenance();
  (*server)->SetServing(true);
  spdlog::info(
      "ready: try `creneau --server {} search --commune 17306 --profession gp`",
      address);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("signal {}: shutting down (grace {} s)", received,
               flags.shutdown_grace_s);
  (*server)->Shutdown(absl::Seconds(flags.shutdown_grace_s));
  spdlog::info("stopped; every acknowledged write is on disk");
  return 0;
}

}  // namespace
}  // namespace creneau::server

int main(int argc, char** argv) {
  // Termination signals are taken synchronously by main (sigwait); block
  // them before any thread starts so that no other thread receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Debian builds Abseil without NDEBUG, which leaves its debugging
  // lock-order checker on: every Mutex acquisition updates a global graph
  // under a global spin lock. Lock order is a test-time concern.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  creneau::server::Flags flags;
  CLI::App app{
      "creneaud: matches patients who need unscheduled care with open slots"};
  app.add_option("--listen", flags.server.listen,
                 "host:port to serve on (port 0: any free)")
      ->capture_default_str();
  app.add_option("--data_dir", flags.data_dir,
                 "RocksDB data directory (created if missing)")
      ->capture_default_str();
  app.add_option("--communes", flags.communes,
                 "communes CSV (default: the shipped data)");
  app.add_option("--auth_tokens_file", flags.tokens_file,
                 "bearer tokens, one \"token name role [cpts_id]\" per line; "
                 "without it every "
                 "caller is admin (loopback only)");
  app.add_option("--tls_cert", flags.server.tls_cert_file,
                 "PEM certificate: serve TLS");
  app.add_option("--tls_key", flags.server.tls_key_file,
                 "PEM private key of --tls_cert");
  app.add_option("--tls_client_ca", flags.server.tls_client_ca_file,
                 "PEM CA: require client certificates it signed (mutual TLS)");
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
                 "professionals and slots, "
                 "e.g. \"CA Royan Atlantique\", or \"France\" for every "
                 "commune (national load tests)");
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
  app.add_option("--shutdown_grace_s", flags.shutdown_grace_s,
                 "seconds running calls get to finish on SIGTERM")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return creneau::server::Run(flags, argv[0]);
}
