// Micro-benchmarks of the store: durable group commit (hold + confirm
// bookings through EngineHost, log synced) and start-up reload per slot.
#include <filesystem>
#include <string>
#include <vector>

#include "bench/booking_driver.h"
#include "bench/fixtures.h"
#include "benchmark/benchmark.h"
#include "engine/check.h"
#include "server/clock.h"
#include "server/engine_host.h"
#include "server/territory_loader.h"
#include "storage/store.h"

namespace creneau {
namespace {

std::string ScratchDir(const std::string& name) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("creneau-bench-" + name))
          .string();
  std::filesystem::remove_all(dir);
  return dir;
}

// Publishes the fixture of `slots` slots into a fresh store at `dir`.
void Populate(const std::string& dir, size_t slots) {
  storage::StoreOptions options;
  options.path = dir;
  auto store = storage::Store::Open(options);
  CRENEAU_CHECK(store.ok());
  server::MonotonicWallClock clock;
  server::EngineHost host(bench::ShippedCommunes(), store->get(), &clock);
  CRENEAU_CHECK(host.Load().ok());
  tools::Territory territory = bench::NationalTerritory(slots);
  // Published now, so the slots must start after now.
  const int64_t shift = absl::ToUnixSeconds(absl::Now() + absl::Hours(1)) -
                        absl::ToUnixSeconds(bench::FixtureStart());
  for (Slot& s : territory.slots) s.start_unix_s += shift;
  CRENEAU_CHECK(server::PublishTerritory(host, territory, {}).ok());
}

// Items: slots reloaded. Report s per million slots = 1e6 / items_per_second.
void BM_StoreReload(benchmark::State& state) {
  const std::string dir = ScratchDir("reload");
  Populate(dir, state.range(0));
  size_t loaded_slots = 0;
  for (auto _ : state) {
    storage::StoreOptions options;
    options.path = dir;
    auto store = storage::Store::Open(options);
    CRENEAU_CHECK(store.ok());
    Engine engine(bench::ShippedCommunes());
    auto loaded = (*store)->LoadInto(&engine);
    CRENEAU_CHECK(loaded.ok());
    loaded_slots = loaded->slots;
  }
  state.SetItemsProcessed(state.iterations() * loaded_slots);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreReload)
    ->ArgName("slots")
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond);

// Items: durable bookings (hold + confirm, each acknowledged after sync).
void BM_StoreDurableBookings(benchmark::State& state) {
  const std::string dir = ScratchDir("bookings");
  Populate(dir, 100'000);
  storage::StoreOptions options;
  options.path = dir;
  auto store = storage::Store::Open(options);
  CRENEAU_CHECK(store.ok());
  server::MonotonicWallClock clock;
  server::EngineHost host(bench::ShippedCommunes(), store->get(), &clock);
  CRENEAU_CHECK(host.Load().ok());
  std::vector<std::string> ids;
  for (const Slot& s : bench::NationalTerritory(100'000).slots) {
    if (s.visibility != Visibility::kCptsMembers) ids.push_back(s.id);
  }
  int64_t bookings = 0;
  for (auto _ : state) {
    bench::BookingDriverOptions driver;
    driver.clients = static_cast<int>(state.range(0));
    driver.duration = absl::Milliseconds(200);
    const bench::BookingRun run = bench::RunDurableBookings(host, ids, driver);
    CRENEAU_CHECK(run.errors == 0);
    bookings += run.bookings;
  }
  state.SetItemsProcessed(bookings);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreDurableBookings)
    ->ArgName("in_flight")
    ->Arg(64)
    ->Arg(2048)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace creneau

BENCHMARK_MAIN();
