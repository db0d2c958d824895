// Encodings of every record creneau persists, as documented byte by byte in
// storage/FORMAT.md. Each value starts with its format version byte.
//
// Decoders accept any bytes: they return DATA_LOSS (naming the record kind)
// for anything malformed, truncated, trailing or out of range, and never
// read out of bounds.
#ifndef CRENEAU_STORAGE_INTERNAL_CODEC_H_
#define CRENEAU_STORAGE_INTERNAL_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/effects.h"
#include "engine/types.h"

namespace creneau::storage::internal {

// The version byte each kind of value is written with (decoders also read
// every earlier version; FORMAT.md lists the changes).
inline constexpr uint8_t kTerritoryVersion = 1;
inline constexpr uint8_t kProfessionalVersion =
    3;  // 2: owner; 3: home-visit radius.
inline constexpr uint8_t kSlotVersion = 1;
inline constexpr uint8_t kHoldVersion = 1;
// 2: cancel reason as a code, organisation.
inline constexpr uint8_t kBookingVersion = 2;
// 2: bookings of v2; 3: PublishAvailability, withdrawn and kept counts.
inline constexpr uint8_t kIdempotencyVersion = 3;
// 1: templates and exceptions (storage/internal/codec_availability.cc).
inline constexpr uint8_t kAvailabilityVersion = 1;
// 2: organisation, typed subjects, detail; 3: subject states; 4: the
// waitlist's event types and request subjects.
inline constexpr uint8_t kEventVersion = 4;
// 1: the request with its caller and criteria (codec_requests.cc).
inline constexpr uint8_t kRequestVersion = 1;
// The on-disk format version kept under meta key "format_version": 2 adds
// the territories column family (a store of version 1 is upgraded at open),
// 3 the availability family (a store of version 2 only gains it), 4 events
// with states (a store of version 2 or 3 only gains the number, so that an
// older creneaud refuses it rather than fail on a new event), 5 the
// requests family and event version 4 (a store of version 2 to 4 gains
// the family and the number).
inline constexpr uint32_t kFormatVersion = 5;

// Availability: key = professional id (codec_availability.cc).
std::string EncodeAvailability(const StoredAvailability& stored);
absl::StatusOr<StoredAvailability> DecodeAvailability(absl::string_view key,
                                                      absl::string_view value);

// Waiting requests: key = id (codec_requests.cc).
std::string EncodeRequest(const WaitingRequest& request);
absl::StatusOr<WaitingRequest> DecodeRequest(absl::string_view key,
                                             absl::string_view value);

// Territories: key = id.
std::string EncodeTerritory(const Territory& territory);
absl::StatusOr<Territory> DecodeTerritory(absl::string_view key,
                                          absl::string_view value);

// Professionals: key = id, value below.
std::string EncodeProfessional(const Professional& professional);
absl::StatusOr<Professional> DecodeProfessional(absl::string_view key,
                                                absl::string_view value);

// Slots: key = id.
std::string EncodeSlot(const Slot& slot);
absl::StatusOr<Slot> DecodeSlot(absl::string_view key, absl::string_view value);

// Holds: key = token.
std::string EncodeHold(const Hold& hold);
absl::StatusOr<Hold> DecodeHold(absl::string_view key, absl::string_view value);

// Bookings: key = id.
std::string EncodeBooking(const Booking& booking);
absl::StatusOr<Booking> DecodeBooking(absl::string_view key,
                                      absl::string_view value);

// Idempotency records: key = IdempotencyKey(caller, request_id).
std::string EncodeIdempotency(const IdempotencyRecord& record);
absl::StatusOr<IdempotencyRecord> DecodeIdempotency(absl::string_view key,
                                                    absl::string_view value);

// Events: key = EventKey(sequence), 8 bytes big-endian.
std::string EventKey(uint64_t sequence);
absl::StatusOr<uint64_t> DecodeEventKey(absl::string_view key);
std::string EncodeEvent(const Event& event);
absl::StatusOr<Event> DecodeEvent(absl::string_view value);

}  // namespace creneau::storage::internal

#endif  // CRENEAU_STORAGE_INTERNAL_CODEC_H_
