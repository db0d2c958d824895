// DecodedQueue: batches of decoded records handed from the start-up reader
// thread to the thread that restores them into the engine.
//
// Start-up is two sequential parts, each a large share of its time: reading
// and decoding RocksDB's records, and inserting them into the engine's
// tables; on two threads joined by this bounded queue they overlap. At most
// `max_batches` batches wait (the reader blocks beyond), so the memory held
// in flight stays small whatever the database size.
//
// Thread-safe: one producer, one consumer.
#ifndef CRENEAU_STORAGE_INTERNAL_DECODED_QUEUE_H_
#define CRENEAU_STORAGE_INTERNAL_DECODED_QUEUE_H_

#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace creneau::storage::internal {

template <typename Record>
class DecodedQueue {
 public:
  explicit DecodedQueue(size_t max_batches) : max_batches_(max_batches) {}

  // Producer: waits while the queue is full. Returns false, dropping
  // `batch`, once the consumer has stopped (the producer should finish).
  bool Push(std::vector<Record> batch) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &DecodedQueue::HasRoomOrStopped));
    if (stopped_) return false;
    batches_.push_back(std::move(batch));
    return true;
  }

  // Producer: no more batches; `status` says whether reading succeeded.
  void Close(absl::Status status) {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    status_ = std::move(status);
  }

  // Consumer: waits for the next batch. Returns false when the producer has
  // closed the queue and every batch was taken.
  bool Pop(std::vector<Record>* batch) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &DecodedQueue::HasBatchOrClosed));
    if (batches_.empty()) return false;
    *batch = std::move(batches_.front());
    batches_.pop_front();
    return true;
  }

  // Consumer: takes no more batches (after an error); unblocks the producer.
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    batches_.clear();
  }

  // The producer's status; meaningful once Pop returned false.
  absl::Status status() const {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  bool HasRoomOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopped_ || batches_.size() < max_batches_;
  }
  bool HasBatchOrClosed() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !batches_.empty();
  }

  const size_t max_batches_;
  mutable absl::Mutex mu_;
  std::deque<std::vector<Record>> batches_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace creneau::storage::internal

#endif  // CRENEAU_STORAGE_INTERNAL_DECODED_QUEUE_H_
