// Recurring availability between creneau.v1 messages and the engine's
// types (engine/availability.h), both ways. Times and dates travel as
// local text ("HH:MM", "YYYY-MM-DD"), weekdays as ISO numbers (1 Monday to
// 7 Sunday); an INVALID_ARGUMENT names the field
// ("availability.templates[1].start_time: ...").
#ifndef CRENEAU_SERVER_AVAILABILITY_PROTO_H_
#define CRENEAU_SERVER_AVAILABILITY_PROTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "creneau/v1/slot_service.pb.h"
#include "engine/availability.h"

namespace creneau::server {

namespace v1 = ::creneau::v1;

// The request's availability, validated as the engine does (and its
// request id). Defaults: capacity 1, visibility public, a closure's
// times the whole day, an exception's last day its first.
absl::StatusOr<Availability> AvailabilityFromRequest(
    const v1::PublishAvailabilityRequest& request);

void ToProto(const StoredAvailability& stored, v1::Availability* out);

// "HH:MM" (00:00 to 24:00) as minutes of the day; nullopt when malformed.
std::optional<int32_t> ParseLocalMinute(absl::string_view text);
// "YYYY-MM-DD" as a civil day; nullopt when malformed or not a date.
std::optional<absl::CivilDay> ParseLocalDay(absl::string_view text);
std::string FormatLocalMinute(int32_t minute);
std::string FormatLocalDay(absl::CivilDay day);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_AVAILABILITY_PROTO_H_
