// Format checks shared by the engine (which refuses malformed commands) and
// the server (which names the offending field before the engine sees it).
#ifndef CRENEAU_ENGINE_VALIDATE_H_
#define CRENEAU_ENGINE_VALIDATE_H_

#include "absl/strings/string_view.h"
#include "engine/types.h"

namespace creneau {

// [A-Za-z0-9._:-]{1,max_length}: slot, professional, booking, CPTS ids,
// patient and orientation references, caller names.
bool IsValidId(absl::string_view id, int max_length);
// IsValidId with limits::kMaxIdLength.
bool IsValidId(absl::string_view id);
// IsValidId with limits::kMaxRequestIdLength.
bool IsValidRequestId(absl::string_view request_id);
// limits::kHoldTokenLength lowercase hex characters.
bool IsValidHoldToken(absl::string_view token);
// Five characters: digits, or "2A"/"2B" followed by three digits (Corsica).
bool IsValidCommuneCode(absl::string_view code);
// Well-formed UTF-8 (no overlong forms, no surrogates, no NUL).
bool IsValidUtf8(absl::string_view text);
// Finite, latitude in [-90, 90], longitude in [-180, 180].
bool IsValidLatLng(const LatLng& point);
// An IANA zone name shape: [A-Za-z0-9_+/-]{1,64}. Whether the zone exists is
// checked where time zones are loaded.
bool IsValidTimeZoneName(absl::string_view name);

}  // namespace creneau

#endif  // CRENEAU_ENGINE_VALIDATE_H_
