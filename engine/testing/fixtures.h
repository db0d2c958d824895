// Fixtures of the engine's tests and benchmarks: the shipped commune table,
// the heap in use, and a synthetic national data set of professionals and
// slots, all below the territory generator so that anything beside the
// engine may use them.
#ifndef CRENEAU_ENGINE_TESTING_FIXTURES_H_
#define CRENEAU_ENGINE_TESTING_FIXTURES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/commune_table.h"
#include "engine/types.h"

namespace creneau::testing {

// Reads a commune CSV file. NOT_FOUND when it cannot be read, or the
// parser's error.
absl::StatusOr<std::shared_ptr<const CommuneTable>> LoadCommuneFile(
    const std::string& path);

// The commune table of the shipped data/communes.csv ($CRENEAU_DATA_DIR
// overrides the directory), read once per process. Aborts when it cannot be
// read: every caller is a test or a benchmark.
std::shared_ptr<const CommuneTable> ShippedCommunes();

// Bytes the allocator has handed out and not taken back (TCMalloc's
// current_allocated_bytes, or glibc's mallinfo2 in sanitizer builds).
size_t HeapBytesInUse();

// A synthetic national data set: professionals at the communes of France in
// proportion to population, each publishing a few quarter-hour slots per
// day (sessions of several places now and then; public, professional and
// regulation visibilities) over `days` days from `start`'s day, 08:00 to
// 19:00 UTC. About `target_slots` slots in all; the same arguments always
// give the same data. Simpler than the territory generator (no time zones,
// names or profession profiles) and meant for micro-benchmarks, not demos.
struct SyntheticData {
  std::vector<Professional> professionals;
  std::vector<Slot> slots;
};
SyntheticData SyntheticFrance(const CommuneTable& communes, size_t target_slots,
                              absl::Time start, int days = 14,
                              uint64_t seed = 1);

// The fixed start of benchmark data sets (a Monday, 08:00 UTC).
absl::Time FixtureStart();

// SyntheticFrance(ShippedCommunes(), slots, FixtureStart()), built once per
// size and process.
const SyntheticData& SyntheticFranceOf(size_t slots);

}  // namespace creneau::testing

#endif  // CRENEAU_ENGINE_TESTING_FIXTURES_H_
