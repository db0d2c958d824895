// Store: reading every record back into the engine at start-up.
#include <algorithm>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "storage/internal/codec.h"
#include "storage/internal/coding.h"
#include "storage/internal/decoded_queue.h"
#include "storage/internal/families.h"
#include "storage/internal/rocksdb_status.h"
#include "storage/store.h"

namespace creneau::storage {
namespace {

using internal::Family;

// Records decoded per batch, and batches decoded ahead of the engine at
// most (a few megabytes in flight).
constexpr size_t kLoadBatchRecords = 1024;
constexpr size_t kLoadQueueBatches = 16;

// Iterates one family, decoding each record into batches pushed to `queue`;
// stops at the first error or when the consumer stops. Runs on the reader
// thread.
template <typename Decode, typename Record>
absl::Status ReadFamily(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                        Decode decode, internal::DecodedQueue<Record>* queue) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;  // Read once: do not evict anything for it.
  read.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, family));
  std::vector<Record> batch;
  batch.reserve(kLoadBatchRecords);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key(), value = it->value();
    absl::StatusOr<Record> record =
        decode(absl::string_view(key.data(), key.size()),
               absl::string_view(value.data(), value.size()));
    if (!record.ok()) return record.status();
    batch.push_back(*std::move(record));
    if (batch.size() == kLoadBatchRecords) {
      if (!queue->Push(std::move(batch))) return absl::OkStatus();
      batch.clear();
      batch.reserve(kLoadBatchRecords);
    }
  }
  if (!batch.empty() && !queue->Push(std::move(batch))) {
    return absl::OkStatus();
  }
  return internal::FromRocksDb(it->status(),
                               absl::StrCat("reading ", family->GetName()));
}

// Records ahead of the one being restored whose memory is prefetched.
constexpr size_t kPrefetchDistance = 8;

// Reads one family on a second thread and hands each decoded record to
// `restore` on this one, calling `prefetch` kPrefetchDistance records ahead;
// stops at the first error. Returns how many records were restored.
template <typename Decode, typename Restore, typename Prefetch>
absl::StatusOr<size_t> LoadFamily(rocksdb::DB* db,
                                  rocksdb::ColumnFamilyHandle* family,
                                  Decode decode, Restore restore,
                                  Prefetch prefetch) {
  using Record = typename std::invoke_result_t<Decode, absl::string_view,
                                               absl::string_view>::value_type;
  internal::DecodedQueue<Record> queue(kLoadQueueBatches);
  std::thread reader(
      [&] { queue.Close(ReadFamily(db, family, decode, &queue)); });
  size_t count = 0;
  absl::Status status;
  std::vector<Record> batch;
  while (status.ok() && queue.Pop(&batch)) {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i + kPrefetchDistance < batch.size()) {
        prefetch(batch[i + kPrefetchDistance]);
      }
      status = restore(batch[i]);
      if (!status.ok()) break;
      ++count;
    }
  }
  queue.Stop();
  reader.join();
  if (!status.ok()) return status;
  status = queue.status();
  if (!status.ok()) return status;
  return count;
}

}  // namespace

absl::Status Store::ContinueAfterTrimmedEvents(LoadStats* stats) const {
  std::string value;
  const rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), families_[Family::kMeta],
               internal::kEventsTrimmedKey, &value);
  if (read.IsNotFound()) return absl::OkStatus();
  absl::Status status = internal::FromRocksDb(read, "reading the meta records");
  if (!status.ok()) return status;
  internal::Decoder d(value);
  uint64_t sequence = 0;
  int64_t time_unix_s = 0;
  if (!d.GetFixed64(&sequence) || !d.GetInt64(&time_unix_s) || !d.done()) {
    return absl::DataLossError(absl::StrCat("meta record ",
                                            internal::kEventsTrimmedKey,
                                            ": not two fixed64 values"));
  }
  stats->last_sequence = std::max(stats->last_sequence, sequence);
  stats->clock_unix_s = std::max(stats->clock_unix_s, time_unix_s);
  return absl::OkStatus();
}

