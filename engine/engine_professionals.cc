// Engine: the professionals (UpsertProfessionals, TransferProfessionals)
// and who manages them. Each command validates the whole batch before
// changing anything.
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/internal/mutation.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
namespace {

absl::Status ValidateProfessional(const Professional& p,
                                  const CommuneTable& communes,
                                  const std::string& path) {
  RETURN_IF_ERROR(CheckId(path + ".id", p.id));
  const int profession = static_cast<int>(p.profession);
  if (profession <= 0 || profession >= kProfessionCount) {
    return InvalidField(path + ".profession", "required");
  }
  if (!IsValidLatLng(p.location)) {
    return InvalidField(path + ".location",
                        "must be a WGS84 position in degrees");
  }
  if (!p.commune_code.empty()) {
    if (!IsValidCommuneCode(p.commune_code)) {
      return InvalidField(path + ".commune_code", "must be an INSEE code");
    }
    if (communes.size() > 0 && communes.Find(p.commune_code) == nullptr) {
      return InvalidField(
          path + ".commune_code",
          absl::StrCat("unknown commune '", p.commune_code, "'"));
    }
  }
  if (!IsSupportedTimeZone(p.time_zone)) {
    return InvalidField(path + ".time_zone", TimeZoneRule());
  }
  const int structure = static_cast<int>(p.structure);
  if (structure < 1 || structure > 4) {
    return InvalidField(path + ".structure", "unknown structure type");
  }
  if (!p.cpts_id.empty()) {
    RETURN_IF_ERROR(CheckId(path + ".cpts_id", p.cpts_id));
  }
  if (p.sector < 0 || p.sector > 3) {
    return InvalidField(path + ".sector", RangeRule(0, 3));
  }
  if (p.weekly_orientation_cap < 0 ||
      p.weekly_orientation_cap > limits::kMaxWeeklyOrientationCap) {
    return InvalidField(path + ".weekly_orientation_cap",
                        RangeRule(0, limits::kMaxWeeklyOrientationCap));
  }
  if (p.home_visit_radius_km < 0 ||
      p.home_visit_radius_km > limits::kMaxHomeVisitRadiusKm) {
    return InvalidField(
        path + ".home_visit_radius_km",
        absl::StrCat(RangeRule(0, limits::kMaxHomeVisitRadiusKm),
                     " (0: ", limits::kDefaultHomeVisitRadiusKm, " km)"));
  }
  if (p.display_name.size() > limits::kMaxDisplayNameBytes ||
      !IsValidUtf8(p.display_name)) {
    return InvalidField(path + ".display_name",
                        Utf8Rule(limits::kMaxDisplayNameBytes));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Engine::CheckProfessionalChange(const Caller& caller,
                                             const Professional& p,
                                             const std::string& path) const {
  const internal::ProfNo no = professionals_.Find(p.id);
  if (no != internal::kNoProfessional && !Manages(caller, no)) {
    // Professionals are a public directory: saying who exists leaks nothing.
    return absl::PermissionDeniedError(absl::StrCat(
        path, ".id: professional '", p.id,
        "' is managed by another organisation; an administrator can "
        "transfer it"));
  }
  if (!InScopeCommune(caller, CommuneIndexOf(p.commune_code, p.location))) {
    return absl::PermissionDeniedError(
        absl::StrCat(path,
                     ".commune_code: the practice lies outside this caller's "
                     "territories"));
  }
  return absl::OkStatus();
}

absl::StatusOr<BatchCounts> Engine::UpsertProfessionals(
    const Caller& caller, const RequestKey& key,
    const std::vector<Professional>& professionals, absl::Time now,
    Effects* effects) {
  return Mutation<BatchCounts>(
      caller, key, Method::kUpsertProfessionals, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<BatchCounts> {
        RETURN_IF_ERROR(CheckBatchSize("professionals", professionals.size()));
        absl::flat_hash_map<absl::string_view, size_t> seen;
        absl::flat_hash_set<absl::string_view> new_cpts;
        int created = 0;
        for (size_t i = 0; i < professionals.size(); ++i) {
          const Professional& p = professionals[i];
          const std::string path = absl::StrCat("professionals[", i, "]");
          RETURN_IF_ERROR(ValidateProfessional(p, *communes_, path));
          auto [it, fresh] = seen.emplace(p.id, i);
          if (!fresh) {
            return InvalidField(
                path + ".id",
                absl::StrCat("duplicate of professionals[", it->second, "]"));
          }
          RETURN_IF_ERROR(CheckProfessionalChange(caller, p, path));
          // Each distinct CPTS id is remembered for good: bounded.
          if (!new_cpts.contains(p.cpts_id)) {
            if (!professionals_.FitsNewCpts(p.cpts_id, new_cpts.size())) {
              return absl::ResourceExhaustedError(
                  absl::StrCat(path, ".cpts_id: at most ", limits::kMaxCptsIds,
                               " distinct CPTS ids"));
            }
            if (professionals_.FindCpts(p.cpts_id) == 0 && !p.cpts_id.empty()) {
              new_cpts.insert(p.cpts_id);
            }
          }
          created += professionals_.Find(p.id) == internal::kNoProfessional;
        }
        const int max_owned = options_.max_professionals_per_organisation;
        if (max_owned > 0 && !caller.administrator &&
            professionals_.OwnedBy(caller.organisation) + created > max_owned) {
          return absl::ResourceExhaustedError(
              absl::StrCat("professionals: an organisation manages at most ",
                           max_owned, " professionals"));
        }

        BatchCounts counts;
        Event event = MakeEvent(EventType::kProfessionalsUpserted, caller, key);
        for (Professional p : professionals) {
          const internal::ProfNo no = professionals_.Find(p.id);
          p.owner = no == internal::kNoProfessional
                        ? caller.organisation
                        : std::string(professionals_.owner(no));
          const uint32_t commune = CommuneIndexOf(p.commune_code, p.location);
          if (no != internal::kNoProfessional &&
              professionals_.view(no).ToProfessional() == p) {
            ++counts.unchanged;
            continue;
          }
          if (no == internal::kNoProfessional) {
            NoteTimeZone(professionals_.Add(p, commune));
            ++counts.created;
          } else {
            // Entries carry the profession, location, CPTS and home-visit
            // radius: move them all. The time zone decides which week a
            // slot counts in, the cap when it is full: recount the weeks,
            // loads and flags too.
            const std::vector<SlotNo> owned = professionals_.at(no).slots;
            const bool new_zone =
                professionals_.view(no).time_zone != p.time_zone;
            for (SlotNo s : owned) {
              Unindex(s);
              CountSlotLoad(s, -1);
            }
            professionals_.Replace(no, p, commune);
            NoteTimeZone(no);
            for (SlotNo s : owned) {
              internal::SlotRecord& r = slots_.at(s);
              r.week = static_cast<int16_t>(WeekOf(no, r.start_unix_s));
              CountSlotLoad(s, +1);
            }
            for (SlotNo s : owned) {
              internal::SlotRecord& r = slots_.at(s);
              r.week_capped = AtCap(no, WeekLoad(no, r.week));
              Reindex(s);
            }
            // Their agenda's local hours now fall at other instants.
            if (new_zone) RegenerateAvailability(no, now_s, &event, effects);
            ++counts.updated;
          }
          event.Add(SubjectKind::kProfessional, p.id);
          effects->professionals_put.push_back(std::move(p));
        }
        effects->events.push_back(std::move(event));
        return counts;
      });
}

absl::StatusOr<BatchCounts> Engine::TransferProfessionals(
    const Caller& caller, const RequestKey& key,
    const std::vector<std::string>& professional_ids,
    const std::string& new_owner, absl::Time now, Effects* effects) {
  return Mutation<BatchCounts>(
      caller, key, Method::kTransferProfessionals, now, effects,
      [&](int64_t) -> absl::StatusOr<BatchCounts> {
        if (!caller.administrator) {
          return absl::PermissionDeniedError(
              "only an administrator may transfer professionals");
        }
        RETURN_IF_ERROR(CheckId("organisation", new_owner));
        RETURN_IF_ERROR(
            CheckBatchSize("professional_ids", professional_ids.size()));
        absl::flat_hash_set<absl::string_view> seen;
        for (size_t i = 0; i < professional_ids.size(); ++i) {
          const std::string path = absl::StrCat("professional_ids[", i, "]");
          RETURN_IF_ERROR(CheckId(path, professional_ids[i]));
          if (!seen.insert(professional_ids[i]).second) {
            return InvalidField(path, "duplicate");
          }
          if (professionals_.Find(professional_ids[i]) ==
              internal::kNoProfessional) {
            return absl::NotFoundError(absl::StrCat(path, ": no professional '",
                                                    professional_ids[i], "'"));
          }
        }
        BatchCounts counts;
        Event event =
            MakeEvent(EventType::kProfessionalsTransferred, caller, key);
        event.detail = absl::StrCat("to ", new_owner);
        for (const std::string& id : professional_ids) {
          const internal::ProfNo no = professionals_.Find(id);
          Professional p = professionals_.view(no).ToProfessional();
          if (p.owner == new_owner) {
            ++counts.unchanged;
            continue;
          }
          p.owner = new_owner;
          professionals_.Replace(no, p, professionals_.at(no).commune_index);
          // Its new owner's regulators may see more of its slots.
          for (SlotNo s : professionals_.at(no).slots) NoteFreed(s);
          event.Add(SubjectKind::kProfessional, id);
          effects->professionals_put.push_back(std::move(p));
          ++counts.updated;
        }
        effects->events.push_back(std::move(event));
        return counts;
      });
}

}  // namespace creneau
