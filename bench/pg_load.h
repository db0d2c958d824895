// The PostgreSQL + PostGIS baseline, driven through libpq directly (no RPC
// layer in front of it: that favours PostgreSQL, so creneau's ratios are
// conservative).
//
// - LoadPostgis copies a generated territory into the schema of
//   bench/postgis/schema.sql with COPY.
// - RunPgLoad runs a closed loop of `connections` callers, each on its own
//   connection with prepared statements:
//   * "search": the same questions as creneau's (workload.h), one SQL query
//     with ST_DWithin on the GiST-indexed position, the profession, open
//     places, visibility and window filters, ordered by start, top 20;
//   * "book": hold then confirm a random slot the way a careful team would,
//     each step one atomic statement (UPDATE ... WHERE places remain, which
//     takes the row lock; the CHECK constraint forbids overbooking), each
//     committed durably (synchronous_commit = on).
#ifndef CRENEAU_BENCH_PG_LOAD_H_
#define CRENEAU_BENCH_PG_LOAD_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/fixtures.h"
#include "bench/load_report.h"
#include "territory/territory_generator.h"

namespace creneau::bench {

// COPYs the territory into empty tables. UNAVAILABLE when the server cannot
// be reached, INTERNAL with PostgreSQL's message when a COPY fails.
absl::Status LoadPostgis(const std::string& conninfo,
                         const territory::SyntheticTerritory& territory);

struct PgLoadOptions {
  std::string conninfo;         // libpq connection string, loopback only.
  std::string call = "search";  // "search" or "book".
  int connections = 32;
  absl::Duration duration = absl::Seconds(10);
  uint64_t seed = 1;
};

// For "book", `ok` counts confirmed bookings and `refused` holds on full
// slots (the latency is that of a whole hold + confirm).
absl::StatusOr<LoadReport> RunPgLoad(const PgLoadOptions& options,
                                     const Workload& workload);

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_PG_LOAD_H_
