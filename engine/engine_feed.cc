// Engine: the slot commands of feeds (PublishSlots, WithdrawSlots). Each
// validates the whole batch before changing anything.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/availability.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/internal/mutation.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
namespace {

absl::Status ValidateSlotShape(const Slot& s, int64_t now_s,
                               const std::string& path) {
  RETURN_IF_ERROR(CheckId(path + ".id", s.id));
  if (IsGeneratedSlotId(s.id)) {
    return InvalidField(path + ".id",
                        "ids starting with \"t:\" are reserved for slots "
                        "generated from availability templates");
  }
  RETURN_IF_ERROR(CheckId(path + ".professional_id", s.professional_id));
  if (s.start_unix_s <= now_s) {
    return InvalidField(path + ".start_time", "must be in the future");
  }
  if (s.start_unix_s > now_s + limits::kMaxPublishAheadS) {
    return InvalidField(
        path + ".start_time",
        absl::StrCat("must be at most ",
                     HumanDuration(limits::kMaxPublishAheadS), " ahead"));
  }
  if (s.start_unix_s > UINT32_MAX) {  // Stored in 32 unsigned bits.
    return InvalidField(path + ".start_time", "must be before 2106-02-07");
  }
  if (s.duration_s < limits::kMinSlotDurationS ||
      s.duration_s > limits::kMaxSlotDurationS) {
    return InvalidField(
        path + ".duration",
        DurationRule(limits::kMinSlotDurationS, limits::kMaxSlotDurationS));
  }
  RETURN_IF_ERROR(CheckSlotTerms(path, s.modality, s.capacity,
                                 s.overbooking_places, s.visibility,
                                 s.location));
  if (s.withdrawn)
    return InvalidField(path, "a published slot cannot be withdrawn");
  return absl::OkStatus();
}

}  // namespace

absl::Status Engine::CheckSlotOwnership(const Caller& caller, const Slot& s,
                                        const std::string& path) const {
  if (!Manages(caller, professionals_.Find(s.professional_id))) {
    return absl::PermissionDeniedError(absl::StrCat(
        path, ".professional_id: professional '", s.professional_id,
        "' is managed by another organisation"));
  }
  // Slot ids are one namespace for every agenda (regulators name a slot by
  // its id alone): an id another organisation publishes is refused the same
  // way whether the caller may see that slot or not, and says nothing more.
  const SlotNo no = slots_.Find(s.id);
  if (no != kNoSlot && !Manages(caller, slots_.at(no).professional)) {
    return absl::PermissionDeniedError(absl::StrCat(
        path, ".id: slot id '", s.id,
        "' is used by another organisation; prefix your slot ids"));
  }
  return absl::OkStatus();
}

void Engine::PutSlot(const Slot& s, BatchCounts* counts, Event* event,
                     Effects* effects) {
  SlotNo no = slots_.Find(s.id);
  if (no != kNoSlot && SlotOf(no) == s) {
    ++counts->unchanged;
    return;
  }
  const internal::ProfNo prof = professionals_.Find(s.professional_id);
  if (no == kNoSlot) {
    internal::SlotRecord record;
    record.professional = prof;
    no = slots_.Add(s.id, std::move(record));
    professionals_.at(prof).slots.push_back(no);
    ++counts->created;
  } else {
    Unindex(no);
    internal::SlotRecord& r = slots_.at(no);
    if (r.professional != prof) {
      auto& old_list = professionals_.at(r.professional).slots;
      old_list.erase(std::find(old_list.begin(), old_list.end(), no));
      professionals_.at(prof).slots.push_back(no);
      r.professional = prof;
    }
    ++counts->updated;
  }
  internal::SlotRecord& r = slots_.at(no);
  r.start_unix_s = static_cast<uint32_t>(s.start_unix_s);  // Validated.
  r.duration_s = static_cast<uint16_t>(s.duration_s);      // Validated.
  r.capacity = static_cast<uint16_t>(s.capacity);
  r.overbooking_places = static_cast<uint16_t>(s.overbooking_places);
  r.modality = s.modality;
  r.visibility = s.visibility;
  r.withdrawn = false;
  // Only a free slot may move in time or between professionals, so no load
  // moves with it; its new week may be capped.
  r.week = static_cast<int16_t>(WeekOf(prof, s.start_unix_s));
  r.week_capped = AtCap(prof, WeekLoad(prof, r.week));
  slots_.set_location(no, s.location);
  Reindex(no);
  effects->slots_put.push_back(s);
  event->Add(SubjectKind::kSlot, s.id);
}

void Engine::PutWithdrawn(SlotNo no, Event* event, Effects* effects) {
  Unindex(no);
  slots_.at(no).withdrawn = true;
  effects->slots_put.push_back(SlotOf(no));
  event->Add(SubjectKind::kSlot, std::string(slots_.id(no)));
}

