// Formatting shared by the CLI's commands.
#ifndef CRENEAU_TOOLS_INTERNAL_CLI_FORMAT_H_
#define CRENEAU_TOOLS_INTERNAL_CLI_FORMAT_H_

#include <ostream>
#include <string>

#include "creneau/v1/types.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace creneau::tools::internal {

// "Tue 24 Nov 09:15", in France's time (Europe/Paris).
std::string LocalTime(const google::protobuf::Timestamp& t);
// "in-office", "booked", ...
std::string ModalityText(creneau::v1::Modality modality);
void PrintBooking(const creneau::v1::Booking& booking, std::ostream& out);
void PrintSlot(const creneau::v1::Slot& slot, std::ostream& out);

}  // namespace creneau::tools::internal

#endif  // CRENEAU_TOOLS_INTERNAL_CLI_FORMAT_H_
