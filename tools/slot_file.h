// Files an agenda exports for `creneau publish`: JSON or CSV.
//
// JSON: {"professionals": [Professional...], "slots": [Slot...]}, field names
// as in the API (proto JSON mapping), either list optional.
// CSV of slots, header first, columns by name:
//   id, professional_id, start_time (RFC 3339), duration_min, modality,
//   capacity, overbooking_places, visibility, latitude, longitude
// CSV of professionals (recognised by a "profession" column):
//   id, profession, latitude, longitude, commune_code, time_zone, structure,
//   cpts_id, display_name
// Enum cells take the CLI names ("in-office", "regulation", "gp", "SM54").
#ifndef CRENEAU_TOOLS_SLOT_FILE_H_
#define CRENEAU_TOOLS_SLOT_FILE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "creneau/v1/slot_service.pb.h"

namespace creneau::tools {

struct SlotFile {
  std::vector<creneau::v1::Professional> professionals;
  std::vector<creneau::v1::Slot> slots;
};

// Most rows a file may hold; beyond it split the file.
inline constexpr size_t kMaxSlotFileRows = 1000000;

// `name` decides the format (".json" or ".csv"); INVALID_ARGUMENT names the
// line and column (CSV) or the JSON error.
absl::StatusOr<SlotFile> ParseSlotFile(absl::string_view name,
                                       absl::string_view text);

}  // namespace creneau::tools

#endif  // CRENEAU_TOOLS_SLOT_FILE_H_
