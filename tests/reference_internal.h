// Helpers shared by the reference model's files (tests/reference_*.cc).
#ifndef CRENEAU_TESTS_REFERENCE_INTERNAL_H_
#define CRENEAU_TESTS_REFERENCE_INTERNAL_H_

#include "absl/status/status.h"
#include "tests/reference_model.h"

namespace creneau::testing {

// The reference does not name the field: only the code is compared.
inline absl::Status Invalid() { return absl::InvalidArgumentError("invalid"); }

// Places held or booked on a slot, regular and overbooking.
inline int Taken(const ReferenceSlot& s) {
  return s.held_regular + s.held_overbooking + s.booked_regular +
         s.booked_overbooking;
}

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_REFERENCE_INTERNAL_H_
