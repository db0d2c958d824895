// ReferenceModel: the change feed's access rules, read plainly from the
// rules of reads.
#include "tests/reference_internal.h"

namespace creneau::testing {

bool ReferenceModel::MayWatchSlot(const Caller& caller,
                                  const std::string& id) const {
  auto it = slots_.find(id);
  if (it == slots_.end()) return false;
  const ReferenceSlot& s = it->second;
  return Manages(caller, s.slot.professional_id) ||
         (SearchVisible(caller, s) && SlotInScope(caller, s));
}

bool ReferenceModel::MayWatchBooking(const Caller& caller,
                                     const std::string& id) const {
  auto it = bookings_.find(id);
  return it != bookings_.end() && MayRead(caller, it->second);
}

}  // namespace creneau::testing
