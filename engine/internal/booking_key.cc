#include "engine/internal/booking_key.h"

#include "absl/strings/str_format.h"
#include "engine/check.h"
#include "engine/limits.h"

namespace creneau::internal {
namespace {

constexpr int kHighDigits = 16;
constexpr int kLowDigits = limits::kBookingIdHexDigits - kHighDigits;
static_assert(kLowDigits > 0 && kLowDigits <= 8);

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The value of the lowercase hex `digits` (at most 16); false on any other
// character.
bool ParseHex(absl::string_view digits, uint64_t* value) {
  *value = 0;
  for (char c : digits) {
    const int v = HexValue(c);
    if (v < 0) return false;
    *value = (*value << 4) | static_cast<uint64_t>(v);
  }
  return true;
}

}  // namespace

bool IsBookingId(absl::string_view id) {
  if (id.size() != kBookingIdPrefix.size() + limits::kBookingIdHexDigits ||
      id.substr(0, kBookingIdPrefix.size()) != kBookingIdPrefix) {
    return false;
  }
  // Only the digits matter here: the value of 20 of them wraps.
  uint64_t wrapped;
  return ParseHex(id.substr(kBookingIdPrefix.size()), &wrapped);
}

BookingKey BookingKeyOf(int64_t unix_s, absl::string_view id) {
  CRENEAU_CHECK(IsBookingId(id));
  const absl::string_view digits = id.substr(kBookingIdPrefix.size());
  BookingKey key;
  key.unix_s = unix_s;
  uint64_t low = 0;
  CRENEAU_CHECK(ParseHex(digits.substr(0, kHighDigits), &key.id_high));
  CRENEAU_CHECK(ParseHex(digits.substr(kHighDigits), &low));
  key.id_low = static_cast<uint32_t>(low);
  return key;
}

std::string BookingIdOfKey(const BookingKey& key) {
  return absl::StrFormat("%s%016x%0*x", kBookingIdPrefix, key.id_high,
                         kLowDigits, key.id_low);
}

}  // namespace creneau::internal
