// FaultInjectionFs: a rocksdb::FileSystem for tests that can lose power and
// fail writes, on top of the real file system.
//
// It tracks, for every file opened for writing, how many bytes were
// written and how many were made durable by the last successful Sync or
// Fsync. Then:
// - CutPower() makes every later write, sync and file creation fail, as a
//   machine that lost power would (the database must then be closed);
//   CutPowerAtNextSync() does so when the next sync starts, so that the
//   bytes that sync was to make durable are certainly written and lost;
// - DropUnsyncedData() truncates every tracked file to its last synced
//   length: what the disk holds after the power comes back;
// - SetFaults() makes writes and syncs fail at random (seeded), as a failing
//   disk does: the store must then stop acknowledging.
// Thread-safe. Directory syncs are not modelled: a renamed or created file
// keeps its name after a power cut (RocksDB syncs the directory itself).
#ifndef CRENEAU_STORAGE_TESTING_FAULT_INJECTION_FS_H_
#define CRENEAU_STORAGE_TESTING_FAULT_INJECTION_FS_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace creneau::storage::testing {

class FaultInjectionFs : public rocksdb::FileSystemWrapper {
 public:
  FaultInjectionFs();
  const char* Name() const override { return "CreneauFaultInjectionFs"; }

  // An Env over this file system, for StoreOptions::env. Owned by the fs.
  rocksdb::Env* env() { return env_.get(); }

  void CutPower();
  // Cuts the power when the next Sync or Fsync is called, failing it.
  void CutPowerAtNextSync();
  // Restores the power and disarms CutPowerAtNextSync().
  void RestorePower();
  // Truncates every tracked file to its synced length and forgets them.
  // Call with the database closed. Returns the bytes dropped.
  uint64_t DropUnsyncedData();
  // From now on each write (append) fails with probability `write_p` and
  // each sync with `sync_p`, drawn from `seed`. 0 and 0 turn faults off.
  void SetFaults(double write_p, double sync_p, uint64_t seed);
  // Writes and syncs failed on purpose so far.
  int64_t injected_errors() const;

  // ---- rocksdb::FileSystem ----
  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& fname, const std::string& old_fname,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src,
                               const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // ---- Called by the tracked files. ----
  // OK, or the injected error for this write or sync.
  rocksdb::IOStatus BeforeWrite();
  rocksdb::IOStatus BeforeSync();
  void Written(const std::string& fname, uint64_t end_offset);
  void Synced(const std::string& fname);

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced_size = 0;
  };
  rocksdb::IOStatus Wrap(const std::string& fname, uint64_t initial_size,
                         std::unique_ptr<rocksdb::FSWritableFile>* result);

  std::unique_ptr<rocksdb::Env> env_;
  mutable absl::Mutex mu_;
  bool power_ ABSL_GUARDED_BY(mu_) = true;
  bool cut_at_next_sync_ ABSL_GUARDED_BY(mu_) = false;
  double write_p_ ABSL_GUARDED_BY(mu_) = 0;
  double sync_p_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  int64_t injected_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace creneau::storage::testing

#endif  // CRENEAU_STORAGE_TESTING_FAULT_INJECTION_FS_H_
