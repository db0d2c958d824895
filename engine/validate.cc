#include "engine/validate.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "engine/limits.h"
#include "engine/status_macros.h"

namespace creneau {
namespace {

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsValidId(absl::string_view id, int max_length) {
  if (id.empty() || id.size() > static_cast<size_t>(max_length)) return false;
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool IsValidId(absl::string_view id) {
  return IsValidId(id, limits::kMaxIdLength);
}

bool IsValidRequestId(absl::string_view request_id) {
  return IsValidId(request_id, limits::kMaxRequestIdLength);
}

bool IsValidHoldToken(absl::string_view token) {
  if (token.size() != limits::kHoldTokenLength) return false;
  for (char c : token) {
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

bool IsValidCommuneCode(absl::string_view code) {
  if (code.size() != 5) return false;
  const bool corsica = code[0] == '2' && (code[1] == 'A' || code[1] == 'B');
  if (!corsica && !(IsDigit(code[0]) && IsDigit(code[1]))) return false;
  return IsDigit(code[2]) && IsDigit(code[3]) && IsDigit(code[4]);
}

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t code_point;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code_point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code_point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code_point = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // Truncated sequence.
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (cc & 0x3F);
    }
    constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[extra]) return false;  // Overlong.
    if (code_point > 0x10FFFF) return false;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
    i += extra + 1;
  }
  return true;
}

bool IsValidLatLng(const LatLng& point) {
  return std::isfinite(point.lat_deg) && std::isfinite(point.lng_deg) &&
         point.lat_deg >= -90 && point.lat_deg <= 90 && point.lng_deg >= -180 &&
         point.lng_deg <= 180;
}

bool IsValidTimeZoneName(absl::string_view name) {
  if (name.empty() || name.size() > limits::kMaxTimeZoneLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    IsDigit(c) || c == '_' || c == '+' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::Status InvalidField(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

std::string IdRule() {
  return absl::StrCat("must be 1 to ", limits::kMaxIdLength,
                      " characters of [A-Za-z0-9._:-]");
}

std::string RequestIdRule() {
  return absl::StrCat("must be 1 to ", limits::kMaxRequestIdLength,
                      " characters of [A-Za-z0-9._:-]");
}

std::string HoldTokenRule() {
  return absl::StrCat("must be the ", limits::kHoldTokenLength,
                      " hex characters HoldSlot returned");
}

std::string Utf8Rule(int max_bytes) {
  return absl::StrCat("must be valid UTF-8 of at most ", max_bytes, " bytes");
}

std::string RangeRule(int64_t min, int64_t max) {
  return absl::StrCat("must be in [", min, ", ", max, "]");
}

std::string DurationRule(int64_t min_s, int64_t max_s) {
  return absl::StrCat("must be between ", HumanDuration(min_s), " and ",
                      HumanDuration(max_s));
}

std::string HumanDuration(int64_t seconds) {
  struct Unit {
    int64_t seconds;
    const char* name;
  };
  for (const Unit unit :
       {Unit{86400, "day"}, Unit{3600, "hour"}, Unit{60, "minute"}}) {
    if (seconds != 0 && seconds % unit.seconds == 0) {
      const int64_t count = seconds / unit.seconds;
      return absl::StrCat(count, " ", unit.name, count == 1 ? "" : "s");
    }
  }
  return absl::StrCat(seconds, seconds == 1 ? " second" : " seconds");
}

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (IsValidId(id)) return absl::OkStatus();
  return InvalidField(field, id.empty() ? "required" : IdRule());
}

absl::Status CheckSlotTerms(const std::string& path, Modality modality,
                            int32_t capacity, int32_t overbooking_places,
                            Visibility visibility,
                            const std::optional<LatLng>& location) {
  if (static_cast<int>(modality) <= 0 ||
      static_cast<int>(modality) >= kModalityCount) {
    return InvalidField(path + ".modality", "required");
  }
  if (capacity < 1 || capacity > limits::kMaxCapacity) {
    return InvalidField(path + ".capacity", RangeRule(1, limits::kMaxCapacity));
  }
  if (overbooking_places < 0 ||
      overbooking_places > limits::kMaxOverbookingPlaces) {
    return InvalidField(path + ".overbooking_places",
                        RangeRule(0, limits::kMaxOverbookingPlaces));
  }
  if (static_cast<int>(visibility) <= 0 ||
      static_cast<int>(visibility) >= kVisibilityCount) {
    return InvalidField(path + ".visibility", "required");
  }
  if (location.has_value() && !IsValidLatLng(*location)) {
    return InvalidField(path + ".location",
                        "must be a WGS84 position in degrees");
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(absl::string_view field, absl::string_view id) {
  if (IsValidRequestId(id)) return absl::OkStatus();
  return InvalidField(
      field, id.empty() ? "required (a client-chosen id such as a UUID)"
                        : RequestIdRule());
}

absl::Status CheckHoldToken(absl::string_view field, absl::string_view token) {
  if (IsValidHoldToken(token)) return absl::OkStatus();
  return InvalidField(field, token.empty() ? "required" : HoldTokenRule());
}

absl::Status CheckPatientRef(absl::string_view patient_ref) {
  if (IsValidId(patient_ref)) return absl::OkStatus();
  return InvalidField(
      "patient_ref",
      absl::StrCat("must be a pseudonymous reference of 1 to ",
                   limits::kMaxIdLength,
                   " characters of [A-Za-z0-9._:-], never a name"));
}

absl::Status CheckHoldTerms(absl::string_view token, int32_t ttl_s) {
  RETURN_IF_ERROR(CheckHoldToken("token", token));
  if (ttl_s < limits::kMinHoldTtlS || ttl_s > limits::kMaxHoldTtlS) {
    return InvalidField(
        "ttl", DurationRule(limits::kMinHoldTtlS, limits::kMaxHoldTtlS));
  }
  return absl::OkStatus();
}

absl::Status CheckBatchSize(absl::string_view field, size_t size) {
  if (size == 0) return InvalidField(field, "must not be empty");
  if (size > static_cast<size_t>(limits::kMaxBatchSize)) {
    return InvalidField(field, absl::StrCat("at most ", limits::kMaxBatchSize,
                                            " per request, got ", size));
  }
  return absl::OkStatus();
}

namespace {

constexpr absl::string_view kFrenchTimeZones[] = {
    "Europe/Paris",     "America/Guadeloupe",    "America/Martinique",
    "America/Cayenne",  "Indian/Reunion",        "Indian/Mayotte",
    "America/Miquelon", "America/St_Barthelemy", "America/Marigot",
    "Pacific/Noumea",   "Pacific/Tahiti",        "Pacific/Marquesas",
    "Pacific/Gambier",  "Pacific/Wallis",        "Indian/Kerguelen",
};

}  // namespace

bool IsSupportedTimeZone(absl::string_view name) {
  for (absl::string_view zone : kFrenchTimeZones) {
    if (zone == name) return true;
  }
  return false;
}

std::string TimeZoneRule() {
  std::string rule = "must be one of";
  for (absl::string_view zone : kFrenchTimeZones) {
    absl::StrAppend(&rule, rule.size() == 14 ? " " : ", ", zone);
  }
  return rule;
}

}  // namespace creneau
