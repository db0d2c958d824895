// Format checks shared by the engine (which refuses malformed commands) and
// the server (which names the offending field before the engine sees it),
// and the one shape of their errors: INVALID_ARGUMENT "<field>: <rule>",
// the rule's numbers taken from limits.h.
#ifndef CRENEAU_ENGINE_VALIDATE_H_
#define CRENEAU_ENGINE_VALIDATE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
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

// ---- Errors. ----

// INVALID_ARGUMENT "<field>: <what>": every validation error has this shape
// (the field path first, e.g. "slots[3].duration").
absl::Status InvalidField(absl::string_view field, absl::string_view what);

// The rules, as error texts built from limits.h.
// "must be 1 to 64 characters of [A-Za-z0-9._:-]" (limits::kMaxIdLength).
std::string IdRule();
// The same with limits::kMaxRequestIdLength.
std::string RequestIdRule();
// "must be the 32 hex characters HoldSlot returned".
std::string HoldTokenRule();
// "must be valid UTF-8 of at most N bytes".
std::string Utf8Rule(int max_bytes);
// "must be in [min, max]".
std::string RangeRule(int64_t min, int64_t max);
// "must be between 5 minutes and 12 hours" (whole units of the bounds).
std::string DurationRule(int64_t min_s, int64_t max_s);
// A duration in its largest whole unit: "366 days", "12 hours", "5 minutes",
// "10 seconds".
std::string HumanDuration(int64_t seconds);

// OK, or InvalidField(field, "required") when empty, else with IdRule() /
// RequestIdRule() / HoldTokenRule().
absl::Status CheckId(absl::string_view field, absl::string_view id);
absl::Status CheckRequestId(absl::string_view field, absl::string_view id);
absl::Status CheckHoldToken(absl::string_view field, absl::string_view token);
// A patient's pseudonymous reference (field "patient_ref"): an id of 1 to
// limits::kMaxIdLength characters, which a name (spaces, accents) is not.
absl::Status CheckPatientRef(absl::string_view patient_ref);
// A hold's token (field "token") and time to live (field "ttl", within
// limits::kMinHoldTtlS and kMaxHoldTtlS).
absl::Status CheckHoldTerms(absl::string_view token, int32_t ttl_s);
// The terms a published slot and a template's slots share: modality and
// visibility given, capacity and overbooking places within limits, a valid
// location if any. INVALID_ARGUMENT naming `path`.field.
absl::Status CheckSlotTerms(const std::string& path, Modality modality,
                            int32_t capacity, int32_t overbooking_places,
                            Visibility visibility,
                            const std::optional<LatLng>& location);
// OK for 1 to limits::kMaxBatchSize items; "<field>: must not be empty" or
// "<field>: at most 1000 per request, got N" otherwise.
absl::Status CheckBatchSize(absl::string_view field, size_t size);
// The IANA zones of France, metropolitan and overseas, which professionals
// may name (time zones are interned: the set must stay small).
bool IsSupportedTimeZone(absl::string_view name);
// "must be one of Europe/Paris, America/Guadeloupe, ...".
std::string TimeZoneRule();

}  // namespace creneau

#endif  // CRENEAU_ENGINE_VALIDATE_H_
