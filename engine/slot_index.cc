#include "engine/slot_index.h"

#include <algorithm>

#include "engine/check.h"

namespace creneau {

bool MatchesFilters(const IndexQuery& query, const IndexEntry& entry) {
  if (entry.start_unix_s < query.from_unix_s ||
      entry.start_unix_s >= query.to_unix_s) {
    return false;
  }
  if ((query.modalities & Bit(entry.modality)) == 0) return false;
  if ((query.visibilities & Bit(entry.visibility)) == 0) {
    const bool same_cpts = entry.visibility == Visibility::kCptsMembers &&
                           entry.cpts != 0 && entry.cpts == query.caller_cpts;
    if (!same_cpts) return false;
  }
  return entry.regular_place_free || query.may_overbook;
}

double BalancedScore(int64_t now_unix_s, uint32_t start_unix_s,
                     double chord_squared) {
  const double minutes = (int64_t{start_unix_s} - now_unix_s) / 60.0;
  const double km = geo::MetersFromChordSquared(chord_squared) / 1000.0;
  return minutes + kBalancedMinutesPerKm * km;
}

bool RanksBefore(SearchOrder order, const Candidate& a, const Candidate& b,
                 SlotIdLess id_less) {
  switch (order) {
    case SearchOrder::kSoonest:
      if (a.start_unix_s != b.start_unix_s) {
        return a.start_unix_s < b.start_unix_s;
      }
      if (a.chord_squared != b.chord_squared) {
        return a.chord_squared < b.chord_squared;
      }
      break;
    case SearchOrder::kNearest:
      if (a.chord_squared != b.chord_squared) {
        return a.chord_squared < b.chord_squared;
      }
      if (a.start_unix_s != b.start_unix_s) {
        return a.start_unix_s < b.start_unix_s;
      }
      break;
    case SearchOrder::kBalanced:
      if (a.score != b.score) return a.score < b.score;
      break;
  }
  return a.slot != b.slot && id_less(a.slot, b.slot);
}

void SlotIndex::Insert(Profession profession, const IndexEntry& entry) {
  Partition& partition =
      partitions_[PartitionKey(profession, entry.start_unix_s / kBucketWidthS)];
  const bool inserted = partition.insert(entry).second;
  CRENEAU_CHECK(inserted);
  ++size_;
}

void SlotIndex::Erase(Profession profession, uint32_t start_unix_s,
                      uint64_t cell, SlotNo slot) {
  auto it =
      partitions_.find(PartitionKey(profession, start_unix_s / kBucketWidthS));
  CRENEAU_CHECK(it != partitions_.end());
  IndexEntry key;
  key.cell = cell;
  key.slot = slot;
  const size_t erased = it->second.erase(key);
  CRENEAU_CHECK(erased == 1);
  --size_;
  if (it->second.empty()) partitions_.erase(it);
}

bool SlotIndex::Contains(Profession profession, uint32_t start_unix_s,
                         uint64_t cell, SlotNo slot) const {
  auto it =
      partitions_.find(PartitionKey(profession, start_unix_s / kBucketWidthS));
  if (it == partitions_.end()) return false;
  IndexEntry key;
  key.cell = cell;
  key.slot = slot;
  return it->second.contains(key);
}

void SlotIndex::Search(const IndexQuery& query, SlotIdLess id_less,
                       std::vector<Candidate>* out) const {
  out->clear();
  CRENEAU_CHECK(query.limit >= 1);
  if (query.from_unix_s >= query.to_unix_s) return;
  const geo::Covering covering = geo::CoverDisk(query.center, query.radius_m);
  const double max_chord_squared = geo::ChordSquaredForMeters(query.radius_m);
  const size_t limit = static_cast<size_t>(query.limit);
  const auto before = [&](const Candidate& a, const Candidate& b) {
    return RanksBefore(query.order, a, b, id_less);
  };

  const uint32_t first_bucket = query.from_unix_s / kBucketWidthS;
  const uint32_t last_bucket = (query.to_unix_s - 1) / kBucketWidthS;
  auto it =
      partitions_.lower_bound(PartitionKey(query.profession, first_bucket));
  const auto end =
      partitions_.upper_bound(PartitionKey(query.profession, last_bucket));
  for (; it != end; ++it) {
    const uint32_t bucket = static_cast<uint32_t>(it->first);
    if (query.order == SearchOrder::kSoonest && out->size() == limit &&
        out->back().start_unix_s < uint64_t{bucket} * kBucketWidthS) {
      break;  // Nothing in this bucket or later can rank before the worst.
    }
    const Partition& partition = it->second;
    for (int r = 0; r < covering.size; ++r) {
      IndexEntry low;
      low.cell = covering.ranges[r].min;
      low.slot = 0;
      for (auto e = partition.lower_bound(low);
           e != partition.end() && e->cell <= covering.ranges[r].max; ++e) {
        if (!MatchesFilters(query, *e) || e->slot == query.excluded) continue;
        Candidate c;
        c.chord_squared = geo::ChordSquared(query.center, e->point);
        if (c.chord_squared > max_chord_squared) continue;
        c.slot = e->slot;
        c.start_unix_s = e->start_unix_s;
        c.regular_place_free = e->regular_place_free;
        if (query.order == SearchOrder::kBalanced) {
          c.score =
              BalancedScore(query.now_unix_s, c.start_unix_s, c.chord_squared);
        }
        if (out->size() == limit && !before(c, out->back())) continue;
        out->insert(std::upper_bound(out->begin(), out->end(), c, before), c);
        if (out->size() > limit) out->pop_back();
      }
    }
  }
}

}  // namespace creneau
