// Shared fixtures of the Google Benchmark binaries: the shipped commune
// table and synthetic France at a given size, built once per process.
#ifndef CRENEAU_BENCH_FIXTURES_H_
#define CRENEAU_BENCH_FIXTURES_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/commune_table.h"
#include "tools/territory_generator.h"

namespace creneau::bench {

// Reads a commune CSV file. NOT_FOUND when it cannot be read, or the
// parser's error.
absl::StatusOr<std::shared_ptr<const CommuneTable>> LoadCommuneFile(
    const std::string& path);

// The commune table of data/communes.csv (CRENEAU_DATA_DIR overrides the
// directory). Aborts when it cannot be read.
std::shared_ptr<const CommuneTable> ShippedCommunes();

// The fixed start of benchmark territories (a Monday, 08:00 UTC).
absl::Time FixtureStart();

// Synthetic France scaled to about `slots` slots (seed 1, 14 days from
// FixtureStart()), cached per size.
const tools::Territory& NationalTerritory(size_t slots);

// Bytes the allocator has handed out and not taken back (TCMalloc's
// current_allocated_bytes, or glibc's mallinfo2 in sanitizer builds).
size_t HeapBytesInUse();

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_FIXTURES_H_
