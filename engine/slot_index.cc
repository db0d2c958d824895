#include "engine/slot_index.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "engine/check.h"

namespace creneau {

double BalancedScore(int64_t now_unix_s, uint32_t start_unix_s,
                     double chord_squared, const RankingWeights& weights) {
  const double minutes = (int64_t{start_unix_s} - now_unix_s) / 60.0;
  const double km = geo::MetersFromChordSquared(chord_squared) / 1000.0;
  return minutes + weights.minutes_per_km * km;
}

namespace {

internal::StoredEntry Stored(const IndexEntry& entry) {
  internal::StoredEntry stored;
  stored.slot = entry.slot;
  stored.start_unix_s = entry.start_unix_s;
  stored.point = entry.point;
  stored.cpts = entry.cpts;
  stored.modality = entry.modality;
  stored.visibility = entry.visibility;
  stored.regular_place_free = entry.regular_place_free;
  stored.home_visit_radius_km = entry.home_visit_radius_km;
  return stored;
}

}  // namespace

void SlotIndex::Insert(Profession profession, const IndexEntry& entry) {
  Partition& partition =
      partitions_[PartitionKey(profession, entry.start_unix_s / kBucketWidthS)];
  const bool inserted =
      partition.Insert(internal::CellKeyOf(entry.cell), Stored(entry));
  CRENEAU_CHECK(inserted);
  ++size_;
}

void SlotIndex::InsertUnsorted(Profession profession, const IndexEntry& entry) {
  partitions_[PartitionKey(profession, entry.start_unix_s / kBucketWidthS)]
      .AppendUnsorted(internal::CellKeyOf(entry.cell), Stored(entry));
  ++size_;
}

void SlotIndex::FinishBulk() {
  // Partitions sort independently: a second thread takes every other one
  // (start-up has the machine to itself; two cores is the target).
  std::vector<Partition*> all;
  all.reserve(partitions_.size());
  for (auto& [key, partition] : partitions_) all.push_back(&partition);
  const auto seal_every_other = [&all](size_t first) {
    for (size_t i = first; i < all.size(); i += 2) all[i]->Seal();
  };
  std::thread helper(seal_every_other, 1);
  seal_every_other(0);
  helper.join();
}

void SlotIndex::Erase(Profession profession, uint32_t start_unix_s,
                      uint64_t cell, SlotNo slot) {
  auto it =
      partitions_.find(PartitionKey(profession, start_unix_s / kBucketWidthS));
  CRENEAU_CHECK(it != partitions_.end());
  const bool erased = it->second.Erase(internal::CellKeyOf(cell), slot);
  CRENEAU_CHECK(erased);
  --size_;
  if (it->second.live_count() == 0) partitions_.erase(it);
}

bool SlotIndex::Contains(Profession profession, uint32_t start_unix_s,
                         uint64_t cell, SlotNo slot) const {
  auto it =
      partitions_.find(PartitionKey(profession, start_unix_s / kBucketWidthS));
  return it != partitions_.end() &&
         it->second.Contains(internal::CellKeyOf(cell), slot);
}

void SlotIndex::Search(const IndexQuery& query, SlotIdLess id_less,
                       LoadOf load_of, std::vector<Candidate>* out) const {
  out->clear();
  CRENEAU_CHECK(query.limit >= 1 && query.professions != 0);
  if (query.from_unix_s >= query.to_unix_s) return;
  const internal::KeyCovering covering =
      internal::KeysOf(geo::CoverDisk(query.center, query.radius_m));
  const double max_chord_squared = geo::ChordSquaredForMeters(query.radius_m);
  const size_t limit = static_cast<size_t>(query.limit);
  const auto before = [&](const Candidate& a, const Candidate& b) {
    return RanksBefore(query.order, a, b, id_less);
  };
  const bool soonest = query.order == SearchOrder::kSoonest;
  const bool balanced = query.order == SearchOrder::kBalanced;
  const auto consider = [&](internal::CellKey, const internal::StoredEntry& e) {
    if (!MatchesFilters(query, e) || e.slot == query.excluded) return;
    // With the soonest order and a full answer, a later start cannot rank.
    if (soonest && out->size() == limit &&
        e.start_unix_s > out->back().start_unix_s) {
      return;
    }
    Candidate c;
    c.chord_squared = geo::ChordSquared(query.center, e.point);
    if (c.chord_squared > max_chord_squared ||
        !WithinHomeVisitReach(e, c.chord_squared)) {
      return;
    }
    c.slot = e.slot;
    c.start_unix_s = e.start_unix_s;
    c.regular_place_free = e.regular_place_free;
    if (balanced) {
      c.score = BalancedScore(query.now_unix_s, c.start_unix_s, c.chord_squared,
                              query.weights);
      // The load term only adds: a slot already behind the worst without
      // it cannot rank, and its professional's week is not looked up.
      if (out->size() == limit && c.score > out->back().score) return;
      c.load = load_of(c.slot);
      c.score += query.weights.minutes_per_full_week * c.load;
    }
    if (out->size() == limit && !before(c, out->back())) return;
    out->insert(std::upper_bound(out->begin(), out->end(), c, before), c);
    if (out->size() > limit) out->pop_back();
  };

  const uint32_t first_bucket = query.from_unix_s / kBucketWidthS;
  const uint32_t last_bucket = (query.to_unix_s - 1) / kBucketWidthS;
  for (int p = 1; p < kProfessionCount; ++p) {
    const Profession profession = static_cast<Profession>(p);
    if ((query.professions & Bit(profession)) == 0) continue;
    auto it = partitions_.lower_bound(PartitionKey(profession, first_bucket));
    const auto end =
        partitions_.upper_bound(PartitionKey(profession, last_bucket));
    for (; it != end; ++it) {
      const uint32_t bucket = static_cast<uint32_t>(it->first);
      if (soonest && out->size() == limit &&
          out->back().start_unix_s < uint64_t{bucket} * kBucketWidthS) {
        break;  // Nothing in this bucket or later can rank before the worst.
      }
      it->second.ForEachInCovering(covering, consider);
    }
  }
}

}  // namespace creneau
