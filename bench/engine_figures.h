// In-process figures of the engine alone (no storage, no RPC): how fast it
// builds its indexes, how much memory a slot costs, how fast it searches and
// books. Used by creneau-bench.
#ifndef CRENEAU_BENCH_ENGINE_FIGURES_H_
#define CRENEAU_BENCH_ENGINE_FIGURES_H_

#include <cstdint>
#include <memory>

#include "absl/time/time.h"
#include "bench/fixtures.h"
#include "bench/histogram.h"
#include "engine/engine.h"
#include "territory/territory_generator.h"

namespace creneau::bench {

struct EngineFigures {
  size_t slots = 0;
  double index_build_slots_per_s = 0;
  double bytes_per_slot = 0;
  LatencyHistogram search;
  double search_empty_fraction = 0;
  double search_mean_hits = 0;
  LatencyHistogram hold_confirm;
  int64_t hold_refusals = 0;
};

struct EngineFiguresOptions {
  int searches = 200000;
  int bookings = 100000;
  uint64_t seed = 1;
};

// Publishes `territory` into a fresh engine at `now`, then times searches
// drawn from `workload` and hold + confirm pairs on slots those searches
// return. Progress goes to stderr.
EngineFigures MeasureEngine(std::shared_ptr<const CommuneTable> communes,
                            const territory::SyntheticTerritory& territory,
                            const Workload& workload, absl::Time now,
                            const EngineFiguresOptions& options);

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_ENGINE_FIGURES_H_
