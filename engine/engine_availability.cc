// Engine: recurring availability (engine/availability.h). A publication
// replaces a professional's templates and exceptions and brings their
// generated slots in step over the horizon; maintenance extends the horizon
// as days pass. Generated slots are ordinary slots (searched, held, booked,
// purged as any other); only their ids say where they come from, and a
// slot with holds or bookings is never changed or withdrawn by either.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/internal/mutation.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {

// Rounded up to a whole (UTC) day, so that maintenance extends each
// professional once a day, not every pass.
int64_t AvailabilityHorizonEnd(int64_t now_s, int32_t horizon_days) {
  constexpr int64_t kDayS = 24 * 3600;
  const int64_t end = now_s + int64_t{horizon_days} * kDayS;
  return std::min((end + kDayS - 1) / kDayS * kDayS,
                  now_s + limits::kMaxPublishAheadS + 1);
}

namespace {

template <typename F>
void ForEachSessionId(const Availability& a, F f) {
  for (const WeeklyTemplate& t : a.templates) f(t.id);
  for (const AvailabilityException& e : a.exceptions) {
    if (e.kind == ExceptionKind::kOpening) f(e.id);
  }
}

}  // namespace

absl::Status Engine::CheckSessionIds(internal::ProfNo prof,
                                     const Availability& a) const {
  const absl::string_view own = professionals_.id(prof);
  absl::Status status;
  ForEachSessionId(a, [&](const std::string& id) {
    auto it = session_owner_.find(id);
    if (status.ok() && it != session_owner_.end() && it->second != own) {
      status = absl::FailedPreconditionError(absl::StrCat(
          "templates: id '", id,
          "' is used by another professional's availability; template and "
          "opening ids name generated slots and must be unique"));
    }
  });
  return status;
}

bool Engine::FitsSlotLimit(internal::ProfNo prof,
                           const std::vector<Slot>& generated) const {
  size_t added = 0;
  for (const Slot& g : generated) added += slots_.Find(g.id) == kNoSlot;
  return professionals_.at(prof).slots.size() + added <=
         static_cast<size_t>(limits::kMaxSlotsPerProfessional);
}

BatchCounts Engine::SyncGenerated(internal::ProfNo prof,
                                  const std::vector<Slot>& generated,
                                  int64_t from_s, int64_t until_s,
                                  bool withdraw, Event* event,
                                  Effects* effects) {
  BatchCounts counts;
  absl::flat_hash_set<absl::string_view> wanted;
  for (const Slot& g : generated) {
    wanted.insert(g.id);
    const SlotNo no = slots_.Find(g.id);
    if (no != kNoSlot) {
      const internal::SlotRecord& r = slots_.at(no);
      // Another professional's (an id given up and taken again), or taken:
      // left as it is.
      if (r.professional != prof || (r.taken() && SlotOf(no) != g)) {
        ++counts.kept;
        continue;
      }
    }
    PutSlot(g, &counts, event, effects);
  }
  if (!withdraw) return counts;
  const std::vector<SlotNo> owned = professionals_.at(prof).slots;
  for (const SlotNo no : owned) {
    const internal::SlotRecord& r = slots_.at(no);
    const absl::string_view id = slots_.id(no);
    if (r.withdrawn || !IsGeneratedSlotId(id) || r.start_unix_s < from_s ||
        r.start_unix_s >= until_s || wanted.contains(id)) {
      continue;
    }
    if (r.taken()) {
      ++counts.kept;
      continue;
    }
    PutWithdrawn(no, event, effects);
    ++counts.withdrawn;
  }
  return counts;
}

