// Fuzz target: the agenda export files `creneau publish` reads
// (tools/slot_file.h). The first byte picks CSV or JSON, the rest is the
// file. Any text must parse or be refused with INVALID_ARGUMENT; what
// parses stays within the row limit.
#include <cstddef>
#include <cstdint>

#include "engine/check.h"
#include "tools/slot_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::string_view name =
      data[0] % 2 == 0 ? "export.csv" : "export.json";
  const absl::string_view text(reinterpret_cast<const char*>(data + 1),
                               size - 1);
  const absl::StatusOr<creneau::tools::SlotFile> file =
      creneau::tools::ParseSlotFile(name, text);
  if (!file.ok()) {
    CRENEAU_CHECK(file.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  CRENEAU_CHECK(file->professionals.size() + file->slots.size() <=
                creneau::tools::kMaxSlotFileRows);
  return 0;
}
