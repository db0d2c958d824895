#include "storage/testing/fault_injection_fs.h"

#include <filesystem>
#include <system_error>

namespace creneau::storage::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// A writable file that reports its writes and syncs to the file system.
class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> file,
              FaultInjectionFs* fs, std::string fname, uint64_t size)
      : FSWritableFileOwnerWrapper(std::move(file)),
        fs_(fs),
        fname_(std::move(fname)),
        size_(size) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeWrite();
    if (s.ok()) s = target()->Append(data, options, dbg);
    if (s.ok()) Grow(size_ + data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeWrite();
    if (s.ok()) s = target()->Append(data, options, info, dbg);
    if (s.ok()) Grow(size_ + data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeWrite();
    if (s.ok()) s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) Grow(std::max(size_, offset + data.size()));
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeWrite();
    if (s.ok())
      s = target()->PositionedAppend(data, offset, options, info, dbg);
    if (s.ok()) Grow(std::max(size_, offset + data.size()));
    return s;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeSync();
    if (s.ok()) s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(fname_);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeSync();
    if (s.ok()) s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(fname_);
    return s;
  }
  // RangeSync is only a hint to start writing back: not durable.
  IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
    return target()->Close(options, dbg);
  }

 private:
  void Grow(uint64_t size) {
    size_ = size;
    fs_->Written(fname_, size_);
  }

  FaultInjectionFs* const fs_;
  const std::string fname_;
  uint64_t size_;
};

IOStatus PowerOff() { return IOStatus::IOError("injected: the power is off"); }

}  // namespace

FaultInjectionFs::FaultInjectionFs()
    : FileSystemWrapper(rocksdb::FileSystem::Default()) {
  env_ = rocksdb::NewCompositeEnv(
      std::shared_ptr<rocksdb::FileSystem>(this, [](rocksdb::FileSystem*) {}));
}

void FaultInjectionFs::CutPower() {
  absl::MutexLock lock(&mu_);
  power_ = false;
}

void FaultInjectionFs::CutPowerAtNextSync() {
  absl::MutexLock lock(&mu_);
  cut_at_next_sync_ = true;
}

void FaultInjectionFs::RestorePower() {
  absl::MutexLock lock(&mu_);
  power_ = true;
  cut_at_next_sync_ = false;
}

uint64_t FaultInjectionFs::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  uint64_t dropped = 0;
  for (const auto& [fname, state] : files_) {
    std::error_code error;
    const uint64_t size = std::filesystem::file_size(fname, error);
    if (error || size <= state.synced_size) continue;
    std::filesystem::resize_file(fname, state.synced_size, error);
    if (!error) dropped += size - state.synced_size;
  }
  files_.clear();
  return dropped;
}

void FaultInjectionFs::SetFaults(double write_p, double sync_p, uint64_t seed) {
  absl::MutexLock lock(&mu_);
  write_p_ = write_p;
  sync_p_ = sync_p;
  rng_.seed(seed);
}

int64_t FaultInjectionFs::injected_errors() const {
  absl::MutexLock lock(&mu_);
  return injected_;
}

IOStatus FaultInjectionFs::BeforeWrite() {
  absl::MutexLock lock(&mu_);
  if (!power_) return PowerOff();
  if (write_p_ > 0 &&
      std::uniform_real_distribution<double>()(rng_) < write_p_) {
    ++injected_;
    return IOStatus::IOError("injected: write error");
  }
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::BeforeSync() {
  absl::MutexLock lock(&mu_);
  if (cut_at_next_sync_) {
    cut_at_next_sync_ = false;
    power_ = false;
  }
  if (!power_) return PowerOff();
  if (sync_p_ > 0 && std::uniform_real_distribution<double>()(rng_) < sync_p_) {
    ++injected_;
    return IOStatus::IOError("injected: sync error");
  }
  return IOStatus::OK();
}

void FaultInjectionFs::Written(const std::string& fname, uint64_t end_offset) {
  absl::MutexLock lock(&mu_);
  FileState& state = files_[fname];
  state.size = std::max(state.size, end_offset);
}

void FaultInjectionFs::Synced(const std::string& fname) {
  absl::MutexLock lock(&mu_);
  FileState& state = files_[fname];
  state.synced_size = state.size;
}

IOStatus FaultInjectionFs::Wrap(
    const std::string& fname, uint64_t initial_size,
    std::unique_ptr<rocksdb::FSWritableFile>* result) {
  {
    absl::MutexLock lock(&mu_);
    // What was there before it was opened counts as durable.
    files_[fname] = FileState{initial_size, initial_size};
  }
  *result = std::make_unique<TrackedFile>(std::move(*result), this, fname,
                                          initial_size);
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (!power_) return PowerOff();
  }
  IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
  return s.ok() ? Wrap(fname, 0, result) : s;
}

IOStatus FaultInjectionFs::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (!power_) return PowerOff();
  }
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(fname, error);
  IOStatus s = target()->ReopenWritableFile(fname, options, result, dbg);
  return s.ok() ? Wrap(fname, error ? 0 : size, result) : s;
}

IOStatus FaultInjectionFs::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname,
    const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (!power_) return PowerOff();
    files_.erase(old_fname);
  }
  IOStatus s =
      target()->ReuseWritableFile(fname, old_fname, options, result, dbg);
  return s.ok() ? Wrap(fname, 0, result) : s;
}

IOStatus FaultInjectionFs::RenameFile(const std::string& src,
                                      const std::string& target_name,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (!power_) return PowerOff();
  }
  IOStatus s = target()->RenameFile(src, target_name, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(src);
    if (it != files_.end()) {
      // Copy before inserting: an insert may move the map's slots.
      const FileState state = it->second;
      files_.erase(it);
      files_[target_name] = state;
    } else {
      files_.erase(target_name);
    }
  }
  return s;
}

IOStatus FaultInjectionFs::DeleteFile(const std::string& fname,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (!power_) return PowerOff();
  }
  IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(fname);
  }
  return s;
}

}  // namespace creneau::storage::testing
