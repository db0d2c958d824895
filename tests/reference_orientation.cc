// ReferenceModel: the regulators' commands (hold, confirm, release,
// cancel), written plainly.
#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/check.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "tests/reference_internal.h"
#include "tests/reference_model.h"

namespace creneau::testing {

bool ReferenceModel::SlotInScope(const Caller& caller,
                                 const ReferenceSlot& s) const {
  const Professional& pro = professionals_.at(s.slot.professional_id);
  return s.slot.location ? InScope(caller, *s.slot.location, "")
                         : InScope(caller, pro.location, pro.commune_code);
}

absl::StatusOr<std::optional<Hold>> ReferenceModel::MatchAndHold(
    const Caller& caller, const RequestKey& key,
    const MatchHoldCommand& command, int64_t now, ReferenceSearch* search) {
  Advance(now);
  // Recorded as a hold: a retry answers with it.
  auto replay = Replay(caller, key, Method::kHoldSlot);
  if (!replay.ok()) return replay.status();
  if (*replay) return (*replay)->outcome.hold;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (!IsValidHoldToken(command.token) || command.ttl_s < 10 ||
      command.ttl_s > 900) {
    return Invalid();
  }
  ASSIGN_OR_RETURN(*search, Search(caller, command.query, clock_));
  for (const ReferenceHit& hit : search->hits) {
    if (hit.overbooking_only || !SlotInScope(caller, slots_.at(hit.slot_id))) {
      continue;
    }
    const ReferenceHit held = hit;
    search->hits = {held};
    ASSIGN_OR_RETURN(
        Hold hold,
        HoldSlot(caller, key, {held.slot_id, command.token, command.ttl_s},
                 clock_));
    return hold;
  }
  if (search->empty_reason == EmptyReason::kNone) {
    search->empty_reason = EmptyReason::kNoneHoldable;
  }
  search->hits.clear();
  return std::nullopt;
}

absl::StatusOr<Hold> ReferenceModel::HoldSlot(const Caller& caller,
                                              const RequestKey& key,
                                              const HoldCommand& command,
                                              int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kHoldSlot);
  if (!replay.ok()) return replay.status();
  if (*replay) return *(*replay)->outcome.hold;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (!IsValidId(command.slot_id) || !IsValidHoldToken(command.token) ||
      command.ttl_s < 10 || command.ttl_s > 900) {
    return Invalid();
  }
  auto it = slots_.find(command.slot_id);
  if (it == slots_.end() || !Sees(caller, it->second)) {
    return absl::NotFoundError("no slot");
  }
  ReferenceSlot& s = it->second;
  if (s.slot.withdrawn || s.slot.start_unix_s <= clock_) {
    return absl::FailedPreconditionError("closed");
  }
  if (!SlotInScope(caller, s)) {
    return absl::PermissionDeniedError("outside the caller's territories");
  }
  // Overbooking places only on explicit request, outside the weekly cap;
  // regular places while the professional's week is under the cap.
  const bool regular = !command.overbooking_place;
  if (command.overbooking_place) {
    if (!caller.may_overbook) {
      return absl::PermissionDeniedError("overbooking for regulators only");
    }
    if (s.held_overbooking + s.booked_overbooking >=
        s.slot.overbooking_places) {
      return absl::FailedPreconditionError("no overbooking place");
    }
  } else if (s.held_regular + s.booked_regular >= s.slot.capacity) {
    return absl::FailedPreconditionError("full");
  } else if (Capped(s, Loads())) {
    return absl::FailedPreconditionError("weekly cap reached");
  }
  int active = 0, mine = 0;
  for (const auto& [t, h] : holds_) {
    active += h.state == HoldState::kActive;
    mine += h.state == HoldState::kActive && h.holder == caller.name;
  }
  if (active >= limits::kMaxActiveHolds) {
    return absl::ResourceExhaustedError("holds");
  }
  if (options_.max_active_holds_per_caller > 0 && !caller.administrator &&
      mine >= options_.max_active_holds_per_caller) {
    return absl::ResourceExhaustedError("holds of this caller");
  }
  if (holds_.contains(command.token)) return absl::AlreadyExistsError("token");
  Hold hold;
  hold.token = command.token;
  hold.slot_id = command.slot_id;
  hold.holder = caller.name;
  hold.create_unix_s = clock_;
  hold.expire_unix_s = clock_ + command.ttl_s;
  hold.overbooking_place = !regular;
  (regular ? s.held_regular : s.held_overbooking)++;
  holds_[hold.token] = hold;
  Outcome outcome;
  outcome.hold = hold;
  Remember(caller, key, Method::kHoldSlot, outcome);
  return hold;
}

