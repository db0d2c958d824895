// Page tokens of the engine's time-ordered listings (slots of a
// professional, bookings): the (start, id) of the last item returned, in
// base64url so that callers treat it as opaque.
#ifndef CRENEAU_ENGINE_INTERNAL_PAGE_TOKEN_H_
#define CRENEAU_ENGINE_INTERNAL_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace creneau::internal {

// "v1:<start>:<id>" in base64url.
std::string EncodePageToken(int64_t start_unix_s, absl::string_view id);
// The (start, id) of a token EncodePageToken made; false when `token` is
// not one (the caller answers INVALID_ARGUMENT naming page_token).
bool DecodePageToken(absl::string_view token, int64_t* start_unix_s,
                     std::string* id);

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_PAGE_TOKEN_H_
