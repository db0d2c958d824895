// Records as format version 1 wrote them (before organisations and cancel
// reason codes), for the tests of decoding and of the upgrade at open.
#ifndef CRENEAU_STORAGE_TESTING_VERSION1_RECORDS_H_
#define CRENEAU_STORAGE_TESTING_VERSION1_RECORDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "engine/types.h"
#include "storage/internal/coding.h"

namespace creneau::storage::testing {

// `booking` in version 1: no organisation, and a free-text cancel reason
// (`reason_text`) where version 2 keeps a code.
inline std::string EncodeBookingVersion1(const Booking& booking,
                                         absl::string_view reason_text) {
  using namespace internal;  // The byte encoders.
  std::string out;
  PutU8(&out, 1);
  PutString(&out, booking.slot_id);
  PutString(&out, booking.professional_id);
  PutFixed64(&out, booking.start_unix_s);
  PutFixed32(&out, booking.duration_s);
  PutU8(&out, static_cast<uint8_t>(booking.modality));
  PutString(&out, booking.patient_ref);
  PutString(&out, booking.orientation_ref);
  PutU8(&out, static_cast<uint8_t>(booking.status));
  PutFixed64(&out, booking.create_unix_s);
  PutFixed64(&out, booking.cancel_unix_s);
  PutString(&out, reason_text);
  PutU8(&out, booking.overbooking_place ? 1 : 0);
  PutString(&out, booking.booked_by);
  PutString(&out, booking.hold_token);
  return out;
}

}  // namespace creneau::storage::testing

#endif  // CRENEAU_STORAGE_TESTING_VERSION1_RECORDS_H_
