// gRPC load against creneaud (SearchSlots, or the SAS call mix) or against
// its empty-RPC ceiling (creneau.bench.v1.BenchService/Empty), with the
// callback API so that thousands of calls can be in flight from two cores.
//
// Closed loop: `concurrency` callers, each sending its next call when the
// previous one answers. Open loop: calls start on a fixed schedule of
// `rate_per_s`, whatever the answers, and latency counts from the
// scheduled start, so a server falling behind shows as queueing instead of
// being hidden (coordinated omission).
#ifndef CRENEAU_BENCH_GRPC_LOAD_H_
#define CRENEAU_BENCH_GRPC_LOAD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/fixtures.h"
#include "bench/load_report.h"

namespace creneau::bench {

struct GrpcLoadOptions {
  std::string server = "127.0.0.1:50051";  // Loopback only.
  std::string token;                       // Bearer token, if any.
  // "search", "empty", or "mix" (80 % search, 10 % hold, 8 % confirm, 2 %
  // release; closed loop only).
  std::string call = "search";
  bool open_loop = false;
  int concurrency = 64;   // Closed loop.
  double rate_per_s = 0;  // Open loop.
  int channels = 4;       // TCP connections.
  absl::Duration duration = absl::Seconds(10);
  // Load sent first and not measured: connections set up, server and client
  // threads started, allocator caches filled. Without it an open-loop run
  // counts the start-up stall (about 150 ms of queued calls) in its p99.
  absl::Duration warmup = absl::Seconds(1);
  // Open loop: calls allowed in flight; beyond it the schedule waits (and
  // the wait shows in the latency).
  int max_in_flight = 20000;
  uint64_t seed = 1;
};

// Runs the load and reports. INVALID_ARGUMENT for bad options (a
// non-loopback server among them), UNAVAILABLE when the server does not
// answer a first call.
absl::StatusOr<LoadReport> RunGrpcLoad(const GrpcLoadOptions& options,
                                       const Workload& workload);

// Whether `address` is host:port on 127.0.0.0/8, [::1] or localhost.
bool IsLoopbackAddress(const std::string& address);

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_GRPC_LOAD_H_
