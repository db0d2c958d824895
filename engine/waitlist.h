// The waitlist's value types: a search that found nothing, waiting for a
// place (see Engine::EnqueueRequest and engine_waitlist.cc).
//
// Order: first come, first served. Requests are numbered as they are
// enqueued; when places appear (a publication, an availability expansion, a
// release, an expired hold, a cancellation, a week leaving its cap), the
// engine tries the waiting requests from the oldest, and each one that the
// new places could serve searches again with its own criteria and holds
// the best place its search offers, as MatchAndHold would. A younger
// request is served before an older one only when the older one's criteria
// find nothing.
#ifndef CRENEAU_ENGINE_WAITLIST_H_
#define CRENEAU_ENGINE_WAITLIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine_types.h"
#include "engine/limits.h"
#include "engine/types.h"

namespace creneau {

// Values are persisted and match creneau.v1.WaitingRequestState.
enum class RequestState : uint8_t {
  kWaiting = 1,
  kHeld = 2,       // A place was held for it: confirm or release the hold.
  kCancelled = 3,  // Cancelled by its organisation before a place came.
  kExpired = 4,    // Its expiry or its search window passed first.
};
inline constexpr int kRequestStateCount = 5;

struct WaitingRequest {
  // "wr-" and the last limits::kBookingIdHexDigits digits of hold_token.
  std::string id;
  uint64_t order = 0;  // Its place in the queue: smaller is older.
  // Who waits, with the rights it had when it enqueued: the hold is taken
  // in its name, within its scope, and only it may confirm it.
  Caller caller;
  // The request id of the enqueue and its payload fingerprint: a retry
  // gets this request back.
  std::string request_id;
  uint64_t payload_fingerprint = 0;
  // The criteria, the window fixed at enqueue (both ends set), the limit
  // limits::kMaxResultLimit.
  SearchQuery query;
  std::string patient_ref;  // As ConfirmCommand's; never sent on the feed.
  std::string hold_token;   // The token of the hold taken for it.
  int32_t hold_ttl_s = limits::kDefaultHoldTtlS;
  int64_t create_unix_s = 0;
  int64_t expire_unix_s = 0;  // At most the window's end.
  RequestState state = RequestState::kWaiting;
  int64_t close_unix_s = 0;  // When it left kWaiting; 0 while waiting.
  std::string slot_id;       // kHeld: the slot held for it.
  bool operator==(const WaitingRequest&) const = default;
};

struct EnqueueCommand {
  // As a search's (the window defaults as a search's do); its limit is
  // ignored: each attempt tries up to limits::kMaxResultLimit ranked
  // matches.
  SearchQuery query;
  std::string patient_ref;  // Required: the patient waiting.
  // Fresh and unguessable, as HoldCommand's: the hold taken when a place
  // comes, and the request's id, derive from it.
  std::string hold_token;
  int32_t hold_ttl_s = limits::kDefaultHoldTtlS;
  // How long it may wait, within [limits::kMinRequestExpiryS,
  // limits::kMaxRequestExpiryS]; the window's end comes first if sooner.
  int32_t expiry_s = limits::kDefaultRequestExpiryS;
};

struct RequestPage {
  std::vector<WaitingRequest> requests;  // By order, oldest first.
  std::string next_page_token;           // Empty on the last page.
};

// A request as the change feed records and sends it: without the patient's
// reference.
inline WaitingRequest ForChangeFeed(WaitingRequest request) {
  request.patient_ref.clear();
  return request;
}

}  // namespace creneau

#endif  // CRENEAU_ENGINE_WAITLIST_H_
