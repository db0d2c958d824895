// The server's log: spdlog's default logger, as text (the default, for a
// terminal) or as one JSON object per line (--log_format=json, for a log
// shipper), and the record of a finished call.
//
// A call is logged when it changes state (a mutation) or takes longer than
// the slow threshold; never with its request or answer, so that patient
// and orientation references, tokens and hold tokens stay out of the log.
#ifndef CRENEAU_SERVER_REQUEST_LOG_H_
#define CRENEAU_SERVER_REQUEST_LOG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace creneau::server {

enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT naming --log_format otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// Sets the default logger's format and level ("trace" to "critical") and
// creates the call logger beside it, both on standard error.
void ConfigureLogging(LogFormat format, absl::string_view level);

// A finished call, as the call logger writes it.
struct CallRecord {
  absl::string_view request_id;
  absl::string_view principal;
  absl::string_view rpc;   // The method's short name, e.g. "HoldSlot".
  absl::string_view code;  // "OK", "NOT_FOUND", ...
  absl::Duration latency;
  bool mutation = false;
  bool slow = false;
};

// Writes `call` at info (a mutation) or warn (slow) level. JSON fields:
// time, level, event ("call"), request_id, principal, rpc, code,
// latency_us, slow.
void LogCall(const CallRecord& call);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_REQUEST_LOG_H_
