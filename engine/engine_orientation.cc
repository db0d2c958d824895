// Engine: the orientation commands (hold, confirm, release, cancel) and hold
// expiry.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/internal/mutation.h"
#include "engine/names.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
namespace {

std::string FormatTime(int64_t unix_s) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(unix_s),
                          absl::UTCTimeZone());
}

}  // namespace

void Engine::ChangePlaces(SlotNo no, bool overbooking, int held_delta,
                          int booked_delta) {
  internal::SlotRecord& r = slots_.at(no);
  const bool was_searchable = r.searchable();
  const bool was_regular_free = r.regular_place_free();
  uint16_t& held = overbooking ? r.held_overbooking : r.held_regular;
  uint16_t& booked = overbooking ? r.booked_overbooking : r.booked_regular;
  CRENEAU_CHECK(held + held_delta >= 0 && booked + booked_delta >= 0);
  held = static_cast<uint16_t>(held + held_delta);
  booked = static_cast<uint16_t>(booked + booked_delta);
  CRENEAU_CHECK(r.held_regular + r.booked_regular <= r.capacity);
  CRENEAU_CHECK(r.held_overbooking + r.booked_overbooking <=
                r.overbooking_places);

  const bool is_searchable = r.searchable();
  if (!index_deferred_ &&  // FinishRestore indexes the final state.
      (was_searchable != is_searchable ||
       (is_searchable && was_regular_free != r.regular_place_free()))) {
    const Profession profession = professionals_.at(r.professional).profession;
    if (was_searchable) {
      index_.Erase(profession, EntryOf(no));
    }
    if (is_searchable) index_.Insert(profession, EntryOf(no));
  }
  // Regular places count against the weekly cap; a hold confirmed into a
  // booking leaves the count as it was.
  if (!overbooking && held_delta + booked_delta != 0) {
    AdjustWeekLoad(r.professional, r.week, held_delta + booked_delta);
  }
  if (!overbooking && held_delta + booked_delta < 0) NoteFreed(no);
}

void Engine::CloseHold(Hold& hold, HoldState state, int64_t now_s,
                       Effects* effects) {
  CRENEAU_CHECK(hold.state == HoldState::kActive);
  const size_t erased =
      active_by_expiry_.erase({hold.expire_unix_s, hold.token});
  CRENEAU_CHECK(erased == 1);
  auto count = active_holds_by_caller_.find(hold.holder);
  CRENEAU_CHECK(count != active_holds_by_caller_.end() && count->second > 0);
  if (--count->second == 0) active_holds_by_caller_.erase(count);
  hold.state = state;
  hold.close_unix_s = now_s;
  closed_holds_.emplace_back(now_s, hold.token);
  effects->holds_put.push_back(hold);
  // Its holder may have requests waiting on its limit of active holds.
  if (!waiting_.empty()) retry_callers_.insert(hold.holder);
}

void Engine::ExpireDue(int64_t now_s, Effects* effects) {
  Event event;
  event.type = EventType::kHoldsExpired;
  event.time_unix_s = now_s;
  event.actor = kSystemActor;
  // Bounded by limits::kMaxActiveHolds: every iteration closes one.
  while (!active_by_expiry_.empty() &&
         active_by_expiry_.begin()->first <= now_s) {
    Hold& hold = holds_.at(active_by_expiry_.begin()->second);
    const SlotNo no = slots_.Find(hold.slot_id);
    CRENEAU_CHECK(no != kNoSlot);
    ChangePlaces(no, hold.overbooking_place, -1, 0);
    CloseHold(hold, HoldState::kExpired, now_s, effects);
    event.Add(SubjectKind::kSlot, hold.slot_id);
    if (event.subjects.size() == limits::kMaxSystemEventSubjects) {
      effects->events.push_back(event);
      event.subjects.clear();
    }
  }
  if (!event.subjects.empty()) effects->events.push_back(std::move(event));
  ExpireRequestsDue(now_s, effects);
}

int Engine::ExpireHolds(absl::Time now, Effects* effects) {
  const size_t before = active_by_expiry_.size();
  const int64_t now_s = Advance(now);
  ExpireDue(now_s, effects);
  const size_t after = active_by_expiry_.size();
  // Then the places freed go to the waitlist (holds of their own).
  ServeWaitlist(now_s, effects);
  return static_cast<int>(before - after);
}

