// ReferenceModel: recurring availability, plainly. Where the engine walks
// each local day's sessions and converts their starts to absolute time,
// this walks absolute time in steps of 5 minutes, reads the local time of
// each step, and asks every template and opening whether a slot starts then:
// the two meet only if both read the time zone rules alike (no slot in a
// skipped hour, one at the first of a repeated one).
#include <algorithm>
#include <set>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/check.h"
#include "engine/limits.h"
#include "engine/status_macros.h"
#include "tests/reference_internal.h"
#include "tests/reference_model.h"

namespace creneau::testing {
namespace {

constexpr int64_t kDay = 86400;
// The walk's step: every start the harness generates (half-hour session
// starts, slots of 15 to 60 minutes) falls on a multiple of it, as
// Generate checks, and every zone it uses is offset by whole quarters of
// an hour from UTC.
constexpr int kStepMinutes = 5;

// Whether `bits` (bit 0 Monday) holds the weekday of `day`.
bool OnWeekday(uint8_t bits, absl::CivilDay day) {
  // 1970-01-05 was a Monday.
  const int64_t monday_based = ((day - absl::CivilDay(1970, 1, 5)) % 7 + 7) % 7;
  return (bits >> monday_based & 1) != 0;
}

// Whether a slot of [start, end) minutes on `day` meets a closure or a
// vacation.
bool ClosedAt(const Availability& a, absl::CivilDay day, int start, int end) {
  for (const AvailabilityException& e : a.exceptions) {
    if (day < e.first_day || day > e.last_day) continue;
    if (e.kind == ExceptionKind::kVacation) return true;
    if (e.kind == ExceptionKind::kClosure && start < e.end_minute &&
        end > e.start_minute) {
      return true;
    }
  }
  return false;
}

// Whether a session [first, last) cut in `step` minutes starts a slot at
// minute `m`.
bool StartsAt(int m, int first, int last, int step) {
  return m >= first && (m - first) % step == 0 && m + step <= last;
}

Slot MakeSlot(const std::string& session, absl::CivilMinute local, int64_t t,
              const SlotShape& shape, const std::string& professional) {
  Slot s;
  s.id =
      absl::StrFormat("t:%s:%04d%02d%02dT%02d%02d", session, local.year(),
                      local.month(), local.day(), local.hour(), local.minute());
  s.professional_id = professional;
  s.start_unix_s = t;
  s.duration_s = shape.slot_minutes * 60;
  s.modality = shape.modality;
  s.capacity = shape.capacity;
  s.overbooking_places = shape.overbooking_places;
  s.visibility = shape.visibility;
  s.location = shape.location;
  return s;
}

// The end of the horizon: a whole UTC day, at most a publication ahead.
int64_t HorizonEnd(int64_t now, int days) {
  int64_t end = now + days * kDay;
  if (end % kDay != 0) end += kDay - end % kDay;
  return std::min(end, now + 366 * kDay + 1);
}

}  // namespace

bool ReferenceModel::Generate(const Availability& a, const Professional& p,
                              int64_t from, int64_t until,
                              std::vector<Slot>* out) const {
  absl::TimeZone zone;
  CRENEAU_CHECK(absl::LoadTimeZone(p.time_zone, &zone));
  for (const WeeklyTemplate& w : a.templates) {
    CRENEAU_CHECK(w.start_minute % kStepMinutes == 0 &&
                  w.shape.slot_minutes % kStepMinutes == 0);
  }
  for (const AvailabilityException& e : a.exceptions) {
    CRENEAU_CHECK(e.start_minute % kStepMinutes == 0 &&
                  e.shape.slot_minutes % kStepMinutes == 0);
  }
  out->clear();
  constexpr int64_t kStepS = kStepMinutes * 60;
  for (int64_t t = (from + kStepS - 1) / kStepS * kStepS; t < until;
       t += kStepS) {
    const absl::CivilMinute local =
        absl::ToCivilMinute(absl::FromUnixSeconds(t), zone);
    // The second pass of a repeated local time starts nothing.
    if (absl::ToUnixSeconds(zone.At(local).pre) != t) continue;
    const absl::CivilDay day(local);
    const int m = local.hour() * 60 + local.minute();
    const auto consider = [&](const std::string& id, int first, int last,
                              const SlotShape& shape) {
      const int step = shape.slot_minutes;
      if (!StartsAt(m, first, last, step) || ClosedAt(a, day, m, m + step)) {
        return;
      }
      out->push_back(MakeSlot(id, local, t, shape, p.id));
    };
    for (const WeeklyTemplate& w : a.templates) {
      if (day < w.first_day || (w.last_day && day > *w.last_day) ||
          !OnWeekday(w.weekdays, day)) {
        continue;
      }
      consider(w.id, w.start_minute, w.end_minute, w.shape);
    }
    for (const AvailabilityException& e : a.exceptions) {
      if (e.kind != ExceptionKind::kOpening || day < e.first_day ||
          day > e.last_day) {
        continue;
      }
      consider(e.id, e.start_minute, e.end_minute, e.shape);
    }
    if (out->size() > limits::kMaxGeneratedSlotsPerProfessional) return false;
  }
  return true;
}

void ReferenceModel::PutGenerated(const std::vector<Slot>& generated,
                                  BatchCounts* counts) {
  for (const Slot& g : generated) {
    auto it = slots_.find(g.id);
    if (it == slots_.end()) {
      slots_[g.id].slot = g;
      ++counts->created;
      continue;
    }
    ReferenceSlot& s = it->second;
    if (s.slot == g) {
      ++counts->unchanged;
    } else if (s.slot.professional_id != g.professional_id || Taken(s) > 0) {
      ++counts->kept;
    } else {
      s.slot = g;
      ++counts->updated;
    }
  }
}

absl::StatusOr<BatchCounts> ReferenceModel::PublishAvailability(
    const Caller& caller, const RequestKey& key, const Availability& a,
    int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kPublishAvailability);
  if (!replay.ok()) return replay.status();
  if (*replay) return (*replay)->outcome.counts;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (!ValidateAvailability(a).ok()) return Invalid();
  auto p = professionals_.find(a.professional_id);
  if (p == professionals_.end() || !Manages(caller, a.professional_id)) {
    return absl::NotFoundError("no professional");
  }
  std::set<std::string> ids;
  for (const WeeklyTemplate& t : a.templates) ids.insert(t.id);
  for (const AvailabilityException& e : a.exceptions) {
    if (e.kind == ExceptionKind::kOpening) ids.insert(e.id);
  }
  for (const auto& [other, stored] : availability_) {
    if (other == a.professional_id) continue;
    for (const WeeklyTemplate& t : stored.availability.templates) {
      if (ids.contains(t.id)) return absl::FailedPreconditionError("id");
    }
    for (const AvailabilityException& e : stored.availability.exceptions) {
      if (e.kind == ExceptionKind::kOpening && ids.contains(e.id)) {
        return absl::FailedPreconditionError("id");
      }
    }
  }
  const int64_t until = HorizonEnd(clock_, options_.availability_horizon_days);
  std::vector<Slot> generated;
  if (!Generate(a, p->second, clock_ + 1, until, &generated)) {
    return absl::ResourceExhaustedError("too many slots");
  }
  BatchCounts counts = SyncGenerated(a.professional_id, generated);
  Availability normal = a;
  NormalizeAvailability(&normal);
  availability_[a.professional_id] = {normal, until};
  Outcome outcome;
  outcome.counts = counts;
  Remember(caller, key, Method::kPublishAvailability, outcome);
  return counts;
}

