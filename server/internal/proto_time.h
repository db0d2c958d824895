// Timestamps and durations between google.protobuf and Unix seconds, shared
// by the mapping files (from_proto.cc, to_proto.cc, waitlist_proto.cc).
#ifndef CRENEAU_SERVER_INTERNAL_PROTO_TIME_H_
#define CRENEAU_SERVER_INTERNAL_PROTO_TIME_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/validate.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace creneau::server::internal {

inline void SetTime(int64_t unix_s, google::protobuf::Timestamp* out) {
  out->set_seconds(unix_s);
  out->set_nanos(0);
}

// Whole seconds of a well-formed duration (nanos dropped); INVALID_ARGUMENT
// naming `path` when its parts disagree in sign or nanos overflow.
inline absl::StatusOr<int64_t> Seconds(const google::protobuf::Duration& d,
                                       absl::string_view path) {
  if (d.nanos() <= -1000000000 || d.nanos() >= 1000000000 ||
      (d.seconds() > 0 && d.nanos() < 0) ||
      (d.seconds() < 0 && d.nanos() > 0)) {
    return InvalidField(path, "not a valid duration");
  }
  return d.seconds();
}

}  // namespace creneau::server::internal

#endif  // CRENEAU_SERVER_INTERNAL_PROTO_TIME_H_