std::optional<int64_t> Engine::NextHoldExpiryUnixS() const {
  std::optional<int64_t> next;
  if (!active_by_expiry_.empty()) next = active_by_expiry_.begin()->first;
  if (!waiting_by_expiry_.empty()) {
    const int64_t request_s = waiting_by_expiry_.begin()->first;
    next = next ? std::min(*next, request_s) : request_s;
  }
  return next;
}

absl::Status Engine::CheckRegularPlace(SlotNo no) const {
  const internal::SlotRecord& r = slots_.at(no);
  const absl::string_view id = slots_.id(no);
  if (!r.regular_place_free()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "slot_id: slot '", id, "' has no free place (",
        r.booked_regular + r.booked_overbooking, " booked, ",
        r.held_regular + r.held_overbooking, " held)",
        r.overbooking_place_free()
            ? "; an overbooking place is free: ask for it explicitly"
            : ""));
  }
  if (r.week_capped) {
    const int32_t week = r.week;
    return absl::FailedPreconditionError(absl::StrCat(
        "slot_id: professional '", professionals_.id(r.professional),
        "' reached the weekly cap of ", CapOf(r.professional),
        " orientations in the week of ",
        absl::FormatTime(
            "%Y-%m-%d",
            absl::FromUnixSeconds(WeekStartUnixS(r.professional, week)),
            zones_[professionals_.at(r.professional).time_zone])));
  }
  return absl::OkStatus();
}

