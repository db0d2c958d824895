// Booking ids as numbers, for the engine's booking indexes. A booking id is
// kBookingIdPrefix and kBookingIdHexDigits lowercase hex digits (the tail
// of the hold token it came from), so the digits fit in 80 bits and their
// numeric order is the ids' string order. Index entries of (time, id) then
// compare as integers, without reaching the id's heap bytes: the booking
// indexes were the most costly part of a confirm while they held strings.
#ifndef CRENEAU_ENGINE_INTERNAL_BOOKING_KEY_H_
#define CRENEAU_ENGINE_INTERNAL_BOOKING_KEY_H_

#include <compare>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace creneau::internal {

inline constexpr absl::string_view kBookingIdPrefix = "bk-";

// A time (an appointment's start or end) and a booking id, ordered as the
// pair (time, id) of strings would be.
struct BookingKey {
  int64_t unix_s = 0;
  uint64_t id_high = 0;  // The first 16 hex digits.
  uint32_t id_low = 0;   // The last 4.
  auto operator<=>(const BookingKey&) const = default;
};

// True when `id` is kBookingIdPrefix and kBookingIdHexDigits lowercase hex.
bool IsBookingId(absl::string_view id);
// The key of (unix_s, id); `id` must satisfy IsBookingId (checked).
BookingKey BookingKeyOf(int64_t unix_s, absl::string_view id);
// The booking id a key holds.
std::string BookingIdOfKey(const BookingKey& key);

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_BOOKING_KEY_H_
