#include "storage/internal/codec.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/limits.h"
#include "engine/validate.h"
#include "storage/internal/coding.h"

namespace creneau::storage::internal {
namespace {

// The most subjects an event can list: one expiry pass over every active
// hold is the largest.
constexpr uint32_t kMaxEventSubjects = limits::kMaxActiveHolds;

absl::Status Corrupt(absl::string_view kind, absl::string_view key) {
  return absl::DataLossError(absl::StrCat(
      "corrupt ", kind, " record '", absl::CHexEscape(key.substr(0, 80)), "'"));
}

template <typename Enum>
bool GetEnum(Decoder& d, Enum* value, int min, int max) {
  uint8_t raw;
  if (!d.GetU8(&raw) || raw < min || raw > max) return false;
  *value = static_cast<Enum>(raw);
  return true;
}

bool GetLatLng(Decoder& d, LatLng* point) {
  return d.GetDouble(&point->lat_deg) && d.GetDouble(&point->lng_deg) &&
         IsValidLatLng(*point);
}

bool GetVersion(Decoder& d) {
  uint8_t version;
  return d.GetU8(&version) && version == kRecordVersion;
}

void PutHoldBody(std::string* out, const Hold& h) {
  PutString(out, h.slot_id);
  PutString(out, h.holder);
  PutFixed64(out, h.create_unix_s);
  PutFixed64(out, h.expire_unix_s);
  PutU8(out, h.overbooking_place ? 1 : 0);
  PutU8(out, static_cast<uint8_t>(h.state));
  PutFixed64(out, h.close_unix_s);
}

bool GetHoldBody(Decoder& d, Hold* h) {
  uint8_t overbooking;
  return d.GetString(&h->slot_id) && IsValidId(h->slot_id) &&
         d.GetString(&h->holder) && d.GetInt64(&h->create_unix_s) &&
         d.GetInt64(&h->expire_unix_s) && d.GetU8(&overbooking) &&
         overbooking <= 1 && (h->overbooking_place = overbooking, true) &&
         GetEnum(d, &h->state, 1, 4) && d.GetInt64(&h->close_unix_s);
}

void PutBookingBody(std::string* out, const Booking& b) {
  PutString(out, b.slot_id);
  PutString(out, b.professional_id);
  PutFixed64(out, b.start_unix_s);
  PutFixed32(out, b.duration_s);
  PutU8(out, static_cast<uint8_t>(b.modality));
  PutString(out, b.patient_ref);
  PutString(out, b.orientation_ref);
  PutU8(out, static_cast<uint8_t>(b.status));
  PutFixed64(out, b.create_unix_s);
  PutFixed64(out, b.cancel_unix_s);
  PutString(out, b.cancel_reason);
  PutU8(out, b.overbooking_place ? 1 : 0);
  PutString(out, b.booked_by);
  PutString(out, b.hold_token);
}

bool GetBookingBody(Decoder& d, Booking* b) {
  uint32_t duration;
  uint8_t overbooking;
  return d.GetString(&b->slot_id) && IsValidId(b->slot_id) &&
         d.GetString(&b->professional_id) && d.GetInt64(&b->start_unix_s) &&
         d.GetFixed32(&duration) &&
         duration <= uint32_t{limits::kMaxSlotDurationS} &&
         (b->duration_s = static_cast<int32_t>(duration), true) &&
         GetEnum(d, &b->modality, 1, 3) && d.GetString(&b->patient_ref) &&
         d.GetString(&b->orientation_ref) && GetEnum(d, &b->status, 1, 2) &&
         d.GetInt64(&b->create_unix_s) && d.GetInt64(&b->cancel_unix_s) &&
         d.GetString(&b->cancel_reason) && d.GetU8(&overbooking) &&
         overbooking <= 1 && (b->overbooking_place = overbooking, true) &&
         d.GetString(&b->booked_by) && d.GetString(&b->hold_token);
}

}  // namespace

std::string EncodeProfessional(const Professional& p) {
  std::string out;
  PutU8(&out, kRecordVersion);
  PutU8(&out, static_cast<uint8_t>(p.profession));
  PutDouble(&out, p.location.lat_deg);
  PutDouble(&out, p.location.lng_deg);
  PutString(&out, p.commune_code);
  PutString(&out, p.time_zone);
  PutU8(&out, static_cast<uint8_t>(p.structure));
  PutString(&out, p.cpts_id);
  PutU8(&out, static_cast<uint8_t>(p.sector));
  PutVarint32(&out, static_cast<uint32_t>(p.weekly_orientation_cap));
  PutString(&out, p.display_name);
  return out;
}

absl::StatusOr<Professional> DecodeProfessional(absl::string_view key,
                                                absl::string_view value) {
  Decoder d(value);
  Professional p;
  p.id = std::string(key);
  uint8_t sector;
  uint32_t cap;
  if (!IsValidId(p.id) || !GetVersion(d) ||
      !GetEnum(d, &p.profession, 1, kProfessionCount - 1) ||
      !GetLatLng(d, &p.location) || !d.GetString(&p.commune_code) ||
      !d.GetString(&p.time_zone) || !GetEnum(d, &p.structure, 1, 4) ||
      !d.GetString(&p.cpts_id) || !d.GetU8(&sector) || sector > 3 ||
      !d.GetVarint32(&cap) ||
      cap > uint32_t{limits::kMaxWeeklyOrientationCap} ||
      !d.GetString(&p.display_name) || !d.done()) {
    return Corrupt("professional", key);
  }
  p.sector = sector;
  p.weekly_orientation_cap = static_cast<int32_t>(cap);
  return p;
}

std::string EncodeSlot(const Slot& s) {
  std::string out;
  PutU8(&out, kRecordVersion);
  PutU8(&out, (s.withdrawn ? 1 : 0) | (s.location ? 2 : 0));
  PutU8(&out, static_cast<uint8_t>(s.modality));
  PutU8(&out, static_cast<uint8_t>(s.visibility));
  PutVarint32(&out, static_cast<uint32_t>(s.capacity));
  PutVarint32(&out, static_cast<uint32_t>(s.overbooking_places));
  PutFixed64(&out, s.start_unix_s);
  PutFixed32(&out, static_cast<uint32_t>(s.duration_s));
  PutString(&out, s.professional_id);
  if (s.location) {
    PutDouble(&out, s.location->lat_deg);
    PutDouble(&out, s.location->lng_deg);
  }
  return out;
}

absl::StatusOr<Slot> DecodeSlot(absl::string_view key,
                                absl::string_view value) {
  Decoder d(value);
  Slot s;
  s.id = std::string(key);
  uint8_t flags;
  uint32_t capacity, overbooking, duration;
  if (!IsValidId(s.id) || !GetVersion(d) || !d.GetU8(&flags) || flags > 3 ||
      !GetEnum(d, &s.modality, 1, 3) || !GetEnum(d, &s.visibility, 1, 4) ||
      !d.GetVarint32(&capacity) || capacity < 1 ||
      capacity > uint32_t{limits::kMaxCapacity} ||
      !d.GetVarint32(&overbooking) ||
      overbooking > uint32_t{limits::kMaxOverbookingPlaces} ||
      !d.GetInt64(&s.start_unix_s) || s.start_unix_s < 0 ||
      s.start_unix_s > UINT32_MAX || !d.GetFixed32(&duration) ||
      duration > uint32_t{limits::kMaxSlotDurationS} ||
      !d.GetString(&s.professional_id) || !IsValidId(s.professional_id)) {
    return Corrupt("slot", key);
  }
  s.withdrawn = flags & 1;
  s.capacity = static_cast<int32_t>(capacity);
  s.overbooking_places = static_cast<int32_t>(overbooking);
  s.duration_s = static_cast<int32_t>(duration);
  if (flags & 2) {
    LatLng location;
    if (!GetLatLng(d, &location)) return Corrupt("slot", key);
    s.location = location;
  }
  if (!d.done()) return Corrupt("slot", key);
  return s;
}

std::string EncodeHold(const Hold& hold) {
  std::string out;
  PutU8(&out, kRecordVersion);
  PutHoldBody(&out, hold);
  return out;
}

absl::StatusOr<Hold> DecodeHold(absl::string_view key,
                                absl::string_view value) {
  Decoder d(value);
  Hold h;
  h.token = std::string(key);
  if (!IsValidHoldToken(h.token) || !GetVersion(d) || !GetHoldBody(d, &h) ||
      !d.done()) {
    return Corrupt("hold", key);
  }
  return h;
}

std::string EncodeBooking(const Booking& booking) {
  std::string out;
  PutU8(&out, kRecordVersion);
  PutBookingBody(&out, booking);
  return out;
}

absl::StatusOr<Booking> DecodeBooking(absl::string_view key,
                                      absl::string_view value) {
  Decoder d(value);
  Booking b;
  b.id = std::string(key);
  if (!IsValidId(b.id) || !GetVersion(d) || !GetBookingBody(d, &b) ||
      !d.done()) {
    return Corrupt("booking", key);
  }
  return b;
}

std::string EncodeIdempotency(const IdempotencyRecord& r) {
  std::string out;
  PutU8(&out, kRecordVersion);
  PutU8(&out, static_cast<uint8_t>(r.method));
  PutFixed64(&out, r.payload_fingerprint);
  PutFixed64(&out, r.create_unix_s);
  const Outcome& o = r.outcome;
  PutU8(&out, (o.hold ? 1 : 0) | (o.booking ? 2 : 0));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.created));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.updated));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.unchanged));
  if (o.hold) {
    PutString(&out, o.hold->token);
    PutHoldBody(&out, *o.hold);
  }
  if (o.booking) {
    PutString(&out, o.booking->id);
    PutBookingBody(&out, *o.booking);
  }
  return out;
}