absl::Status Engine::CheckOverbookingPlace(const Caller& caller,
                                           SlotNo no) const {
  const internal::SlotRecord& r = slots_.at(no);
  if (!caller.may_overbook) {
    return absl::PermissionDeniedError(
        "overbooking_place: only regulation roles may take one");
  }
  if (!r.overbooking_place_free()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "slot_id: slot '", slots_.id(no), "' has no free overbooking place (",
        r.held_overbooking + r.booked_overbooking, " of ", r.overbooking_places,
        " taken)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Hold> Engine::HoldSlot(const Caller& caller,
                                      const RequestKey& key,
                                      const HoldCommand& command,
                                      absl::Time now, Effects* effects) {
  return Mutation<Hold>(
      caller, key, Method::kHoldSlot, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<Hold> {
        RETURN_IF_ERROR(CheckId("slot_id", command.slot_id));
        RETURN_IF_ERROR(CheckHoldTerms(command.token, command.ttl_s));
        const SlotNo no = slots_.Find(command.slot_id);
        // A slot the caller may not see answers as an unknown one.
        if (no == kNoSlot || !VisibleTo(caller, no)) {
          return absl::NotFoundError(
              absl::StrCat("slot_id: no slot '", command.slot_id, "'"));
        }
        return TakeHold(caller, key, no, command, now_s, effects);
      });
}

absl::StatusOr<Hold> Engine::TakeHold(const Caller& caller,
                                      const RequestKey& key, SlotNo no,
                                      const HoldCommand& command, int64_t now_s,
                                      Effects* effects) {
  const internal::SlotRecord& r = slots_.at(no);
  if (r.withdrawn) {
    return absl::FailedPreconditionError(
        absl::StrCat("slot_id: slot '", command.slot_id, "' was withdrawn"));
  }
  if (r.start_unix_s <= now_s) {
    return absl::FailedPreconditionError(absl::StrCat(
        "slot_id: slot '", command.slot_id, "' has already started"));
  }
  if (!InScope(caller, no)) {
    return absl::PermissionDeniedError(
        absl::StrCat("slot_id: slot '", command.slot_id,
                     "' lies outside this caller's territories"));
  }
  const bool overbooking = command.overbooking_place;
  RETURN_IF_ERROR(overbooking ? CheckOverbookingPlace(caller, no)
                              : CheckRegularPlace(no));
  if (active_by_expiry_.size() >=
      static_cast<size_t>(limits::kMaxActiveHolds)) {
    return absl::ResourceExhaustedError(
        "too many active holds; retry when some have been confirmed");
  }
  const int max_holds = options_.max_active_holds_per_caller;
  if (max_holds > 0 && !caller.administrator) {
    auto held = active_holds_by_caller_.find(caller.name);
    if (held != active_holds_by_caller_.end() && held->second >= max_holds) {
      return absl::ResourceExhaustedError(
          absl::StrCat("active holds: at most ", max_holds,
                       " per caller; confirm or release one first"));
    }
  }
  if (holds_.contains(command.token)) {
    return absl::AlreadyExistsError("token: already used by another hold");
  }

  ChangePlaces(no, overbooking, +1, 0);
  Hold hold;
  hold.token = command.token;
  hold.slot_id = command.slot_id;
  hold.holder = caller.name;
  hold.create_unix_s = now_s;
  hold.expire_unix_s = now_s + command.ttl_s;
  hold.overbooking_place = overbooking;
  hold.state = HoldState::kActive;
  active_by_expiry_.emplace(hold.expire_unix_s, hold.token);
  ++active_holds_by_caller_[hold.holder];
  holds_.emplace(hold.token, hold);
  effects->holds_put.push_back(hold);
  Event event = MakeEvent(EventType::kSlotHeld, caller, key);
  event.Add(SubjectKind::kSlot, hold.slot_id);
  effects->events.push_back(std::move(event));
  return hold;
}

namespace {

void AddBookingSubjects(const Booking& booking, Event* event) {
  event->Add(SubjectKind::kBooking, booking.id);
  event->Add(SubjectKind::kSlot, booking.slot_id);
  event->Add(SubjectKind::kProfessional, booking.professional_id);
}

absl::Status NoHold() {
  return absl::NotFoundError(
      "hold_token: no such hold (it may have been purged a day after it "
      "ended)");
}

}  // namespace

absl::StatusOr<Hold*> Engine::ActiveHoldFor(const Caller& caller,
                                            absl::string_view slot_id,
                                            absl::string_view token) {
  auto it = holds_.find(token);
  if (it == holds_.end()) return NoHold();
  Hold& hold = it->second;
  // Another caller's hold answers as an unknown token.
  if (hold.holder != caller.name) return NoHold();
  if (hold.slot_id != slot_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "hold_token: the hold is for another slot than '", slot_id, "'"));
  }
  switch (hold.state) {
    case HoldState::kActive:
      return &hold;
    case HoldState::kConfirmed:
      return absl::FailedPreconditionError(absl::StrCat(
          "hold_token: already confirmed at ", FormatTime(hold.close_unix_s)));
    case HoldState::kReleased:
      return absl::FailedPreconditionError(absl::StrCat(
          "hold_token: released at ", FormatTime(hold.close_unix_s)));
    case HoldState::kExpired:
      return absl::FailedPreconditionError(absl::StrCat(
          "hold_token: expired at ", FormatTime(hold.expire_unix_s)));
  }
  CRENEAU_CHECK(false);
}

absl::StatusOr<Booking> Engine::ConfirmBooking(const Caller& caller,
                                               const RequestKey& key,
                                               const ConfirmCommand& command,
                                               absl::Time now,
                                               Effects* effects) {
  return Mutation<Booking>(
      caller, key, Method::kConfirmBooking, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<Booking> {
        RETURN_IF_ERROR(CheckId("slot_id", command.slot_id));
        RETURN_IF_ERROR(CheckHoldToken("hold_token", command.hold_token));
        RETURN_IF_ERROR(CheckPatientRef(command.patient_ref));
        if (!command.orientation_ref.empty()) {
          RETURN_IF_ERROR(CheckId("orientation_ref", command.orientation_ref));
        }
        ASSIGN_OR_RETURN(Hold * hold, ActiveHoldFor(caller, command.slot_id,
                                                    command.hold_token));
        const SlotNo no = slots_.Find(command.slot_id);
        CRENEAU_CHECK(no != kNoSlot);
        Booking booking;
        booking.id = BookingIdOf(hold->token);
        if (bookings_.contains(booking.id)) {
          return absl::AlreadyExistsError(
              "hold_token: its booking id is already taken; hold again");
        }

        ChangePlaces(no, hold->overbooking_place, -1, +1);
        CloseHold(*hold, HoldState::kConfirmed, now_s, effects);
        const internal::SlotRecord& r = slots_.at(no);
        booking.slot_id = std::string(slots_.id(no));
        booking.professional_id =
            std::string(professionals_.id(r.professional));
        booking.start_unix_s = r.start_unix_s;
        booking.duration_s = r.duration_s;
        booking.modality = r.modality;
        booking.patient_ref = command.patient_ref;
        booking.orientation_ref = command.orientation_ref;
        booking.status = BookingStatus::kBooked;
        booking.create_unix_s = now_s;
        booking.overbooking_place = hold->overbooking_place;
        booking.booked_by = caller.name;
        booking.organisation = caller.organisation;
        booking.hold_token = hold->token;
        AddBooking(booking);
        effects->bookings_put.push_back(booking);
        Event event = MakeEvent(EventType::kBookingConfirmed, caller, key);
        AddBookingSubjects(booking, &event);
        effects->events.push_back(std::move(event));
        return booking;
      });
}

