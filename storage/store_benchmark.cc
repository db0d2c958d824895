// Micro-benchmarks of the store: durable group commit (hold + confirm
// bookings through EngineHost, log synced) and start-up reload per slot, on
// the engine's synthetic national data set (engine/testing/fixtures.h).
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "benchmark/benchmark.h"
#include "engine/check.h"
#include "engine/limits.h"
#include "engine/testing/fixtures.h"
#include "engine/testing/workload.h"
#include "storage/clock.h"
#include "storage/engine_host.h"
#include "storage/store.h"
#include "storage/testing/booking_driver.h"

namespace creneau::storage {
namespace {

// The store at `dir` (created if missing) and its engine, loaded.
// Uncapped: the booking figures count bookings, not refusals by the weekly
// cap (whose bookkeeping still runs on every hold).
struct LoadedHost {
  explicit LoadedHost(const std::string& dir) {
    StoreOptions options;
    options.path = dir;
    auto opened = Store::Open(options);
    CRENEAU_CHECK(opened.ok());
    store = *std::move(opened);
    HostOptions host_options;
    host_options.engine.default_weekly_orientation_cap = 0;
    host = std::make_unique<EngineHost>(::creneau::testing::ShippedCommunes(),
                                        store.get(), &clock, host_options);
    CRENEAU_CHECK(host->Load().ok());
  }
  std::unique_ptr<Store> store;
  MonotonicWallClock clock;
  std::unique_ptr<EngineHost> host;
};

std::string ScratchDir(const std::string& name) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("creneau-bench-" + name))
          .string();
  std::filesystem::remove_all(dir);
  return dir;
}

// Applies one batch through the host and waits until it is durable.
template <typename T>
void Apply(
    EngineHost& host,
    absl::FunctionRef<absl::StatusOr<T>(Engine&, absl::Time, Effects*)> apply) {
  absl::Notification done;
  host.Mutate<T>(apply, [&](absl::StatusOr<T> result) {
    CRENEAU_CHECK(result.ok());
    done.Notify();
  });
  done.WaitForNotification();
}

// The fixture of `slots` slots, shifted to start an hour from now (a slot
// must start after its publication).
::creneau::testing::SyntheticData FixtureFromNow(size_t slots) {
  ::creneau::testing::SyntheticData data =
      ::creneau::testing::SyntheticFranceOf(slots);
  const int64_t shift = absl::ToUnixSeconds(absl::Now() + absl::Hours(1)) -
                        absl::ToUnixSeconds(::creneau::testing::FixtureStart());
  for (Slot& s : data.slots) s.start_unix_s += shift;
  return data;
}

// Publishes the fixture of `slots` slots into a fresh store at `dir`,
// batch by batch as a feed would.
void Populate(const std::string& dir, size_t slots) {
  LoadedHost loaded(dir);
  EngineHost& host = *loaded.host;
  const ::creneau::testing::SyntheticData data = FixtureFromNow(slots);
  const Caller& feed = ::creneau::testing::BenchRegulator();
  const size_t batch = limits::kMaxBatchSize;
  for (size_t i = 0; i < data.professionals.size(); i += batch) {
    const std::vector<Professional> part(
        data.professionals.begin() + i,
        data.professionals.begin() +
            std::min(i + batch, data.professionals.size()));
    Apply<BatchCounts>(host, [&](Engine& e, absl::Time now, Effects* fx) {
      return e.UpsertProfessionals(feed, {}, part, now, fx);
    });
  }
  for (size_t i = 0; i < data.slots.size(); i += batch) {
    const std::vector<Slot> part(
        data.slots.begin() + i,
        data.slots.begin() + std::min(i + batch, data.slots.size()));
    Apply<BatchCounts>(host, [&](Engine& e, absl::Time now, Effects* fx) {
      return e.PublishSlots(feed, {}, part, now, fx);
    });
  }
}

// Items: slots reloaded. Report s per million slots = 1e6 / items_per_second.
void BM_StoreReload(benchmark::State& state) {
  const std::string dir = ScratchDir("reload");
  Populate(dir, state.range(0));
  size_t loaded_slots = 0;
  for (auto _ : state) {
    StoreOptions options;
    options.path = dir;
    auto store = Store::Open(options);
    CRENEAU_CHECK(store.ok());
    Engine engine(::creneau::testing::ShippedCommunes());
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
  LoadedHost loaded(dir);
  EngineHost& host = *loaded.host;
  std::vector<std::string> ids;
  for (const Slot& s : ::creneau::testing::SyntheticFranceOf(100'000).slots) {
    if (s.visibility != Visibility::kCptsMembers) ids.push_back(s.id);
  }
  int64_t bookings = 0;
  for (auto _ : state) {
    testing::BookingDriverOptions driver;
    driver.clients = static_cast<int>(state.range(0));
    driver.duration = absl::Milliseconds(200);
    const testing::BookingRun run =
        testing::RunDurableBookings(host, ids, driver);
    if (run.errors != 0)
      std::fprintf(stderr, "%s\n", run.first_error.ToString().c_str());
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
}  // namespace creneau::storage

BENCHMARK_MAIN();