absl::StatusOr<IdempotencyRecord> DecodeIdempotency(absl::string_view key,
                                                    absl::string_view value) {
  IdempotencyRecord r;
  const size_t nul = key.find('\0');
  if (nul == absl::string_view::npos) return Corrupt("idempotency", key);
  r.caller = std::string(key.substr(0, nul));
  r.request_id = std::string(key.substr(nul + 1));
  Decoder d(value);
  uint8_t parts;
  uint32_t created, updated, unchanged;
  if (!IsValidRequestId(r.request_id) || !GetVersion(d) ||
      !GetEnum(d, &r.method, 1, 7) || !d.GetFixed64(&r.payload_fingerprint) ||
      !d.GetInt64(&r.create_unix_s) || !d.GetU8(&parts) || parts > 3 ||
      !d.GetVarint32(&created) || !d.GetVarint32(&updated) ||
      !d.GetVarint32(&unchanged) || created > limits::kMaxBatchSize ||
      updated > limits::kMaxBatchSize || unchanged > limits::kMaxBatchSize) {
    return Corrupt("idempotency", key);
  }
  r.outcome.counts = {static_cast<int32_t>(created),
                      static_cast<int32_t>(updated),
                      static_cast<int32_t>(unchanged)};
  if (parts & 1) {
    Hold h;
    if (!d.GetString(&h.token) || !GetHoldBody(d, &h)) {
      return Corrupt("idempotency", key);
    }
    r.outcome.hold = std::move(h);
  }
  if (parts & 2) {
    Booking b;
    if (!d.GetString(&b.id) || !GetBookingBody(d, &b)) {
      return Corrupt("idempotency", key);
    }
    r.outcome.booking = std::move(b);
  }
  if (!d.done()) return Corrupt("idempotency", key);
  return r;
}