absl::StatusOr<BatchCounts> Engine::PublishSlots(const Caller& caller,
                                                 const RequestKey& key,
                                                 const std::vector<Slot>& slots,
                                                 absl::Time now,
                                                 Effects* effects) {
  return Mutation<BatchCounts>(
      caller, key, Method::kPublishSlots, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<BatchCounts> {
        RETURN_IF_ERROR(CheckBatchSize("slots", slots.size()));
        absl::flat_hash_map<absl::string_view, size_t> seen;
        absl::flat_hash_map<internal::ProfNo, int> added_per_professional;
        for (size_t i = 0; i < slots.size(); ++i) {
          const Slot& s = slots[i];
          const std::string path = absl::StrCat("slots[", i, "]");
          RETURN_IF_ERROR(ValidateSlotShape(s, now_s, path));
          auto [it, fresh] = seen.emplace(s.id, i);
          if (!fresh) {
            return InvalidField(
                path + ".id",
                absl::StrCat("duplicate of slots[", it->second, "]"));
          }
          const internal::ProfNo prof = professionals_.Find(s.professional_id);
          if (prof == internal::kNoProfessional) {
            return absl::FailedPreconditionError(
                absl::StrCat(path, ".professional_id: unknown professional '",
                             s.professional_id, "'; upsert it first"));
          }
          RETURN_IF_ERROR(CheckSlotOwnership(caller, s, path));
          const SlotNo no = slots_.Find(s.id);
          if (no == kNoSlot || slots_.at(no).professional != prof) {
            const int owned =
                static_cast<int>(professionals_.at(prof).slots.size());
            if (owned + ++added_per_professional[prof] >
                limits::kMaxSlotsPerProfessional) {
              return absl::ResourceExhaustedError(
                  absl::StrCat(path, ".professional_id: more than ",
                               limits::kMaxSlotsPerProfessional,
                               " slots for one professional"));
            }
          }
          if (no == kNoSlot) continue;
          const internal::SlotRecord& r = slots_.at(no);
          if (!r.taken()) continue;
          const Slot old = SlotOf(no);
          if (old.professional_id != s.professional_id ||
              old.start_unix_s != s.start_unix_s ||
              old.duration_s != s.duration_s || old.modality != s.modality ||
              old.location != s.location) {
            return absl::FailedPreconditionError(
                absl::StrCat(path, ": slot '", s.id,
                             "' has holds or bookings; only capacity, "
                             "overbooking_places and "
                             "visibility may change"));
          }
          if (s.capacity < r.held_regular + r.booked_regular ||
              s.overbooking_places <
                  r.held_overbooking + r.booked_overbooking) {
            return absl::FailedPreconditionError(absl::StrCat(
                path, ".capacity: below the places already held or booked"));
          }
        }

        BatchCounts counts;
        Event event = MakeEvent(EventType::kSlotsPublished, caller, key);
        for (const Slot& s : slots) PutSlot(s, &counts, &event, effects);
        effects->events.push_back(std::move(event));
        return counts;
      });
}

absl::StatusOr<BatchCounts> Engine::WithdrawSlots(
    const Caller& caller, const RequestKey& key,
    const std::vector<std::string>& slot_ids, absl::Time now,
    Effects* effects) {
  return Mutation<BatchCounts>(
      caller, key, Method::kWithdrawSlots, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<BatchCounts> {
        RETURN_IF_ERROR(CheckBatchSize("slot_ids", slot_ids.size()));
        absl::flat_hash_map<absl::string_view, size_t> seen;
        for (size_t i = 0; i < slot_ids.size(); ++i) {
          const std::string path = absl::StrCat("slot_ids[", i, "]");
          RETURN_IF_ERROR(CheckId(path, slot_ids[i]));
          auto [it, fresh] = seen.emplace(slot_ids[i], i);
          if (!fresh) {
            return InvalidField(
                path, absl::StrCat("duplicate of slot_ids[", it->second, "]"));
          }
          const SlotNo no = slots_.Find(slot_ids[i]);
          // A slot the caller may not see answers as an unknown one.
          if (no == kNoSlot || !VisibleTo(caller, no)) {
            return absl::NotFoundError(
                absl::StrCat(path, ": no slot '", slot_ids[i], "'"));
          }
          const internal::SlotRecord& r = slots_.at(no);
          if (!Manages(caller, r.professional)) {
            return absl::PermissionDeniedError(
                absl::StrCat(path, ": slot '", slot_ids[i],
                             "' is published by another organisation"));
          }
          if (r.taken()) {
            return absl::FailedPreconditionError(absl::StrCat(
                path, ": slot '", slot_ids[i], "' has ",
                r.held_regular + r.held_overbooking, " active hold(s) and ",
                r.booked_regular + r.booked_overbooking,
                " booking(s); release or cancel them first"));
          }
        }

        BatchCounts counts;
        Event event = MakeEvent(EventType::kSlotsWithdrawn, caller, key);
        for (const std::string& id : slot_ids) {
          const SlotNo no = slots_.Find(id);
          if (slots_.at(no).withdrawn) {
            ++counts.unchanged;
            continue;
          }
          PutWithdrawn(no, &event, effects);
          ++counts.created;
        }
        effects->events.push_back(std::move(event));
        return counts;
      });
}

}  // namespace creneau
