// TerritoryTable: the territories of the engine by id, each with the set of
// its communes as a bit per commune of the commune table, so that "is this
// commune in one of the caller's territories?" costs a hash lookup and a
// bit test per territory of the caller's scope.
#ifndef CRENEAU_ENGINE_INTERNAL_TERRITORIES_H_
#define CRENEAU_ENGINE_INTERNAL_TERRITORIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/strings/string_view.h"
#include "engine/types.h"

namespace creneau::internal {

class TerritoryTable {
 public:
  // nullptr when unknown.
  const Territory* Find(absl::string_view id) const;
  // Adds or replaces a territory whose communes are `commune_indexes`
  // (indexes into the commune table, below `commune_count`). A national
  // territory contains every commune.
  void Put(Territory territory, const std::vector<uint32_t>& commune_indexes,
           size_t commune_count);
  // Whether territory `id` contains the commune at `commune_index` (false
  // for an unknown territory or commune).
  bool Contains(absl::string_view id, uint32_t commune_index) const;
  size_t size() const { return by_id_.size(); }

  // Territories by id, from the first id after `after` (all when empty), at
  // most `count`.
  std::vector<const Territory*> Page(absl::string_view after,
                                     size_t count) const;

 private:
  struct Entry {
    Territory territory;
    std::vector<uint64_t> bits;  // One per commune index.
  };
  absl::btree_map<std::string, Entry, std::less<>> by_id_;
};

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_TERRITORIES_H_
