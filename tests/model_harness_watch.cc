// ModelHarness: the change feed's access rules (Engine::MayWatch) against
// the reference's, on the state each object is in now.
#include "absl/strings/str_cat.h"
#include "tests/model_harness.h"

namespace creneau::testing {

void ModelHarness::CompareWatchRules(const Caller& caller) {
  const auto compare = [&](const std::string& what, bool engine, bool model) {
    if (engine != model) {
      Fail(absl::StrCat("MayWatch ", what, " as ", caller.name, ": engine ",
                        engine, " model ", model));
    }
    ++(engine ? stats_.watch_sent : stats_.watch_hidden);
  };
  const std::string slot = RandomSlotId();
  if (const auto view = engine_.GetSlot(slot); view.ok()) {
    compare(slot, engine_.MayWatch(caller, WatchFilter(), *view),
            model_.MayWatchSlot(caller, slot));
  }
  if (bookings_.empty()) return;
  const std::string& id = bookings_[rng_() % bookings_.size()];
  if (const auto booking = engine_.GetBooking(id); booking.ok()) {
    compare(id,
            engine_.MayWatch(caller, WatchFilter(), ForChangeFeed(*booking)),
            model_.MayWatchBooking(caller, id));
  }
}

}  // namespace creneau::testing
