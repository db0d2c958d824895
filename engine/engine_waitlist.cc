// Engine: the waitlist. A search that found nothing waits in its
// organisation's queue; places that appear go to the oldest request they
// can serve (engine/waitlist.h gives the order).
//
// Why the engine serves the queue itself, under its lock, in the command
// that frees a place: the place goes to the waiting patient before any
// other search can see it, and a crash either keeps both the freed place
// and the hold for the request, or neither.
#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
namespace {

std::string RequestIdOf(absl::string_view hold_token) {
  return absl::StrCat("wr-", hold_token.substr(hold_token.size() -
                                               limits::kBookingIdHexDigits));
}

absl::Status CheckEnqueueTerms(const EnqueueCommand& command) {
  RETURN_IF_ERROR(CheckHoldTerms(command.hold_token, command.hold_ttl_s));
  RETURN_IF_ERROR(CheckPatientRef(command.patient_ref));
  if (command.expiry_s < limits::kMinRequestExpiryS ||
      command.expiry_s > limits::kMaxRequestExpiryS) {
    return InvalidField(
        "expiry_s",
        absl::StrCat("must be from ", limits::kMinRequestExpiryS, " to ",
                     limits::kMaxRequestExpiryS, " seconds (",
                     HumanDuration(limits::kMaxRequestExpiryS), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WaitingRequest> Engine::EnqueueRequest(
    const Caller& caller, const RequestKey& key, const EnqueueCommand& command,
    absl::Time now, Effects* effects) {
  const int64_t now_s = Advance(now);
  ExpireDue(now_s, effects);
  // Places the expiries freed go to the requests already waiting.
  ServeWaitlist(now_s, effects);
  auto known = request_keys_.find(IdempotencyKey(caller.name, key.request_id));
  if (!key.request_id.empty() && known != request_keys_.end()) {
    const WaitingRequest& first = requests_.at(known->second);
    if (first.payload_fingerprint != key.payload_fingerprint) {
      return absl::AlreadyExistsError(
          "request_id: already used for another request");
    }
    effects->replayed = true;
    return first;
  }
  RETURN_IF_ERROR(CheckEnqueueTerms(command));
  IndexQuery index_query;
  SearchResult window;
  int32_t cap_m = 0;
  RETURN_IF_ERROR(PrepareSearch(caller, command.query, now_s, &index_query,
                                &window, &cap_m));
  const std::string id = RequestIdOf(command.hold_token);
  if (requests_.contains(id) || holds_.contains(command.hold_token)) {
    return absl::AlreadyExistsError("hold_token: already used");
  }
  if (waiting_.size() >= static_cast<size_t>(limits::kMaxWaitingRequests)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the waitlist holds ", waiting_.size(),
                     " requests, its limit; retry later"));
  }
  if (requests_.size() >= static_cast<size_t>(limits::kMaxKeptRequests)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the waitlist keeps ", requests_.size(),
                     " requests (waiting, or closed within ",
                     HumanDuration(limits::kClosedRequestRetentionS),
                     "), its limit; retry later"));
  }
  int& kept_here = kept_by_organisation_[caller.organisation];
  if (kept_here >= limits::kMaxKeptRequestsPerOrganisation) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this organisation has ", kept_here,
        " requests kept (waiting, or closed within ",
        HumanDuration(limits::kClosedRequestRetentionS), "; at most ",
        limits::kMaxKeptRequestsPerOrganisation, "); retry later"));
  }
  int& waiting_here = waiting_by_organisation_[caller.organisation];
  if (waiting_here >= limits::kMaxWaitingRequestsPerOrganisation) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this organisation has ", waiting_here, " waiting requests (at most ",
        limits::kMaxWaitingRequestsPerOrganisation,
        "); cancel one or wait for one to be served"));
  }

  WaitingRequest request;
  request.id = id;
  request.order = next_request_order_++;
  request.caller = caller;
  request.request_id = key.request_id;
  request.payload_fingerprint = key.payload_fingerprint;
  request.query = command.query;
  request.query.window_start_unix_s = window.window_start_unix_s;
  request.query.window_end_unix_s = window.window_end_unix_s;
  // Every attempt ranks as many matches as a search may: with fewer, places
  // it cannot hold (out of scope, overbooking only) could crowd out one it
  // can, and whether it waits would depend on what others hold.
  request.query.limit = limits::kMaxResultLimit;
  request.patient_ref = command.patient_ref;
  request.hold_token = command.hold_token;
  request.hold_ttl_s = command.hold_ttl_s;
  request.create_unix_s = now_s;
  request.expire_unix_s =
      std::min<int64_t>(now_s + command.expiry_s, window.window_end_unix_s);
  ++waiting_here;
  ++kept_here;
  waiting_.emplace(request.order, id);
  waiting_by_expiry_.emplace(request.expire_unix_s, id);
  requests_by_order_.emplace(request.order, id);
  if (!key.request_id.empty()) {
    request_keys_[IdempotencyKey(caller.name, key.request_id)] = id;
  }
  WaitingRequest& stored =
      requests_.emplace(id, std::move(request)).first->second;
  effects->requests_put.push_back(stored);
  Event event = MakeEvent(EventType::kRequestEnqueued, caller, key);
  event.Add(SubjectKind::kRequest, id);
  effects->events.push_back(std::move(event));
  // A place may be free already (the caller enqueued without searching,
  // or one appeared since): the new request is served at once.
  TryServe(stored, now_s, effects);
  return stored;
}

