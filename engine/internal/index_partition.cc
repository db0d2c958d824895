#include "engine/internal/index_partition.h"

#include <algorithm>
#include <cmath>

#include "engine/check.h"

namespace creneau::internal {

KeyCovering KeysOf(const geo::Covering& covering) {
  KeyCovering keys;
  for (int r = 0; r < covering.size; ++r) {
    const KeyRange range{CellKeyOf(covering.ranges[r].min),
                         CellKeyOf(covering.ranges[r].max)};
    // The cell ranges are sorted and disjoint, so only the previous key
    // range can reach this one (share its first key).
    if (keys.size > 0 && range.min <= keys.ranges[keys.size - 1].max) {
      keys.ranges[keys.size - 1].max =
          std::max(keys.ranges[keys.size - 1].max, range.max);
    } else {
      keys.ranges[keys.size++] = range;
    }
  }
  return keys;
}

void SortedRun::BuildFences() {
  fences.clear();
  for (size_t i = 0; i < cells.size(); i += kFenceStride) {
    fences.push_back(cells[i]);
  }
}

size_t SortedRun::LowerBound(CellKey cell, SlotNo slot) const {
  // From the key's first position on, (key, slot) is below (cell, slot)
  // exactly while the key is `cell` and the slot smaller.
  const auto below = [&](size_t i) {
    return cells[i] == cell && entries[i].slot < slot;
  };
  // One key holds every practice of a few hundred meters, hundreds of
  // entries in a dense town: gallop, then bisect, rather than walk them.
  size_t lo = FirstCellAtOrAfter(cell);  // Every position before is below.
  size_t hi = lo;
  for (size_t step = 1; hi < cells.size() && below(hi); step *= 2) {
    lo = hi + 1;
    hi = lo + step;
  }
  hi = std::min(hi, cells.size());  // `hi` is the end or not below.
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (below(mid)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

bool IndexPartition::Insert(CellKey cell, const StoredEntry& entry) {
  CRENEAU_CHECK(entry.live && sealed_);
  const size_t in_main = main_.LowerBound(cell, entry.slot);
  if (main_.Holds(in_main, cell, entry.slot)) {
    StoredEntry& stored = main_.entries[in_main];
    if (stored.live) return false;
    stored = entry;  // Revived in place: a released hold costs no move.
    --erased_in_main_;
    ++live_;
    return true;
  }
  const size_t at = pending_.LowerBound(cell, entry.slot);
  if (pending_.Holds(at, cell, entry.slot)) return false;
  pending_.cells.insert(pending_.cells.begin() + at, cell);
  pending_.entries.insert(pending_.entries.begin() + at, entry);
  ++live_;
  if (pending_.size() > PendingLimit()) Merge();
  return true;
}

bool IndexPartition::Erase(CellKey cell, SlotNo slot) {
  CRENEAU_CHECK(sealed_);
  const size_t in_main = main_.LowerBound(cell, slot);
  if (main_.Holds(in_main, cell, slot)) {
    StoredEntry& stored = main_.entries[in_main];
    if (!stored.live) return false;
    stored.live = false;
    ++erased_in_main_;
    --live_;
    if (erased_in_main_ > kMinPendingLimit &&
        erased_in_main_ > main_.size() / 2) {
      Merge();  // Scans would mostly skip erased entries.
    }
    return true;
  }
  const size_t at = pending_.LowerBound(cell, slot);
  if (!pending_.Holds(at, cell, slot)) return false;
  pending_.cells.erase(pending_.cells.begin() + at);
  pending_.entries.erase(pending_.entries.begin() + at);
  --live_;
  return true;
}

bool IndexPartition::Contains(CellKey cell, SlotNo slot) const {
  CRENEAU_CHECK(sealed_);
  const size_t in_main = main_.LowerBound(cell, slot);
  if (main_.Holds(in_main, cell, slot)) return main_.entries[in_main].live;
  return pending_.Holds(pending_.LowerBound(cell, slot), cell, slot);
}

void IndexPartition::AppendUnsorted(CellKey cell, const StoredEntry& entry) {
  CRENEAU_CHECK(entry.live && pending_.size() == 0 && erased_in_main_ == 0);
  sealed_ = false;
  main_.cells.push_back(cell);
  main_.entries.push_back(entry);
  ++live_;
}

void IndexPartition::Seal() {
  if (sealed_) return;
  std::vector<std::pair<CellKey, StoredEntry>> all(main_.size());
  for (size_t i = 0; i < main_.size(); ++i) {
    all[i] = {main_.cells[i], main_.entries[i]};
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first
                              : a.second.slot < b.second.slot;
  });
  SortedRun sorted;  // Sized exactly, unlike the appended vectors.
  sorted.cells.resize(all.size());
  sorted.entries.resize(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      CRENEAU_CHECK(all[i].first != all[i - 1].first ||
                    all[i].second.slot != all[i - 1].second.slot);
    }
    sorted.cells[i] = all[i].first;
    sorted.entries[i] = all[i].second;
  }
  sorted.BuildFences();
  main_ = std::move(sorted);
  sealed_ = true;
}

size_t IndexPartition::PendingLimit() const {
  // Balances the move on each insertion into `pending` (its size) against
  // the merge copied per insertion (main's size over pending's limit).
  const size_t balanced =
      2 * static_cast<size_t>(std::sqrt(static_cast<double>(main_.size())));
  return std::max(kMinPendingLimit, balanced);
}

void IndexPartition::Merge() {
  SortedRun merged;
  merged.cells.reserve(live_);
  merged.entries.reserve(live_);
  size_t m = 0, p = 0;
  const auto take = [&merged](const SortedRun& run, size_t i) {
    merged.cells.push_back(run.cells[i]);
    merged.entries.push_back(run.entries[i]);
  };
  while (m < main_.size() || p < pending_.size()) {
    if (m < main_.size() && !main_.entries[m].live) {
      ++m;
      continue;
    }
    const bool main_first =
        p == pending_.size() ||
        (m < main_.size() &&
         (main_.cells[m] != pending_.cells[p]
              ? main_.cells[m] < pending_.cells[p]
              : main_.entries[m].slot < pending_.entries[p].slot));
    if (main_first) {
      take(main_, m++);
    } else {
      take(pending_, p++);
    }
  }
  CRENEAU_CHECK(merged.size() == live_);
  merged.BuildFences();
  main_ = std::move(merged);
  pending_.cells.clear();  // Keeps the capacity for the next insertions.
  pending_.entries.clear();
  erased_in_main_ = 0;
}

}  // namespace creneau::internal