absl::StatusOr<Hold> Engine::ReleaseHold(const Caller& caller,
                                         const RequestKey& key,
                                         const ReleaseCommand& command,
                                         absl::Time now, Effects* effects) {
  return Mutation<Hold>(
      caller, key, Method::kReleaseHold, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<Hold> {
        RETURN_IF_ERROR(CheckId("slot_id", command.slot_id));
        RETURN_IF_ERROR(CheckHoldToken("hold_token", command.hold_token));
        ASSIGN_OR_RETURN(Hold * hold, ActiveHoldFor(caller, command.slot_id,
                                                    command.hold_token));
        const SlotNo no = slots_.Find(command.slot_id);
        CRENEAU_CHECK(no != kNoSlot);

        ChangePlaces(no, hold->overbooking_place, -1, 0);
        CloseHold(*hold, HoldState::kReleased, now_s, effects);
        Event event = MakeEvent(EventType::kHoldReleased, caller, key);
        event.Add(SubjectKind::kSlot, hold->slot_id);
        effects->events.push_back(std::move(event));
        return *hold;
      });
}

absl::StatusOr<Booking> Engine::CancelBooking(const Caller& caller,
                                              const RequestKey& key,
                                              const CancelCommand& command,
                                              absl::Time now,
                                              Effects* effects) {
  return Mutation<Booking>(
      caller, key, Method::kCancelBooking, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<Booking> {
        RETURN_IF_ERROR(CheckId("booking_id", command.booking_id));
        const int reason = static_cast<int>(command.reason);
        if (reason < 0 || reason >= kCancelReasonCount) {
          return InvalidField("reason", "unknown reason code");
        }
        auto it = bookings_.find(command.booking_id);
        // A booking the caller may not read answers as an unknown one.
        if (it == bookings_.end() || !MayReadBooking(caller, it->second)) {
          return absl::NotFoundError(absl::StrCat("booking_id: no booking '",
                                                  command.booking_id, "'"));
        }
        Booking& booking = it->second;
        if (booking.status == BookingStatus::kCancelled) {
          return absl::FailedPreconditionError(
              absl::StrCat("booking_id: already cancelled at ",
                           FormatTime(booking.cancel_unix_s)));
        }

        // The slot may have been purged since; a slot republished later under
        // the same id has another start (publishing needs a future start).
        const SlotNo no = slots_.Find(booking.slot_id);
        if (no != kNoSlot &&
            slots_.at(no).start_unix_s == booking.start_unix_s) {
          ChangePlaces(no, booking.overbooking_place, 0, -1);
        }
        booking.status = BookingStatus::kCancelled;
        booking.cancel_unix_s = now_s;
        booking.cancel_reason = command.reason == CancelReason::kUnspecified
                                    ? CancelReason::kOther
                                    : command.reason;
        effects->bookings_put.push_back(booking);
        Event event = MakeEvent(EventType::kBookingCancelled, caller, key);
        AddBookingSubjects(booking, &event);
        // The reason's code, never free text: the audit trail carries no
        // health detail.
        event.detail =
            absl::StrCat("reason ", CancelReasonName(booking.cancel_reason));
        effects->events.push_back(std::move(event));
        return booking;
      });
}

}  // namespace creneau
