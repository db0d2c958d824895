// Shared fixtures of the benchmark tools: the engine-level fixtures
// (engine/testing/fixtures.h: commune table, heap in use, the workload) and
// synthetic France from the territory generator, the data set every figure
// of bench/run_all.sh is measured on.
#ifndef CRENEAU_BENCH_FIXTURES_H_
#define CRENEAU_BENCH_FIXTURES_H_

#include <cstddef>
#include <string>

#include "engine/testing/fixtures.h"
#include "engine/testing/workload.h"
#include "territory/territory_generator.h"

namespace creneau::bench {

using testing::BenchRegulator;
using testing::FixtureStart;
using testing::HeapBytesInUse;
using testing::LoadCommuneFile;
using testing::SearchAsk;
using testing::ShippedCommunes;
using testing::Workload;

// Synthetic France from the territory generator, scaled to about `slots`
// slots (seed 1, 14 days from FixtureStart()), cached per size.
const territory::SyntheticTerritory& NationalTerritory(size_t slots);

// The JSON number of a double, "null" when not finite.
std::string JsonNumber(double value);

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_FIXTURES_H_
