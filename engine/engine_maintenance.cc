// Engine: retention (Purge) and start-up restore.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/validate.h"

namespace creneau {

int Engine::Purge(absl::Time now, Effects* effects) {
  const int64_t now_s = Advance(now);
  ExpireDue(now_s, effects);
  ServeWaitlist(now_s, effects);
  int budget = limits::kMaxPurgedPerPass;
  Event event;
  event.type = EventType::kRecordsPurged;
  event.time_unix_s = now_s;
  event.actor = kSystemActor;

  while (budget > 0 && !idempotency_by_age_.empty() &&
         idempotency_by_age_.front().first + limits::kIdempotencyRetentionS <=
             now_s) {
    const auto [created, key] = std::move(idempotency_by_age_.front());
    idempotency_by_age_.pop_front();
    auto it = idempotency_.find(key);
    if (it == idempotency_.end() || it->second.create_unix_s != created)
      continue;
    auto count = requests_by_caller_.find(it->second.caller);
    CRENEAU_CHECK(count != requests_by_caller_.end() && count->second > 0);
    if (--count->second == 0) requests_by_caller_.erase(count);
    idempotency_.erase(it);
    effects->idempotency_deleted.push_back(key);
    --budget;
  }
  while (budget > 0 && !closed_holds_.empty() &&
         closed_holds_.front().first + limits::kClosedHoldRetentionS <= now_s) {
    const auto [closed, token] = std::move(closed_holds_.front());
    closed_holds_.pop_front();
    auto it = holds_.find(token);
    if (it == holds_.end() || it->second.state == HoldState::kActive ||
        it->second.close_unix_s != closed) {
      continue;
    }
    holds_.erase(it);
    effects->holds_deleted.push_back(token);
    --budget;
  }
  for (int swept = 0;
       budget > 0 && swept < limits::kMaxSweptSlotsPerPass && slots_.end() > 0;
       ++swept) {
    if (purge_cursor_ >= slots_.end()) purge_cursor_ = 0;
    const SlotNo no = purge_cursor_++;
    const internal::SlotRecord& r = slots_.at(no);
    if (!r.in_use || r.held_regular + r.held_overbooking > 0 ||
        r.start_unix_s + r.duration_s + limits::kEndedSlotRetentionS > now_s) {
      continue;
    }
    Unindex(no);
    auto& owned = professionals_.at(r.professional).slots;
    owned.erase(std::find(owned.begin(), owned.end(), no));
    // Its week's load loses its places, once it is out of its
    // professional's list (the week is over: only the flags of past slots
    // may change, as a restore without this slot would set them).
    AdjustWeekLoad(r.professional, r.week,
                   -(r.held_regular + r.booked_regular));
    effects->slots_deleted.emplace_back(slots_.id(no));
    event.Add(SubjectKind::kSlot, std::string(slots_.id(no)));
    slots_.Remove(no);
    --budget;
  }
  // By the end of their appointment: the first one still kept ends the
  // pass.
  while (budget > 0 && !bookings_by_end_.empty() &&
         bookings_by_end_.begin()->unix_s + limits::kEndedBookingRetentionS <=
             now_s) {
    const std::string id = internal::BookingIdOfKey(*bookings_by_end_.begin());
    EraseBooking(id);
    effects->bookings_deleted.push_back(id);
    event.Add(SubjectKind::kBooking, id);
    --budget;
  }
  budget -= PurgeRequests(now_s, budget, &event, effects);
  const int purged = limits::kMaxPurgedPerPass - budget;
  if (purged > 0) effects->events.push_back(std::move(event));
  return purged;
}

void Engine::BeginRestore(size_t expected_slots) {
  CRENEAU_CHECK(slots_.size() == 0 && index_.size() == 0);
  slots_.Reserve(std::min(expected_slots, limits::kMaxReservedSlots));
  professionals_.DeferLocating();
  index_deferred_ = true;
}

absl::Status Engine::RestoreProfessional(const Professional& professional) {
  // The tables store what publication validated; refuse anything else.
  if (!IsValidId(professional.id) ||
      professional.display_name.size() > limits::kMaxDisplayNameBytes) {
    return absl::DataLossError(
        absl::StrCat("professional '", professional.id, "' is corrupt"));
  }
  if (professionals_.Find(professional.id) != internal::kNoProfessional) {
    return absl::DataLossError(
        absl::StrCat("professional '", professional.id, "' stored twice"));
  }
  if (!professionals_.FitsNewCpts(professional.cpts_id) ||
      !IsSupportedTimeZone(professional.time_zone) || professional.sector < 0 ||
      professional.sector > 3 || professional.weekly_orientation_cap < 0 ||
      professional.weekly_orientation_cap > limits::kMaxWeeklyOrientationCap ||
      professional.home_visit_radius_km < 0 ||
      professional.home_visit_radius_km > limits::kMaxHomeVisitRadiusKm) {
    return absl::DataLossError(
        absl::StrCat("professional '", professional.id, "' is corrupt"));
  }
  NoteTimeZone(professionals_.Add(
      professional,
      CommuneIndexOf(professional.commune_code, professional.location)));
  return absl::OkStatus();
}

void Engine::PrefetchProfessional(const Professional& professional) const {
  professionals_.Prefetch(professional.id);
}

void Engine::PrefetchSlot(const Slot& slot) const {
  slots_.Prefetch(slot.id);
  professionals_.Prefetch(slot.professional_id);
}

void Engine::PrefetchHold(const Hold& hold) const {
  slots_.Prefetch(hold.slot_id);
  holds_.prefetch(hold.token);
}

void Engine::PrefetchBooking(const Booking& booking) const {
  slots_.Prefetch(booking.slot_id);
}

absl::Status Engine::RestoreSlot(const Slot& slot) {
  const internal::ProfNo prof = professionals_.Find(slot.professional_id);
  if (prof == internal::kNoProfessional) {
    return absl::DataLossError(
        absl::StrCat("slot '", slot.id, "' refers to unknown professional '",
                     slot.professional_id, "'"));
  }
  if (slot.capacity < 1 || slot.capacity > limits::kMaxCapacity ||
      slot.overbooking_places < 0 ||
      slot.overbooking_places > limits::kMaxOverbookingPlaces ||
      slot.start_unix_s < 0 || slot.start_unix_s > UINT32_MAX ||
      slot.duration_s < limits::kMinSlotDurationS ||
      slot.duration_s > limits::kMaxSlotDurationS) {
    return absl::DataLossError(absl::StrCat("slot '", slot.id, "' is corrupt"));
  }
  internal::SlotRecord record;
  record.professional = prof;
  record.start_unix_s = static_cast<uint32_t>(slot.start_unix_s);
  record.duration_s = static_cast<uint16_t>(slot.duration_s);
  record.capacity = static_cast<uint16_t>(slot.capacity);
  record.overbooking_places = static_cast<uint16_t>(slot.overbooking_places);
  record.modality = slot.modality;
  record.visibility = slot.visibility;
  record.withdrawn = slot.withdrawn;
  record.week = static_cast<int16_t>(WeekOf(prof, slot.start_unix_s));
  const SlotNo no = slots_.TryAdd(slot.id, std::move(record));
  if (no == kNoSlot) {
    return absl::DataLossError(
        absl::StrCat("slot '", slot.id, "' stored twice"));
  }
  slots_.set_location(no, slot.location);
  professionals_.at(prof).slots.push_back(no);
  Reindex(no);
  return absl::OkStatus();
}

absl::Status Engine::RestoreHold(const Hold& hold) {
  if (holds_.contains(hold.token)) {
    return absl::DataLossError("a hold token is stored twice");
  }
  if (hold.state == HoldState::kActive) {
    const SlotNo no = slots_.Find(hold.slot_id);
    if (no == kNoSlot || slots_.at(no).withdrawn) {
      return absl::DataLossError(absl::StrCat(
          "active hold on missing or withdrawn slot '", hold.slot_id, "'"));
    }
    const internal::SlotRecord& r = slots_.at(no);
    if (hold.overbooking_place ? !r.overbooking_place_free()
                               : !r.regular_place_free()) {
      return absl::DataLossError(
          absl::StrCat("slot '", hold.slot_id, "' is held beyond its places"));
    }
    ChangePlaces(no, hold.overbooking_place, +1, 0);
    active_by_expiry_.emplace(hold.expire_unix_s, hold.token);
    ++active_holds_by_caller_[hold.holder];
  } else {
    closed_holds_.emplace_back(hold.close_unix_s, hold.token);
  }
  holds_.emplace(hold.token, hold);
  return absl::OkStatus();
}

absl::Status Engine::RestoreBooking(const Booking& booking) {
  if (!absl::StartsWith(booking.id, "bk-") || !IsValidId(booking.id)) {
    return absl::DataLossError(
        absl::StrCat("booking id '", booking.id, "' is malformed"));
  }
  if (bookings_.contains(booking.id)) {
    return absl::DataLossError(
        absl::StrCat("booking '", booking.id, "' stored twice"));
  }
  AddBooking(booking);
  if (booking.status != BookingStatus::kBooked) return absl::OkStatus();
  const SlotNo no = slots_.Find(booking.slot_id);
  if (no == kNoSlot || slots_.at(no).start_unix_s != booking.start_unix_s) {
    return absl::OkStatus();  // The slot outlived its retention.
  }
  const internal::SlotRecord& r = slots_.at(no);
  if (booking.overbooking_place ? !r.overbooking_place_free()
                                : !r.regular_place_free()) {
    return absl::DataLossError(absl::StrCat("slot '", booking.slot_id,
                                            "' is booked beyond its places"));
  }
  ChangePlaces(no, booking.overbooking_place, 0, +1);
  return absl::OkStatus();
}

absl::Status Engine::RestoreIdempotency(const IdempotencyRecord& record) {
  std::string key = IdempotencyKey(record.caller, record.request_id);
  idempotency_by_age_.emplace_back(record.create_unix_s, key);
  if (!idempotency_.emplace(std::move(key), record).second) {
    return absl::DataLossError("an idempotency record is stored twice");
  }
  ++requests_by_caller_[record.caller];
  return absl::OkStatus();
}

absl::Status Engine::FinishRestore(int64_t clock_unix_s) {
  clock_unix_s_ = std::max(clock_unix_s_, clock_unix_s);
  std::sort(closed_holds_.begin(), closed_holds_.end());
  std::sort(closed_requests_.begin(), closed_requests_.end());
  std::sort(idempotency_by_age_.begin(), idempotency_by_age_.end());
  // One sweep counts the searchable slots and, when the restore deferred
  // it, builds the index from them.
  const bool build_index = index_deferred_;
  index_deferred_ = false;
  size_t searchable = 0;
  for (SlotNo no = 0; no < slots_.end(); ++no) {
    const internal::SlotRecord& r = slots_.at(no);
    if (!r.searchable()) continue;
    ++searchable;
    if (build_index) {
      index_.InsertUnsorted(professionals_.at(r.professional).profession,
                            EntryOf(no));
    }
  }
  if (build_index) {
    professionals_.FinishLocating();
    index_.FinishBulk();
  }
  if (searchable != index_.size()) {
    return absl::InternalError("index out of step with the slot table");
  }
  return absl::OkStatus();
}

}  // namespace creneau
