// ManualClock: a storage::Clock that moves only when a test says so
// (thread-safe: the host's maintenance thread reads it).
#ifndef CRENEAU_STORAGE_TESTING_MANUAL_CLOCK_H_
#define CRENEAU_STORAGE_TESTING_MANUAL_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/clock.h"

namespace creneau::storage::testing {

class ManualClock final : public Clock {
 public:
  // Starts at `start` (Monday 23 November 2026, 09:00 UTC by default).
  explicit ManualClock(absl::Time start = absl::FromCivil(
                           absl::CivilSecond(2026, 11, 23, 9, 0, 0),
                           absl::UTCTimeZone()))
      : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace creneau::storage::testing

#endif  // CRENEAU_STORAGE_TESTING_MANUAL_CLOCK_H_