absl::StatusOr<BatchCounts> Engine::PublishAvailability(const Caller& caller,
                                                        const RequestKey& key,
                                                        const Availability& a,
                                                        absl::Time now,
                                                        Effects* effects) {
  return Mutation<BatchCounts>(
      caller, key, Method::kPublishAvailability, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<BatchCounts> {
        RETURN_IF_ERROR(ValidateAvailability(a));
        const internal::ProfNo prof = professionals_.Find(a.professional_id);
        if (prof == internal::kNoProfessional || !Manages(caller, prof)) {
          return absl::NotFoundError(absl::StrCat(
              "professional_id: no professional '", a.professional_id, "'"));
        }
        RETURN_IF_ERROR(CheckSessionIds(prof, a));
        const int64_t until_s =
            AvailabilityHorizonEnd(now_s, options_.availability_horizon_days);
        std::vector<Slot> generated;
        RETURN_IF_ERROR(ExpandAvailability(
            a, zones_[professionals_.at(prof).time_zone], now_s + 1, until_s,
            limits::kMaxGeneratedSlotsPerProfessional, &generated));
        if (!FitsSlotLimit(prof, generated)) {
          return absl::ResourceExhaustedError(absl::StrCat(
              "templates: more than ", limits::kMaxSlotsPerProfessional,
              " slots for one professional"));
        }

        Event event = MakeEvent(EventType::kAvailabilityPublished, caller, key);
        event.Add(SubjectKind::kProfessional, a.professional_id);
        const BatchCounts counts = SyncGenerated(
            prof, generated, now_s + 1, INT64_MAX, true, &event, effects);
        StoredAvailability& stored = availability_[a.professional_id];
        ForEachSessionId(stored.availability, [&](const std::string& id) {
          session_owner_.erase(id);
        });
        stored = {a, until_s};
        NormalizeAvailability(&stored.availability);
        ForEachSessionId(a, [&](const std::string& id) {
          session_owner_[id] = a.professional_id;
        });
        effects->availability_put.push_back(stored);
        effects->events.push_back(std::move(event));
        return counts;
      });
}

void Engine::RegenerateAvailability(internal::ProfNo prof, int64_t now_s,
                                    Event* event, Effects* effects) {
  auto it = availability_.find(professionals_.id(prof));
  if (it == availability_.end()) return;
  std::vector<Slot> generated;
  if (!ExpandAvailability(it->second.availability,
                          zones_[professionals_.at(prof).time_zone], now_s + 1,
                          it->second.generated_until_unix_s,
                          limits::kMaxGeneratedSlotsPerProfessional, &generated)
           .ok() ||
      !FitsSlotLimit(prof, generated)) {
    return;
  }
  SyncGenerated(prof, generated, now_s + 1, INT64_MAX, true, event, effects);
}

absl::StatusOr<StoredAvailability> Engine::GetAvailability(
    const Caller& caller, absl::string_view professional_id) const {
  const internal::ProfNo prof = professionals_.Find(professional_id);
  auto it = availability_.find(professional_id);
  if (prof == internal::kNoProfessional || !Manages(caller, prof) ||
      it == availability_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "professional_id: no availability for '", professional_id, "'"));
  }
  return it->second;
}

int Engine::ExtendAvailability(absl::Time now, Effects* effects) {
  const int64_t now_s = Advance(now);
  ExpireDue(now_s, effects);
  const int64_t until_s =
      AvailabilityHorizonEnd(now_s, options_.availability_horizon_days);
  Event event;
  event.type = EventType::kAvailabilityPublished;
  event.time_unix_s = now_s;
  event.actor = kSystemActor;
  int extended = 0;
  std::vector<Slot> generated;
  for (auto& [id, stored] : availability_) {
    if (stored.generated_until_unix_s >= until_s) continue;
    if (extended == limits::kMaxAvailabilityExtensionsPerPass ||
        event.subjects.size() >= limits::kMaxAvailabilityExtensionSubjects) {
      break;
    }
    ++extended;
    event.Add(SubjectKind::kProfessional, id);
    const int64_t from_s = std::max(stored.generated_until_unix_s, now_s + 1);
    stored.generated_until_unix_s = until_s;
    effects->availability_put.push_back(stored);
    const internal::ProfNo prof = professionals_.Find(id);
    CRENEAU_CHECK(prof != internal::kNoProfessional);
    // Past the limits, the horizon still moves on: the professional's
    // agenda stays as published until a new publication, which reports why.
    if (!ExpandAvailability(stored.availability,
                            zones_[professionals_.at(prof).time_zone], from_s,
                            until_s, limits::kMaxGeneratedSlotsPerProfessional,
                            &generated)
             .ok() ||
        professionals_.at(prof).slots.size() + generated.size() >
            static_cast<size_t>(limits::kMaxSlotsPerProfessional)) {
      continue;
    }
    SyncGenerated(prof, generated, from_s, until_s, false, &event, effects);
  }
  if (!event.subjects.empty()) effects->events.push_back(std::move(event));
  ServeWaitlist(now_s, effects);
  return extended;
}

absl::Status Engine::RestoreAvailability(const StoredAvailability& stored) {
  const Availability& a = stored.availability;
  if (professionals_.Find(a.professional_id) == internal::kNoProfessional) {
    return absl::DataLossError(absl::StrCat(
        "availability of unknown professional '", a.professional_id, "'"));
  }
  ForEachSessionId(a, [&](const std::string& id) {
    session_owner_[id] = a.professional_id;
  });
  availability_[a.professional_id] = stored;
  return absl::OkStatus();
}

}  // namespace creneau
