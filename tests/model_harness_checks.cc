// ModelHarness: sending commands to both sides and comparing what comes back,
// the whole state, and a restore from the persisted effects.
#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/names.h"
#include "tests/model_harness.h"

namespace creneau::testing {

std::string Show(const Hold& h) {
  return absl::StrCat("hold{", h.slot_id, " ", h.holder,
                      " exp=", h.expire_unix_s, " over=", h.overbooking_place,
                      " ", HoldStateName(h.state), "}");
}

namespace {

// Beside the overloads below, which would hide it.
using ::creneau::testing::Show;

std::string Show(const BatchCounts& c) {
  return absl::StrCat("{", c.created, ",", c.updated, ",", c.unchanged, ",",
                      c.withdrawn, ",", c.kept, "}");
}
std::string Show(const Booking& b) {
  return absl::StrCat("booking{", b.id, " ", b.slot_id, " ",
                      BookingStatusName(b.status),
                      " over=", b.overbooking_place, "}");
}
template <typename T>
std::string Show(const absl::StatusOr<T>& r) {
  return r.ok() ? Show(*r) : r.status().ToString();
}

SlotState StateOf(const ReferenceSlot& s) {
  if (s.slot.withdrawn) return SlotState::kWithdrawn;
  if (s.held_regular + s.booked_regular < s.slot.capacity)
    return SlotState::kFree;
  return s.held_regular > 0 ? SlotState::kHeld : SlotState::kFull;
}

}  // namespace

void ModelHarness::Persist(const Effects& e) {
  for (const auto& t : e.territories_put) stored_territories_[t.id] = t;
  for (const auto& p : e.professionals_put) stored_professionals_[p.id] = p;
  for (const auto& s : e.slots_put) stored_slots_[s.id] = s;
  for (const auto& id : e.slots_deleted) stored_slots_.erase(id);
  for (const auto& h : e.holds_put) stored_holds_[h.token] = h;
  for (const auto& t : e.holds_deleted) stored_holds_.erase(t);
  for (const auto& b : e.bookings_put) stored_bookings_[b.id] = b;
  for (const auto& id : e.bookings_deleted) stored_bookings_.erase(id);
  for (const auto& r : e.idempotency_put) {
    stored_requests_[IdempotencyKey(r.caller, r.request_id)] = r;
  }
  for (const auto& k : e.idempotency_deleted) stored_requests_.erase(k);
  for (const auto& a : e.availability_put) {
    stored_availability_[a.availability.professional_id] = a;
  }
  for (const auto& r : e.requests_put) stored_waiting_[r.id] = r;
  for (const auto& id : e.requests_deleted) stored_waiting_.erase(id);
  for (const auto& ev : e.events)
    stored_clock_ = std::max(stored_clock_, ev.time_unix_s);
  // After the reference applied the same command: the waitlist's holds
  // come at its end.
  ApplyWaitlistHolds(e);
}

void ModelHarness::Send(Request r) {
  const Caller& caller = callers_[r.caller];
  const absl::Time t = absl::FromUnixSeconds(now_);
  Effects effects;
  std::string got, want;
  bool ok = false;
  bool changes = true;  // False for an answer that changes nothing.
  absl::StatusCode code = absl::StatusCode::kOk;
  const auto compare = [&](const auto& engine_result,
                           const auto& model_result) {
    ok = engine_result.ok();
    code = engine_result.status().code();
    if (engine_result.ok() != model_result.ok() ||
        (!ok &&
         engine_result.status().code() != model_result.status().code()) ||
        (ok && !(*engine_result == *model_result))) {
      got = Show(engine_result);
      want = Show(model_result);
    }
  };
  switch (r.method) {
    case Method::kUpsertProfessionals: {
      // Professionals with an agenda whose time zone this changes.
      int moving = 0;
      for (const Professional& p : r.professionals) {
        auto it = model_.professionals().find(p.id);
        moving += it != model_.professionals().end() &&
                  it->second.time_zone != p.time_zone &&
                  model_.availability().contains(p.id);
      }
      absl::StatusOr<BatchCounts> engine_result = engine_.UpsertProfessionals(
          caller, r.key, r.professionals, t, &effects);
      compare(engine_result,
              model_.UpsertProfessionals(caller, r.key, r.professionals, now_));
      if (engine_result.ok() && !effects.replayed) {
        stats_.agendas_moved_zone += moving;
      }
      break;
    }
    case Method::kPublishSlots:
      compare(engine_.PublishSlots(caller, r.key, r.slots, t, &effects),
              model_.PublishSlots(caller, r.key, r.slots, now_));
      break;
    case Method::kWithdrawSlots:
      compare(engine_.WithdrawSlots(caller, r.key, r.ids, t, &effects),
              model_.WithdrawSlots(caller, r.key, r.ids, now_));
      break;
    case Method::kHoldSlot: {
      if (r.match) {
        const absl::StatusOr<bool> held = SendMatch(r, &effects, &got, &want);
        ok = held.ok();
        code = held.status().code();
        changes = ok && *held;
        break;
      }
      auto engine_result = engine_.HoldSlot(caller, r.key, r.hold, t, &effects);
      compare(engine_result, model_.HoldSlot(caller, r.key, r.hold, now_));
      if (!engine_result.ok() &&
          absl::StrContains(engine_result.status().message(),
                            "reached the weekly cap")) {
        ++stats_.cap_refusals;
      }
      if (engine_result.ok() && r.hold.overbooking_place) {
        ++stats_.overbooking_holds;
      }
      if (engine_result.ok() && !effects.replayed) {
        holds_.push_back(
            {engine_result->token, engine_result->slot_id, r.caller});
        ++stats_.holds;
      }
      break;
    }
    case Method::kConfirmBooking: {
      auto engine_result =
          engine_.ConfirmBooking(caller, r.key, r.confirm, t, &effects);
      compare(engine_result,
              model_.ConfirmBooking(caller, r.key, r.confirm, now_));
      if (engine_result.ok() && !effects.replayed) {
        bookings_.push_back(engine_result->id);
        ++stats_.bookings;
      }
      break;
    }
    case Method::kReleaseHold:
      compare(engine_.ReleaseHold(caller, r.key, r.release, t, &effects),
              model_.ReleaseHold(caller, r.key, r.release, now_));
      break;
    case Method::kCancelBooking:
      compare(engine_.CancelBooking(caller, r.key, r.cancel, t, &effects),
              model_.CancelBooking(caller, r.key, r.cancel, now_));
      break;
    case Method::kUpsertTerritory:
      compare(engine_.UpsertTerritory(caller, r.key, r.territory, r.mode, t,
                                      &effects),
              model_.UpsertTerritory(caller, r.key, r.territory, r.mode, now_));
      break;
    case Method::kPublishAvailability: {
      auto engine_result = engine_.PublishAvailability(
          caller, r.key, r.availability, t, &effects);
      compare(engine_result,
              model_.PublishAvailability(caller, r.key, r.availability, now_));
      if (engine_result.ok() && !effects.replayed) {
        ++stats_.availability_publications;
        stats_.generated_withdrawn += engine_result->withdrawn;
        stats_.generated_kept += engine_result->kept;
      }
      break;
    }
    case Method::kEnqueueRequest:
    case Method::kCancelRequest:
      return Fail("waitlist commands go through Waitlist()");
    case Method::kTransferProfessionals:
      compare(engine_.TransferProfessionals(caller, r.key, r.ids, r.new_owner,
                                            t, &effects),
              model_.TransferProfessionals(caller, r.key, r.ids, r.new_owner,
                                           now_));
      break;
  }
  CountRefusal(code);
  Persist(effects);
  if (!got.empty()) {
    return Fail(absl::StrCat("method ", static_cast<int>(r.method), ": engine ",
                             got, " model ", want));
  }
  // Effects: one event for an applied command, none for a refusal, a
  // replay or an empty match (besides expiries that happened on the way).
  int command_events = 0;
  for (const Event& e : effects.events) {
    command_events += e.type != EventType::kHoldsExpired &&
                      e.type != EventType::kRequestMatched &&
                      e.type != EventType::kRequestsExpired;
  }
  if (command_events != (ok && changes && !effects.replayed ? 1 : 0)) {
    return Fail(absl::StrCat("method ", static_cast<int>(r.method), " wrote ",
                             command_events, " events"));
  }
  // Mostly forget closed holds, keeping some to try again (refused).
  if (ok &&
      (r.method == Method::kConfirmBooking ||
       r.method == Method::kReleaseHold) &&
      !holds_.empty() && rng_() % 5 != 0) {
    const std::string& token = r.method == Method::kConfirmBooking
                                   ? r.confirm.hold_token
                                   : r.release.hold_token;
    for (size_t i = 0; i < holds_.size(); ++i) {
      if (holds_[i].token != token) continue;
      holds_[i] = holds_.back();
      holds_.pop_back();
      break;
    }
  }
  stats_.replays += effects.replayed;
  stats_.errors += !ok;
  if (ok && !effects.replayed && !r.key.request_id.empty()) sent_.push_back(r);
}

void ModelHarness::CountRefusal(absl::StatusCode code) {
  stats_.not_found += code == absl::StatusCode::kNotFound;
  stats_.permission_denied += code == absl::StatusCode::kPermissionDenied;
  stats_.resource_exhausted += code == absl::StatusCode::kResourceExhausted;
}

void ModelHarness::CompareReads() {
  const Caller& caller = callers_[rng_() % callers_.size()];
  ++stats_.reads;
  if (!bookings_.empty()) {
    const std::string& id = bookings_[rng_() % bookings_.size()];
    const auto got = engine_.GetBooking(caller, id);
    const auto want = model_.GetBooking(caller, id);
    if (got.status().code() != want.status().code() ||
        (got.ok() && !(*got == *want))) {
      return Fail(absl::StrCat("GetBooking ", id, " as ", caller.name,
                               ": engine ", Show(got), " model ", Show(want)));
    }
    CountRefusal(got.status().code());
  }
  CompareBookingLists(caller);
  CompareWatchRules(caller);
  if (!failure_.empty()) return;
  const std::string slot = RandomSlotId();
  const auto got = engine_.GetSlot(caller, slot);
  const auto want = model_.GetSlot(caller, slot);
  if (got.status().code() != want.status().code() ||
      (got.ok() && !(got->slot == *want))) {
    return Fail(absl::StrCat("GetSlot ", slot, " as ", caller.name, ": engine ",
                             got.status().ToString(), " model ",
                             want.status().ToString()));
  }
}

void ModelHarness::CompareBookingLists(const Caller& caller) {
  BookingQuery q;
  const auto some_booking = [&]() -> std::optional<Booking> {
    if (bookings_.empty()) return std::nullopt;
    auto b = engine_.GetBooking(bookings_[rng_() % bookings_.size()]);
    return b.ok() ? std::optional<Booking>(*b) : std::nullopt;
  };
  const std::optional<Booking> near = some_booking();
  const int dice = int(rng_() % 8);
  if (dice < 4 && near) q.professional_id = near->professional_id;
  if (dice == 4) q.professional_id = "no-such-professional";
  if (dice % 2 == 1) {
    q.organisation = callers_[rng_() % callers_.size()].organisation;
  }
  if (rng_() % 3 == 0 && near) q.from_unix_s = near->start_unix_s;
  q.page_size = 1 + int(rng_() % 5);

  const auto want = model_.ListBookings(caller, q);
  std::vector<Booking> got;
  absl::Status status;
  for (int page = 0; page < 100000; ++page) {
    auto listed = engine_.ListBookings(caller, q);
    status = listed.status();
    if (!listed.ok()) break;
    got.insert(got.end(), listed->bookings.begin(), listed->bookings.end());
    if (listed->next_page_token.empty()) break;
    q.page_token = listed->next_page_token;
  }
  if (status.code() != want.status().code() || (status.ok() && got != *want)) {
    return Fail(absl::StrCat(
        "ListBookings professional '", q.professional_id, "' organisation '",
        q.organisation, "' from ", q.from_unix_s, " as ", caller.name,
        ": engine ", status.ToString(), " ", got.size(), " booking(s), model ",
        want.status().ToString(), " ", want.ok() ? want->size() : 0));
  }
  ++stats_.booking_lists;
  stats_.bookings_listed += got.size();
  CountRefusal(status.code());
}

void ModelHarness::CheckState() {
  size_t active = 0;
  for (const auto& [token, hold] : model_.holds()) {
    const Hold* h = engine_.FindHold(token);
    if (h == nullptr || !(*h == hold))
      return Fail("hold differs: " + Show(hold));
    active += hold.state == HoldState::kActive;
  }
  const ReferenceModel::WeekLoads loads = model_.Loads();
  for (const auto& [id, s] : model_.slots()) {
    const auto view = engine_.GetSlot(id);
    if (view.ok() && view->weekly_cap_reached != model_.Capped(s, loads)) {
      return Fail("weekly cap flag differs: " + id);
    }
    if (!view.ok() || !(view->slot == s.slot) ||
        view->places_held != s.held_regular + s.held_overbooking ||
        view->places_booked != s.booked_regular + s.booked_overbooking ||
        view->state != StateOf(s)) {
      return Fail("slot differs: " + id);
    }
  }
  for (const auto& [id, b] : model_.bookings()) {
    const auto got = engine_.GetBooking(id);
    if (!got.ok() || !(*got == b)) return Fail("booking differs: " + id);
  }
  for (const auto& [id, p] : model_.professionals()) {
    const auto got = engine_.FindProfessional(id);
    if (!got || !(got->ToProfessional() == p)) {
      return Fail("professional differs: " + id);
    }
  }
  const Caller& admin = callers_.back();
  for (const auto& [id, a] : model_.availability()) {
    const auto got = engine_.GetAvailability(admin, id);
    if (!got.ok() || !(*got == a)) return Fail("availability differs: " + id);
    auto stored = stored_availability_.find(id);
    if (stored == stored_availability_.end() || !(stored->second == a)) {
      return Fail("persisted availability differs: " + id);
    }
  }
  for (const auto& [id, t] : model_.territories()) {
    const auto got = engine_.GetTerritory(id);
    if (!got.ok() || !(*got == t)) return Fail("territory differs: " + id);
  }
  const EngineStats stats = engine_.stats();
  if (stats.slots != model_.slots().size() || stats.active_holds != active ||
      stats.bookings != model_.bookings().size() ||
      stats.professionals != model_.professionals().size() ||
      stats.territories != model_.territories().size()) {
    return Fail("counts differ");
  }
  // What storage would hold is exactly the model's state.
  if (stored_slots_.size() != model_.slots().size() ||
      stored_holds_.size() != model_.holds().size() ||
      stored_bookings_.size() != model_.bookings().size() ||
      stored_professionals_.size() != model_.professionals().size() ||
      stored_territories_.size() != model_.territories().size()) {
    return Fail("persisted effects differ from the model");
  }
  for (const auto& [id, p] : model_.professionals()) {
    if (!(stored_professionals_.at(id) == p)) {
      return Fail("persisted professional differs: " + id);
    }
  }
}

void ModelHarness::CheckRestore() {
  CheckRestoreInto(/*bulk=*/false);
  if (failure_.empty()) CheckRestoreInto(/*bulk=*/true);
}

void ModelHarness::CheckRestoreInto(bool bulk) {
  Engine restored(communes_, HarnessOptions());
  if (bulk) restored.BeginRestore(stored_slots_.size());
  absl::Status status;
  for (const auto& [id, t] : stored_territories_)
    status.Update(restored.RestoreTerritory(t));
  for (const auto& [id, p] : stored_professionals_)
    status.Update(restored.RestoreProfessional(p));
  for (const auto& [id, s] : stored_slots_)
    status.Update(restored.RestoreSlot(s));
  for (const auto& [t, h] : stored_holds_)
    status.Update(restored.RestoreHold(h));
  for (const auto& [id, b] : stored_bookings_)
    status.Update(restored.RestoreBooking(b));
  for (const auto& [k, r] : stored_requests_)
    status.Update(restored.RestoreIdempotency(r));
  for (const auto& [id, a] : stored_availability_)
    status.Update(restored.RestoreAvailability(a));
  for (const auto& [id, r] : stored_waiting_)
    status.Update(restored.RestoreRequest(r));
  status.Update(restored.FinishRestore(stored_clock_));
  if (!status.ok()) return Fail("restore: " + status.ToString());
  for (const auto& [id, a] : model_.availability()) {
    const auto got = restored.GetAvailability(callers_.back(), id);
    if (!got.ok() || !(*got == a)) {
      return Fail("restored availability differs: " + id);
    }
  }
  for (const auto& [id, s] : model_.slots()) {
    const auto x = engine_.GetSlot(id), y = restored.GetSlot(id);
    if (!y.ok() || !(x->slot == y->slot) || x->places_held != y->places_held ||
        x->places_booked != y->places_booked || x->state != y->state ||
        x->weekly_cap_reached != y->weekly_cap_reached) {
      return Fail(absl::StrCat("restored slot differs: ", id, " capped ",
                               x->weekly_cap_reached, "/",
                               y.ok() && y->weekly_cap_reached));
    }
  }
  // The waitlist: every request as it is, in the same queue.
  const auto all = [&](const Engine& e) {
    return e.ListRequests(callers_.back(), true, limits::kMaxPageSize, "");
  };
  const auto live = all(engine_), back = all(restored);
  if (!live.ok() || !back.ok() || live->requests != back->requests ||
      engine_.waiting_requests() != restored.waiting_requests()) {
    return Fail("restored waitlist differs");
  }
  const EngineStats a = engine_.stats(), b = restored.stats();
  if (a.slots != b.slots || a.searchable_slots != b.searchable_slots ||
      a.active_holds != b.active_holds || a.bookings != b.bookings ||
      a.idempotency_records != b.idempotency_records) {
    return Fail(absl::StrCat(
        "restored engine differs in counts: slots ", a.slots, "/", b.slots,
        ", searchable ", a.searchable_slots, "/", b.searchable_slots,
        ", active holds ", a.active_holds, "/", b.active_holds, ", bookings ",
        a.bookings, "/", b.bookings, ", requests ", a.idempotency_records, "/",
        b.idempotency_records, bulk ? " (bulk)" : " (one by one)"));
  }
  CompareSearches(restored);
}

void ModelHarness::CompareSearches(const Engine& restored) {
  const Profession professions[] = {
      Profession::kGeneralPractitioner, Profession::kNurse,
      Profession::kPhysiotherapist, Profession::kDentist};
  for (const Commune* commune : territory_) {
    for (const Profession profession : professions) {
      // Orders 1 to 3 over the default window; order 4 stands for a
      // narrow radius and a window with no slots, whose empty answer's
      // reason depends on which practices are within reach.
      for (int order = 1; order <= 4 && failure_.empty(); ++order) {
        SearchQuery q;
        q.commune_code = commune->insee;
        q.profession = profession;
        q.order = static_cast<SearchOrder>(std::min(order, 3));
        if (order == 4) {
          q.radius_m = 3000;
          q.window_start_unix_s = now_ + 300 * 86400;
          q.window_end_unix_s = *q.window_start_unix_s + 3600;
        }
        const Caller& caller =
            callers_[(order + int(profession)) % callers_.size()];
        SearchResult a, b;
        const absl::Time now = absl::FromUnixSeconds(now_);
        const absl::Status sa = engine_.Search(caller, q, now, &a);
        const absl::Status sb = restored.Search(caller, q, now, &b);
        if (sa.code() != sb.code()) return Fail("restored search status");
        bool same = a.hits.size() == b.hits.size() &&
                    a.empty_reason == b.empty_reason &&
                    a.radius_m == b.radius_m;
        for (size_t h = 0; same && h < a.hits.size(); ++h) {
          same = engine_.ViewSlot(a.hits[h].slot).slot.id ==
                     restored.ViewSlot(b.hits[h].slot).slot.id &&
                 a.hits[h].distance_m == b.hits[h].distance_m;
        }
        if (!same) {
          return Fail(absl::StrCat(
              "restored engine searches differently: ", commune->insee,
              " profession ", static_cast<int>(profession), " order ", order));
        }
      }
    }
  }
}

}  // namespace creneau::testing
