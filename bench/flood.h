// Flood: one principal sends far more calls than its rate allows while a
// second, well-behaved one (a regulator) searches and books at a modest
// pace; the regulator's latency is measured alone first, then under the
// flood. What creneaud must show: the flooder is refused with
// RESOURCE_EXHAUSTED beyond its token bucket, the regulator is never
// refused, and its latency stays near what it was alone.
//
// The regulator runs a cycle on a fixed schedule: a search from a commune
// of the workload, a hold of the first slot of the answer within its scope,
// and a confirmation, one call after the other on the synchronous API. The
// flooder is an open loop of searches (grpc_load.h).
#ifndef CRENEAU_BENCH_FLOOD_H_
#define CRENEAU_BENCH_FLOOD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/fixtures.h"
#include "bench/load_report.h"

namespace creneau::bench {

struct FloodOptions {
  std::string server = "127.0.0.1:50051";  // Loopback only.
  std::string regulator_token;             // The well-behaved principal.
  std::string flooder_token;               // The abusive one.
  // Regulator cycles (search, hold, confirm) started per second.
  double regulator_cycles_per_s = 10;
  // Flooder searches sent per second, whatever the answers.
  double flood_rate_per_s = 5000;
  int flood_channels = 4;
  // The regulator alone, then under the flood, each this long.
  absl::Duration phase = absl::Seconds(10);
  uint64_t seed = 1;
};

// What one phase of the regulator measured.
struct RegulatorPhase {
  LoadReport calls;           // Every call: searches, holds, confirms.
  LatencyHistogram searches;  // Searches only (no disk write).
  int64_t bookings = 0;
};

struct FloodReport {
  RegulatorPhase alone;
  RegulatorPhase flooded;
  LoadReport flooder;

  // The regulator's p99 under the flood over its p99 alone: of every call,
  // and of searches only.
  double p99_ratio() const;
  double search_p99_ratio() const;
  std::string Text() const;
  std::string Json() const;
};

// Runs both phases. INVALID_ARGUMENT for bad options (a non-loopback server
// among them), UNAVAILABLE when the regulator's first call fails.
absl::StatusOr<FloodReport> RunFlood(const FloodOptions& options,
                                     const Workload& workload);

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_FLOOD_H_
