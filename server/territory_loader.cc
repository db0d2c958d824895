#include "server/territory_loader.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/limits.h"
#include "spdlog/spdlog.h"
#include "territory/territory_source.h"

namespace creneau::server {
namespace {

// Applies batches through the host with at most `limit` not yet durable;
// remembers the first failure.
class BatchPipeline {
 public:
  BatchPipeline(storage::EngineHost* host, size_t limit)
      : host_(host), limit_(limit) {}

  template <typename Apply>
  void Submit(Apply&& apply) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &BatchPipeline::HasRoom));
      ++in_flight_;
    }
    host_->Mutate<BatchCounts>(apply, [this](absl::StatusOr<BatchCounts> r) {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      if (!r.ok() && failure_.ok()) failure_ = r.status();
      if (r.ok()) created_ += r->created;
    });
  }

  // What the batches applied so far created.
  size_t created() {
    absl::MutexLock lock(&mu_);
    return created_;
  }

  // Waits for every submitted batch; returns the first failure.
  absl::Status Drain() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &BatchPipeline::Drained));
    return failure_;
  }

  absl::Status failure() {
    absl::MutexLock lock(&mu_);
    return failure_;
  }

 private:
  // Await conditions: run with mu_ held.
  bool HasRoom() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return in_flight_ < limit_;
  }
  bool Drained() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return in_flight_ == 0;
  }

  storage::EngineHost* const host_;
  const size_t limit_;
  absl::Mutex mu_;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  size_t created_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::vector<const Commune*>> Members(
    const CommuneTable& communes, const std::string& territory) {
  std::vector<const Commune*> members;
  if (territory == kNationalTerritory) {
    for (const Commune& c : communes.communes()) {
      if (c.population > 0) members.push_back(&c);
    }
  } else {
    members = communes.CommunesOfEpci(territory);
  }
  if (members.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "territory: no EPCI named '", territory, "' in the commune file"));
  }
  return members;
}

// Logs progress every `interval`.
class Progress {
 public:
  Progress(size_t total, absl::Duration interval)
      : total_(total), interval_(interval), start_(absl::Now()) {
    next_ = start_ + interval_;
  }
  void Update(size_t done) {
    const absl::Time now = absl::Now();
    if (now < next_) return;
    next_ = now + interval_;
    const double s = absl::ToDoubleSeconds(now - start_);
    spdlog::info("territory: {}/{} agendas published ({:.0f}/s)", done, total_,
                 done / std::max(s, 1e-9));
  }

 private:
  const size_t total_;
  const absl::Duration interval_;
  const absl::Time start_;
  absl::Time next_;
};

}  // namespace

absl::StatusOr<territory::SyntheticTerritory> GenerateNamedTerritory(
    const CommuneTable& communes, const TerritoryLoadOptions& options,
    absl::Time now, size_t* communes_used) {
  if (options.days < 1 || options.days > 62) {
    return absl::InvalidArgumentError("days: must be within [1, 62]");
  }
  if (!(options.scale > 0) || options.scale > 100) {
    return absl::InvalidArgumentError("scale: must be within (0, 100]");
  }
  absl::StatusOr<std::vector<const Commune*>> members =
      Members(communes, options.territory);
  if (!members.ok()) return members.status();
  *communes_used = members->size();
  territory::TerritoryOptions generator;
  generator.seed = options.seed;
  generator.target_professionals = options.professionals;
  generator.scale = options.scale;
  generator.start = now;
  generator.lead = options.lead;
  generator.days = options.days;
  return territory::GenerateTerritory(*members, generator);
}

