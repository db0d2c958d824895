// The WaitingRequest value (FORMAT.md, "Waiting requests"): a request on
// the waitlist with the caller it acts for and its search criteria.
#include "engine/limits.h"
#include "storage/internal/codec.h"
#include "storage/internal/codec_common.h"
#include "storage/internal/coding.h"

namespace creneau::storage::internal {
namespace {

constexpr char kKind[] = "waiting request";

void PutCaller(std::string* out, const Caller& c) {
  PutString(out, c.name);
  PutU8(out, c.visibilities);
  PutU8(out, c.may_overbook ? 1 : 0);
  PutString(out, c.organisation);
  PutU8(out, c.scope.national ? 1 : 0);
  PutVarint32(out, static_cast<uint32_t>(c.scope.territory_ids.size()));
  for (const std::string& id : c.scope.territory_ids) PutString(out, id);
  PutU8(out, c.administrator ? 1 : 0);
}

bool GetBool(Decoder& d, bool* value) {
  uint8_t raw;
  if (!d.GetU8(&raw) || raw > 1) return false;
  *value = raw == 1;
  return true;
}

bool GetCaller(Decoder& d, Caller* c) {
  uint32_t territories;
  if (!d.GetString(&c->name) || !d.GetU8(&c->visibilities) ||
      !GetBool(d, &c->may_overbook) || !d.GetString(&c->organisation) ||
      !GetBool(d, &c->scope.national) || !d.GetVarint32(&territories) ||
      territories > static_cast<uint32_t>(limits::kMaxScopeTerritories)) {
    return false;
  }
  c->scope.territory_ids.resize(territories);
  for (std::string& id : c->scope.territory_ids) {
    if (!d.GetString(&id)) return false;
  }
  return GetBool(d, &c->administrator);
}

void PutQuery(std::string* out, const SearchQuery& q) {
  PutU8(out, q.point ? 1 : 0);
  if (q.point) {
    PutDouble(out, q.point->lat_deg);
    PutDouble(out, q.point->lng_deg);
  }
  PutString(out, q.commune_code);
  PutU8(out, static_cast<uint8_t>(q.profession));
  PutVarint32(out, static_cast<uint32_t>(q.other_professions.size()));
  for (Profession p : q.other_professions) {
    PutU8(out, static_cast<uint8_t>(p));
  }
  PutU8(out, q.modalities);
  // Both ends are set once enqueued (WaitingRequest::query).
  PutFixed64(out, static_cast<uint64_t>(q.window_start_unix_s.value_or(0)));
  PutFixed64(out, static_cast<uint64_t>(q.window_end_unix_s.value_or(0)));
  PutVarint32(out, static_cast<uint32_t>(q.radius_m));
  PutVarint32(out, static_cast<uint32_t>(q.limit));
  PutU8(out, static_cast<uint8_t>(q.order));
  PutString(out, q.preferred_professional_id);
}

bool GetQuery(Decoder& d, SearchQuery* q) {
  bool has_point;
  uint32_t others, radius, limit;
  int64_t start, end;
  if (!GetBool(d, &has_point)) return false;
  if (has_point) {
    LatLng point;
    if (!GetLatLng(d, &point)) return false;
    q->point = point;
  }
  if (!d.GetString(&q->commune_code) ||
      !GetEnum(d, &q->profession, 1, kProfessionCount - 1) ||
      !d.GetVarint32(&others) || others >= kProfessionCount) {
    return false;
  }
  q->other_professions.resize(others);
  for (Profession& p : q->other_professions) {
    if (!GetEnum(d, &p, 1, kProfessionCount - 1)) return false;
  }
  if (!d.GetU8(&q->modalities) || !d.GetInt64(&start) || !d.GetInt64(&end) ||
      !d.GetVarint32(&radius) ||
      radius > static_cast<uint32_t>(limits::kMaxRadiusM) ||
      !d.GetVarint32(&limit) ||
      limit > static_cast<uint32_t>(limits::kMaxResultLimit) ||
      !GetEnum(d, &q->order, 1, static_cast<int>(SearchOrder::kBalanced)) ||
      !d.GetString(&q->preferred_professional_id)) {
    return false;
  }
  q->window_start_unix_s = start;
  q->window_end_unix_s = end;
  q->radius_m = static_cast<int32_t>(radius);
  q->limit = static_cast<int32_t>(limit);
  return true;
}

}  // namespace

std::string EncodeRequest(const WaitingRequest& r) {
  std::string out;
  PutU8(&out, kRequestVersion);
  PutFixed64(&out, r.order);
  PutCaller(&out, r.caller);
  PutString(&out, r.request_id);
  PutFixed64(&out, r.payload_fingerprint);
  PutQuery(&out, r.query);
  PutString(&out, r.patient_ref);
  PutString(&out, r.hold_token);
  PutVarint32(&out, static_cast<uint32_t>(r.hold_ttl_s));
  PutFixed64(&out, static_cast<uint64_t>(r.create_unix_s));
  PutFixed64(&out, static_cast<uint64_t>(r.expire_unix_s));
  PutU8(&out, static_cast<uint8_t>(r.state));
  PutFixed64(&out, static_cast<uint64_t>(r.close_unix_s));
  PutString(&out, r.slot_id);
  return out;
}

absl::StatusOr<WaitingRequest> DecodeRequest(absl::string_view key,
                                             absl::string_view value) {
  Decoder d(value);
  WaitingRequest r;
  r.id = std::string(key);
  uint8_t version;
  uint32_t ttl;
  if (!GetVersion(d, kRequestVersion, &version) || !d.GetFixed64(&r.order) ||
      !GetCaller(d, &r.caller) || !d.GetString(&r.request_id) ||
      !d.GetFixed64(&r.payload_fingerprint) || !GetQuery(d, &r.query) ||
      !d.GetString(&r.patient_ref) || !d.GetString(&r.hold_token) ||
      !d.GetVarint32(&ttl) || ttl > uint32_t{limits::kMaxHoldTtlS} ||
      !d.GetInt64(&r.create_unix_s) || !d.GetInt64(&r.expire_unix_s) ||
      !GetEnum(d, &r.state, 1, kRequestStateCount - 1) ||
      !d.GetInt64(&r.close_unix_s) || !d.GetString(&r.slot_id) || !d.done()) {
    return Corrupt(kKind, key);
  }
  r.hold_ttl_s = static_cast<int32_t>(ttl);
  return r;
}

}  // namespace creneau::storage::internal
