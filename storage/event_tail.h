// EventTail: the latest events of the log, in memory, for the change feed's
// live readers.
//
// The store's writer thread appends each group's events once they are
// durable, before acknowledging them; readers copy pointers out under a
// short lock. The writer never waits for a reader: the tail keeps a fixed
// number of events and drops the oldest, and a reader that needs older
// ones reads them from the store (Store::ReadEvents).
#ifndef CRENEAU_STORAGE_EVENT_TAIL_H_
#define CRENEAU_STORAGE_EVENT_TAIL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "engine/effects.h"

namespace creneau::storage {

struct SequencedEvent {
  uint64_t sequence = 0;
  Event event;
};
using SharedEvent = std::shared_ptr<const SequencedEvent>;

class EventTail {
 public:
  // Events kept (about 300 bytes each for a booking's): four times how far
  // a change feed's reader may fall behind (WatchHub::kMaxLagEvents), so
  // that one ended for it resumes from memory, not from the store.
  static constexpr size_t kCapacity = 65536;

  // Positions an empty tail after `last_sequence` (the last event stored at
  // start-up). Call before the first Append.
  void Reset(uint64_t last_sequence);
  // Appends events whose sequences follow the last appended without a gap
  // (checked), drops the oldest beyond kCapacity, then calls the listener.
  void Append(std::vector<SharedEvent> events);

  // Appends to `out` the events after `after_sequence`, at most `max`.
  // False, and nothing appended, when the first of them is no longer kept
  // (read it from the store).
  bool ReadAfter(uint64_t after_sequence, size_t max,
                 std::vector<SharedEvent>* out) const;
  // The last sequence appended (or given to Reset).
  uint64_t last_sequence() const;
  // The oldest sequence kept (last_sequence() + 1 when empty).
  uint64_t first_sequence() const;

  // Called after every Append, on the store's writer thread: it must only
  // signal (never block nor call back into the tail). nullptr for none.
  void set_listener(std::function<void()> listener);

 private:
  mutable absl::Mutex mu_;
  std::deque<SharedEvent> events_ ABSL_GUARDED_BY(mu_);
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  mutable absl::Mutex listener_mu_;
  std::function<void()> listener_ ABSL_GUARDED_BY(listener_mu_);
};

}  // namespace creneau::storage

#endif  // CRENEAU_STORAGE_EVENT_TAIL_H_
