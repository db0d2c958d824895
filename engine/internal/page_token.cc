#include "engine/internal/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace creneau::internal {

std::string EncodePageToken(int64_t start_unix_s, absl::string_view id) {
  return absl::WebSafeBase64Escape(absl::StrCat("v1:", start_unix_s, ":", id));
}

bool DecodePageToken(absl::string_view token, int64_t* start_unix_s,
                     std::string* id) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return false;
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits(':', 2));
  if (parts.size() != 3 || parts[0] != "v1" ||
      !absl::SimpleAtoi(parts[1], start_unix_s) || parts[2].empty()) {
    return false;
  }
  *id = std::move(parts[2]);
  return true;
}

}  // namespace creneau::internal
