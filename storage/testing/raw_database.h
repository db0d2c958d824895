// RawDatabase: a store's database opened directly with RocksDB, bypassing
// the store, for tests that write what the store never would (a corrupt
// value, an older format) and read back the bytes it wrote.
#ifndef CRENEAU_STORAGE_TESTING_RAW_DATABASE_H_
#define CRENEAU_STORAGE_TESTING_RAW_DATABASE_H_

#include <optional>
#include <string>
#include <vector>

#include "rocksdb/db.h"

namespace creneau::storage::testing {

class RawDatabase {
 public:
  // Opens every column family of the database at `path` (which no store
  // may hold open); ok() says whether it worked.
  explicit RawDatabase(const std::string& path) {
    std::vector<std::string> names;
    ok_ =
        rocksdb::DB::ListColumnFamilies(rocksdb::Options(), path, &names).ok();
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) {
      families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    ok_ = ok_ &&
          rocksdb::DB::Open(rocksdb::Options(), path, families, &handles_, &db_)
              .ok();
    names_ = std::move(names);
  }
  ~RawDatabase() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    delete db_;
  }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  bool ok() const { return ok_; }
  // Writes key → value into column family `family`; false on any error.
  bool Put(const std::string& family, const std::string& key,
           const std::string& value) {
    rocksdb::ColumnFamilyHandle* handle = Handle(family);
    return handle != nullptr &&
           db_->Put(rocksdb::WriteOptions(), handle, key, value).ok();
  }
  // The value of `key` in `family`; nullopt when absent or on error.
  std::optional<std::string> Get(const std::string& family,
                                 const std::string& key) {
    rocksdb::ColumnFamilyHandle* handle = Handle(family);
    std::string value;
    if (handle == nullptr ||
        !db_->Get(rocksdb::ReadOptions(), handle, key, &value).ok()) {
      return std::nullopt;
    }
    return value;
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(const std::string& family) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == family) return handles_[i];
    }
    return nullptr;
  }

  bool ok_ = false;
  rocksdb::DB* db_ = nullptr;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace creneau::storage::testing

#endif  // CRENEAU_STORAGE_TESTING_RAW_DATABASE_H_