absl::StatusOr<WaitingRequest> Engine::CancelRequest(
    const Caller& caller, const RequestKey& key, absl::string_view request_id,
    absl::Time now, Effects* effects) {
  const int64_t now_s = Advance(now);
  ExpireDue(now_s, effects);
  ServeWaitlist(now_s, effects);
  RETURN_IF_ERROR(CheckId("request_id", request_id));
  auto it = requests_.find(request_id);
  if (it == requests_.end() || !MayReadRequest(caller, it->second)) {
    return absl::NotFoundError(
        absl::StrCat("request_id: no waiting request '", request_id, "'"));
  }
  WaitingRequest& request = it->second;
  switch (request.state) {
    case RequestState::kWaiting:
      break;
    case RequestState::kCancelled:
      return request;  // A retry, or a second click: nothing to do.
    case RequestState::kHeld:
      return absl::FailedPreconditionError(absl::StrCat(
          "request_id: request '", request.id, "' was served: slot '",
          request.slot_id, "' is held for it; release the hold instead"));
    case RequestState::kExpired:
      return absl::FailedPreconditionError(
          absl::StrCat("request_id: request '", request.id, "' expired at ",
                       request.close_unix_s));
  }
  CloseRequest(request, RequestState::kCancelled, now_s, effects);
  Event event = MakeEvent(EventType::kRequestCancelled, caller, key);
  event.Add(SubjectKind::kRequest, request.id);
  effects->events.push_back(std::move(event));
  return request;
}

bool Engine::MayReadRequest(const Caller& caller,
                            const WaitingRequest& request) const {
  return caller.administrator ||
         request.caller.organisation == caller.organisation;
}

absl::StatusOr<WaitingRequest> Engine::GetRequest(const Caller& caller,
                                                  absl::string_view id) const {
  auto it = requests_.find(id);
  if (it == requests_.end() || !MayReadRequest(caller, it->second)) {
    return absl::NotFoundError(absl::StrCat("request '", id, "' not found"));
  }
  return it->second;
}

absl::StatusOr<WaitingRequest> Engine::GetRequest(absl::string_view id) const {
  auto it = requests_.find(id);
  if (it == requests_.end()) {
    return absl::NotFoundError(absl::StrCat("request '", id, "' not found"));
  }
  return it->second;
}

absl::StatusOr<RequestPage> Engine::ListRequests(
    const Caller& caller, bool include_closed, int32_t page_size,
    absl::string_view page_token) const {
  if (page_size == 0) page_size = limits::kDefaultPageSize;
  if (page_size < 0 || page_size > limits::kMaxPageSize) {
    return InvalidField("page_size", RangeRule(1, limits::kMaxPageSize));
  }
  uint64_t after = 0;
  if (!page_token.empty() && !absl::SimpleAtoi(page_token, &after)) {
    return InvalidField("page_token", "not a token this list gave");
  }
  const auto& by_order = include_closed ? requests_by_order_ : waiting_;
  RequestPage page;
  // Reads at most the whole waitlist plus the closed requests kept: both
  // bounded (limits::kMaxWaitingRequests, retention).
  for (auto it = by_order.upper_bound(after); it != by_order.end(); ++it) {
    const WaitingRequest& request = requests_.at(it->second);
    if (!MayReadRequest(caller, request)) continue;
    if (page.requests.size() == static_cast<size_t>(page_size)) {
      page.next_page_token = absl::StrCat(page.requests.back().order);
      break;
    }
    page.requests.push_back(request);
  }
  return page;
}

}  // namespace creneau
