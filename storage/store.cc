// Store: opening the database and the group-commit writer.
#include "storage/store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/internal/codec.h"
#include "storage/internal/coding.h"
#include "storage/internal/families.h"
#include "storage/internal/rocksdb_status.h"

namespace creneau::storage {

using internal::Family;

namespace {

// Records rewritten per write batch by a format upgrade.
constexpr int kUpgradeBatchRecords = 10000;

}  // namespace

Store::Store(StoreOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("data directory: must not be empty");
  }
  std::unique_ptr<Store> store(new Store(std::move(options)));
  absl::Status status = store->OpenDatabase();
  if (!status.ok()) return status;
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

absl::Status Store::OpenDatabase() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  options.max_background_jobs = 2;
  options.compression = rocksdb::kLZ4Compression;
  options.write_buffer_size = 64 << 20;
  // Memtables as unsorted vectors, sorted once when flushed or iterated:
  // the engine keeps every record in memory and reads the database only at
  // start-up, so a memtable serves no lookups, and the skip list's sorted
  // insertion was a fifth of the CPU of a durable booking. Vectors take one
  // writer at a time, which the store's single writer thread is.
  options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  options.allow_concurrent_memtable_write = false;
  // A torn tail of the log (a crash during a write) is dropped; everything
  // before it, which includes every acknowledged write, is kept.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // After a write error the store refuses writes until restarted (the
  // state in memory may be ahead of the disk); RocksDB must not resume
  // writing on its own behind our back.
  options.max_bgerror_resume_count = 0;
  // Start-up replays the log into the memtable and goes on from there
  // instead of writing it out as a new table first: a faster restart, and
  // no flush or compaction for a crash to interrupt.
  options.avoid_flush_during_recovery = true;
  // Table files are opened by as many threads as the two cores the server
  // targets, not RocksDB's 16 per column family: each open started and
  // joined 16 threads for each of the families, most with no file to open,
  // and that was most of the time of a restart of a small store.
  options.max_file_opening_threads = 2;
  if (options_.env != nullptr) options.env = options_.env;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  table.block_size = 16 << 10;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int f = 0; f < internal::kFamilyCount; ++f) {
    descriptors.emplace_back(internal::FamilyName(static_cast<Family>(f)),
                             rocksdb::ColumnFamilyOptions(options));
  }
  const std::string context = absl::StrCat("opening ", options_.path);
  absl::Status status = internal::FromRocksDb(
      rocksdb::DB::Open(rocksdb::DBOptions(options), options_.path, descriptors,
                        &families_, &db_),
      context);
  if (!status.ok()) return status;

  std::string version;
  rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), families_[Family::kMeta],
               internal::kFormatVersionKey, &version);
  if (read.IsNotFound()) {
    std::string value;
    internal::PutFixed32(&value, internal::kFormatVersion);
    rocksdb::WriteOptions write;
    write.sync = true;
    return internal::FromRocksDb(db_->Put(write, families_[Family::kMeta],
                                          internal::kFormatVersionKey, value),
                                 context);
  }
  if (!read.ok()) return internal::FromRocksDb(read, context);
  internal::Decoder d(version);
  uint32_t found = 0;
  if (!d.GetFixed32(&found) || found < 1 || found > internal::kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        options_.path, ": format version ", found,
        "; this creneaud reads versions 1 to ", internal::kFormatVersion));
  }
  if (found == 1) return UpgradeFromVersion1();
  // Version 2 to 3 only adds the availability family, which the open above
  // created, 3 to 4 events of a new version (the old ones still decode),
  // and 4 to 5 the requests family and events of version 4: the new
  // version number is all there is to write.
  if (found >= 2 && found < internal::kFormatVersion) {
    return WriteFormatVersion();
  }
  return absl::OkStatus();
}

