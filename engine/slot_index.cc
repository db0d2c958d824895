#include "engine/slot_index.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "engine/check.h"
#include "engine/limits.h"

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
  stored.tie_key = entry.tie_key;
  stored.point = entry.point;
  stored.cpts = entry.cpts;
  stored.modality = entry.modality;
  stored.visibility = entry.visibility;
  stored.regular_place_free = entry.regular_place_free;
  stored.home_visit_radius_km = entry.home_visit_radius_km;
  return stored;
}

}  // namespace

uint32_t TieKeyOf(absl::string_view slot_id) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 over the bytes.
  for (const char c : slot_id) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  // FNV leaves ids that differ only in their last bytes (the time of a
  // generated slot) close together; the finaliser spreads them.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<uint32_t>(h >> 32);
}

void SlotIndex::Insert(Profession profession, const IndexEntry& entry) {
  Partition& partition = partitions_[PartitionKey(
      profession, entry.modality,
      entry.start_unix_s / BucketWidthS(entry.modality))];
  const bool inserted =
      partition.Insert(internal::CellKeyOf(entry.cell), Stored(entry));
  CRENEAU_CHECK(inserted);
  ++size_;
}

void SlotIndex::InsertUnsorted(Profession profession, const IndexEntry& entry) {
  partitions_[PartitionKey(profession, entry.modality,
                           entry.start_unix_s / BucketWidthS(entry.modality))]
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

void SlotIndex::Erase(Profession profession, Modality modality,
                      uint32_t start_unix_s, uint64_t cell, SlotNo slot) {
  auto it = partitions_.find(PartitionKey(
      profession, modality, start_unix_s / BucketWidthS(modality)));
  CRENEAU_CHECK(it != partitions_.end());
  const bool erased = it->second.Erase(internal::CellKeyOf(cell), slot);
  CRENEAU_CHECK(erased);
  --size_;
  if (it->second.live_count() == 0) partitions_.erase(it);
}

bool SlotIndex::Contains(Profession profession, Modality modality,
                         uint32_t start_unix_s, uint64_t cell,
                         SlotNo slot) const {
  auto it = partitions_.find(PartitionKey(
      profession, modality, start_unix_s / BucketWidthS(modality)));
  return it != partitions_.end() &&
         it->second.Contains(internal::CellKeyOf(cell), slot);
}

namespace {

// True when no entry starting at `bucket_start` or later can rank before
// `worst`, the last of a full answer. Each order's key is bounded below by
// the start: the trip (0 for a teleconsultation) and the load only add.
bool NothingLaterRanks(const IndexQuery& query, const Candidate& worst,
                       uint32_t bucket_start, bool remote) {
  switch (query.order) {
    case SearchOrder::kSoonest:
      return worst.start_unix_s < bucket_start;
    case SearchOrder::kNearest:
      return remote && worst.chord_squared == 0 &&
             worst.start_unix_s < bucket_start;
    case SearchOrder::kBalanced:
      return worst.score < (int64_t{bucket_start} - query.now_unix_s) / 60.0;
  }
  return false;
}

}  // namespace

template <typename Consider>
void SlotIndex::SearchPartitions(const IndexQuery& query, Profession profession,
                                 Modality modality,
                                 const internal::KeyCovering& covering,
                                 const Consider& consider,
                                 const std::vector<Candidate>& out) const {
  const bool remote = modality == Modality::kTeleconsultation;
  const size_t limit = static_cast<size_t>(query.limit);
  const uint32_t width = BucketWidthS(modality);
  auto it = partitions_.lower_bound(
      PartitionKey(profession, modality, query.from_unix_s / width));
  const auto end = partitions_.upper_bound(
      PartitionKey(profession, modality, (query.to_unix_s - 1) / width));
  for (; it != end; ++it) {
    const uint32_t bucket = static_cast<uint32_t>(it->first);
    if (out.size() == limit &&
        NothingLaterRanks(query, out.back(), bucket * width, remote)) {
      break;
    }
    it->second.ForEachInCovering(covering, consider);
  }
}

void SlotIndex::Search(const IndexQuery& query, SlotIdLess id_less,
                       LoadOf load_of, std::vector<Candidate>* out) const {
  out->clear();
  CRENEAU_CHECK(query.limit >= 1 && query.professions != 0);
  if (query.from_unix_s >= query.to_unix_s) return;
  const size_t limit = static_cast<size_t>(query.limit);
  const auto before = [&](const Candidate& a, const Candidate& b) {
    return RanksBefore(query.order, a, b, id_less);
  };
  const bool soonest = query.order == SearchOrder::kSoonest;
  const bool balanced = query.order == SearchOrder::kBalanced;
  // Set per pass: the disk searched, and whether its entries are
  // teleconsultations (ranked with a trip of 0).
  double max_chord_squared = 0;
  bool remote = false;
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
    if (remote) c.chord_squared = 0;
    c.slot = e.slot;
    c.start_unix_s = e.start_unix_s;
    c.tie_key = e.tie_key;
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

  const bool teleconsultation =
      (query.modalities & Bit(Modality::kTeleconsultation)) != 0;
  const internal::KeyCovering nearby =
      internal::KeysOf(geo::CoverDisk(query.center, query.radius_m));
  // Built once per search, and only when teleconsultations are wanted.
  internal::KeyCovering reach;
  if (teleconsultation) {
    reach = internal::KeysOf(
        geo::CoverDisk(query.center, limits::kTeleconsultationReachM));
  }
  for (int p = 1; p < kProfessionCount; ++p) {
    const Profession profession = static_cast<Profession>(p);
    if ((query.professions & Bit(profession)) == 0) continue;
    max_chord_squared = geo::ChordSquaredForMeters(query.radius_m);
    remote = false;
    SearchPartitions(query, profession, Modality::kInOffice, nearby, consider,
                     *out);
    if (!teleconsultation) continue;
    max_chord_squared =
        geo::ChordSquaredForMeters(limits::kTeleconsultationReachM);
    remote = true;
    SearchPartitions(query, profession, Modality::kTeleconsultation, reach,
                     consider, *out);
  }
}

}  // namespace creneau
