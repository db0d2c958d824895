// Micro-benchmarks of SlotIndex: search over N slots spread around Royan.
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/slot_index.h"

namespace creneau {
namespace {

constexpr uint32_t kBase = 1'900'000'000;

void Fill(SlotIndex* index, int n, std::mt19937_64* rng) {
  std::uniform_real_distribution<double> lat(45.3, 45.9), lng(-1.4, -0.6);
  std::uniform_int_distribution<uint32_t> start(kBase, kBase + 14 * 86400);
  for (int i = 0; i < n; ++i) {
    IndexEntry e;
    e.slot = i;
    e.point = geo::ToUnitPoint({lat(*rng), lng(*rng)});
    e.cell = geo::LeafCellId(e.point);
    e.start_unix_s = start(*rng) / 900 * 900;
    e.modality = Modality::kInOffice;
    e.visibility = Visibility::kPublic;
    index->Insert(Profession::kGeneralPractitioner, e);
  }
}

void BM_SlotIndexSearch(benchmark::State& state) {
  std::mt19937_64 rng(42);
  SlotIndex index;
  Fill(&index, static_cast<int>(state.range(0)), &rng);
  std::uniform_real_distribution<double> lat(45.4, 45.8), lng(-1.3, -0.7);
  std::vector<Candidate> out;
  IndexQuery q;
  q.professions = Bit(Profession::kGeneralPractitioner);
  q.radius_m = static_cast<double>(state.range(1));
  q.from_unix_s = kBase;
  q.to_unix_s = kBase + 48 * 3600;
  q.visibilities = Bit(Visibility::kPublic);
  q.limit = 20;
  for (auto _ : state) {
    q.center = geo::ToS2Point({lat(rng), lng(rng)});
    index.Search(
        q, [](SlotNo a, SlotNo b) { return a < b; }, [](SlotNo) { return 0.0; },
        &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SlotIndexSearch)
    ->ArgsProduct({{10'000, 100'000}, {5'000, 20'000}})
    ->ArgNames({"slots", "radius_m"});

}  // namespace
}  // namespace creneau

BENCHMARK_MAIN();