absl::Status Store::UpgradeFromVersion1() {
  rocksdb::WriteOptions write;
  write.sync = true;
  const auto rewrite = [&](Family family, auto decode, auto encode) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), families_[family]));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      auto record = decode(
          key, absl::string_view(it->value().data(), it->value().size()));
      if (!record.ok()) return record.status();
      rocksdb::Status s =
          batch.Put(families_[family], it->key(), encode(*record));
      if (!s.ok()) return internal::FromRocksDb(s, "upgrading");
      if (batch.Count() == kUpgradeBatchRecords) {
        absl::Status written =
            internal::FromRocksDb(db_->Write(write, &batch), "upgrading");
        if (!written.ok()) return written;
        batch.Clear();
      }
    }
    absl::Status status = internal::FromRocksDb(it->status(), "upgrading");
    if (!status.ok()) return status;
    return internal::FromRocksDb(db_->Write(write, &batch), "upgrading");
  };
  absl::Status status = rewrite(Family::kBookings, internal::DecodeBooking,
                                internal::EncodeBooking);
  if (status.ok()) {
    status = rewrite(Family::kIdempotency, internal::DecodeIdempotency,
                     internal::EncodeIdempotency);
  }
  if (!status.ok()) return status;
  return WriteFormatVersion();
}

absl::Status Store::WriteFormatVersion() {
  rocksdb::WriteOptions write;
  write.sync = true;
  std::string value;
  internal::PutFixed32(&value, internal::kFormatVersion);
  return internal::FromRocksDb(db_->Put(write, families_[Family::kMeta],
                                        internal::kFormatVersionKey, value),
                               "upgrading");
}

Store::~Store() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    work_.Signal();
  }
  if (writer_.joinable()) writer_.join();
  bool failed = false;
  {
    absl::MutexLock lock(&mu_);
    failed = !failure_.ok();
  }
  // After a write error the disk cannot take a memtable flush (RocksDB
  // would retry it for a second); the synced log holds everything anyway.
  if (failed && db_ != nullptr) {
    db_->SetDBOptions({{"avoid_flush_during_shutdown", "true"}})
        .PermitUncheckedError();
  }
  // A clean stop writes the memtables out as tables, so the next start-up
  // reads them instead of replaying the whole log into memtables first (the
  // log stays the source of truth until the flush is recorded; a failed
  // flush loses nothing).
  if (!failed && db_ != nullptr && !families_.empty()) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    db_->Flush(flush, families_).PermitUncheckedError();
  }
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    if (db_ != nullptr) db_->DestroyColumnFamilyHandle(family);
  }
  if (db_ != nullptr) {
    db_->Close().PermitUncheckedError();
    delete db_;
  }
}

absl::Status Store::Admit() const {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  if (queue_.size() >= options_.max_queued_commits) {
    return absl::ResourceExhaustedError(
        "too many writes waiting for the disk; retry shortly");
  }
  return absl::OkStatus();
}

void Store::Commit(Effects effects, CommitCallback done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (failure_.ok()) {
      Pending pending;
      if (!effects.events.empty()) pending.first_sequence = last_sequence_ + 1;
      last_sequence_ += effects.events.size();
      pending.effects = std::move(effects);
      pending.done = std::move(done);
      queue_.push_back(std::move(pending));
      work_.Signal();
      return;
    }
    refused = failure_;
  }
  std::move(done)(refused);
}

absl::Status Store::Flush() {
  absl::Mutex flushed_mu;
  bool flushed = false;
  absl::Status result;
  Commit(Effects(), [&](absl::Status status) {
    absl::MutexLock lock(&flushed_mu);
    result = status;
    flushed = true;
  });
  absl::MutexLock lock(&flushed_mu);
  flushed_mu.Await(absl::Condition(&flushed));
  return result;
}

absl::Status Store::health() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

StoreStats Store::stats() const {
  absl::MutexLock lock(&mu_);
  StoreStats stats = stats_;
  stats.last_sequence = last_sequence_;
  stats.queued = queue_.size();
  return stats;
}

