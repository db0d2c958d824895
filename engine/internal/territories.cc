#include "engine/internal/territories.h"

#include "engine/check.h"

namespace creneau::internal {

const Territory* TerritoryTable::Find(absl::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second.territory;
}

void TerritoryTable::Put(Territory territory,
                         const std::vector<uint32_t>& commune_indexes,
                         size_t commune_count) {
  Entry entry;
  entry.bits.assign((commune_count + 63) / 64, 0);
  if (territory.kind == TerritoryKind::kNational) {
    entry.bits.assign(entry.bits.size(), ~uint64_t{0});
  }
  for (uint32_t index : commune_indexes) {
    CRENEAU_CHECK(index < commune_count);
    entry.bits[index / 64] |= uint64_t{1} << (index % 64);
  }
  std::string id = territory.id;
  entry.territory = std::move(territory);
  by_id_.insert_or_assign(std::move(id), std::move(entry));
}

bool TerritoryTable::Contains(absl::string_view id,
                              uint32_t commune_index) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  const std::vector<uint64_t>& bits = it->second.bits;
  const size_t word = commune_index / 64;
  return word < bits.size() && (bits[word] >> (commune_index % 64) & 1) != 0;
}

std::vector<const Territory*> TerritoryTable::Page(absl::string_view after,
                                                   size_t count) const {
  std::vector<const Territory*> page;
  auto it = after.empty() ? by_id_.begin() : by_id_.upper_bound(after);
  for (; it != by_id_.end() && page.size() < count; ++it) {
    page.push_back(&it->second.territory);
  }
  return page;
}

}  // namespace creneau::internal
