// DurableBookingDriver: books as fast as engine + storage allow, in process.
//
// `clients` simulated regulators each hold a random slot, then confirm it;
// every step goes through EngineHost::Mutate, so it is applied under the
// engine lock and acknowledged only once its write batch is synced (group
// commit). Completions arrive on the store's writer thread and are handed to
// `workers` driver threads, which issue the next step, so the writer never
// runs engine code.
#ifndef CRENEAU_STORAGE_TESTING_BOOKING_DRIVER_H_
#define CRENEAU_STORAGE_TESTING_BOOKING_DRIVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storage/engine_host.h"

namespace creneau::storage::testing {

struct BookingRun {
  int64_t bookings = 0;       // Confirmed and durable.
  int64_t refused_holds = 0;  // The slot was full: another was drawn.
  int64_t errors = 0;         // Anything else (must stay 0).
  absl::Status first_error;
  absl::Duration elapsed;
  double bookings_per_s() const {
    return bookings / std::max(absl::ToDoubleSeconds(elapsed), 1e-9);
  }
};

struct BookingDriverOptions {
  int clients = 2048;  // Bookings in flight.
  int workers = 2;     // Driver threads.
  absl::Duration duration = absl::Seconds(10);
  uint64_t seed = 1;
};

// Runs for `options.duration`, then waits for what is in flight. Slot ids
// are drawn uniformly from `slot_ids` (must be non-empty).
BookingRun RunDurableBookings(EngineHost& host,
                              const std::vector<std::string>& slot_ids,
                              const BookingDriverOptions& options);

}  // namespace creneau::storage::testing

#endif  // CRENEAU_STORAGE_TESTING_BOOKING_DRIVER_H_