absl::StatusOr<TerritoryLoadStats> PublishTerritory(
    storage::EngineHost& host, const territory::SyntheticTerritory& territory,
    const TerritoryLoadOptions& options) {
  TerritoryLoadStats stats;
  stats.professionals = territory.professionals.size();
  const absl::Time publish_start = absl::Now();
  Caller feed;
  feed.name = kDemoOrganisation;
  feed.organisation = kDemoOrganisation;  // It manages the professionals.
  feed.visibilities = Bit(Visibility::kPublic);
  BatchPipeline pipeline(&host,
                         std::max<size_t>(options.max_batches_in_flight, 1));
  const size_t batch = limits::kMaxBatchSize;
  const auto& pros = territory.professionals;
  for (size_t i = 0; i < pros.size() && pipeline.failure().ok(); i += batch) {
    const std::vector<Professional> part(
        pros.begin() + i, pros.begin() + std::min(i + batch, pros.size()));
    pipeline.Submit([&](Engine& engine, absl::Time t, Effects* effects) {
      return engine.UpsertProfessionals(feed, {}, part, t, effects);
    });
  }
  // Agendas name their professional: every professional must be in first.
  if (absl::Status s = pipeline.Drain(); !s.ok()) return s;
  const size_t professionals_created = pipeline.created();
  // One command per agenda, as its feed sends them: each is atomic.
  Progress progress(territory.availability.size(), options.progress_interval);
  size_t done = 0;
  for (const Availability& agenda : territory.availability) {
    if (!pipeline.failure().ok()) break;
    pipeline.Submit(
        [&feed, &agenda](Engine& engine, absl::Time t, Effects* effects) {
          return engine.PublishAvailability(feed, {}, agenda, t, effects);
        });
    progress.Update(++done);
  }
  if (absl::Status s = pipeline.Drain(); !s.ok()) return s;
  stats.slots = pipeline.created() - professionals_created;
  stats.publish = absl::Now() - publish_start;
  spdlog::info(
      "territory '{}': {} professionals' agendas published in {}, {} slots "
      "generated ({:.0f} slots/s)",
      options.territory, stats.professionals,
      absl::FormatDuration(stats.publish), stats.slots,
      stats.slots / std::max(absl::ToDoubleSeconds(stats.publish), 1e-9));
  return stats;
}

absl::StatusOr<Territory> DemoTerritoryDefinition(const CommuneTable& communes,
                                                  const std::string& name) {
  if (name == kNationalTerritory) {
    return Territory{"france", "France", TerritoryKind::kNational, {}};
  }
  const std::vector<const Commune*> members = communes.CommunesOfEpci(name);
  if (members.empty()) {
    return absl::NotFoundError(absl::StrCat("no EPCI named '", name, "'"));
  }
  const std::string& siren = members.front()->epci_siren;
  if (siren == territory::kRoyanAtlantiqueSiren) {
    return territory::RoyanAtlantique(communes);
  }
  absl::StatusOr<std::vector<std::string>> codes =
      territory::CommunesOfEpci(communes, siren);
  if (!codes.ok()) return codes.status();
  return Territory{absl::StrCat("epci-", siren),
                   absl::StrCat("CPTS ", members.front()->epci_name),
                   TerritoryKind::kCpts, *std::move(codes)};
}

absl::Status DefineTerritory(storage::EngineHost& host,
                             const Territory& territory) {
  Caller admin;
  admin.name = kDemoOrganisation;
  admin.organisation = kDemoOrganisation;
  admin.administrator = true;
  absl::Notification done;
  absl::Status status;
  host.Mutate<BatchCounts>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.UpsertTerritory(admin, {}, territory,
                                      Engine::UpsertMode::kCreateOrReplace, now,
                                      effects);
      },
      [&](absl::StatusOr<BatchCounts> counts) {
        status = counts.status();
        done.Notify();
      });
  done.WaitForNotification();
  if (status.ok()) {
    spdlog::info("territory '{}' ({}): {} communes", territory.name,
                 territory.id, territory.commune_codes.size());
  }
  return status;
}

absl::StatusOr<TerritoryLoadStats> LoadTerritory(
    storage::EngineHost& host, const CommuneTable& communes,
    const TerritoryLoadOptions& options, absl::Time now) {
  absl::StatusOr<Territory> definition =
      DemoTerritoryDefinition(communes, options.territory);
  if (!definition.ok()) return definition.status();
  if (absl::Status s = DefineTerritory(host, *definition); !s.ok()) return s;
  const absl::Time generate_start = absl::Now();
  size_t communes_used = 0;
  absl::StatusOr<territory::SyntheticTerritory> territory =
      GenerateNamedTerritory(communes, options, now, &communes_used);
  if (!territory.ok()) return territory.status();
  const absl::Duration generate = absl::Now() - generate_start;
  spdlog::info(
      "territory '{}' ({} communes, {} days): generated {} professionals and "
      "{} slots in {}",
      options.territory, communes_used, options.days,
      territory->professionals.size(), territory->slots.size(),
      absl::FormatDuration(generate));
  absl::StatusOr<TerritoryLoadStats> stats =
      PublishTerritory(host, *territory, options);
  if (!stats.ok()) return stats.status();
  stats->communes = communes_used;
  stats->generate = generate;
  return stats;
}

}  // namespace creneau::server
