#include "storage/internal/codec.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/commune_table.h"
#include "engine/limits.h"
#include "engine/validate.h"
#include "storage/internal/codec_common.h"
#include "storage/internal/coding.h"

namespace creneau::storage::internal {
namespace {

// The most subjects an event can list: one expiry pass over every active
// hold is the largest.
constexpr uint32_t kMaxEventSubjects = limits::kMaxActiveHolds;
// The last event type and subject kind each event version knows.
int LastEventType(uint8_t version) {
  if (version >= 4) return static_cast<int>(EventType::kRequestsExpired);
  if (version >= 2) return static_cast<int>(EventType::kAvailabilityPublished);
  return 9;
}
int LastSubjectKind(uint8_t version) {
  return static_cast<int>(version >= 4 ? SubjectKind::kRequest
                                       : SubjectKind::kTerritory);
}
// The largest count an idempotency record keeps: a batch, or the generated
// slots of one availability publication.
constexpr uint32_t kMaxRecordedCount =
    std::max<uint32_t>(limits::kMaxBatchSize, limits::kMaxSlotsPerProfessional);

// The last method number each idempotency record version knows.
int LastMethod(uint8_t version) {
  if (version >= 3) return static_cast<int>(Method::kPublishAvailability);
  // Enqueue and cancel of requests are never remembered as records.
  return version == 2 ? 9 : 7;
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

// The latest booking body (kBookingVersion).
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
  PutU8(out, static_cast<uint8_t>(b.cancel_reason));
  PutU8(out, b.overbooking_place ? 1 : 0);
  PutString(out, b.booked_by);
  PutString(out, b.hold_token);
  PutString(out, b.organisation);
}

// A cancel reason as version 1 stored it (free text): only whether there
// was one is kept, as kOther, the text itself is dropped.
bool GetCancelReason(Decoder& d, uint8_t version, CancelReason* reason) {
  if (version >= 2) {
    return GetEnum(d, reason, 0, kCancelReasonCount - 1);
  }
  std::string text;
  if (!d.GetString(&text)) return false;
  *reason = text.empty() ? CancelReason::kUnspecified : CancelReason::kOther;
  return true;
}

bool GetBookingBody(Decoder& d, uint8_t version, Booking* b) {
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
         GetCancelReason(d, version, &b->cancel_reason) &&
         d.GetU8(&overbooking) && overbooking <= 1 &&
         (b->overbooking_place = overbooking, true) &&
         d.GetString(&b->booked_by) && d.GetString(&b->hold_token) &&
         (version < 2 || d.GetString(&b->organisation));
}

}  // namespace

std::string EncodeTerritory(const Territory& t) {
  std::string out;
  PutU8(&out, kTerritoryVersion);
  PutString(&out, t.name);
  PutU8(&out, static_cast<uint8_t>(t.kind));
  PutVarint32(&out, static_cast<uint32_t>(t.commune_codes.size()));
  for (const std::string& code : t.commune_codes) PutString(&out, code);
  return out;
}

absl::StatusOr<Territory> DecodeTerritory(absl::string_view key,
                                          absl::string_view value) {
  Decoder d(value);
  Territory t;
  t.id = std::string(key);
  uint8_t version;
  uint32_t communes;
  if (!IsValidId(t.id) || !GetVersion(d, kTerritoryVersion, &version) ||
      !d.GetString(&t.name) ||
      !GetEnum(d, &t.kind, 1, kTerritoryKindCount - 1) ||
      !d.GetVarint32(&communes) || communes > CommuneTable::kMaxCommunes) {
    return Corrupt("territory", key);
  }
  t.commune_codes.resize(communes);
  for (std::string& code : t.commune_codes) {
    if (!d.GetString(&code) || !IsValidCommuneCode(code)) {
      return Corrupt("territory", key);
    }
  }
  if (!d.done()) return Corrupt("territory", key);
  return t;
}

std::string EncodeProfessional(const Professional& p) {
  std::string out;
  PutU8(&out, kProfessionalVersion);
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
  PutString(&out, p.owner);
  PutU8(&out, static_cast<uint8_t>(p.home_visit_radius_km));
  return out;
}

absl::StatusOr<Professional> DecodeProfessional(absl::string_view key,
                                                absl::string_view value) {
  Decoder d(value);
  Professional p;
  p.id = std::string(key);
  uint8_t version, sector, home_visit_radius_km = 0;
  uint32_t cap;
  if (!IsValidId(p.id) || !GetVersion(d, kProfessionalVersion, &version) ||
      !GetEnum(d, &p.profession, 1, kProfessionCount - 1) ||
      !GetLatLng(d, &p.location) || !d.GetString(&p.commune_code) ||
      !d.GetString(&p.time_zone) || !GetEnum(d, &p.structure, 1, 4) ||
      !d.GetString(&p.cpts_id) || !d.GetU8(&sector) || sector > 3 ||
      !d.GetVarint32(&cap) ||
      cap > uint32_t{limits::kMaxWeeklyOrientationCap} ||
      !d.GetString(&p.display_name) ||
      (version >= 2 && !d.GetString(&p.owner)) ||
      (version >= 3 &&
       (!d.GetU8(&home_visit_radius_km) ||
        home_visit_radius_km > limits::kMaxHomeVisitRadiusKm)) ||
      !d.done()) {
    return Corrupt("professional", key);
  }
  p.home_visit_radius_km = home_visit_radius_km;
  p.sector = sector;
  p.weekly_orientation_cap = static_cast<int32_t>(cap);
  return p;
}

std::string EncodeSlot(const Slot& s) {
  std::string out;
  PutU8(&out, kSlotVersion);
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
  uint8_t version, flags;
  uint32_t capacity, overbooking, duration;
  if (!IsValidId(s.id) || !GetVersion(d, kSlotVersion, &version) ||
      !d.GetU8(&flags) || flags > 3 || !GetEnum(d, &s.modality, 1, 3) ||
      !GetEnum(d, &s.visibility, 1, 4) || !d.GetVarint32(&capacity) ||
      capacity < 1 || capacity > uint32_t{limits::kMaxCapacity} ||
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
  PutU8(&out, kHoldVersion);
  PutHoldBody(&out, hold);
  return out;
}

absl::StatusOr<Hold> DecodeHold(absl::string_view key,
                                absl::string_view value) {
  Decoder d(value);
  Hold h;
  h.token = std::string(key);
  uint8_t version;
  if (!IsValidHoldToken(h.token) || !GetVersion(d, kHoldVersion, &version) ||
      !GetHoldBody(d, &h) || !d.done()) {
    return Corrupt("hold", key);
  }
  return h;
}

std::string EncodeBooking(const Booking& booking) {
  std::string out;
  PutU8(&out, kBookingVersion);
  PutBookingBody(&out, booking);
  return out;
}

absl::StatusOr<Booking> DecodeBooking(absl::string_view key,
                                      absl::string_view value) {
  Decoder d(value);
  Booking b;
  b.id = std::string(key);
  uint8_t version;
  if (!IsValidId(b.id) || !GetVersion(d, kBookingVersion, &version) ||
      !GetBookingBody(d, version, &b) || !d.done()) {
    return Corrupt("booking", key);
  }
  return b;
}

std::string EncodeIdempotency(const IdempotencyRecord& r) {
  std::string out;
  PutU8(&out, kIdempotencyVersion);
  PutU8(&out, static_cast<uint8_t>(r.method));
  PutFixed64(&out, r.payload_fingerprint);
  PutFixed64(&out, r.create_unix_s);
  const Outcome& o = r.outcome;
  PutU8(&out, (o.hold ? 1 : 0) | (o.booking ? 2 : 0));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.created));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.updated));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.unchanged));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.withdrawn));
  PutVarint32(&out, static_cast<uint32_t>(o.counts.kept));
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
  uint8_t version, parts;
  uint32_t counts[5] = {};  // created, updated, unchanged, withdrawn, kept.
  if (!IsValidRequestId(r.request_id) ||
      !GetVersion(d, kIdempotencyVersion, &version) ||
      !GetEnum(d, &r.method, 1, LastMethod(version)) ||
      !d.GetFixed64(&r.payload_fingerprint) || !d.GetInt64(&r.create_unix_s) ||
      !d.GetU8(&parts) || parts > 3) {
    return Corrupt("idempotency", key);
  }
  // Version 3 adds the withdrawn and kept counts (PublishAvailability).
  for (int i = 0; i < (version >= 3 ? 5 : 3); ++i) {
    if (!d.GetVarint32(&counts[i]) || counts[i] > kMaxRecordedCount) {
      return Corrupt("idempotency", key);
    }
  }
  r.outcome.counts = {
      static_cast<int32_t>(counts[0]), static_cast<int32_t>(counts[1]),
      static_cast<int32_t>(counts[2]), static_cast<int32_t>(counts[3]),
      static_cast<int32_t>(counts[4])};
  if (parts & 1) {
    Hold h;
    if (!d.GetString(&h.token) || !GetHoldBody(d, &h)) {
      return Corrupt("idempotency", key);
    }
    r.outcome.hold = std::move(h);
  }
  if (parts & 2) {
    Booking b;
    // Version 1 records hold version 1 bookings, later ones the latest.
    const uint8_t booking_version = version >= 2 ? kBookingVersion : 1;
    if (!d.GetString(&b.id) || !GetBookingBody(d, booking_version, &b)) {
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
  PutU8(&out, kEventVersion);
  PutU8(&out, static_cast<uint8_t>(e.type));
  PutFixed64(&out, e.time_unix_s);
  PutString(&out, e.actor);
  PutString(&out, e.request_id);
  PutVarint32(&out, static_cast<uint32_t>(e.subjects.size()));
  for (const Subject& s : e.subjects) {
    PutU8(&out, static_cast<uint8_t>(s.kind));
    PutString(&out, s.id);
  }
  PutString(&out, e.organisation);
  PutString(&out, e.detail);
  PutSubjectStates(&out, e.states);
  return out;
}

absl::StatusOr<Event> DecodeEvent(absl::string_view value) {
  Decoder d(value);
  Event e;
  uint8_t version;
  uint32_t subjects;
  if (!GetVersion(d, kEventVersion, &version) ||
      !GetEnum(d, &e.type, 1, LastEventType(version)) ||
      !d.GetInt64(&e.time_unix_s) || !d.GetString(&e.actor) ||
      !d.GetString(&e.request_id) || !d.GetVarint32(&subjects) ||
      subjects > kMaxEventSubjects) {
    return Corrupt("event", "");
  }
  e.subjects.resize(subjects);
  for (Subject& s : e.subjects) {
    if (version >= 2) {
      if (!GetEnum(d, &s.kind, 1, LastSubjectKind(version)) ||
          !d.GetString(&s.id)) {
        return Corrupt("event", "");
      }
      continue;
    }
    // Version 1 subjects were untyped: booking ids start with "bk-", the
    // others were slots.
    if (!d.GetString(&s.id)) return Corrupt("event", "");
    s.kind =
        s.id.rfind("bk-", 0) == 0 ? SubjectKind::kBooking : SubjectKind::kSlot;
  }
  if (version >= 2 &&
      (!d.GetString(&e.organisation) || !d.GetString(&e.detail) ||
       e.detail.size() > limits::kMaxEventDetailBytes)) {
    return Corrupt("event", "");
  }
  if (version >= 3 && !GetSubjectStates(d, e.subjects, &e.states)) {
    return Corrupt("event", "");
  }
  if (!d.done()) return Corrupt("event", "");
  return e;
}

}  // namespace creneau::storage::internal