void Store::WriterLoop() {
  std::vector<Pending> group;
  while (true) {
    group.clear();
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) work_.Wait(&mu_);
      if (queue_.empty()) return;  // Stopping and drained.
      while (!queue_.empty() && group.size() < options_.max_commits_per_group) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    absl::Status status;
    {
      absl::MutexLock lock(&mu_);
      status = failure_;
    }
    uint64_t bytes = 0;
    const absl::Time began = absl::Now();
    if (status.ok()) status = WriteGroup(group, &bytes);
    const absl::Time ended = absl::Now();
    {
      absl::MutexLock lock(&mu_);
      if (!status.ok() && failure_.ok()) failure_ = status;
      if (status.ok()) {
        stats_.commits += group.size();
        stats_.groups += bytes > 0;
        stats_.bytes_written += bytes;
        if (bytes > 0) {
          stats_.write_ns += absl::ToInt64Nanoseconds(ended - began);
          stats_.last_write = ended;
        }
        for (const Pending& p : group) {
          if (p.first_sequence != 0) {
            stats_.durable_sequence =
                p.first_sequence + p.effects.events.size() - 1;
          }
        }
      }
    }
    if (status.ok()) PublishToTail(group);
    for (Pending& p : group) std::move(p.done)(status);
  }
}

void Store::PublishToTail(std::vector<Pending>& group) {
  std::vector<SharedEvent> events;
  for (Pending& p : group) {
    for (size_t i = 0; i < p.effects.events.size(); ++i) {
      events.push_back(std::make_shared<const SequencedEvent>(SequencedEvent{
          p.first_sequence + i, std::move(p.effects.events[i])}));
    }
  }
  tail_.Append(std::move(events));
}

absl::Status Store::WriteGroup(const std::vector<Pending>& group,
                               uint64_t* bytes) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s;  // The first failure to add to the batch.
  const auto put = [&](Family family, const std::string& key,
                       const std::string& value) {
    *bytes += key.size() + value.size();
    rocksdb::Status added = batch.Put(families_[family], key, value);
    return s.ok() ? added : s;
  };
  const auto del = [&](Family family, const std::string& key) {
    *bytes += key.size();
    rocksdb::Status added = batch.Delete(families_[family], key);
    return s.ok() ? added : s;
  };
  for (const Pending& p : group) {
    const Effects& e = p.effects;
    for (const auto& x : e.territories_put)
      s = put(Family::kTerritories, x.id, internal::EncodeTerritory(x));
    for (const auto& x : e.availability_put) {
      s = put(Family::kAvailability, x.availability.professional_id,
              internal::EncodeAvailability(x));
    }
    for (const auto& x : e.professionals_put)
      s = put(Family::kProfessionals, x.id, internal::EncodeProfessional(x));
    for (const auto& x : e.slots_put)
      s = put(Family::kSlots, x.id, internal::EncodeSlot(x));
    for (const auto& id : e.slots_deleted) s = del(Family::kSlots, id);
    for (const auto& x : e.requests_put)
      s = put(Family::kRequests, x.id, internal::EncodeRequest(x));
    for (const auto& id : e.requests_deleted) s = del(Family::kRequests, id);
    for (const auto& x : e.holds_put)
      s = put(Family::kHolds, x.token, internal::EncodeHold(x));
    for (const auto& token : e.holds_deleted) s = del(Family::kHolds, token);
    for (const auto& x : e.bookings_put)
      s = put(Family::kBookings, x.id, internal::EncodeBooking(x));
    for (const auto& id : e.bookings_deleted) s = del(Family::kBookings, id);
    for (const auto& x : e.idempotency_put) {
      s = put(Family::kIdempotency, IdempotencyKey(x.caller, x.request_id),
              internal::EncodeIdempotency(x));
    }
    for (const auto& key : e.idempotency_deleted)
      s = del(Family::kIdempotency, key);
    for (size_t i = 0; i < e.events.size(); ++i) {
      s = put(Family::kEvents, internal::EventKey(p.first_sequence + i),
              internal::EncodeEvent(e.events[i]));
    }
  }
  if (!s.ok()) return internal::FromRocksDb(s, "encoding a write batch");
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions write;
  write.sync = options_.sync;
  return internal::FromRocksDb(db_->Write(write, &batch), "writing");
}

}  // namespace creneau::storage
