#include "bench/fixtures.h"

#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/str_format.h"
#include "engine/check.h"

namespace creneau::bench {

const territory::SyntheticTerritory& NationalTerritory(size_t slots) {
  static auto* cache = new std::map<size_t, territory::SyntheticTerritory>;
  auto it = cache->find(slots);
  if (it != cache->end()) return it->second;
  // Synthetic France at scale 1 holds about 4.1 million slots over 14 days.
  constexpr double kSlotsAtScaleOne = 4.1e6;
  std::vector<const Commune*> communes;
  for (const Commune& c : ShippedCommunes()->communes()) {
    if (c.population > 0) communes.push_back(&c);
  }
  territory::TerritoryOptions options;
  options.seed = 1;
  options.scale = static_cast<double>(slots) / kSlotsAtScaleOne;
  options.start = FixtureStart();
  options.days = 14;
  absl::StatusOr<territory::SyntheticTerritory> territory =
      territory::GenerateTerritory(communes, options);
  CRENEAU_CHECK(territory.ok());
  return cache->emplace(slots, *std::move(territory)).first->second;
}

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  return absl::StrFormat("%.6g", value);
}

}  // namespace creneau::bench
