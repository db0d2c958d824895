// Store: creneau's durable state in an embedded RocksDB database.
//
// Every engine mutation reaches disk as one RocksDB WriteBatch holding the
// records it changed and its event(s), numbered by a gap-free sequence. A
// single writer thread takes every commit queued since its last write, writes
// them as one batch and syncs the write-ahead log once (group commit:
// concurrent callers share one fsync), then acknowledges them in order. At
// start-up, LoadInto reads every record back into an empty engine.
//
// Key and value layouts are documented in storage/FORMAT.md.
#ifndef CRENEAU_STORAGE_STORE_H_
#define CRENEAU_STORAGE_STORE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/effects.h"
#include "engine/engine.h"
#include "storage/event_tail.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Iterator;
class Env;
}  // namespace rocksdb

namespace creneau::storage {

struct StoreOptions {
  // The database directory; created when missing.
  std::string path;
  // Sync the write-ahead log before acknowledging. Without it an
  // acknowledged write can be lost on power loss (never on a process
  // crash); only benchmarks of the in-memory path turn it off.
  bool sync = true;
  // Commits waiting for the writer; beyond it Admit() refuses.
  size_t max_queued_commits = 16384;
  // Commits merged into one write batch and one log sync.
  size_t max_commits_per_group = 4096;
  // RocksDB block cache (reads only happen at start-up).
  size_t block_cache_bytes = 32 << 20;
  // A custom environment (fault injection in tests); nullptr for the
  // default. Not owned; must outlive the store.
  rocksdb::Env* env = nullptr;
};

struct LoadStats {
  size_t territories = 0;
  size_t professionals = 0;
  size_t slots = 0;
  size_t holds = 0;
  size_t bookings = 0;
  size_t idempotency_records = 0;
  size_t availability = 0;  // Professionals with recurring availability.
  size_t requests = 0;      // Waiting requests, and closed ones kept.
  uint64_t last_sequence = 0;
  int64_t clock_unix_s = 0;  // Time of the last event.
  absl::Duration elapsed;
};

struct StoreStats {
  uint64_t commits = 0;        // Commit() calls acknowledged OK.
  uint64_t groups = 0;         // Write batches (= log syncs when sync).
  uint64_t bytes_written = 0;  // Encoded record bytes.
  uint64_t last_sequence = 0;
  uint64_t durable_sequence = 0;
  size_t queued = 0;
  uint64_t write_ns = 0;  // Time spent writing groups (and syncing the log).
  absl::Time last_write = absl::InfinitePast();  // Of the last group.
};

struct BackupStats {
  uint64_t bytes = 0;  // Size of the copy's files.
  uint64_t files = 0;
  // Every event up to this sequence (every commit acknowledged before the
  // backup began) is in the copy.
  uint64_t durable_sequence = 0;
  absl::Duration elapsed;
};

// Called exactly once per Commit, on the writer thread: OK once the effects
// and every earlier commit are durable, UNAVAILABLE if they could not be.
using CommitCallback = absl::AnyInvocable<void(absl::Status) &&>;

class Store {
 public:
  // Opens (or creates) the database. FAILED_PRECONDITION when it was written
  // by an incompatible format version, UNAVAILABLE when another process
  // holds it or the disk fails.
  static absl::StatusOr<std::unique_ptr<Store>> Open(StoreOptions options);

  // Drains every queued commit, then closes the database.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Restores every stored record into `engine`, which must be fresh, and
  // positions the sequence after the last stored event. Call once, before
  // any Commit. DATA_LOSS names a record that cannot be decoded or restored.
  absl::StatusOr<LoadStats> LoadInto(Engine* engine);

  // Whether a command may be applied now: UNAVAILABLE after a write failure
  // (the store then refuses every write until restarted), RESOURCE_EXHAUSTED
  // when max_queued_commits are waiting.
  absl::Status Admit() const;

