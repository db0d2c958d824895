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

namespace {

// A teleconsultation's key: its start's second within the bucket, then the
// top bits of its tie key, so that key order is rank order among them.
constexpr int kRemoteTieBits = 21;
static_assert(SlotIndex::kRemoteBucketWidthS <= (1u << (32 - kRemoteTieBits)));

uint32_t RemoteTieBits(uint32_t tie_key) {
  return tie_key >> (32 - kRemoteTieBits);
}

}  // namespace

internal::CellKey SlotIndex::KeyOf(const IndexEntry& entry) {
  if (entry.modality != Modality::kTeleconsultation) {
    return internal::CellKeyOf(entry.cell);
  }
  return (entry.start_unix_s % kRemoteBucketWidthS) << kRemoteTieBits |
         RemoteTieBits(entry.tie_key);
}

SlotIndex::Partition& SlotIndex::PartitionOf(Profession profession,
                                             const IndexEntry& entry) {
  return partitions_[PartitionKey(
      profession, entry.modality,
      entry.start_unix_s / BucketWidthS(entry.modality))];
}

void SlotIndex::Insert(Profession profession, const IndexEntry& entry) {
  const bool inserted =
      PartitionOf(profession, entry).Insert(KeyOf(entry), Stored(entry));
  CRENEAU_CHECK(inserted);
  ++size_;
}

void SlotIndex::InsertUnsorted(Profession profession, const IndexEntry& entry) {
  PartitionOf(profession, entry).AppendUnsorted(KeyOf(entry), Stored(entry));
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

void SlotIndex::Erase(Profession profession, const IndexEntry& entry) {
  auto it = partitions_.find(
      PartitionKey(profession, entry.modality,
                   entry.start_unix_s / BucketWidthS(entry.modality)));
  CRENEAU_CHECK(it != partitions_.end());
  const bool erased = it->second.Erase(KeyOf(entry), entry.slot);
  CRENEAU_CHECK(erased);
  --size_;
  if (it->second.live_count() == 0) partitions_.erase(it);
}

bool SlotIndex::Contains(Profession profession, const IndexEntry& entry) const {
  auto it = partitions_.find(
      PartitionKey(profession, entry.modality,
                   entry.start_unix_s / BucketWidthS(entry.modality)));
  return it != partitions_.end() &&
         it->second.Contains(KeyOf(entry), entry.slot);
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

// True when the teleconsultation `e`, and so every one after it in its
// partition's key order (start, then tie key), cannot rank before `worst`,
// the last of a full answer.
bool NoLaterRemoteRanks(const IndexQuery& query, const Candidate& worst,
                        const internal::StoredEntry& e) {
  switch (query.order) {
    case SearchOrder::kNearest:
      // Behind an office at some distance, any video call ranks first.
      if (worst.chord_squared != 0) return false;
      [[fallthrough]];
    case SearchOrder::kSoonest:
      if (e.start_unix_s != worst.start_unix_s) {
        return e.start_unix_s > worst.start_unix_s;
      }
      // The same start: ahead of an office at a distance; among trips of 0
      // the tie key decides (equal top bits may still rank: visited).
      return worst.chord_squared == 0 &&
             RemoteTieBits(e.tie_key) > RemoteTieBits(worst.tie_key);
    case SearchOrder::kBalanced:
      // Its score is at least its minutes to start (no trip; load adds).
      return (int64_t{e.start_unix_s} - query.now_unix_s) / 60.0 > worst.score;
  }
  return false;
}

}  // namespace

template <typename VisitBucket>
void SlotIndex::SearchPartitions(const IndexQuery& query, Profession profession,
                                 Modality modality,
                                 const VisitBucket& visit_bucket,
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
    visit_bucket(it->second);
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
    c.place_chord_squared = c.chord_squared;
    c.remote = remote;
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
  const auto visit_nearby = [&](const Partition& partition) {
    partition.ForEachInCovering(nearby, consider);
  };
  // Teleconsultations in rank order: the reach is checked per entry.
  const auto consider_remote = [&](internal::CellKey key,
                                   const internal::StoredEntry& e) {
    if (out->size() == limit && NoLaterRemoteRanks(query, out->back(), e)) {
      return true;
    }
    consider(key, e);
    return false;
  };
  const auto visit_remote = [&](const Partition& partition) {
    partition.ForEachUntil(consider_remote);
  };
  for (int p = 1; p < kProfessionCount; ++p) {
    const Profession profession = static_cast<Profession>(p);
    if ((query.professions & Bit(profession)) == 0) continue;
    max_chord_squared = geo::ChordSquaredForMeters(query.radius_m);
    remote = false;
    SearchPartitions(query, profession, Modality::kInOffice, visit_nearby,
                     *out);
    if (!teleconsultation) continue;
    max_chord_squared =
        geo::ChordSquaredForMeters(limits::kTeleconsultationReachM);
    remote = true;
    SearchPartitions(query, profession, Modality::kTeleconsultation,
                     visit_remote, *out);
  }
}

}  // namespace creneau
