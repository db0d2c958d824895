// LoadReport: what one load run measured, as text and as JSON.
#ifndef CRENEAU_BENCH_LOAD_REPORT_H_
#define CRENEAU_BENCH_LOAD_REPORT_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "bench/histogram.h"

namespace creneau::bench {

struct LoadReport {
  std::string target;             // "creneaud", "empty-rpc", "postgis".
  std::string call;               // "search", "empty", "mix", "book".
  std::string mode;               // "closed" or "open".
  int concurrency = 0;            // Closed loop: callers; open: connections.
  double offered_rate_per_s = 0;  // Open loop only.
  absl::Duration elapsed;
  int64_t ok = 0;
  int64_t refused = 0;    // Expected refusals (a slot taken meanwhile).
  int64_t exhausted = 0;  // RESOURCE_EXHAUSTED: a limit (rate, holds).
  int64_t errors = 0;     // Anything else.
  std::string first_error;
  std::map<std::string, int64_t> calls;     // By call name.
  std::map<std::string, int64_t> ok_calls;  // Of them, answered OK.
  // Open loop: from the intended start (coordinated omission corrected);
  // closed loop: from the actual start.
  LatencyHistogram latency;
  // Change-feed readers running beside the load (WatcherPool), and what
  // they received: objects, streams ended for falling behind (resumed).
  int watchers = 0;
  int64_t watch_objects = 0;
  int64_t watch_ended_behind = 0;
  int64_t watch_errors = 0;

  double qps() const {
    return (ok + refused) / std::max(absl::ToDoubleSeconds(elapsed), 1e-9);
  }
  std::string Text() const;
  std::string Json() const;
};

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_LOAD_REPORT_H_
