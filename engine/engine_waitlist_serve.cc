// Engine: how the waitlist is served, expired, purged and restored.
//
// Commands that may free a place note it (NoteFreed: the slot's profession
// and start); ServeWaitlist, run at the end of every mutation and expiry
// pass, then tries the waiting requests oldest first, skipping at no cost
// those whose professions or window the noted places cannot serve. A
// command that frees nothing, or any command while nobody waits, pays one
// branch.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/status_macros.h"

namespace creneau {
namespace {

ProfessionMask ProfessionsOf(const SearchQuery& query) {
  ProfessionMask mask = Bit(query.profession);
  for (Profession p : query.other_professions) mask |= Bit(p);
  return mask;
}

}  // namespace

void Engine::NoteFreed(SlotNo no) {
  if (waiting_.empty()) return;
  const internal::SlotRecord& r = slots_.at(no);
  const int64_t start_s = r.start_unix_s;
  if (freed_professions_ == 0) {
    freed_min_start_s_ = freed_max_start_s_ = start_s;
  } else {
    freed_min_start_s_ = std::min(freed_min_start_s_, start_s);
    freed_max_start_s_ = std::max(freed_max_start_s_, start_s);
  }
  freed_professions_ |= Bit(professionals_.at(r.professional).profession);
}

void Engine::ServeWaitlist(int64_t now_s, Effects* effects) {
  if (freed_professions_ == 0 && retry_callers_.empty() && !retry_all_) {
    return;
  }
  const ProfessionMask professions = freed_professions_;
  const int64_t min_start_s = freed_min_start_s_;
  const int64_t max_start_s = freed_max_start_s_;
  const bool all = retry_all_;
  const absl::flat_hash_set<std::string> callers = std::move(retry_callers_);
  freed_professions_ = 0;
  retry_callers_.clear();
  retry_all_ = false;
  // Serving one request may free nothing, but it changes the queue: walk a
  // copy of the candidates' ids (at most limits::kMaxWaitingRequests).
  std::vector<std::string> candidates;
  for (const auto& [order, id] : waiting_) {
    const WaitingRequest& request = requests_.at(id);
    const bool may_fit = (ProfessionsOf(request.query) & professions) != 0 &&
                         *request.query.window_end_unix_s >= min_start_s &&
                         *request.query.window_start_unix_s <= max_start_s;
    if (all || may_fit || callers.contains(request.caller.name)) {
      candidates.push_back(id);
    }
  }
  for (const std::string& id : candidates) {
    WaitingRequest& request = requests_.at(id);
    if (request.state == RequestState::kWaiting) {
      TryServe(request, now_s, effects);
    }
  }
  // Holds taken above freed nothing and closed none; anything noted
  // meanwhile came from them and can be dropped.
  freed_professions_ = 0;
  retry_callers_.clear();
}

bool Engine::TryServe(WaitingRequest& request, int64_t now_s,
                      Effects* effects) {
  CRENEAU_CHECK(request.state == RequestState::kWaiting);
  SearchResult result;
  if (!Search(request.caller, request.query, absl::FromUnixSeconds(now_s),
              &result)
           .ok()) {
    return false;  // Its window has passed: expiry closes it.
  }
  HoldCommand hold;
  hold.token = request.hold_token;
  hold.ttl_s = request.hold_ttl_s;
  for (const SearchHit& hit : result.hits) {
    if (hit.overbooking_only || !InScope(request.caller, hit.slot)) continue;
    hold.slot_id = std::string(slots_.id(hit.slot));
    // The request's own limits (the caller's active holds) may refuse: it
    // then keeps waiting, and is tried again when places next appear.
    absl::StatusOr<Hold> taken =
        TakeHold(request.caller, RequestKey{}, hit.slot, hold, now_s, effects);
    if (!taken.ok()) return false;
    Event& event = effects->events.back();
    CRENEAU_CHECK(event.type == EventType::kSlotHeld);
    event.type = EventType::kRequestMatched;
    event.subjects.insert(event.subjects.begin(),
                          Subject{SubjectKind::kRequest, request.id});
    request.slot_id = hold.slot_id;
    CloseRequest(request, RequestState::kHeld, now_s, effects);
    return true;
  }
  return false;
}

void Engine::CloseRequest(WaitingRequest& request, RequestState state,
                          int64_t now_s, Effects* effects) {
  CRENEAU_CHECK(request.state == RequestState::kWaiting &&
                state != RequestState::kWaiting);
  waiting_.erase(request.order);
  waiting_by_expiry_.erase({request.expire_unix_s, request.id});
  auto count = waiting_by_organisation_.find(request.caller.organisation);
  CRENEAU_CHECK(count != waiting_by_organisation_.end() && count->second > 0);
  if (--count->second == 0) waiting_by_organisation_.erase(count);
  request.state = state;
  request.close_unix_s = now_s;
  closed_requests_.emplace_back(now_s, request.id);
  effects->requests_put.push_back(request);
}

void Engine::ExpireRequestsDue(int64_t now_s, Effects* effects) {
  Event event;
  event.type = EventType::kRequestsExpired;
  event.time_unix_s = now_s;
  event.actor = kSystemActor;
  // Bounded by limits::kMaxWaitingRequests: every iteration closes one.
  while (!waiting_by_expiry_.empty() &&
         waiting_by_expiry_.begin()->first <= now_s) {
    WaitingRequest& request = requests_.at(waiting_by_expiry_.begin()->second);
    CloseRequest(request, RequestState::kExpired, now_s, effects);
    event.Add(SubjectKind::kRequest, request.id);
    if (event.subjects.size() == limits::kMaxSystemEventSubjects) {
      effects->events.push_back(event);
      event.subjects.clear();
    }
  }
  if (!event.subjects.empty()) effects->events.push_back(std::move(event));
}

int Engine::PurgeRequests(int64_t now_s, int budget, Event* event,
                          Effects* effects) {
  int purged = 0;
  while (purged < budget && !closed_requests_.empty() &&
         closed_requests_.front().first + limits::kClosedRequestRetentionS <=
             now_s) {
    const std::string id = std::move(closed_requests_.front().second);
    closed_requests_.pop_front();
    auto it = requests_.find(id);
    CRENEAU_CHECK(it != requests_.end() &&
                  it->second.state != RequestState::kWaiting);
    requests_by_order_.erase(it->second.order);
    auto kept = kept_by_organisation_.find(it->second.caller.organisation);
    CRENEAU_CHECK(kept != kept_by_organisation_.end() && kept->second > 0);
    if (--kept->second == 0) kept_by_organisation_.erase(kept);
    request_keys_.erase(
        IdempotencyKey(it->second.caller.name, it->second.request_id));
    requests_.erase(it);
    effects->requests_deleted.push_back(id);
    event->Add(SubjectKind::kRequest, id);
    ++purged;
  }
  return purged;
}

absl::Status Engine::RestoreRequest(const WaitingRequest& request) {
  if (request.id.empty() || requests_.contains(request.id) ||
      request.order == 0 || requests_by_order_.contains(request.order) ||
      !request.query.window_start_unix_s || !request.query.window_end_unix_s) {
    return absl::DataLossError(
        absl::StrCat("waiting request '", request.id, "' is corrupt"));
  }
  next_request_order_ = std::max(next_request_order_, request.order + 1);
  requests_by_order_.emplace(request.order, request.id);
  ++kept_by_organisation_[request.caller.organisation];
  if (!request.request_id.empty()) {
    request_keys_[IdempotencyKey(request.caller.name, request.request_id)] =
        request.id;
  }
  if (request.state == RequestState::kWaiting) {
    waiting_.emplace(request.order, request.id);
    waiting_by_expiry_.emplace(request.expire_unix_s, request.id);
    ++waiting_by_organisation_[request.caller.organisation];
  } else {
    // Restored by id, not by close time: FinishRestore sorts them.
    closed_requests_.emplace_back(request.close_unix_s, request.id);
  }
  requests_.emplace(request.id, request);
  return absl::OkStatus();
}

bool Engine::MayWatchRequest(const Caller& caller, const WatchFilter& filter,
                             const WaitingRequest& request) const {
  if (!filter.requests) return false;
  if (!caller.administrator) {
    return request.caller.organisation == caller.organisation;
  }
  return filter.organisation.empty() ||
         request.caller.organisation == filter.organisation;
}

}  // namespace creneau