std::string EventKey(uint64_t sequence) { return BigEndian64(sequence); }

absl::StatusOr<uint64_t> DecodeEventKey(absl::string_view key) {
  uint64_t sequence;
  if (!ParseBigEndian64(key, &sequence)) return Corrupt("event key", key);
  return sequence;
}

std::string EncodeEvent(const Event& e) {
  std::string out;
  PutU8(&out, kRecordVersion);
  PutU8(&out, static_cast<uint8_t>(e.type));
  PutFixed64(&out, e.time_unix_s);
  PutString(&out, e.actor);
  PutString(&out, e.request_id);
  PutVarint32(&out, static_cast<uint32_t>(e.subjects.size()));
  for (const std::string& s : e.subjects) PutString(&out, s);
  return out;
}

absl::StatusOr<Event> DecodeEvent(absl::string_view value) {
  Decoder d(value);
  Event e;
  uint32_t subjects;
  if (!GetVersion(d) || !GetEnum(d, &e.type, 1, 9) ||
      !d.GetInt64(&e.time_unix_s) || !d.GetString(&e.actor) ||
      !d.GetString(&e.request_id) || !d.GetVarint32(&subjects) ||
      subjects > kMaxEventSubjects) {
    return Corrupt("event", "");
  }
  e.subjects.resize(subjects);
  for (std::string& s : e.subjects) {
    if (!d.GetString(&s)) return Corrupt("event", "");
  }
  if (!d.done()) return Corrupt("event", "");
  return e;
}

}  // namespace creneau::storage::internal
