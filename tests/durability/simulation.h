// Simulation: a seeded, replayable run of engine + storage through
// EngineHost, on FaultInjectionFs, with power cuts and disk faults, checked
// after every restart against what was acknowledged.
//
// One seed decides everything the driver does: the territory, each wave of
// commands (hold, confirm, release, cancel, publish, withdraw), when the
// clock moves, where the power is cut and which waves get disk faults. The
// only thing it does not decide is how the store's writer thread groups
// commits, which changes what an in-flight command's fate is, never what
// the checks accept. A failure message names the seed and the wave.
//
// Checked after every restart (and at the end):
// - every acknowledged booking is there, on its slot, booked, or cancelled
//   when its cancellation was acknowledged;
// - every acknowledged slot is there; a publish that was not acknowledged
//   is there entirely or not at all;
// - no slot holds more places than its capacity plus overbooking places,
//   and it holds at least its acknowledged bookings, and no more than those
//   plus the bookings whose confirmation was in flight at a crash;
// - every acknowledged hold not yet confirmed or released is active while
//   its expiry is ahead, and holds its place; expired once it has passed;
// - every acknowledged release stays released, every acknowledged
//   withdrawal stays withdrawn;
// - in a wave without a power cut or disk fault, no command is refused
//   with UNAVAILABLE;
// - after a disk fault the host stops acknowledging writes (UNAVAILABLE),
//   says it is not serving, and still answers searches.
#ifndef CRENEAU_TESTS_DURABILITY_SIMULATION_H_
#define CRENEAU_TESTS_DURABILITY_SIMULATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace creneau::testing {

struct SimulationOptions {
  uint64_t seed = 1;
  int waves = 40;              // Rounds of commands.
  int max_wave_size = 48;      // Commands submitted together in a round.
  int slots = 40;              // Hot slots published at the start.
  double power_cut_p = 0.15;   // Chance a wave ends in a power cut.
  double disk_fault_p = 0.05;  // Chance a wave runs on a failing disk.
};

struct SimulationStats {
  int64_t commands = 0;
  int64_t acknowledged = 0;
  int64_t power_cuts = 0;
  int64_t disk_faults = 0;  // Waves where the store failed.
  int64_t restarts = 0;
  int64_t bookings_checked = 0;  // Booking checks summed over restarts.
  int64_t holds_checked = 0;     // Acknowledged holds checked, summed.
  int64_t releases_checked = 0;  // Acknowledged releases checked, summed.
  int64_t withdrawals_checked = 0;
  uint64_t bytes_dropped = 0;  // Unsynced bytes lost to power cuts.
};

// Runs one seed in `dir` (created, and emptied first). INTERNAL names the
// violated property, the seed and the wave.
absl::StatusOr<SimulationStats> RunSimulation(const SimulationOptions& options,
                                              const std::string& dir);

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_DURABILITY_SIMULATION_H_
