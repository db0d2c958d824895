// Formatting shared by the CLI's commands.
#ifndef CRENEAU_TOOLS_INTERNAL_CLI_FORMAT_H_
#define CRENEAU_TOOLS_INTERNAL_CLI_FORMAT_H_

#include <ostream>
#include <string>

#include "creneau/v1/types.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace creneau::tools::internal {

// "Tue 24 Nov 09:15" in the IANA zone `caller_zone` (the CLI's
// --time_zone, checked at start; UTC if it does not load).
std::string LocalTime(const google::protobuf::Timestamp& t,
                      const std::string& caller_zone);
// A slot's time in the slot's own zone (its professional's), followed by
// the zone when it is not the caller's: "Tue 24 Nov 09:15 Indian/Reunion".
// An empty or unknown `slot_zone` prints as LocalTime.
std::string SlotTime(const google::protobuf::Timestamp& t,
                     const std::string& slot_zone,
                     const std::string& caller_zone);
// "in-office", "booked", ...
std::string ModalityText(creneau::v1::Modality modality);
// Times in `caller_zone`, as LocalTime.
void PrintBooking(const creneau::v1::Booking& booking,
                  const std::string& caller_zone, std::ostream& out);
void PrintSlot(const creneau::v1::Slot& slot, const std::string& caller_zone,
               std::ostream& out);
// One line for a waiting request: "request wr-… waiting #3 gp, until
// 18:00", or held with its slot, token and hold's end.
std::string RequestLine(const creneau::v1::WaitingRequest& request,
                        const std::string& caller_zone);

}  // namespace creneau::tools::internal

#endif  // CRENEAU_TOOLS_INTERNAL_CLI_FORMAT_H_
