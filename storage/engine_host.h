// EngineHost: the engine behind one reader-writer lock, its store, its clock
// and its maintenance thread. Services go through it for every call.
//
// A mutation runs under the write lock, queues its effects on the store in
// the same order (still under the lock), and answers once they are durable:
// the caller never hears OK for something a crash could lose. Reads share
// the lock and never wait for the disk.
#ifndef CRENEAU_STORAGE_ENGINE_HOST_H_
#define CRENEAU_STORAGE_ENGINE_HOST_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/engine.h"
#include "storage/clock.h"
#include "storage/store.h"

namespace creneau::storage {

struct HostOptions {
  EngineOptions engine;
  // Events (the audit trail, the change feed) older than this are deleted.
  absl::Duration event_retention = absl::Hours(24 * 365);
};

class EngineHost {
 public:
  // How often the maintenance thread purges what outlived its retention.
  static constexpr absl::Duration kPurgeInterval = absl::Seconds(1);
  // Purge passes (each limits::kMaxPurgedPerPass records, each under the
  // write lock on its own) one purge may run while passes come back full:
  // up to 20,000 records a second, so that retention keeps up with writes
  // well beyond any call centre's rate.
  static constexpr int kMaxPurgePassesPerWake = 20;
  // Events of the log deleted per purge, at most.
  static constexpr size_t kMaxEventsPurgedPerWake = 20000;
  // How often audit records from `audit_source` are written.
  static constexpr absl::Duration kAuditInterval = absl::Seconds(10);
  // How often the maintenance thread extends the horizon of recurring
  // availability (each professional's moves once a day), and the passes
  // (each limits::kMaxAvailabilityExtensionsPerPass professionals, each
  // under the write lock on its own) one wake may run.
  static constexpr absl::Duration kAvailabilityInterval = absl::Minutes(1);
  static constexpr int kMaxExtensionPassesPerWake = 200;
  // The longest the maintenance thread sleeps between expiry checks.
  static constexpr absl::Duration kMaxMaintenanceSleep = absl::Seconds(1);

  // `store` and `clock` must outlive the host.
  EngineHost(std::shared_ptr<const CommuneTable> communes, Store* store,
             const Clock* clock, HostOptions options = {});
  ~EngineHost();  // Stops maintenance.
  EngineHost(const EngineHost&) = delete;
  EngineHost& operator=(const EngineHost&) = delete;

  // Restores the stored state, expires the holds that lapsed while the
  // server was down, and starts serving. Call once.
  absl::StatusOr<LoadStats> Load();
  // Starts the thread that expires holds on time and purges old records.
  void StartMaintenance();

  // Loaded and able to write.
  bool serving() const { return serving_.load(); }
  // Called with false when a write fails (the host then refuses mutations
  // until restarted); set before Load.
  void set_on_unhealthy(std::function<void()> on_unhealthy) {
    on_unhealthy_ = std::move(on_unhealthy);
  }
  // Where the maintenance thread takes audit records every kAuditInterval
  // and once more when the host stops (refused calls, counted by the
  // server); set before StartMaintenance.
  void set_audit_source(std::function<std::vector<Event>(absl::Time)> source) {
    audit_source_ = std::move(source);
  }

  // Appends audit records (events that change no state: a booking read,
  // refused calls) to the log, without waiting for the disk. Dropped after
  // a write failure.
  void RecordAudit(std::vector<Event> events);
  // One purge as the maintenance thread runs it: passes of the engine's
  // retention while they come back full (at most kMaxPurgePassesPerWake),
  // then the event log's. Returns the records removed from the engine.
  int PurgeOnce();
  // One extension of recurring availability as the maintenance thread runs
  // it (also once at Load): passes until one has nothing left to extend,
  // at most kMaxExtensionPassesPerWake. Returns the professionals extended.
  int ExtendAvailabilityOnce();
  // The event log, for the audit trail and the change feed (read only).
  const Store& store() const { return *store_; }
  // Called on the store's writer thread each time events become durable
  // (EventTail::set_listener: it must only signal); nullptr for none.
  void set_change_listener(std::function<void()> listener) {
    store_->tail().set_listener(std::move(listener));
  }

  // Applies a mutation. `apply` runs under the write lock with the current
  // time; `done` runs exactly once with its result, after the effects are
  // durable (UNAVAILABLE if they could not be made so), on an arbitrary
  // thread. Refused at once with UNAVAILABLE before Load or after a write
  // failure, RESOURCE_EXHAUSTED when the disk queue is full.
  template <typename T>
  void Mutate(
      absl::FunctionRef<absl::StatusOr<T>(Engine&, absl::Time, Effects*)> apply,
      absl::AnyInvocable<void(absl::StatusOr<T>) &&> done);

  // Runs `read` under the shared lock; UNAVAILABLE before Load.
  template <typename T>
  absl::StatusOr<T> Read(
      absl::FunctionRef<absl::StatusOr<T>(const Engine&, absl::Time)> read)
      const;

  // A fresh hold token: 128 random bits from the system's CSPRNG, in hex.
  static std::string NewHoldToken();

  StoreStats store_stats() const { return store_->stats(); }

 private:
  absl::Status Admit() const;
  void Commit(Effects effects, CommitCallback done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MaintenanceLoop();
  void RunMaintenance(bool purge, bool audit);
  // One pass of engine retention under the write lock; returns the records
  // removed.
  int PurgePass();

  Store* const store_;
  const Clock* const clock_;
  std::atomic<bool> loaded_{false};
  // Loaded and no write has failed. Reads go on after a write failure (the
  // state they see was valid when applied), writes stop.
  std::atomic<bool> serving_{false};
  std::function<void()> on_unhealthy_;
  std::function<std::vector<Event>(absl::Time)> audit_source_;
  const absl::Duration event_retention_;

  mutable absl::Mutex mu_;
  Engine engine_ ABSL_GUARDED_BY(mu_);

  absl::Mutex stop_mu_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread maintenance_;
};

template <typename T>
void EngineHost::Mutate(
    absl::FunctionRef<absl::StatusOr<T>(Engine&, absl::Time, Effects*)> apply,
    absl::AnyInvocable<void(absl::StatusOr<T>) &&> done) {
  if (absl::Status admitted = Admit(); !admitted.ok()) {
    std::move(done)(admitted);
    return;
  }
  absl::MutexLock lock(&mu_);
  Effects effects;
  absl::StatusOr<T> result = apply(engine_, clock_->Now(), &effects);
  // Even a refused command may carry expiries to persist; a replay waits
  // for the first answer to be durable. Either way the answer follows the
  // disk.
  Commit(std::move(effects),
         [result = std::move(result),
          done = std::move(done)](absl::Status durable) mutable {
           if (!durable.ok()) {
             std::move(done)(durable);
           } else {
             std::move(done)(std::move(result));
           }
         });
}

template <typename T>
absl::StatusOr<T> EngineHost::Read(
    absl::FunctionRef<absl::StatusOr<T>(const Engine&, absl::Time)> read)
    const {
  if (!loaded_.load()) {
    return absl::UnavailableError(
        "starting: the stored state is still loading");
  }
  absl::ReaderMutexLock lock(&mu_);
  return read(engine_, clock_->Now());
}

}  // namespace creneau::storage

#endif  // CRENEAU_STORAGE_ENGINE_HOST_H_
