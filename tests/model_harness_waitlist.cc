// ModelHarness: the waitlist. Random callers enqueue random searches and
// cancel them; every hold the engine takes for a waiting request is
// replayed on the reference, which must accept it (a free place the
// request's caller may see and hold, under the cap and the caller's
// limits); and after every command no waiting request may have a place
// its search offers and its caller may hold.
#include "absl/strings/str_cat.h"
#include "tests/model_harness.h"

namespace creneau::testing {

namespace {

// Waiting requests at most: enough to queue behind each other, few enough
// that checking each after every command stays cheap.
constexpr size_t kMaxWaiting = 8;

}  // namespace

void ModelHarness::Waitlist() {
  const int caller_index = int(rng_() % callers_.size());
  const Caller& caller = callers_[caller_index];
  const absl::Time t = absl::FromUnixSeconds(now_);
  Effects effects;
  if (rng_() % 4 != 0 && engine_.waiting_requests() < kMaxWaiting) {
    EnqueueCommand command;
    command.query = RandomQuery();
    command.patient_ref = absl::StrCat("patient-", rng_() % 1000);
    command.hold_token = NewToken();
    command.hold_ttl_s = 10 + int(rng_() % 110);
    command.expiry_s =
        rng_() % 3 == 0 ? 60 + int(rng_() % 600) : 3600 + int(rng_() % 20000);
    const RequestKey key{absl::StrCat("wl-", rng_() % 100000), 1};
    auto request = engine_.EnqueueRequest(caller, key, command, t, &effects);
    // The reference's clock moves with the engine's (expiries first).
    model_.ExpireHolds(now_);
    Persist(effects);
    if (request.ok() && !effects.replayed) {
      ++stats_.waitlist_enqueued;
      waiting_ids_.push_back(request->id);
      if (request->caller != caller || request->order == 0) {
        return Fail("EnqueueRequest answered another caller's request");
      }
    }
    if (!request.ok()) CountRefusal(request.status().code());
    return;
  }
  if (waiting_ids_.empty()) return;
  // Mostly a recent request by its own caller; now and then anyone's.
  const std::string& id = rng_() % 2 == 0
                              ? waiting_ids_.back()
                              : waiting_ids_[rng_() % waiting_ids_.size()];
  auto before = engine_.GetRequest(id);
  const Caller& canceller =
      before.ok() && rng_() % 3 != 0 ? before->caller : caller;
  auto cancelled = engine_.CancelRequest(canceller, {}, id, t, &effects);
  model_.ExpireHolds(now_);
  Persist(effects);
  // Another organisation's request is as if unknown.
  const bool may =
      before.ok() && (canceller.administrator ||
                      before->caller.organisation == canceller.organisation);
  if (!may) {
    if (cancelled.status().code() != absl::StatusCode::kNotFound) {
      return Fail(absl::StrCat("CancelRequest of ", id, " by ", canceller.name,
                               ": ", cancelled.status().ToString()));
    }
    return;
  }
  if (cancelled.ok()) ++stats_.waitlist_cancelled;
}

void ModelHarness::ApplyWaitlistHolds(const Effects& effects) {
  for (const Event& e : effects.events) {
    if (e.type == EventType::kRequestsExpired) {
      stats_.waitlist_expired += e.subjects.size();
    }
    if (e.type != EventType::kRequestMatched) continue;
    auto request = engine_.GetRequest(e.subjects.at(0).id);
    if (!request.ok() || request->state != RequestState::kHeld) {
      return Fail(absl::StrCat("request_matched for ", e.subjects.at(0).id,
                               " which is not held"));
    }
    HoldCommand hold;
    hold.slot_id = request->slot_id;
    hold.token = request->hold_token;
    hold.ttl_s = request->hold_ttl_s;
    auto taken =
        model_.HoldSlot(request->caller, RequestKey{}, hold, e.time_unix_s);
    if (!taken.ok()) {
      return Fail(
          absl::StrCat("the waitlist held ", hold.slot_id, " for ", request->id,
                       "; the reference refuses: ", taken.status().ToString()));
    }
    ++stats_.waitlist_held;
    for (size_t c = 0; c < callers_.size(); ++c) {
      if (callers_[c].name == request->caller.name) {
        holds_.push_back({hold.token, hold.slot_id, int(c)});
      }
    }
  }
}

void ModelHarness::CheckWaitlist() {
  auto page =
      engine_.ListRequests(callers_.back(), false, limits::kMaxPageSize, "");
  if (!page.ok()) return Fail(page.status().ToString());
  for (const WaitingRequest& request : page->requests) {
    const Caller& caller = request.caller;
    if (!caller.administrator) {
      int active = 0;
      for (const auto& [token, hold] : model_.holds()) {
        active +=
            hold.holder == caller.name && hold.state == HoldState::kActive;
      }
      if (active >= HarnessOptions().max_active_holds_per_caller) continue;
    }
    SearchResult result;
    if (!engine_
             .Search(caller, request.query, absl::FromUnixSeconds(now_),
                     &result)
             .ok()) {
      continue;  // Its window has passed: it expires at its end.
    }
    for (const SearchHit& hit : result.hits) {
      if (hit.overbooking_only || !engine_.InScope(caller, hit.slot)) continue;
      const SlotView view = engine_.ViewSlot(hit.slot);
      std::string history;
      for (const auto& [token, hold] : model_.holds()) {
        if (hold.slot_id != view.slot.id) continue;
        absl::StrAppend(&history, " [hold ", hold.holder, " state ",
                        static_cast<int>(hold.state), " created ",
                        hold.create_unix_s, " closed ", hold.close_unix_s, "]");
      }
      return Fail(absl::StrCat(
          "request ", request.id, " of ", caller.name, " (created ",
          request.create_unix_s, ") waits while slot ", view.slot.id,
          " (start ", view.slot.start_unix_s, ", held ", view.places_held,
          ", booked ", view.places_booked, " of ", view.slot.capacity,
          ", profession ", static_cast<int>(view.profession),
          ") has a place it may hold;", history));
    }
    ++stats_.waitlist_checked;
  }
}

}  // namespace creneau::testing
