// The only place rocksdb::Status becomes absl::Status.
#ifndef CRENEAU_STORAGE_INTERNAL_ROCKSDB_STATUS_H_
#define CRENEAU_STORAGE_INTERNAL_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace creneau::storage::internal {

// Maps a RocksDB status to the canonical code a caller can act on: I/O
// errors and a held lock are UNAVAILABLE (retry elsewhere or later),
// corruption is DATA_LOSS, the rest INTERNAL. `context` says what was being
// done ("opening /var/lib/creneau").
absl::Status FromRocksDb(const rocksdb::Status& status,
                         absl::string_view context);

}  // namespace creneau::storage::internal

#endif  // CRENEAU_STORAGE_INTERNAL_ROCKSDB_STATUS_H_
