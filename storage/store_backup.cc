// Store::Backup and DiskBytes: a consistent copy of the database while
// writes go on, and the size of the data directory.
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/internal/rocksdb_status.h"
#include "storage/store.h"

namespace creneau::storage {
namespace {

namespace fs = std::filesystem;

// Bytes and number of the regular files under `dir`; 0 for what cannot be
// read (a file deleted by a compaction meanwhile).
void SizeOf(const fs::path& dir, uint64_t* bytes, uint64_t* files) {
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end;
       !error && it != end; it.increment(error)) {
    std::error_code size_error;
    if (!it->is_regular_file(size_error)) continue;
    const uintmax_t size = it->file_size(size_error);
    if (size_error) continue;
    *bytes += size;
    ++*files;
  }
}

}  // namespace

absl::StatusOr<BackupStats> Store::Backup(const std::string& dir) const {
  const fs::path target(dir);
  if (!target.is_absolute()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "backup directory: give an absolute path, not \"", dir, "\""));
  }
  std::error_code error;
  if (fs::exists(target, error)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "backup directory: ", dir, " exists; give a new directory"));
  }
  if (!fs::is_directory(target.parent_path(), error)) {
    return absl::NotFoundError(absl::StrCat("backup directory: the parent of ",
                                            dir, " is not a directory"));
  }
  const absl::Time began = absl::Now();
  BackupStats backup;
  backup.durable_sequence = stats().durable_sequence;
  rocksdb::Checkpoint* raw = nullptr;
  absl::Status status = internal::FromRocksDb(
      rocksdb::Checkpoint::Create(db_, &raw), "starting a backup");
  if (!status.ok()) return status;
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: the memtables are flushed into table files, so
  // that the copy needs no log replay beyond what was written meanwhile.
  status = internal::FromRocksDb(
      checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
      "writing a backup");
  if (!status.ok()) return status;
  SizeOf(target, &backup.bytes, &backup.files);
  backup.elapsed = absl::Now() - began;
  return backup;
}

uint64_t Store::DiskBytes() const {
  uint64_t bytes = 0, files = 0;
  SizeOf(fs::path(options_.path), &bytes, &files);
  return bytes;
}

}  // namespace creneau::storage
