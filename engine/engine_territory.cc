// Engine: territories (UpsertTerritory) and their restore.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/internal/mutation.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
namespace {

// The territory as stored (commune codes sorted, unique), or why not.
absl::StatusOr<Territory> Normalized(const Territory& in,
                                     const CommuneTable& communes,
                                     std::vector<uint32_t>* indexes) {
  RETURN_IF_ERROR(CheckId("territory.id", in.id));
  if (in.name.empty() || in.name.size() > limits::kMaxTerritoryNameBytes ||
      !IsValidUtf8(in.name)) {
    return InvalidField("territory.name",
                        Utf8Rule(limits::kMaxTerritoryNameBytes));
  }
  const int kind = static_cast<int>(in.kind);
  if (kind <= 0 || kind >= kTerritoryKindCount) {
    return InvalidField("territory.kind", "required");
  }
  Territory t = in;
  std::sort(t.commune_codes.begin(), t.commune_codes.end());
  t.commune_codes.erase(
      std::unique(t.commune_codes.begin(), t.commune_codes.end()),
      t.commune_codes.end());
  if (t.kind == TerritoryKind::kNational) {
    if (!t.commune_codes.empty()) {
      return InvalidField("territory.commune_codes",
                          "must be empty for a national territory");
    }
    return t;
  }
  if (t.commune_codes.empty()) {
    return InvalidField("territory.commune_codes", "must not be empty");
  }
  if (t.commune_codes.size() > CommuneTable::kMaxCommunes) {
    return InvalidField("territory.commune_codes",
                        absl::StrCat("at most ", CommuneTable::kMaxCommunes));
  }
  for (const std::string& code : t.commune_codes) {
    const Commune* commune = communes.Find(code);
    if (commune == nullptr) {
      return InvalidField("territory.commune_codes",
                          absl::StrCat("unknown commune '", code, "'"));
    }
    indexes->push_back(
        static_cast<uint32_t>(commune - communes.communes().data()));
  }
  return t;
}

}  // namespace

absl::StatusOr<BatchCounts> Engine::UpsertTerritory(
    const Caller& caller, const RequestKey& key, const Territory& territory,
    UpsertMode mode, absl::Time now, Effects* effects) {
  return Mutation<BatchCounts>(
      caller, key, Method::kUpsertTerritory, now, effects,
      [&](int64_t) -> absl::StatusOr<BatchCounts> {
        if (!caller.administrator) {
          return absl::PermissionDeniedError(
              "only an administrator may define territories");
        }
        std::vector<uint32_t> indexes;
        ASSIGN_OR_RETURN(Territory t,
                         Normalized(territory, *communes_, &indexes));
        BatchCounts counts;
        const Territory* old = territories_.Find(t.id);
        if (old != nullptr && mode == UpsertMode::kCreate) {
          return absl::AlreadyExistsError(absl::StrCat(
              "territory_id: territory '", t.id, "' already exists"));
        }
        if (old == nullptr && mode == UpsertMode::kReplace) {
          return absl::NotFoundError(
              absl::StrCat("territory_id: no territory '", t.id, "'"));
        }
        if (old == nullptr &&
            territories_.size() >=
                static_cast<size_t>(limits::kMaxTerritories)) {
          return absl::ResourceExhaustedError(absl::StrCat(
              "territory: at most ", limits::kMaxTerritories, " territories"));
        }
        Event event = MakeEvent(EventType::kTerritoryUpserted, caller, key);
        event.Add(SubjectKind::kTerritory, t.id);
        effects->events.push_back(std::move(event));
        if (old != nullptr && *old == t) {
          counts.unchanged = 1;
          return counts;
        }
        (old == nullptr ? counts.created : counts.updated) = 1;
        effects->territories_put.push_back(t);
        territories_.Put(std::move(t), indexes, communes_->size());
        // Scopes name territories: waiting requests may now reach more.
        NoteAccessChanged();
        return counts;
      });
}

absl::Status Engine::RestoreTerritory(const Territory& territory) {
  const int kind = static_cast<int>(territory.kind);
  if (!IsValidId(territory.id) || kind <= 0 || kind >= kTerritoryKindCount ||
      territories_.Find(territory.id) != nullptr) {
    return absl::DataLossError(absl::StrCat("territory '", territory.id,
                                            "' is corrupt or stored twice"));
  }
  // A commune the commune file no longer lists (communes merge every year)
  // leaves the territory's scope but not its stored definition.
  std::vector<uint32_t> indexes;
  for (const std::string& code : territory.commune_codes) {
    if (const Commune* commune = communes_->Find(code)) {
      indexes.push_back(
          static_cast<uint32_t>(commune - communes_->communes().data()));
    }
  }
  territories_.Put(territory, indexes, communes_->size());
  return absl::OkStatus();
}

}  // namespace creneau