  // Queues the effects of one command. Must be called in the order the
  // engine applied the commands (under the engine's lock). Effects without
  // events (a replayed request) write nothing and complete once everything
  // before them is durable.
  void Commit(Effects effects, CommitCallback done);

  // Waits until everything committed so far is durable; returns the store's
  // health.
  absl::Status Flush();

  // OK, or the first write error (as UNAVAILABLE).
  absl::Status health() const;
  StoreStats stats() const;

  // ---- Backup (store_backup.cc). ----

  // Writes a consistent copy of the database into `dir` while writes go on:
  // a RocksDB checkpoint (the memtables flushed first, then hard links to
  // the immutable table files where `dir` is on the same file system,
  // copies otherwise). A server started on the copy has every commit
  // acknowledged before the call. `dir` must be absolute and not exist;
  // its parent must. INVALID_ARGUMENT (relative), ALREADY_EXISTS,
  // NOT_FOUND (no parent), UNAVAILABLE (disk).
  absl::StatusOr<BackupStats> Backup(const std::string& dir) const;
  // Bytes of the files in the database directory.
  uint64_t DiskBytes() const;

  // ---- The event log: audit trail and change feed (store_events.cc). ----

  using SequencedEvent = storage::SequencedEvent;
  // Appends to `out` the written events from `from_sequence` on, in order,
  // examining at most `max_events`; returns the sequence to continue from
  // (after the last one examined). Events queued but not yet written are not
  // read. DATA_LOSS for an undecodable event.
  absl::StatusOr<uint64_t> ReadEvents(uint64_t from_sequence, size_t max_events,
                                      std::vector<SequencedEvent>* out) const;
  // The first sequence whose event happened at or after `time` (events are
  // in time order: the clock only moves forward); one past the last event
  // when none did.
  absl::StatusOr<uint64_t> FirstSequenceAtOrAfter(absl::Time time) const;
  // Deletes the oldest events that happened before `cutoff`, at most
  // `max_events`; returns how many went. The log's retention.
  absl::StatusOr<size_t> PurgeEventsBefore(absl::Time cutoff,
                                           size_t max_events);
  // The oldest event still kept (1 for an empty log).
  absl::StatusOr<uint64_t> FirstSequence() const;
  // The latest events, in memory: every event is appended once durable,
  // before its commit is acknowledged (positioned by LoadInto).
  EventTail& tail() { return tail_; }
  const EventTail& tail() const { return tail_; }

 private:
  struct Pending {
    Effects effects;
    uint64_t first_sequence = 0;  // Of its first event; 0 when none.
    CommitCallback done;
  };

  explicit Store(StoreOptions options);
  absl::Status OpenDatabase();
  // Rewrites a format 1 store as the current format: bookings and idempotency
  // records in their latest encoding (free-text cancel reasons become a code
  // and the text leaves the disk), then the version. Idempotent if interrupted.
  absl::Status UpgradeFromVersion1();
  // Writes the current format version (synced).
  absl::Status WriteFormatVersion();
  // The sequence and event under an iterator of the events family, or
  // DATA_LOSS.
  static absl::StatusOr<SequencedEvent> DecodeEventAt(
      const rocksdb::Iterator& it);
  // Raises `stats`'s last sequence and clock to those of the last event the
  // log's retention deleted, when later than the last event kept.
  absl::Status ContinueAfterTrimmedEvents(LoadStats* stats) const;
  void WriterLoop();
  // Moves a durable group's events into the tail.
  void PublishToTail(std::vector<Pending>& group);
  // Writes a group as one batch; adds the encoded bytes to *bytes.
  absl::Status WriteGroup(const std::vector<Pending>& group, uint64_t* bytes);

  const StoreOptions options_;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;

  mutable absl::Mutex mu_;
  absl::CondVar work_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  StoreStats stats_ ABSL_GUARDED_BY(mu_);
  EventTail tail_;
  std::thread writer_;
};

}  // namespace creneau::storage

#endif  // CRENEAU_STORAGE_STORE_H_
