// Fingerprints of mutation requests, for idempotency: two requests with the
// same request id are the same request only if everything else in them is
// identical.
#ifndef CRENEAU_SERVER_FINGERPRINT_H_
#define CRENEAU_SERVER_FINGERPRINT_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace creneau::server {

// The first 8 bytes of SHA-256 over the method name and the request's
// deterministic serialization with its `request_id` field cleared. Stable
// across processes and releases (it is persisted).
uint64_t RequestFingerprint(absl::string_view method,
                            const google::protobuf::Message& request);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_FINGERPRINT_H_