absl::StatusOr<LoadStats> Store::LoadInto(Engine* engine) {
  const absl::Time start = absl::Now();
  LoadStats stats;
  // RocksDB's estimate of the slot count (from table properties and the
  // memtables): enough to size the tables once instead of rehashing.
  uint64_t estimated_slots = 0;
  if (!db_->GetIntProperty(families_[Family::kSlots],
                           "rocksdb.estimate-num-keys", &estimated_slots)) {
    estimated_slots = 0;
  }
  engine->BeginRestore(estimated_slots);
  const auto no_prefetch = [](const auto&) {};
  const auto load = [&](Family family, auto decode, auto restore, size_t* count,
                        auto prefetch) {
    absl::StatusOr<size_t> n =
        LoadFamily(db_, families_[family], decode, restore, prefetch);
    if (n.ok()) *count = *n;
    return n.status();
  };
  absl::Status status = load(
      Family::kTerritories, internal::DecodeTerritory,
      [&](const Territory& t) { return engine->RestoreTerritory(t); },
      &stats.territories, no_prefetch);
  if (status.ok()) {
    status = load(
        Family::kProfessionals, internal::DecodeProfessional,
        [&](const Professional& p) { return engine->RestoreProfessional(p); },
        &stats.professionals,
        [&](const Professional& p) { engine->PrefetchProfessional(p); });
  }
  if (status.ok()) {
    status = load(
        Family::kSlots, internal::DecodeSlot,
        [&](const Slot& s) { return engine->RestoreSlot(s); }, &stats.slots,
        [&](const Slot& s) { engine->PrefetchSlot(s); });
  }
  if (status.ok()) {
    status = load(
        Family::kHolds, internal::DecodeHold,
        [&](const Hold& h) { return engine->RestoreHold(h); }, &stats.holds,
        [&](const Hold& h) { engine->PrefetchHold(h); });
  }
  if (status.ok()) {
    status = load(
        Family::kBookings, internal::DecodeBooking,
        [&](const Booking& b) { return engine->RestoreBooking(b); },
        &stats.bookings, [&](const Booking& b) { engine->PrefetchBooking(b); });
  }
  if (status.ok()) {
    status = load(
        Family::kIdempotency, internal::DecodeIdempotency,
        [&](const IdempotencyRecord& r) {
          return engine->RestoreIdempotency(r);
        },
        &stats.idempotency_records, no_prefetch);
  }
  if (status.ok()) {
    status = load(
        Family::kAvailability, internal::DecodeAvailability,
        [&](const StoredAvailability& a) {
          return engine->RestoreAvailability(a);
        },
        &stats.availability, no_prefetch);
  }
  if (status.ok()) {
    status = load(
        Family::kRequests, internal::DecodeRequest,
        [&](const WaitingRequest& r) { return engine->RestoreRequest(r); },
        &stats.requests, no_prefetch);
  }
  if (!status.ok()) return status;

  // The last event gives the sequence to continue from and the clock's
  // high-water mark.
  std::unique_ptr<rocksdb::Iterator> last(
      db_->NewIterator(rocksdb::ReadOptions(), families_[Family::kEvents]));
  last->SeekToLast();
  if (last->Valid()) {
    absl::StatusOr<SequencedEvent> event = DecodeEventAt(*last);
    if (!event.ok()) return event.status();
    stats.last_sequence = event->sequence;
    stats.clock_unix_s = event->event.time_unix_s;
  }
  status = internal::FromRocksDb(last->status(), "reading events");
  if (!status.ok()) return status;
  status = ContinueAfterTrimmedEvents(&stats);
  if (!status.ok()) return status;
  status = engine->FinishRestore(stats.clock_unix_s);
  if (!status.ok()) return status;
  {
    absl::MutexLock lock(&mu_);
    last_sequence_ = stats.last_sequence;
    stats_.durable_sequence = stats.last_sequence;
  }
  tail_.Reset(stats.last_sequence);
  stats.elapsed = absl::Now() - start;
  return stats;
}

}  // namespace creneau::storage
