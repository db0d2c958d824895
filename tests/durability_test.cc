// Durability under power loss, disk faults and seeded simulation: engine +
// storage through EngineHost on FaultInjectionFs (see
// tests/durability/simulation.h for what is checked).
//
//   durability_test --gtest_filter='Simulation.*' --seeds=10000
//   durability_test --first_seed=1234 --seeds=1     # replay one seed
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/durability/simulation.h"

namespace creneau::testing {
namespace {

uint64_t g_first_seed = 1;
int g_seeds = 0;  // 0: each test's default.

struct Totals {
  SimulationStats sum;
  int seeds = 0;
  int64_t min_acknowledged = INT64_MAX;  // Over seeds.
};

// Every seed must acknowledge at least this many commands, so that a run
// where the store refused everything (or the driver did nothing) cannot pass
// for a check of durability.
constexpr int64_t kMinAcknowledgedPerSeed = 20;

Totals RunSeeds(int default_seeds, SimulationOptions options) {
  TempDir dir;
  Totals totals;
  const int seeds = g_seeds > 0 ? g_seeds : default_seeds;
  std::printf("seeds %llu..%llu\n",
              static_cast<unsigned long long>(g_first_seed),
              static_cast<unsigned long long>(g_first_seed + seeds - 1));
  for (int i = 0; i < seeds; ++i) {
    options.seed = g_first_seed + i;
    absl::StatusOr<SimulationStats> stats =
        RunSimulation(options, dir.path() + "/db");
    if (!stats.ok()) {
      ADD_FAILURE() << stats.status()
                    << "\nreplay: durability_test --first_seed=" << options.seed
                    << " --seeds=1 --gtest_filter="
                    << ::testing::UnitTest::GetInstance()
                           ->current_test_info()
                           ->test_suite_name()
                    << ".*";
      break;
    }
    totals.sum.commands += stats->commands;
    totals.sum.acknowledged += stats->acknowledged;
    totals.sum.power_cuts += stats->power_cuts;
    totals.sum.disk_faults += stats->disk_faults;
    totals.sum.restarts += stats->restarts;
    totals.sum.bookings_checked += stats->bookings_checked;
    totals.sum.holds_checked += stats->holds_checked;
    totals.sum.releases_checked += stats->releases_checked;
    totals.sum.withdrawals_checked += stats->withdrawals_checked;
    totals.sum.bytes_dropped += stats->bytes_dropped;
    totals.min_acknowledged =
        std::min(totals.min_acknowledged, stats->acknowledged);
    EXPECT_GE(stats->acknowledged, kMinAcknowledgedPerSeed)
        << "seed " << options.seed << " acknowledged too little";
    ++totals.seeds;
  }
  // A run that failed before its first seed acknowledged nothing.
  if (totals.seeds == 0) totals.min_acknowledged = 0;
  EXPECT_GT(totals.seeds, 0) << "no seed ran to its end";
  std::printf(
      "%d seeds: %lld commands (%lld acknowledged, at least %lld per seed), "
      "%lld power cuts (%llu unsynced bytes dropped), %lld failed disks, "
      "%lld restarts; checks of %lld bookings, %lld holds, %lld releases, "
      "%lld withdrawals: nothing lost, nothing doubled, nothing revived\n",
      totals.seeds, static_cast<long long>(totals.sum.commands),
      static_cast<long long>(totals.sum.acknowledged),
      static_cast<long long>(totals.min_acknowledged),
      static_cast<long long>(totals.sum.power_cuts),
      static_cast<unsigned long long>(totals.sum.bytes_dropped),
      static_cast<long long>(totals.sum.disk_faults),
      static_cast<long long>(totals.sum.restarts),
      static_cast<long long>(totals.sum.bookings_checked),
      static_cast<long long>(totals.sum.holds_checked),
      static_cast<long long>(totals.sum.releases_checked),
      static_cast<long long>(totals.sum.withdrawals_checked));
  // Each kind of acknowledged change was checked after restarts.
  EXPECT_GT(totals.sum.bookings_checked, totals.seeds);
  EXPECT_GT(totals.sum.holds_checked, totals.seeds / 4);
  EXPECT_GT(totals.sum.releases_checked, 0);
  EXPECT_GT(totals.sum.withdrawals_checked, 0);
  return totals;
}

TEST(PowerLoss, AcknowledgedWritesSurviveRandomPowerCuts) {
  SimulationOptions options;
  options.waves = 60;
  options.power_cut_p = 0.5;
  options.disk_fault_p = 0;
  const Totals totals = RunSeeds(100, options);
  EXPECT_GT(totals.sum.power_cuts, totals.seeds * 10);
  EXPECT_GT(totals.sum.bytes_dropped, 0u) << "no power cut ever lost data";
}

TEST(DiskFaults, FailingDiskStopsAcknowledgingAndLosesNothing) {
  SimulationOptions options;
  options.waves = 40;
  options.power_cut_p = 0;
  options.disk_fault_p = 0.5;
  const Totals totals = RunSeeds(100, options);
  EXPECT_GT(totals.sum.disk_faults, totals.seeds * 3);
}

TEST(Simulation, SeededRunsWithCrashesAndFaults) {
  SimulationOptions options;
  options.waves = 25;
  const Totals totals = RunSeeds(300, options);
  EXPECT_GT(totals.sum.acknowledged, 0);
}

}  // namespace
}  // namespace creneau::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Sanitizer builds run fewer seeds (tests/sanitize.sh sets it).
  if (const char* env = std::getenv("CRENEAU_SIM_SEEDS")) {
    (void)absl::SimpleAtoi(env, &creneau::testing::g_seeds);
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--seeds=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(8), &creneau::testing::g_seeds)) {
      continue;
    }
    if (arg.rfind("--first_seed=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(13), &creneau::testing::g_first_seed)) {
      continue;
    }
    std::fprintf(stderr, "unknown flag %s (--seeds=N, --first_seed=N)\n",
                 arg.c_str());
    return 2;
  }
  return RUN_ALL_TESTS();
}
