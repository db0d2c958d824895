// Territory loader: fills an empty server with a generated territory (the
// demo CPTS, or synthetic France for load tests) through the normal write
// path: UpsertProfessionals and PublishSlots batches of at most
// limits::kMaxBatchSize, each durable before it counts, as an agenda feed
// would send them.
#ifndef CRENEAU_SERVER_TERRITORY_LOADER_H_
#define CRENEAU_SERVER_TERRITORY_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/commune_table.h"
#include "storage/engine_host.h"
#include "territory/territory_generator.h"

namespace creneau::server {

// The territory name that means every inhabited commune of France.
inline constexpr char kNationalTerritory[] = "France";
// The organisation that manages the generated professionals (an
// administrator can transfer them to a real agenda vendor).
inline constexpr char kDemoOrganisation[] = "creneau-demo";

// The territory a demo defines besides its professionals: "CPTS Royan
// Atlantique" for the EPCI of Royan, "CPTS <EPCI name>" (id "epci-<SIREN>")
// for another EPCI, the national territory "france" for kNationalTerritory.
// NOT_FOUND for an unknown EPCI name.
absl::StatusOr<Territory> DemoTerritoryDefinition(const CommuneTable& communes,
                                                  const std::string& name);
// Creates or replaces `territory` through `host` (as an administrator) and
// waits until it is durable.
absl::Status DefineTerritory(storage::EngineHost& host,
                             const Territory& territory);

struct TerritoryLoadOptions {
  // An EPCI name of the commune file, or kNationalTerritory.
  std::string territory;
  // Professionals in all; 0 uses the national density times `scale`.
  int professionals = 0;
  double scale = 1.0;
  int days = 14;
  uint64_t seed = 1;
  // Only slots starting more than this after now are generated (the days
  // still count from now's day, so that runs started together agree).
  absl::Duration lead = absl::Minutes(5);
  // Batches applied but not yet durable, at most: keeps the group commit
  // busy without queueing the whole territory.
  size_t max_batches_in_flight = 16;
  // How often progress is logged while publishing.
  absl::Duration progress_interval = absl::Seconds(5);
};

struct TerritoryLoadStats {
  size_t communes = 0;
  size_t professionals = 0;
  size_t slots = 0;
  absl::Duration generate;  // Generating in memory.
  absl::Duration publish;   // Applying and making durable.
};

// Generates the territory of `options` with slots from `now`. NOT_FOUND for
// an unknown EPCI, INVALID_ARGUMENT for bad sizes.
absl::StatusOr<territory::SyntheticTerritory> GenerateNamedTerritory(
    const CommuneTable& communes, const TerritoryLoadOptions& options,
    absl::Time now, size_t* communes_used);

// Publishes `territory` through `host` (which must be loaded), professionals
// first. Returns the first write error. Logs progress and throughput.
absl::StatusOr<TerritoryLoadStats> PublishTerritory(
    storage::EngineHost& host, const territory::SyntheticTerritory& territory,
    const TerritoryLoadOptions& options);

// Defines the demo territory (DemoTerritoryDefinition), then generates the
// professionals and slots with slots from `now` and publishes them through
// `host` (which must be loaded), as organisation kDemoOrganisation. NOT_FOUND
// for an unknown EPCI, INVALID_ARGUMENT for bad sizes, or the first write
// error. Logs progress and throughput.
absl::StatusOr<TerritoryLoadStats> LoadTerritory(
    storage::EngineHost& host, const CommuneTable& communes,
    const TerritoryLoadOptions& options, absl::Time now);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_TERRITORY_LOADER_H_
