// Recurring availability: the weekly templates and exceptions a feed
// publishes for a professional, and their expansion into ordinary slots.
//
// A template says "Monday to Friday 17:00-19:00 local, 15-minute slots, in
// office" for a range of dates; exceptions close a day or a time range,
// declare a vacation (whole days), or open a one-off session. The engine
// (Engine::PublishAvailability) keeps the generated slots published over a
// rolling horizon; this file holds the pure part: the types, their
// validation and the expansion, which depend on nothing but the time zone.
//
// Generated slot ids are stable: "t:<template or opening id>:<YYYYMMDD>T<HHMM>"
// with the local date and time the slot starts at, so expanding the same
// availability twice yields the same ids and republishing is a no-op.
// Local times that do not exist (the hour skipped when clocks spring
// forward) generate no slot; local times that occur twice (the hour repeated
// when clocks fall back) generate one slot, at the first occurrence.
#ifndef CRENEAU_ENGINE_AVAILABILITY_H_
#define CRENEAU_ENGINE_AVAILABILITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/types.h"

namespace creneau {

// Weekday bits of WeeklyTemplate::weekdays: bit 0 Monday ... bit 6 Sunday.
inline constexpr uint8_t kAllWeekdays = 0x7f;

// What generated slots carry besides their time.
struct SlotShape {
  int32_t slot_minutes = 15;  // Slot length; sessions are cut into these.
  Modality modality = Modality::kInOffice;
  int32_t capacity = 1;
  int32_t overbooking_places = 0;
  Visibility visibility = Visibility::kPublic;
  std::optional<LatLng> location;  // Override of the professional's.
  bool operator==(const SlotShape&) const = default;
};

// A weekly session: on each of `weekdays`, from start_minute to end_minute
// local time, cut into slots of shape.slot_minutes (a remainder shorter
// than a slot is left out), on the days from `first_day` to `last_day`
// (inclusive; none: open-ended).
struct WeeklyTemplate {
  std::string id;  // Unique across every professional (slot ids are).
  uint8_t weekdays = 0;
  int32_t start_minute = 0;  // [0, 1440)
  int32_t end_minute = 0;    // (start_minute, 1440]
  SlotShape shape;
  absl::CivilDay first_day;
  std::optional<absl::CivilDay> last_day;
  bool operator==(const WeeklyTemplate&) const = default;
};

// Values are persisted (storage/FORMAT.md) and match
// creneau.v1.AvailabilityException.Kind.
enum class ExceptionKind : uint8_t {
  kUnspecified = 0,
  // No generated slot overlaps [start_minute, end_minute) on these days.
  kClosure = 1,
  // Whole days off: a closure of [0, 1440) on each day.
  kVacation = 2,
  // A one-off session with its own shape, on each of these days.
  kOpening = 3,
};

struct AvailabilityException {
  std::string id;  // Names an opening's slots; unique as template ids.
  ExceptionKind kind = ExceptionKind::kUnspecified;
  absl::CivilDay first_day;
  absl::CivilDay last_day;   // Inclusive; at least first_day.
  int32_t start_minute = 0;  // Vacations: whole days.
  int32_t end_minute = 1440;
  SlotShape shape;  // Openings only.
  bool operator==(const AvailabilityException&) const = default;
};

// Everything a feed says about one professional's recurring availability;
// a publication replaces the previous one whole.
struct Availability {
  std::string professional_id;
  std::vector<WeeklyTemplate> templates;          // limits::kMaxTemplatesPer...
  std::vector<AvailabilityException> exceptions;  // kMaxExceptionsPer...
  bool operator==(const Availability&) const = default;
};

// An availability as the engine keeps it: with the end of the horizon its
// slots have been generated up to (maintenance extends it day by day).
struct StoredAvailability {
  Availability availability;
  int64_t generated_until_unix_s = 0;
  bool operator==(const StoredAvailability&) const = default;
};

// INVALID_ARGUMENT naming the field ("templates[2].end_minute: ...") unless
// every id is well formed and distinct, every range ordered, every shape
// within the slot limits, and the counts within limits.
absl::Status ValidateAvailability(const Availability& availability);

// Clears what a kind of exception does not use (the shape of closures and
// vacations, the minutes of vacations), so that equal meanings compare and
// store equal. The engine stores availability normalised.
void NormalizeAvailability(Availability* availability);

// The slot id of a session `id` starting at local `start`.
std::string GeneratedSlotId(absl::string_view id, absl::CivilMinute start);
// Whether `slot_id` was made by GeneratedSlotId (generated slots are the
// ones a new publication may withdraw).
bool IsGeneratedSlotId(absl::string_view slot_id);

// The end of the horizon the engine generates slots up to at `now_s`, for
// a horizon of `horizon_days` (EngineOptions::availability_horizon_days):
// at least that many days ahead, never past what a feed may publish.
int64_t AvailabilityHorizonEnd(int64_t now_s, int32_t horizon_days);

// The slots `availability` generates that start in [from_unix_s,
// until_unix_s), in `zone`, by start then id; each names the professional
// and is not withdrawn. Closures and vacations remove the slots they
// overlap, whichever template or opening made them. At most `max_slots`
// (RESOURCE_EXHAUSTED beyond, naming the limit). `availability` must be
// valid.
absl::Status ExpandAvailability(const Availability& availability,
                                const absl::TimeZone& zone, int64_t from_unix_s,
                                int64_t until_unix_s, int max_slots,
                                std::vector<Slot>* out);

}  // namespace creneau

#endif  // CRENEAU_ENGINE_AVAILABILITY_H_
