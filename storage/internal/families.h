// The column families of the database and the meta keys (FORMAT.md).
#ifndef CRENEAU_STORAGE_INTERNAL_FAMILIES_H_
#define CRENEAU_STORAGE_INTERNAL_FAMILIES_H_

#include "rocksdb/db.h"

namespace creneau::storage::internal {

// Indexes into Store::families_, in the order they are opened.
enum Family : int {
  kMeta = 0,  // RocksDB's "default" family.
  kProfessionals,
  kSlots,
  kHolds,
  kBookings,
  kIdempotency,
  kEvents,
  kTerritories,   // Format version 2.
  kAvailability,  // Format version 3.
  kRequests,      // Format version 5.
};
inline constexpr int kFamilyCount = 10;

inline const char* FamilyName(Family family) {
  switch (family) {
    case kMeta:
      return rocksdb::kDefaultColumnFamilyName.c_str();
    case kProfessionals:
      return "professionals";
    case kSlots:
      return "slots";
    case kHolds:
      return "holds";
    case kBookings:
      return "bookings";
    case kIdempotency:
      return "idempotency";
    case kEvents:
      return "events";
    case kTerritories:
      return "territories";
    case kAvailability:
      return "availability";
    case kRequests:
      return "requests";
  }
  return "";
}

// Meta key holding the on-disk format version (fixed32).
inline constexpr char kFormatVersionKey[] = "format_version";
// Meta key holding the sequence (fixed64) and time (i64) of the last event
// the log's retention deleted: where the sequence and the clock's
// high-water mark continue from once the log is empty.
inline constexpr char kEventsTrimmedKey[] = "events_trimmed_through";

}  // namespace creneau::storage::internal

#endif  // CRENEAU_STORAGE_INTERNAL_FAMILIES_H_
