// The Availability value (FORMAT.md, "Availability"): a professional's
// templates and exceptions and how far their slots have been generated.
#include "absl/time/civil_time.h"
#include "engine/availability.h"
#include "engine/limits.h"
#include "storage/internal/codec.h"
#include "storage/internal/codec_common.h"
#include "storage/internal/coding.h"

namespace creneau::storage::internal {
namespace {

constexpr char kKind[] = "availability";
const absl::CivilDay kEpochDay(1970, 1, 1);

void PutDay(std::string* out, absl::CivilDay day) {
  PutFixed64(out, static_cast<uint64_t>(day - kEpochDay));
}

bool GetDay(Decoder& d, absl::CivilDay* day) {
  int64_t days;
  // Days from 1970-01-01, within a generous range of years 1900 to 2200.
  if (!d.GetInt64(&days) || days < -30000 || days > 85000) return false;
  *day = kEpochDay + days;
  return true;
}

void PutShape(std::string* out, const SlotShape& s) {
  PutVarint32(out, static_cast<uint32_t>(s.slot_minutes));
  PutU8(out, static_cast<uint8_t>(s.modality));
  PutVarint32(out, static_cast<uint32_t>(s.capacity));
  PutVarint32(out, static_cast<uint32_t>(s.overbooking_places));
  PutU8(out, static_cast<uint8_t>(s.visibility));
  PutU8(out, s.location ? 1 : 0);
  if (s.location) {
    PutDouble(out, s.location->lat_deg);
    PutDouble(out, s.location->lng_deg);
  }
}

// Ranges are checked by ValidateAvailability once the whole value is read.
bool GetShape(Decoder& d, SlotShape* s) {
  uint32_t minutes, capacity, overbooking;
  uint8_t has_location;
  if (!d.GetVarint32(&minutes) || minutes > 24 * 60 ||
      !GetEnum(d, &s->modality, 1, kModalityCount - 1) ||
      !d.GetVarint32(&capacity) || capacity > UINT16_MAX ||
      !d.GetVarint32(&overbooking) || overbooking > UINT16_MAX ||
      !GetEnum(d, &s->visibility, 1, kVisibilityCount - 1) ||
      !d.GetU8(&has_location) || has_location > 1) {
    return false;
  }
  s->slot_minutes = static_cast<int32_t>(minutes);
  s->capacity = static_cast<int32_t>(capacity);
  s->overbooking_places = static_cast<int32_t>(overbooking);
  if (has_location) {
    LatLng point;
    if (!GetLatLng(d, &point)) return false;
    s->location = point;
  }
  return true;
}

bool GetMinutes(Decoder& d, int32_t* start, int32_t* end) {
  uint32_t a, b;
  if (!d.GetVarint32(&a) || !d.GetVarint32(&b) || a > 24 * 60 || b > 24 * 60) {
    return false;
  }
  *start = static_cast<int32_t>(a);
  *end = static_cast<int32_t>(b);
  return true;
}

bool GetTemplate(Decoder& d, WeeklyTemplate* t) {
  uint8_t has_last;
  if (!d.GetString(&t->id) || !d.GetU8(&t->weekdays) ||
      !GetMinutes(d, &t->start_minute, &t->end_minute) ||
      !GetShape(d, &t->shape) || !GetDay(d, &t->first_day) ||
      !d.GetU8(&has_last) || has_last > 1) {
    return false;
  }
  if (has_last) {
    absl::CivilDay last;
    if (!GetDay(d, &last)) return false;
    t->last_day = last;
  }
  return true;
}

bool GetException(Decoder& d, AvailabilityException* e) {
  return d.GetString(&e->id) &&
         GetEnum(d, &e->kind, 1, static_cast<int>(ExceptionKind::kOpening)) &&
         GetDay(d, &e->first_day) && GetDay(d, &e->last_day) &&
         GetMinutes(d, &e->start_minute, &e->end_minute) &&
         GetShape(d, &e->shape);
}

}  // namespace

std::string EncodeAvailability(const StoredAvailability& stored) {
  const Availability& a = stored.availability;
  std::string out;
  PutU8(&out, kAvailabilityVersion);
  PutFixed64(&out, static_cast<uint64_t>(stored.generated_until_unix_s));
  PutVarint32(&out, static_cast<uint32_t>(a.templates.size()));
  for (const WeeklyTemplate& t : a.templates) {
    PutString(&out, t.id);
    PutU8(&out, t.weekdays);
    PutVarint32(&out, static_cast<uint32_t>(t.start_minute));
    PutVarint32(&out, static_cast<uint32_t>(t.end_minute));
    PutShape(&out, t.shape);
    PutDay(&out, t.first_day);
    PutU8(&out, t.last_day ? 1 : 0);
    if (t.last_day) PutDay(&out, *t.last_day);
  }
  PutVarint32(&out, static_cast<uint32_t>(a.exceptions.size()));
  for (const AvailabilityException& e : a.exceptions) {
    PutString(&out, e.id);
    PutU8(&out, static_cast<uint8_t>(e.kind));
    PutDay(&out, e.first_day);
    PutDay(&out, e.last_day);
    PutVarint32(&out, static_cast<uint32_t>(e.start_minute));
    PutVarint32(&out, static_cast<uint32_t>(e.end_minute));
    PutShape(&out, e.shape);
  }
  return out;
}

absl::StatusOr<StoredAvailability> DecodeAvailability(absl::string_view key,
                                                      absl::string_view value) {
  StoredAvailability stored;
  Availability& a = stored.availability;
  a.professional_id = std::string(key);
  Decoder d(value);
  uint8_t version;
  uint32_t templates, exceptions;
  if (!GetVersion(d, kAvailabilityVersion, &version) ||
      !d.GetInt64(&stored.generated_until_unix_s) ||
      !d.GetVarint32(&templates) ||
      templates > limits::kMaxTemplatesPerProfessional) {
    return Corrupt(kKind, key);
  }
  a.templates.resize(templates);
  for (WeeklyTemplate& t : a.templates) {
    if (!GetTemplate(d, &t)) return Corrupt(kKind, key);
  }
  if (!d.GetVarint32(&exceptions) ||
      exceptions > limits::kMaxExceptionsPerProfessional) {
    return Corrupt(kKind, key);
  }
  a.exceptions.resize(exceptions);
  for (AvailabilityException& e : a.exceptions) {
    if (!GetException(d, &e)) return Corrupt(kKind, key);
  }
  if (!d.done() || !ValidateAvailability(a).ok()) return Corrupt(kKind, key);
  return stored;
}

}  // namespace creneau::storage::internal
