// Effects: what one engine command changed, for the storage layer to persist
// in one atomic write, and the event that records it.
//
// Every record in an Effects is a full copy (never a reference into the
// engine), so it can be encoded after the engine lock is released.
#ifndef CRENEAU_ENGINE_EFFECTS_H_
#define CRENEAU_ENGINE_EFFECTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/availability.h"
#include "engine/types.h"
#include "engine/waitlist.h"

namespace creneau {

// The mutations that carry a request id. Values are persisted.
enum class Method : uint8_t {
  kUpsertProfessionals = 1,
  kPublishSlots = 2,
  kWithdrawSlots = 3,
  kHoldSlot = 4,
  kConfirmBooking = 5,
  kReleaseHold = 6,
  kCancelBooking = 7,
  kUpsertTerritory = 8,
  kTransferProfessionals = 9,
  kPublishAvailability = 10,
  kEnqueueRequest = 11,  // Remembered by the request itself, not a record.
  kCancelRequest = 12,
};

// Counts returned by the batch mutations. For WithdrawSlots, `created` counts
// the slots withdrawn and `unchanged` those already withdrawn. For
// PublishAvailability they count generated slots: created, updated,
// unchanged, withdrawn (no longer generated), and kept (no longer generated
// or changed, but left as they are because they have holds or bookings).
struct BatchCounts {
  int32_t created = 0;
  int32_t updated = 0;
  int32_t unchanged = 0;
  int32_t withdrawn = 0;
  int32_t kept = 0;
  bool operator==(const BatchCounts&) const = default;
};

// The first answer to a request, returned again to its retries.
struct Outcome {
  BatchCounts counts;              // Batch mutations.
  std::optional<Hold> hold;        // HoldSlot, ReleaseHold.
  std::optional<Booking> booking;  // ConfirmBooking, CancelBooking.
  bool operator==(const Outcome&) const = default;
};

struct IdempotencyRecord {
  std::string caller;
  std::string request_id;
  Method method = Method::kUpsertProfessionals;
  uint64_t payload_fingerprint = 0;
  int64_t create_unix_s = 0;
  Outcome outcome;
  bool operator==(const IdempotencyRecord&) const = default;
};

// The storage key of an idempotency record: caller, a NUL, request id.
std::string IdempotencyKey(absl::string_view caller,
                           absl::string_view request_id);

// Values are persisted.
enum class EventType : uint8_t {
  kProfessionalsUpserted = 1,
  kSlotsPublished = 2,
  kSlotsWithdrawn = 3,
  kSlotHeld = 4,
  kBookingConfirmed = 5,
  kHoldReleased = 6,
  kBookingCancelled = 7,
  kHoldsExpired = 8,
  kRecordsPurged = 9,
  kTerritoryUpserted = 10,
  kProfessionalsTransferred = 11,
  // Audit records of the server, not changes of state: a booking (patient
  // data) was read; calls of a principal were refused (counted).
  kBookingRead = 12,
  kCallsRefused = 13,
  // A professional's availability was published (subjects: the
  // professional, then every generated slot added, changed or withdrawn),
  // or extended by the engine (actor kSystemActor; subjects: each
  // professional extended and the slots added).
  kAvailabilityPublished = 14,
  // The waitlist (subjects: the request). kRequestMatched: a place was held
  // for a waiting request (actor: the request's caller; subjects: the
  // request, then the slot). kRequestsExpired: by the engine.
  kRequestEnqueued = 15,
  kRequestMatched = 16,
  kRequestCancelled = 17,
  kRequestsExpired = 18,
};

// The caller name recorded for changes the engine makes by itself (hold
// expiry, retention).
inline constexpr char kSystemActor[] = "creneau";

// What an event is about. Values are persisted.
enum class SubjectKind : uint8_t {
  kSlot = 1,
  kBooking = 2,
  kProfessional = 3,
  kTerritory = 4,
  kRequest = 5,  // A waiting request.
};

struct Subject {
  SubjectKind kind = SubjectKind::kSlot;
  std::string id;
  bool operator==(const Subject&) const = default;
};

// The state of an event's subject right after the command, as the change
// feed sends it: a slot with its places, a professional, a booking or a
// waiting request (see ForChangeFeed), a territory; monostate when the
// subject no longer exists (purged) or was not recorded.
using SubjectState = std::variant<std::monostate, SlotView, Professional,
                                  Booking, Territory, WaitingRequest>;

// A booking as the change feed records and sends it: without the patient's
// references (read them with GetBooking, which the audit trail records) nor
// the hold token (the right to confirm it).
inline Booking ForChangeFeed(Booking booking) {
  booking.patient_ref.clear();
  booking.orientation_ref.clear();
  booking.hold_token.clear();
  return booking;
}

struct Event {
  EventType type = EventType::kSlotsPublished;
  int64_t time_unix_s = 0;
  std::string actor;         // Caller name, or kSystemActor.
  std::string organisation;  // The actor's organisation.
  std::string request_id;    // Empty for system events.
  // What changed (or was read): slots, bookings, professionals,
  // territories. At most limits::kMaxBatchSize entries of each kind (or
  // kMaxPurgedPerPass, kMaxActiveHolds for system events).
  std::vector<Subject> subjects;
  // kCallsRefused: the status code and count, e.g. "RESOURCE_EXHAUSTED x12".
  // Never patient data. At most limits::kMaxEventDetailBytes.
  std::string detail;
  // The state of each subject after the command, one per subject in the
  // same order; empty for audit records and for events written before
  // states were recorded (event format version 2).
  std::vector<SubjectState> states;
  bool operator==(const Event&) const = default;

  void Add(SubjectKind kind, std::string id) {
    subjects.push_back({kind, std::move(id)});
  }
};

struct Effects {
  std::vector<Territory> territories_put;
  std::vector<StoredAvailability> availability_put;
  std::vector<Professional> professionals_put;
  std::vector<Slot> slots_put;
  std::vector<std::string> slots_deleted;
  std::vector<Hold> holds_put;
  std::vector<std::string> holds_deleted;  // Tokens.
  std::vector<Booking> bookings_put;
  std::vector<std::string> bookings_deleted;
  std::vector<WaitingRequest> requests_put;
  std::vector<std::string> requests_deleted;  // Ids.
  std::vector<IdempotencyRecord> idempotency_put;
  std::vector<std::string> idempotency_deleted;  // IdempotencyKey()s.
  std::vector<Event> events;
  // True when the command was a retry answered from its idempotency record:
  // nothing changed, but the caller must still wait until the first answer
  // is durable before replying.
  bool replayed = false;

  // True when nothing needs to be written.
  bool empty() const { return events.empty(); }
  void Clear() { *this = Effects(); }
};

}  // namespace creneau

#endif  // CRENEAU_ENGINE_EFFECTS_H_
