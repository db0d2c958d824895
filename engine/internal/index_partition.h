// IndexPartition: the entries of one (profession, time bucket) partition of
// the SlotIndex, kept in flat sorted arrays a search scans linearly.
//
// A partition is a large sorted run (`main`) and a small sorted run of recent
// insertions (`pending`), both ordered by (cell key, slot). Keys live in
// their own array so that locating a cell range is a binary search over
// contiguous 4-byte keys, and the scan that follows reads memory in order;
// a B-tree spends most of a search hopping between small nodes instead.
//
// Erasing an entry of `main` only clears its `live` flag, so holding and
// booking a slot costs one binary search and no memory move, and releasing
// the hold revives the same entry in place. New entries go to `pending`,
// which is merged into `main` (dropping the erased entries) once it outgrows
// its limit; `main` is also compacted when erased entries outnumber live
// ones. Both limits keep the amortised cost of a change near the square root
// of the partition's size, far below a rebuild.
//
// Not thread-safe; owned by one SlotIndex.
#ifndef CRENEAU_ENGINE_INTERNAL_INDEX_PARTITION_H_
#define CRENEAU_ENGINE_INTERNAL_INDEX_PARTITION_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <tuple>
#include <vector>

#include "engine/check.h"
#include "engine/geo.h"
#include "engine/types.h"

namespace creneau {

// Dense handle of a slot inside the engine; valid while the engine is not
// mutated.
using SlotNo = uint32_t;
inline constexpr SlotNo kNoSlot = ~SlotNo{0};

namespace internal {

// A partition orders entries by the top 32 bits of their leaf cell id: a
// cell a little finer than S2 level 14 (about 300 m by 600 m in France).
// Half the bytes of the full id, and no coarser than a search needs: a
// covering of cells of level 14 or coarser maps to keys exactly, and a finer
// one to a few more entries, which the exact distance test drops.
using CellKey = uint32_t;
inline CellKey CellKeyOf(uint64_t leaf_cell) {
  return static_cast<CellKey>(leaf_cell >> 32);
}

// A closed range of keys.
struct KeyRange {
  CellKey min = 0;
  CellKey max = 0;
};
// The key ranges of a covering: sorted and disjoint, ranges that share a key
// merged, so that no entry is visited twice.
struct KeyCovering {
  std::array<KeyRange, std::tuple_size_v<decltype(geo::Covering::ranges)>>
      ranges;
  int size = 0;
};
KeyCovering KeysOf(const geo::Covering& covering);

// What a partition stores of an entry beside its key. 28 bytes: a national
// index holds millions, so the small fields share two bytes. The tie key is
// here, not looked up, because ties are common (generated slots share their
// starts; teleconsultations all rank with a trip of 0) and a lookup of two
// slot ids per tie was two fifths of a national search.
struct StoredEntry {
  SlotNo slot = kNoSlot;
  uint32_t start_unix_s = 0;
  uint32_t tie_key = 0;
  geo::UnitPoint point;
  uint16_t cpts = 0;
  Modality modality : 4 = Modality::kUnspecified;
  Visibility visibility : 4 = Visibility::kUnspecified;
  bool regular_place_free : 1 = true;
  bool live : 1 = true;  // False once erased from `main`, until the next merge.
  uint8_t home_visit_radius_km : 6 = 0;  // Home visits: 1..63 km.
};
static_assert(sizeof(StoredEntry) == 28);

// Entries sorted by (key, slot); cells[i] is the key of entries[i].
//
// `fences` holds every kFenceStride-th key (fences[k] == cells[k *
// kFenceStride]) once BuildFences has run: a lookup binary-searches that
// small array, which stays in cache across searches, and then one block of
// kFenceStride keys, instead of jumping across the whole run (one cache miss
// per step in a large partition).
struct SortedRun {
  static constexpr size_t kFenceStride = 32;

  std::vector<CellKey> cells;
  std::vector<StoredEntry> entries;
  std::vector<CellKey> fences;

  size_t size() const { return cells.size(); }
  // Recomputes `fences` from `cells`.
  void BuildFences();
  // The first position whose key is not below `cell`. Uses `fences` when
  // built (they must match `cells`), else searches `cells` directly.
  size_t FirstCellAtOrAfter(CellKey cell) const {
    size_t lo = 0, hi = 0;
    Narrow(cell, &lo, &hi);
    return std::lower_bound(cells.data() + lo, cells.data() + hi, cell) -
           cells.data();
  }
  // Positions [*lo, *hi] between which FirstCellAtOrAfter(cell) lies: one
  // block of at most kFenceStride keys with fences, else the whole run.
  void Narrow(CellKey cell, size_t* lo, size_t* hi) const {
    *lo = 0;
    *hi = cells.size();
    if (fences.empty()) return;
    const size_t k =
        std::lower_bound(fences.begin(), fences.end(), cell) - fences.begin();
    // cells[(k - 1) * stride] < cell <= cells[k * stride].
    if (k > 0) *lo = (k - 1) * kFenceStride + 1;
    if (k < fences.size()) *hi = k * kFenceStride;
  }
  // The first position whose (key, slot) is not below (cell, slot).
  size_t LowerBound(CellKey cell, SlotNo slot) const;
  // True when position `i` holds (cell, slot).
  bool Holds(size_t i, CellKey cell, SlotNo slot) const {
    return i < cells.size() && cells[i] == cell && entries[i].slot == slot;
  }
};

class IndexPartition {
 public:
  // `pending` never holds fewer than this many entries before a merge.
  static constexpr size_t kMinPendingLimit = 64;

