// The server's clock: wall time that never jumps while the process runs.
//
// It reads the wall clock once at start and then advances with the monotonic
// clock, so that an NTP step or a manual change of the system time neither
// expires holds early nor keeps them alive. Across restarts the wall clock
// is read again; the engine refuses to go back in time on its own.
#ifndef CRENEAU_SERVER_CLOCK_H_
#define CRENEAU_SERVER_CLOCK_H_

#include <chrono>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace creneau::server {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class MonotonicWallClock final : public Clock {
 public:
  MonotonicWallClock()
      : wall_at_start_(absl::Now()),
        steady_at_start_(std::chrono::steady_clock::now()) {}

  absl::Time Now() const override {
    return wall_at_start_ + absl::FromChrono(std::chrono::steady_clock::now() -
                                             steady_at_start_);
  }

 private:
  const absl::Time wall_at_start_;
  const std::chrono::steady_clock::time_point steady_at_start_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_CLOCK_H_
