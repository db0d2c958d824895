#include "engine/availability.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/limits.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

// Template and exception ids: an id without ':', so that a generated slot
// id splits back unambiguously.
absl::Status CheckSessionId(const std::string& path, absl::string_view id) {
  if (!IsValidId(id, limits::kMaxAvailabilityIdLength) ||
      id.find(':') != absl::string_view::npos) {
    return InvalidField(
        path, id.empty() ? "required"
                         : absl::StrCat("must be 1 to ",
                                        limits::kMaxAvailabilityIdLength,
                                        " characters of [A-Za-z0-9._-]"));
  }
  return absl::OkStatus();
}

absl::Status CheckMinutes(const std::string& path, int32_t start, int32_t end) {
  if (start < 0 || start >= kMinutesPerDay) {
    return InvalidField(path + ".start_minute",
                        RangeRule(0, kMinutesPerDay - 1));
  }
  if (end <= start || end > kMinutesPerDay) {
    return InvalidField(path + ".end_minute",
                        absl::StrCat("must be after start_minute and at most ",
                                     kMinutesPerDay));
  }
  return absl::OkStatus();
}

absl::Status CheckShape(const std::string& path, const SlotShape& s) {
  const int32_t min_minutes = limits::kMinSlotDurationS / 60;
  const int32_t max_minutes = limits::kMaxSlotDurationS / 60;
  if (s.slot_minutes < min_minutes || s.slot_minutes > max_minutes) {
    return InvalidField(path + ".slot_minutes",
                        RangeRule(min_minutes, max_minutes));
  }
  RETURN_IF_ERROR(CheckSlotTerms(path, s.modality, s.capacity,
                                 s.overbooking_places, s.visibility,
                                 s.location));
  return absl::OkStatus();
}

// Monday = 0 ... Sunday = 6.
int WeekdayIndex(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

bool Covers(const AvailabilityException& e, absl::CivilDay day) {
  return e.first_day <= day && day <= e.last_day;
}

// Whether a closure or vacation removes [start, end) minutes of `day`.
bool Closed(const Availability& a, absl::CivilDay day, int32_t start,
            int32_t end) {
  for (const AvailabilityException& e : a.exceptions) {
    if (e.kind == ExceptionKind::kOpening || !Covers(e, day)) continue;
    if (e.kind == ExceptionKind::kVacation) return true;
    if (start < e.end_minute && e.start_minute < end) return true;
  }
  return false;
}

struct Session {
  const std::string* id;
  int32_t start_minute;
  int32_t end_minute;
  const SlotShape* shape;
};

}  // namespace

absl::Status ValidateAvailability(const Availability& a) {
  RETURN_IF_ERROR(CheckId("professional_id", a.professional_id));
  if (a.templates.size() > limits::kMaxTemplatesPerProfessional) {
    return InvalidField(
        "templates",
        absl::StrCat("at most ", limits::kMaxTemplatesPerProfessional));
  }
  if (a.exceptions.size() > limits::kMaxExceptionsPerProfessional) {
    return InvalidField(
        "exceptions",
        absl::StrCat("at most ", limits::kMaxExceptionsPerProfessional));
  }
  absl::flat_hash_map<absl::string_view, std::string> seen;
  auto unique = [&](const std::string& path,
                    absl::string_view id) -> absl::Status {
    RETURN_IF_ERROR(CheckSessionId(path + ".id", id));
    auto [it, fresh] = seen.emplace(id, path);
    if (!fresh) {
      return InvalidField(path + ".id",
                          absl::StrCat("duplicate of ", it->second));
    }
    return absl::OkStatus();
  };
  for (size_t i = 0; i < a.templates.size(); ++i) {
    const WeeklyTemplate& t = a.templates[i];
    const std::string path = absl::StrCat("templates[", i, "]");
    RETURN_IF_ERROR(unique(path, t.id));
    if (t.weekdays == 0 || (t.weekdays & ~kAllWeekdays) != 0) {
      return InvalidField(path + ".weekdays", "at least one day of the week");
    }
    RETURN_IF_ERROR(CheckMinutes(path, t.start_minute, t.end_minute));
    RETURN_IF_ERROR(CheckShape(path, t.shape));
    if (t.last_day.has_value() && *t.last_day < t.first_day) {
      return InvalidField(path + ".last_day", "must not be before first_day");
    }
  }
  for (size_t i = 0; i < a.exceptions.size(); ++i) {
    const AvailabilityException& e = a.exceptions[i];
    const std::string path = absl::StrCat("exceptions[", i, "]");
    const int kind = static_cast<int>(e.kind);
    if (kind <= 0 || kind > static_cast<int>(ExceptionKind::kOpening)) {
      return InvalidField(path + ".kind", "required");
    }
    if (e.kind == ExceptionKind::kOpening) {
      RETURN_IF_ERROR(unique(path, e.id));
      RETURN_IF_ERROR(CheckShape(path, e.shape));
    } else if (!e.id.empty()) {
      RETURN_IF_ERROR(CheckSessionId(path + ".id", e.id));
    }
    if (e.last_day < e.first_day) {
      return InvalidField(path + ".last_day", "must not be before first_day");
    }
    if (e.last_day - e.first_day >= limits::kMaxAvailabilityHorizonDays) {
      return InvalidField(
          path + ".last_day",
          absl::StrCat("at most ", limits::kMaxAvailabilityHorizonDays,
                       " days after first_day"));
    }
    if (e.kind != ExceptionKind::kVacation) {
      RETURN_IF_ERROR(CheckMinutes(path, e.start_minute, e.end_minute));
    }
  }
  return absl::OkStatus();
}