  // Adds (cell, entry); false, changing nothing, when (cell, entry.slot) is
  // already live here.
  bool Insert(CellKey cell, const StoredEntry& entry);
  // Removes (cell, slot); false, changing nothing, when it is not live here.
  bool Erase(CellKey cell, SlotNo slot);
  // True when (cell, slot) is live here.
  bool Contains(CellKey cell, SlotNo slot) const;

  // Bulk build (start-up): appends without ordering. Only AppendUnsorted may
  // follow until Seal, which sorts everything once (n log n instead of the
  // repeated merges of Insert). (cell, entry.slot) must be new (checked at
  // Seal).
  void AppendUnsorted(CellKey cell, const StoredEntry& entry);
  void Seal();
  size_t live_count() const { return live_; }

  // Calls `visit(key, entry)` for every live entry whose key is in one of
  // the covering's ranges (sorted, disjoint): those of `main` range by
  // range, then those of `pending`.
  template <typename Visit>
  void ForEachInCovering(const KeyCovering& covering, Visit&& visit) const {
    CRENEAU_CHECK(sealed_);
    VisitMain(covering, visit);
    if (pending_.cells.empty()) return;
    for (int r = 0; r < covering.size; ++r) {
      VisitFrom(pending_, pending_.FirstCellAtOrAfter(covering.ranges[r].min),
                covering.ranges[r].max, visit);
    }
  }
  // Calls `visit(key, entry)` for every live entry in key order, `main`
  // first, then `pending`, and leaves a run at the first entry for which it
  // returns true: a stop condition that, once true for a key, is true for
  // every greater key of the run.
  template <typename Visit>
  void ForEachUntil(Visit&& visit) const {
    CRENEAU_CHECK(sealed_);
    VisitUntil(main_, visit);
    VisitUntil(pending_, visit);
  }
  // As ForEachInCovering for the single range [min_cell, max_cell].
  template <typename Visit>
  void ForEachInRange(CellKey min_cell, CellKey max_cell, Visit&& visit) const {
    KeyCovering covering;
    covering.ranges[0] = {min_cell, max_cell};
    covering.size = 1;
    ForEachInCovering(covering, visit);
  }

 private:
  // The ranges' starts in `main` are found in three passes rather than one
  // range after the other: each range start is a random place in a run far
  // larger than the caches, and the passes let the loads of all ranges
  // overlap (fence blocks, then first entries) instead of waiting for one
  // miss after another.
  template <typename Visit>
  void VisitMain(const KeyCovering& covering, Visit& visit) const {
    const int ranges = covering.size;
    std::array<size_t, std::tuple_size_v<decltype(covering.ranges)>> lo, hi;
    for (int r = 0; r < ranges; ++r) {
      main_.Narrow(covering.ranges[r].min, &lo[r], &hi[r]);
      for (size_t i = lo[r]; i < hi[r]; i += kCellsPerCacheLine) {
        __builtin_prefetch(&main_.cells[i]);
      }
    }
    const CellKey* cells = main_.cells.data();
    for (int r = 0; r < ranges; ++r) {
      lo[r] = std::lower_bound(cells + lo[r], cells + hi[r],
                               covering.ranges[r].min) -
              cells;
      if (lo[r] < main_.size()) __builtin_prefetch(&main_.entries[lo[r]]);
    }
    for (int r = 0; r < ranges; ++r) {
      VisitFrom(main_, lo[r], covering.ranges[r].max, visit);
    }
  }
  template <typename Visit>
  static void VisitFrom(const SortedRun& run, size_t i, CellKey max_cell,
                        Visit& visit) {
    const CellKey* cells = run.cells.data();
    const StoredEntry* entries = run.entries.data();
    const size_t n = run.cells.size();
    for (; i < n && cells[i] <= max_cell; ++i) {
      if (entries[i].live) visit(cells[i], entries[i]);
    }
  }
  template <typename Visit>
  static void VisitUntil(const SortedRun& run, Visit& visit) {
    const CellKey* cells = run.cells.data();
    const StoredEntry* entries = run.entries.data();
    const size_t n = run.cells.size();
    for (size_t i = 0; i < n; ++i) {
      if (entries[i].live && visit(cells[i], entries[i])) return;
    }
  }
  static constexpr size_t kCellsPerCacheLine = 64 / sizeof(CellKey);

  size_t PendingLimit() const;
  // Rebuilds `main` from its live entries and all of `pending`.
  void Merge();

  SortedRun main_;     // With fences.
  SortedRun pending_;  // Every entry live; no fences (small).
  size_t live_ = 0;
  size_t erased_in_main_ = 0;
  bool sealed_ = true;  // False between AppendUnsorted and Seal.
};

}  // namespace internal
}  // namespace creneau

#endif  // CRENEAU_ENGINE_INTERNAL_INDEX_PARTITION_H_
