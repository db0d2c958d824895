// creneau-bench: the in-process figures of bench/run_all.sh on one synthetic
// data set: engine index build, memory per slot, search and hold + confirm
// latency, durable publish and booking throughput (engine + RocksDB, group
// commit, synced log), and start-up reload. Prints progress on stderr and
// one flat JSON object on stdout (or --json_out).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "bench/engine_figures.h"
#include "bench/fixtures.h"
#include "server/territory_loader.h"
#include "spdlog/spdlog.h"
#include "storage/clock.h"
#include "storage/engine_host.h"
#include "storage/store.h"
#include "storage/testing/booking_driver.h"

namespace creneau::bench {
namespace {

struct Flags {
  std::string communes = CRENEAU_SOURCE_DATA_DIR "/communes.csv";
  std::string territory = server::kNationalTerritory;
  double scale = 1.0;
  int days = 14;
  uint64_t seed = 1;
  int searches = 200000;
  int bookings = 100000;
  double durable_s = 10;
  int clients = 2048;
  std::string data_dir = "bench/results/tmp/creneau-bench-data";
  bool skip_durable = false;
  std::string json_out;
};

[[noreturn]] void Die(const absl::Status& status) {
  std::fprintf(stderr, "creneau-bench: %s\n", status.ToString().c_str());
  std::exit(1);
}

std::shared_ptr<const CommuneTable> LoadCommunes(const std::string& path) {
  auto table = LoadCommuneFile(path);
  if (!table.ok()) Die(table.status());
  return *std::move(table);
}

// The slots a SAS regulator may book.
std::vector<std::string> SlotIds(
    const territory::SyntheticTerritory& territory) {
  std::vector<std::string> ids;
  ids.reserve(territory.slots.size());
  for (const Slot& s : territory.slots) {
    if (BenchRegulator().visibilities & Bit(s.visibility)) ids.push_back(s.id);
  }
  return ids;
}

// Durable figures: publish through the store, book, then reload.
void MeasureDurable(const Flags& flags,
                    std::shared_ptr<const CommuneTable> communes,
                    const territory::SyntheticTerritory& territory,
                    std::vector<std::pair<std::string, double>>* out) {
  std::filesystem::remove_all(flags.data_dir);
  std::filesystem::create_directories(flags.data_dir);
  {
    storage::StoreOptions options;
    options.path = flags.data_dir;
    auto store = storage::Store::Open(options);
    if (!store.ok()) Die(store.status());
    storage::MonotonicWallClock clock;
    // Uncapped: the booking figures count bookings, not refusals by the
    // weekly cap (whose bookkeeping still runs on every hold).
    storage::HostOptions host_options;
    host_options.engine.default_weekly_orientation_cap = 0;
    storage::EngineHost host(communes, store->get(), &clock, host_options);
    if (auto loaded = host.Load(); !loaded.ok()) Die(loaded.status());
    server::TerritoryLoadOptions load;
    load.territory = flags.territory;
    auto published = server::PublishTerritory(host, territory, load);
    if (!published.ok()) Die(published.status());
    out->emplace_back(
        "durable_publish_slots_per_s",
        published->slots / absl::ToDoubleSeconds(published->publish));
    const auto before = (*store)->stats();
    storage::testing::BookingDriverOptions driver;
    driver.clients = flags.clients;
    driver.duration = absl::Seconds(flags.durable_s);
    driver.seed = flags.seed;
    const storage::testing::BookingRun run =
        storage::testing::RunDurableBookings(host, SlotIds(territory), driver);
    const auto after = (*store)->stats();
    const double groups = after.groups - before.groups;
    std::fprintf(stderr,
                 "durable bookings: %lld in %.1f s = %.0f/s (%lld full slots "
                 "redrawn, %lld errors, %.0f commits per log sync)\n",
                 static_cast<long long>(run.bookings),
                 absl::ToDoubleSeconds(run.elapsed), run.bookings_per_s(),
                 static_cast<long long>(run.refused_holds),
                 static_cast<long long>(run.errors),
                 (after.commits - before.commits) / std::max(groups, 1.0));
    if (run.errors != 0) Die(run.first_error);
    out->emplace_back("durable_bookings_per_s", run.bookings_per_s());
    out->emplace_back("durable_commits_per_sync",
                      (after.commits - before.commits) / std::max(groups, 1.0));
  }
  // Start-up as creneaud does it after a clean stop: open the database
  // (the store above flushed its memtables when it closed), then read every
  // record into an empty engine.
  const absl::Time start = absl::Now();
  storage::StoreOptions options;
  options.path = flags.data_dir;
  auto store = storage::Store::Open(options);
  if (!store.ok()) Die(store.status());
  const double open_s = absl::ToDoubleSeconds(absl::Now() - start);
  Engine engine(communes);
  auto loaded = (*store)->LoadInto(&engine);
  if (!loaded.ok()) Die(loaded.status());
  const double reload_s = absl::ToDoubleSeconds(absl::Now() - start);
  std::fprintf(stderr,
               "reload: %zu slots, %zu bookings in %.2f s (database open "
               "%.2f s, records read into the engine %.2f s)\n",
               loaded->slots, loaded->bookings, reload_s, open_s,
               absl::ToDoubleSeconds(loaded->elapsed));
  out->emplace_back("reload_s", reload_s);
  out->emplace_back("reload_open_s", open_s);
  out->emplace_back("reload_s_per_million_slots",
                    reload_s / std::max<double>(loaded->slots, 1) * 1e6);
}

int Run(const Flags& flags) {
  spdlog::set_level(spdlog::level::warn);
  auto communes = LoadCommunes(flags.communes);
  // Slots start an hour from now or later, so that the durable phase, a few
  // minutes on, can still publish every one of them. The days count from
  // today, as in creneaud's demo and creneau-load's PostgreSQL copy: the
  // same data set but for the next hour's slots.
  const absl::Time now = absl::Now();
  server::TerritoryLoadOptions load;
  load.territory = flags.territory;
  load.scale = flags.scale;
  load.days = flags.days;
  load.seed = flags.seed;
  load.lead = absl::Hours(1);
  size_t communes_used = 0;
  const absl::Time generate_start = absl::Now();
  auto territory =
      server::GenerateNamedTerritory(*communes, load, now, &communes_used);
  if (!territory.ok()) Die(territory.status());
  std::fprintf(stderr,
               "data set: %s, %zu communes, %zu professionals, %zu slots over "
               "%d days (generated in %s)\n",
               flags.territory.c_str(), communes_used,
               territory->professionals.size(), territory->slots.size(),
               flags.days,
               absl::FormatDuration(absl::Now() - generate_start).c_str());

  std::vector<std::pair<std::string, double>> figures;
  figures.emplace_back("slots", territory->slots.size());
  figures.emplace_back("professionals", territory->professionals.size());
  const Workload workload(*communes,
                          flags.territory == server::kNationalTerritory
                              ? std::vector<const Commune*>()
                              : communes->CommunesOfEpci(flags.territory));
  EngineFiguresOptions engine_options;
  engine_options.searches = flags.searches;
  engine_options.bookings = flags.bookings;
  engine_options.seed = flags.seed;
  {
    const EngineFigures e =
        MeasureEngine(communes, *territory, workload, now, engine_options);
    figures.emplace_back("index_build_slots_per_s", e.index_build_slots_per_s);
    figures.emplace_back("bytes_per_slot", e.bytes_per_slot);
    figures.emplace_back("engine_search_p50_us",
                         e.search.PercentileNs(50) / 1e3);
    figures.emplace_back("engine_search_p90_us",
                         e.search.PercentileNs(90) / 1e3);
    figures.emplace_back("engine_search_p99_us",
                         e.search.PercentileNs(99) / 1e3);
    figures.emplace_back("engine_search_p999_us",
                         e.search.PercentileNs(99.9) / 1e3);
    figures.emplace_back("engine_search_mean_hits", e.search_mean_hits);
    figures.emplace_back("engine_search_empty_fraction",
                         e.search_empty_fraction);
    figures.emplace_back("engine_hold_confirm_p50_us",
                         e.hold_confirm.PercentileNs(50) / 1e3);
    figures.emplace_back("engine_hold_confirm_p99_us",
                         e.hold_confirm.PercentileNs(99) / 1e3);
  }
  if (!flags.skip_durable) {
    MeasureDurable(flags, communes, *territory, &figures);
  }
  std::vector<std::string> fields;
  for (const auto& [key, value] : figures) {
    fields.push_back(absl::StrCat("\"", key, "\": ", JsonNumber(value)));
  }
  const std::string json =
      absl::StrCat("{", absl::StrJoin(fields, ", "), "}\n");
  if (flags.json_out.empty()) {
    std::fputs(json.c_str(), stdout);
  } else {
    std::ofstream(flags.json_out) << json;
  }
  return 0;
}

}  // namespace
}  // namespace creneau::bench