void NormalizeAvailability(Availability* a) {
  for (AvailabilityException& e : a->exceptions) {
    if (e.kind == ExceptionKind::kOpening) continue;
    e.shape = SlotShape();
    if (e.kind == ExceptionKind::kVacation) {
      e.start_minute = 0;
      e.end_minute = kMinutesPerDay;
    }
  }
}

std::string GeneratedSlotId(absl::string_view id, absl::CivilMinute start) {
  return absl::StrFormat("t:%s:%04d%02d%02dT%02d%02d", id, start.year(),
                         start.month(), start.day(), start.hour(),
                         start.minute());
}

bool IsGeneratedSlotId(absl::string_view slot_id) {
  return slot_id.size() > 2 && slot_id[0] == 't' && slot_id[1] == ':';
}

absl::Status ExpandAvailability(const Availability& a,
                                const absl::TimeZone& zone, int64_t from_unix_s,
                                int64_t until_unix_s, int max_slots,
                                std::vector<Slot>* out) {
  out->clear();
  if (until_unix_s <= from_unix_s) return absl::OkStatus();
  // A day's sessions may start before its local midnight's Unix time plus
  // the offset change: widen by a day on each side, then filter by time.
  const absl::CivilDay first =
      absl::ToCivilDay(absl::FromUnixSeconds(from_unix_s), zone) - 1;
  const absl::CivilDay last =
      absl::ToCivilDay(absl::FromUnixSeconds(until_unix_s), zone) + 1;
  std::vector<Session> sessions;
  for (absl::CivilDay day = first; day <= last; ++day) {
    sessions.clear();
    const int weekday = WeekdayIndex(day);
    for (const WeeklyTemplate& t : a.templates) {
      if ((t.weekdays >> weekday & 1) == 0 || day < t.first_day ||
          (t.last_day.has_value() && day > *t.last_day)) {
        continue;
      }
      sessions.push_back({&t.id, t.start_minute, t.end_minute, &t.shape});
    }
    for (const AvailabilityException& e : a.exceptions) {
      if (e.kind != ExceptionKind::kOpening || !Covers(e, day)) continue;
      sessions.push_back({&e.id, e.start_minute, e.end_minute, &e.shape});
    }
    for (const Session& s : sessions) {
      const int32_t step = s.shape->slot_minutes;
      for (int32_t m = s.start_minute; m + step <= s.end_minute; m += step) {
        if (Closed(a, day, m, m + step)) continue;
        const absl::CivilMinute local = absl::CivilMinute(day) + m;
        const absl::TimeZone::TimeInfo info = zone.At(local);
        // Skipped local times (spring forward) have no slot; repeated ones
        // (fall back) take their first occurrence.
        if (info.kind == absl::TimeZone::TimeInfo::SKIPPED) continue;
        const int64_t start = absl::ToUnixSeconds(info.pre);
        if (start < from_unix_s || start >= until_unix_s) continue;
        if (static_cast<int>(out->size()) >= max_slots) {
          return absl::ResourceExhaustedError(absl::StrCat(
              "templates: more than ", max_slots,
              " slots generated for one professional over the horizon; "
              "use longer slots or fewer sessions"));
        }
        Slot slot;
        slot.id = GeneratedSlotId(*s.id, local);
        slot.professional_id = a.professional_id;
        slot.start_unix_s = start;
        slot.duration_s = step * 60;
        slot.modality = s.shape->modality;
        slot.capacity = s.shape->capacity;
        slot.overbooking_places = s.shape->overbooking_places;
        slot.visibility = s.shape->visibility;
        slot.location = s.shape->location;
        out->push_back(std::move(slot));
      }
    }
  }
  std::sort(out->begin(), out->end(), [](const Slot& x, const Slot& y) {
    return std::tie(x.start_unix_s, x.id) < std::tie(y.start_unix_s, y.id);
  });
  return absl::OkStatus();
}

}  // namespace creneau
