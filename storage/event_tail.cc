#include "storage/event_tail.h"

#include "engine/check.h"

namespace creneau::storage {

void EventTail::Reset(uint64_t last_sequence) {
  absl::MutexLock lock(&mu_);
  events_.clear();
  last_sequence_ = last_sequence;
}

void EventTail::Append(std::vector<SharedEvent> events) {
  if (events.empty()) return;
  {
    absl::MutexLock lock(&mu_);
    for (SharedEvent& event : events) {
      CRENEAU_CHECK(event->sequence == last_sequence_ + 1);
      last_sequence_ = event->sequence;
      events_.push_back(std::move(event));
    }
    while (events_.size() > kCapacity) events_.pop_front();
  }
  absl::MutexLock lock(&listener_mu_);
  if (listener_) listener_();
}

void EventTail::set_listener(std::function<void()> listener) {
  absl::MutexLock lock(&listener_mu_);
  listener_ = std::move(listener);
}

bool EventTail::ReadAfter(uint64_t after_sequence, size_t max,
                          std::vector<SharedEvent>* out) const {
  absl::MutexLock lock(&mu_);
  if (after_sequence >= last_sequence_) return true;
  const uint64_t first_kept = last_sequence_ - events_.size() + 1;
  if (after_sequence + 1 < first_kept) return false;
  for (size_t i = after_sequence + 1 - first_kept;
       i < events_.size() && max > 0; ++i, --max) {
    out->push_back(events_[i]);
  }
  return true;
}

uint64_t EventTail::first_sequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_ - events_.size() + 1;
}

uint64_t EventTail::last_sequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

}  // namespace creneau::storage