BatchCounts ReferenceModel::SyncGenerated(const std::string& professional_id,
                                          const std::vector<Slot>& generated) {
  BatchCounts counts;
  PutGenerated(generated, &counts);
  std::set<std::string> wanted;
  for (const Slot& g : generated) wanted.insert(g.id);
  for (auto& [id, s] : slots_) {
    if (s.slot.professional_id != professional_id || s.slot.withdrawn ||
        id.rfind("t:", 0) != 0 || s.slot.start_unix_s <= clock_ ||
        wanted.contains(id)) {
      continue;
    }
    if (Taken(s) > 0) {
      ++counts.kept;
    } else {
      s.slot.withdrawn = true;
      ++counts.withdrawn;
    }
  }
  return counts;
}

void ReferenceModel::RegenerateAvailability(
    const std::string& professional_id) {
  auto it = availability_.find(professional_id);
  if (it == availability_.end()) return;
  std::vector<Slot> generated;
  if (!Generate(it->second.availability, professionals_.at(professional_id),
                clock_ + 1, it->second.generated_until_unix_s, &generated)) {
    return;
  }
  SyncGenerated(professional_id, generated);
}

int ReferenceModel::ExtendAvailability(int64_t now) {
  Advance(now);
  const int64_t until = HorizonEnd(clock_, options_.availability_horizon_days);
  int extended = 0;
  for (auto& [id, stored] : availability_) {
    if (stored.generated_until_unix_s >= until) continue;
    ++extended;
    const int64_t from = std::max(stored.generated_until_unix_s, clock_ + 1);
    stored.generated_until_unix_s = until;
    std::vector<Slot> generated;
    if (!Generate(stored.availability, professionals_.at(id), from, until,
                  &generated)) {
      continue;
    }
    BatchCounts ignored;
    PutGenerated(generated, &ignored);
  }
  return extended;
}

}  // namespace creneau::testing
