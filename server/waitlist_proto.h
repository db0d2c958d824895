// The waitlist between creneau.v1 messages and the engine's types
// (engine/waitlist.h), both ways; an INVALID_ARGUMENT names the field.
#ifndef CRENEAU_SERVER_WAITLIST_PROTO_H_
#define CRENEAU_SERVER_WAITLIST_PROTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "creneau/v1/orientation_service.pb.h"
#include "engine/waitlist.h"

namespace creneau::server {

namespace v1 = ::creneau::v1;

// The command of an enqueue, its search as QueryFromRequest reads it;
// `token` is the fresh hold token the server chose. Defaults: expiry
// limits::kDefaultRequestExpiryS, hold_ttl limits::kDefaultHoldTtlS.
absl::StatusOr<EnqueueCommand> EnqueueFromRequest(
    const v1::EnqueueRequestRequest& request, std::string token);

// The request as its organisation reads it (the feed's copy comes without
// patient_ref already).
void ToProto(const WaitingRequest& request, v1::WaitingRequest* out);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_WAITLIST_PROTO_H_