absl::StatusOr<Hold*> ReferenceModel::ActiveHold(const Caller& caller,
                                                 const std::string& slot_id,
                                                 const std::string& token) {
  auto it = holds_.find(token);
  if (it == holds_.end() || it->second.holder != caller.name) {
    return absl::NotFoundError("no hold");
  }
  if (it->second.slot_id != slot_id) {
    return absl::FailedPreconditionError("other slot");
  }
  if (it->second.state != HoldState::kActive) {
    return absl::FailedPreconditionError("closed");
  }
  return &it->second;
}

absl::StatusOr<Booking> ReferenceModel::ConfirmBooking(
    const Caller& caller, const RequestKey& key, const ConfirmCommand& command,
    int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kConfirmBooking);
  if (!replay.ok()) return replay.status();
  if (*replay) return *(*replay)->outcome.booking;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (!IsValidId(command.slot_id) || !IsValidHoldToken(command.hold_token) ||
      !IsValidId(command.patient_ref) ||
      (!command.orientation_ref.empty() &&
       !IsValidId(command.orientation_ref))) {
    return Invalid();
  }
  auto hold = ActiveHold(caller, command.slot_id, command.hold_token);
  if (!hold.ok()) return hold.status();
  ReferenceSlot& s = slots_.at(command.slot_id);
  Hold& h = **hold;
  // The id is the last 20 hex digits of the token, after "bk-".
  Booking b;
  b.id = "bk-" + h.token.substr(h.token.size() - 20);
  if (bookings_.contains(b.id)) return absl::AlreadyExistsError("booking id");
  (h.overbooking_place ? s.held_overbooking : s.held_regular)--;
  (h.overbooking_place ? s.booked_overbooking : s.booked_regular)++;
  h.state = HoldState::kConfirmed;
  h.close_unix_s = clock_;
  b.slot_id = s.slot.id;
  b.professional_id = s.slot.professional_id;
  b.start_unix_s = s.slot.start_unix_s;
  b.duration_s = s.slot.duration_s;
  b.modality = s.slot.modality;
  b.patient_ref = command.patient_ref;
  b.orientation_ref = command.orientation_ref;
  b.status = BookingStatus::kBooked;
  b.create_unix_s = clock_;
  b.overbooking_place = h.overbooking_place;
  b.booked_by = caller.name;
  b.organisation = caller.organisation;
  b.hold_token = h.token;
  bookings_[b.id] = b;
  Outcome outcome;
  outcome.booking = b;
  Remember(caller, key, Method::kConfirmBooking, outcome);
  return b;
}

absl::StatusOr<Hold> ReferenceModel::ReleaseHold(const Caller& caller,
                                                 const RequestKey& key,
                                                 const ReleaseCommand& command,
                                                 int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kReleaseHold);
  if (!replay.ok()) return replay.status();
  if (*replay) return *(*replay)->outcome.hold;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (!IsValidId(command.slot_id) || !IsValidHoldToken(command.hold_token)) {
    return Invalid();
  }
  auto hold = ActiveHold(caller, command.slot_id, command.hold_token);
  if (!hold.ok()) return hold.status();
  Hold& h = **hold;
  ReferenceSlot& s = slots_.at(command.slot_id);
  (h.overbooking_place ? s.held_overbooking : s.held_regular)--;
  h.state = HoldState::kReleased;
  h.close_unix_s = clock_;
  Outcome outcome;
  outcome.hold = h;
  Remember(caller, key, Method::kReleaseHold, outcome);
  return h;
}

absl::StatusOr<Booking> ReferenceModel::CancelBooking(
    const Caller& caller, const RequestKey& key, const CancelCommand& command,
    int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kCancelBooking);
  if (!replay.ok()) return replay.status();
  if (*replay) return *(*replay)->outcome.booking;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  const int reason = static_cast<int>(command.reason);
  if (!IsValidId(command.booking_id) || reason < 0 || reason > 5) {
    return Invalid();
  }
  auto it = bookings_.find(command.booking_id);
  if (it == bookings_.end() || !MayRead(caller, it->second)) {
    return absl::NotFoundError("no booking");
  }
  Booking& b = it->second;
  if (b.status == BookingStatus::kCancelled) {
    return absl::FailedPreconditionError("cancelled");
  }
  auto slot = slots_.find(b.slot_id);
  if (slot != slots_.end() &&
      slot->second.slot.start_unix_s == b.start_unix_s) {
    (b.overbooking_place ? slot->second.booked_overbooking
                         : slot->second.booked_regular)--;
  }
  b.status = BookingStatus::kCancelled;
  b.cancel_unix_s = clock_;
  b.cancel_reason = command.reason == CancelReason::kUnspecified
                        ? CancelReason::kOther
                        : command.reason;
  Outcome outcome;
  outcome.booking = b;
  Remember(caller, key, Method::kCancelBooking, outcome);
  return b;
}

}  // namespace creneau::testing