int main(int argc, char** argv) {
  // As in creneaud: Debian's Abseil leaves its debugging lock-order checker
  // on (a global graph updated on every Mutex acquisition); off here.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  creneau::bench::Flags flags;
  CLI::App app{"creneau-bench: in-process engine and storage figures"};
  app.add_option("--communes", flags.communes, "communes CSV")
      ->capture_default_str();
  app.add_option("--territory", flags.territory,
                 "EPCI name, or France for every commune")
      ->capture_default_str();
  app.add_option("--scale", flags.scale, "multiplies the national density")
      ->capture_default_str();
  app.add_option("--days", flags.days, "days of slots")->capture_default_str();
  app.add_option("--seed", flags.seed, "generator and workload seed")
      ->capture_default_str();
  app.add_option("--searches", flags.searches, "timed engine searches")
      ->capture_default_str();
  app.add_option("--bookings", flags.bookings, "timed engine hold + confirm")
      ->capture_default_str();
  app.add_option("--durable_s", flags.durable_s,
                 "seconds of durable booking load")
      ->capture_default_str();
  app.add_option("--clients", flags.clients, "durable bookings in flight")
      ->capture_default_str();
  app.add_option("--data_dir", flags.data_dir,
                 "scratch RocksDB directory (emptied first)")
      ->capture_default_str();
  app.add_flag("--skip_durable", flags.skip_durable,
               "engine figures only (no storage)");
  app.add_option("--json_out", flags.json_out, "write the JSON here");
  CLI11_PARSE(app, argc, argv);
  return creneau::bench::Run(flags);
}
