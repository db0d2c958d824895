// Store: reading and trimming the event log (the `events` column family,
// keyed by big-endian sequence number).
#include <memory>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/write_batch.h"
#include "storage/internal/codec.h"
#include "storage/internal/coding.h"
#include "storage/internal/families.h"
#include "storage/internal/rocksdb_status.h"
#include "storage/store.h"

namespace creneau::storage {

using internal::Family;

absl::StatusOr<Store::SequencedEvent> Store::DecodeEventAt(
    const rocksdb::Iterator& it) {
  const rocksdb::Slice key = it.key(), value = it.value();
  absl::StatusOr<uint64_t> sequence =
      internal::DecodeEventKey(absl::string_view(key.data(), key.size()));
  if (!sequence.ok()) return sequence.status();
  absl::StatusOr<Event> event =
      internal::DecodeEvent(absl::string_view(value.data(), value.size()));
  if (!event.ok()) return event.status();
  return SequencedEvent{*sequence, *std::move(event)};
}

absl::StatusOr<uint64_t> Store::ReadEvents(
    uint64_t from_sequence, size_t max_events,
    std::vector<SequencedEvent>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_[Family::kEvents]));
  uint64_t next = from_sequence;
  size_t examined = 0;
  for (it->Seek(internal::EventKey(from_sequence));
       it->Valid() && examined < max_events; it->Next(), ++examined) {
    absl::StatusOr<SequencedEvent> event = DecodeEventAt(*it);
    if (!event.ok()) return event.status();
    next = event->sequence + 1;
    out->push_back(*std::move(event));
  }
  absl::Status status = internal::FromRocksDb(it->status(), "reading events");
  if (!status.ok()) return status;
  return next;
}

absl::StatusOr<uint64_t> Store::FirstSequence() const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_[Family::kEvents]));
  it->SeekToFirst();
  if (!it->Valid()) {
    absl::Status status = internal::FromRocksDb(it->status(), "reading events");
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    return last_sequence_ + 1;
  }
  absl::StatusOr<SequencedEvent> first = DecodeEventAt(*it);
  if (!first.ok()) return first.status();
  return first->sequence;
}

absl::StatusOr<uint64_t> Store::FirstSequenceAtOrAfter(absl::Time time) const {
  const int64_t at = absl::ToUnixSeconds(time);
  absl::StatusOr<uint64_t> low = FirstSequence();
  if (!low.ok()) return low.status();
  uint64_t lo = *low, hi;
  {
    absl::MutexLock lock(&mu_);
    hi = last_sequence_ + 1;
  }
  // Invariant: every event before lo is earlier than `time`; the answer is
  // at most hi.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_[Family::kEvents]));
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    it->Seek(internal::EventKey(mid));
    if (!it->Valid()) {
      hi = mid;
      continue;
    }
    absl::StatusOr<SequencedEvent> event = DecodeEventAt(*it);
    if (!event.ok()) return event.status();
    if (event->event.time_unix_s >= at) {
      hi = mid;  // Nothing lies between mid and the event found.
    } else {
      lo = event->sequence + 1;
    }
  }
  absl::Status status = internal::FromRocksDb(it->status(), "reading events");
  if (!status.ok()) return status;
  return lo;
}

absl::StatusOr<size_t> Store::PurgeEventsBefore(absl::Time cutoff,
                                                size_t max_events) {
  const int64_t before = absl::ToUnixSeconds(cutoff);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_[Family::kEvents]));
  size_t count = 0;
  uint64_t end = 0;         // One past the last event to delete.
  int64_t last_time_s = 0;  // Its time.
  for (it->SeekToFirst(); it->Valid() && count < max_events;
       it->Next(), ++count) {
    absl::StatusOr<SequencedEvent> event = DecodeEventAt(*it);
    if (!event.ok()) return event.status();
    if (event->event.time_unix_s >= before) break;
    end = event->sequence + 1;
    last_time_s = event->event.time_unix_s;
  }
  absl::Status status = internal::FromRocksDb(it->status(), "reading events");
  if (!status.ok()) return status;
  if (end == 0) return size_t{0};
  if (absl::Status health_status = health(); !health_status.ok()) {
    return health_status;
  }
  rocksdb::WriteBatch batch;
  status = internal::FromRocksDb(
      batch.DeleteRange(families_[Family::kEvents], internal::EventKey(0),
                        internal::EventKey(end)),
      "trimming events");
  if (!status.ok()) return status;
  // Where sequences and the clock go on from should the log become empty
  // (a reader of the change feed must never see a number again).
  std::string trimmed;
  internal::PutFixed64(&trimmed, end - 1);
  internal::PutFixed64(&trimmed, static_cast<uint64_t>(last_time_s));
  status = internal::FromRocksDb(
      batch.Put(families_[Family::kMeta], internal::kEventsTrimmedKey, trimmed),
      "trimming events");
  if (!status.ok()) return status;
  // Not synced: a trim lost to a crash is simply redone.
  status = internal::FromRocksDb(db_->Write(rocksdb::WriteOptions(), &batch),
                                 "trimming events");
  if (!status.ok()) return status;
  return count;
}

}  // namespace creneau::storage
