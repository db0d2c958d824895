#include "server/waitlist_proto.h"

#include "engine/limits.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "server/from_proto.h"
#include "server/internal/proto_time.h"

namespace creneau::server {
namespace {

using internal::SetTime;

#define CRENEAU_SAME_STATE(engine_value, proto_value)                          \
  static_assert(static_cast<int>(RequestState::engine_value) ==                \
                    static_cast<int>(v1::WAITING_REQUEST_STATE_##proto_value), \
                "RequestState and creneau.v1.WaitingRequestState differ")
CRENEAU_SAME_STATE(kWaiting, WAITING);
CRENEAU_SAME_STATE(kHeld, HELD);
CRENEAU_SAME_STATE(kCancelled, CANCELLED);
CRENEAU_SAME_STATE(kExpired, EXPIRED);
static_assert(kRequestStateCount == 5, "a state was added: map it above");
#undef CRENEAU_SAME_STATE

// A duration field within [min_s, max_s], `default_s` when not given.
absl::StatusOr<int32_t> DurationWithin(bool has,
                                       const google::protobuf::Duration& d,
                                       absl::string_view path,
                                       int32_t default_s, int32_t min_s,
                                       int32_t max_s) {
  if (!has) return default_s;
  ASSIGN_OR_RETURN(const int64_t seconds, internal::Seconds(d, path));
  if (seconds < min_s || seconds > max_s) {
    return InvalidField(path, DurationRule(min_s, max_s));
  }
  return static_cast<int32_t>(seconds);
}

}  // namespace

absl::StatusOr<EnqueueCommand> EnqueueFromRequest(
    const v1::EnqueueRequestRequest& request, std::string token) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  if (!request.has_search()) return InvalidField("search", "required");
  if (request.patient_ref().empty()) {
    return InvalidField("patient_ref",
                        "required (a pseudonymous reference, never a name)");
  }
  EnqueueCommand command;
  ASSIGN_OR_RETURN(command.query, QueryFromRequest(request.search()));
  command.patient_ref = request.patient_ref();
  command.hold_token = std::move(token);
  ASSIGN_OR_RETURN(
      command.expiry_s,
      DurationWithin(request.has_expiry(), request.expiry(), "expiry",
                     limits::kDefaultRequestExpiryS, limits::kMinRequestExpiryS,
                     limits::kMaxRequestExpiryS));
  ASSIGN_OR_RETURN(command.hold_ttl_s,
                   DurationWithin(request.has_hold_ttl(), request.hold_ttl(),
                                  "hold_ttl", limits::kDefaultHoldTtlS,
                                  limits::kMinHoldTtlS, limits::kMaxHoldTtlS));
  return command;
}

void ToProto(const WaitingRequest& r, v1::WaitingRequest* out) {
  out->set_id(r.id);
  out->set_state(static_cast<v1::WaitingRequestState>(r.state));
  out->set_position(r.order);
  out->set_principal(r.caller.name);
  out->set_organisation(r.caller.organisation);
  const SearchQuery& q = r.query;
  out->set_profession(static_cast<v1::Profession>(q.profession));
  for (Profession p : q.other_professions) {
    out->add_other_professions(static_cast<v1::Profession>(p));
  }
  out->set_commune_code(q.commune_code);
  if (q.point) {
    out->mutable_point()->set_latitude(q.point->lat_deg);
    out->mutable_point()->set_longitude(q.point->lng_deg);
  }
  SetTime(q.window_start_unix_s.value_or(0), out->mutable_window_start());
  SetTime(q.window_end_unix_s.value_or(0), out->mutable_window_end());
  out->set_patient_ref(r.patient_ref);
  SetTime(r.create_unix_s, out->mutable_create_time());
  SetTime(r.expire_unix_s, out->mutable_expire_time());
  if (r.state == RequestState::kWaiting) return;
  SetTime(r.close_unix_s, out->mutable_close_time());
  if (r.state != RequestState::kHeld) return;
  v1::Hold* hold = out->mutable_hold();
  hold->set_token(r.hold_token);
  hold->set_slot_id(r.slot_id);
  SetTime(r.close_unix_s + r.hold_ttl_s, hold->mutable_expire_time());
}

}  // namespace creneau::server
