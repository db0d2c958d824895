// Helpers shared by the codec files (codec.cc, codec_availability.cc,
// codec_states.cc).
#ifndef CRENEAU_STORAGE_INTERNAL_CODEC_COMMON_H_
#define CRENEAU_STORAGE_INTERNAL_CODEC_COMMON_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/effects.h"
#include "engine/types.h"
#include "engine/validate.h"
#include "storage/internal/coding.h"

namespace creneau::storage::internal {

// DATA_LOSS naming the record kind and (the start of) its key.
inline absl::Status Corrupt(absl::string_view kind, absl::string_view key) {
  return absl::DataLossError(absl::StrCat(
      "corrupt ", kind, " record '", absl::CHexEscape(key.substr(0, 80)), "'"));
}

template <typename Enum>
inline bool GetEnum(Decoder& d, Enum* value, int min, int max) {
  uint8_t raw;
  if (!d.GetU8(&raw) || raw < min || raw > max) return false;
  *value = static_cast<Enum>(raw);
  return true;
}

inline bool GetLatLng(Decoder& d, LatLng* point) {
  return d.GetDouble(&point->lat_deg) && d.GetDouble(&point->lng_deg) &&
         IsValidLatLng(*point);
}

// Reads the version byte: one of 1..latest.
inline bool GetVersion(Decoder& d, uint8_t latest, uint8_t* version) {
  return d.GetU8(version) && *version >= 1 && *version <= latest;
}

// An event's subject states (codec_states.cc): a count (0, or one per
// subject), then each a u8 kind (0: none) and its record. GetSubjectStates
// returns false for anything malformed or not matching `subjects`' kinds.
void PutSubjectStates(std::string* out,
                      const std::vector<SubjectState>& states);
bool GetSubjectStates(Decoder& d, const std::vector<Subject>& subjects,
                      std::vector<SubjectState>* states);

}  // namespace creneau::storage::internal

#endif  // CRENEAU_STORAGE_INTERNAL_CODEC_COMMON_H_
