// PublishInto: a generated territory into an engine, as its feed would.
#include <algorithm>
#include <vector>

#include "engine/limits.h"
#include "territory/territory_generator.h"

namespace creneau::territory {

absl::StatusOr<size_t> PublishInto(Engine& engine, const Caller& feed,
                                   const SyntheticTerritory& territory,
                                   absl::Time now) {
  const size_t batch = limits::kMaxBatchSize;
  const auto& pros = territory.professionals;
  Effects effects;
  for (size_t i = 0; i < pros.size(); i += batch) {
    const std::vector<Professional> part(
        pros.begin() + i, pros.begin() + std::min(i + batch, pros.size()));
    absl::StatusOr<BatchCounts> upserted =
        engine.UpsertProfessionals(feed, {}, part, now, &effects);
    if (!upserted.ok()) return upserted.status();
    effects.Clear();
  }
  size_t slots = 0;
  for (const Availability& agenda : territory.availability) {
    absl::StatusOr<BatchCounts> published =
        engine.PublishAvailability(feed, {}, agenda, now, &effects);
    if (!published.ok()) return published.status();
    slots += published->created;
    effects.Clear();
  }
  return slots;
}

}  // namespace creneau::territory
