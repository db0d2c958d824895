// SlotIndex: the searchable slots, partitioned by profession and by time
// bucket, each partition a flat array ordered by S2 leaf cell id (see
// internal/index_partition.h).
//
// A slot is in the index exactly while it is open and has a place some caller
// could take; the engine erases it when it is held or booked full, withdrawn
// or purged, and inserts it back when a place returns. A search visits, for
// each time bucket of the window, the cell ranges that cover the disk, and
// keeps the best `limit` entries in rank order. It stops as soon as no later
// bucket can beat the current top `limit`.
//
// Teleconsultation slots sit in partitions of their own: no one travels, so
// they are matched within limits::kTeleconsultationReachM whatever the
// radius, and rank as if at the patient's door (a trip of 0 in every order;
// their Candidate::chord_squared is 0). Their place does not order them, so
// their partitions are keyed by start, then tie key, the order in which
// they rank among themselves: a search reads them from the soonest and
// leaves a partition at the first entry that can no longer rank.
//
// Not thread-safe: the engine serialises writers and lets readers share.
#ifndef CRENEAU_ENGINE_SLOT_INDEX_H_
#define CRENEAU_ENGINE_SLOT_INDEX_H_

#include <cstdint>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "engine/geo.h"
#include "engine/internal/index_partition.h"
#include "engine/types.h"

namespace creneau {

enum class SearchOrder : uint8_t {
  kSoonest = 1,
  kNearest = 2,
  kBalanced = 3,
};

// The weights of the balanced order, in minutes of delay:
//   score = minutes to start + minutes_per_km * km
//         + minutes_per_full_week * load,
// where load is the professional's orientations in the slot's week over
// their weekly cap (over limits::kLoadReferenceOrientations when uncapped).
// Lowest first: equal offers go to the professional with the lighter week.
struct RankingWeights {
  // About 10 km/h, door to door in town.
  double minutes_per_km = 6.0;
  // A professional at their cap ranks as if their slot started a day
  // later: with a cap of 20, each orientation costs 72 minutes, about
  // 12 km. tests/fairness_test.cc gives the spread of other weights.
  double minutes_per_full_week = 1440.0;
};

// One searchable slot: what a search needs to filter and rank it without
// touching the slot table. Stored as a 4-byte cell key plus 28 bytes
// (internal::StoredEntry).
struct IndexEntry {
  uint64_t cell = 0;  // Leaf cell of the slot's location.
  SlotNo slot = kNoSlot;
  uint32_t tie_key = 0;       // TieKeyOf(the slot's id).
  uint32_t start_unix_s = 0;  // Unsigned 32 bits: valid until 2106.
  geo::UnitPoint point;
  uint16_t cpts = 0;  // The professional's CPTS number, 0 for none.
  Modality modality = Modality::kUnspecified;
  Visibility visibility = Visibility::kUnspecified;
  // False when only overbooking places are free (regulation callers only).
  bool regular_place_free = true;
  // Home visits only: how far the professional goes, 1 to
  // limits::kMaxHomeVisitRadiusKm; searches from farther do not see it.
  uint8_t home_visit_radius_km = 0;
};

// True when a patient at `chord_squared` from a slot `entry` is within its
// reach: always, but for home visits beyond the professional's radius.
template <typename Entry>
inline bool WithinHomeVisitReach(const Entry& entry, double chord_squared) {
  return entry.modality != Modality::kHomeVisit ||
         chord_squared <=
             geo::HomeVisitChordSquared(entry.home_visit_radius_km);
}

struct IndexQuery {
  ProfessionMask professions = 0;  // At least one.
  S2Point center;
  double radius_m = 0;
  uint32_t from_unix_s = 0;  // Inclusive.
  uint32_t to_unix_s = 0;    // Exclusive.
  ModalityMask modalities = kAllModalities;
  VisibilityMask visibilities = 0;
  uint16_t caller_cpts = 0;  // Sees kCptsMembers entries of this CPTS.
  bool may_overbook = false;
  SearchOrder order = SearchOrder::kSoonest;
  int64_t now_unix_s = 0;  // For the balanced score.
  RankingWeights weights;
  int limit = 20;             // 1..100.
  SlotNo excluded = kNoSlot;  // Never returned (the preferred match).
};

struct Candidate {
  SlotNo slot = kNoSlot;
  uint32_t start_unix_s = 0;
  uint32_t tie_key = 0;  // TieKeyOf(the slot's id).
  double chord_squared = 0;
  double score = 0;  // Balanced order only.
  double load = 0;   // Balanced order only: the week's load, [0, 1].
  // To the slot's place whatever its modality (chord_squared is 0 for a
  // teleconsultation): the answer's distance, without a slot lookup.
  double place_chord_squared = 0;
  bool regular_place_free = true;
  bool remote = false;  // A teleconsultation.
};

// Decides ties between equally ranked slots whose tie keys are equal too
// (by slot id), so that results never depend on memory layout.
using SlotIdLess = absl::FunctionRef<bool(SlotNo, SlotNo)>;
// The load of a slot's professional in the slot's week, in [0, 1] (see
// RankingWeights); read only for the balanced order, and only for a slot
// whose score without it could still enter the answer.
using LoadOf = absl::FunctionRef<double(SlotNo)>;

// True when `entry` (an IndexEntry or a stored one) passes every filter of
// `query` but distance.
template <typename Entry>
inline bool MatchesFilters(const IndexQuery& query, const Entry& entry) {
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
// The balanced score of a slot without its load term: minutes until start
// plus kilometers weighted.
double BalancedScore(int64_t now_unix_s, uint32_t start_unix_s,
                     double chord_squared, const RankingWeights& weights);
// The key that orders equally ranked slots: a fixed 32-bit mix of the slot
// id (FNV-1a, then the MurmurHash3 finaliser), the same in every process and
// after every restart. Slots that tie (the same start and the same trip: two
// video calls at 08:00, two practices in one building) are then taken in an
// order unrelated to their ids: ordering by id gave every tie, all week
// long, to the professional whose id sorts first. Equal keys fall back to
// the id.
uint32_t TieKeyOf(absl::string_view slot_id);

// True when `a` ranks strictly before `b` under `order`: by the order's
// keys, then the tie key, then the slot id.
inline bool RanksBefore(SearchOrder order, const Candidate& a,
                        const Candidate& b, SlotIdLess id_less) {
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
  if (a.tie_key != b.tie_key) return a.tie_key < b.tie_key;
  return a.slot != b.slot && id_less(a.slot, b.slot);
}

class SlotIndex {
 public:
  // Width of a time bucket. A search touches window/width buckets; a smaller
  // width lets the soonest order stop earlier, but each bucket visited costs
  // its own range lookups. 3 hours measured best at p50 and p99 on 3.9 M
  // slots (the trials of 1 to 6 hours are in docs/performance.md).
  static constexpr uint32_t kBucketWidthS = 3 * 3600;
  // Teleconsultation partitions are narrower: their covering spans the
  // country, so a bucket holds every teleconsultation of its hours, and the
  // early stop must come after few entries (on synthetic France, search
  // p50 14.9 us with 30 minutes against 18.4 and 20.5 us with 3 hours, see
  // bench/results/2026-12-01-teleconsultation-reach.md).
  static constexpr uint32_t kRemoteBucketWidthS = 30 * 60;
  static constexpr uint32_t BucketWidthS(Modality modality) {
    return modality == Modality::kTeleconsultation ? kRemoteBucketWidthS
                                                   : kBucketWidthS;
  }

  // Inserts an entry; the (profession, start, cell, slot) must not be in the
  // index (checked).
  void Insert(Profession profession, const IndexEntry& entry);
  // Erases the entry of entry.slot, inserted with this profession and the
  // same modality, start, cell and tie key; it must be in the index
  // (checked).
  void Erase(Profession profession, const IndexEntry& entry);
  // Bulk build (start-up): adds an entry as Insert does, unordered until
  // FinishBulk, which must run before any other call (it sorts the
  // partitions on two threads).
  void InsertUnsorted(Profession profession, const IndexEntry& entry);
  void FinishBulk();

  // True when the entry of entry.slot, with this profession and the same
  // modality, start, cell and tie key, is in the index.
  bool Contains(Profession profession, const IndexEntry& entry) const;

  // Replaces `out` with the best query.limit entries of query.professions
  // within query.radius_m (teleconsultations: within
  // limits::kTeleconsultationReachM), best first. `out` keeps its capacity
  // across calls.
  void Search(const IndexQuery& query, SlotIdLess id_less, LoadOf load_of,
              std::vector<Candidate>* out) const;

  size_t size() const { return size_; }
  size_t partition_count() const { return partitions_.size(); }

 private:
  using Partition = internal::IndexPartition;

  // Teleconsultation partitions follow all others of their profession, so
  // that one profession's spatial buckets stay contiguous.
  // `bucket` counts widths of BucketWidthS(modality).
  static uint64_t PartitionKey(Profession profession, Modality modality,
                               uint32_t bucket) {
    const uint64_t remote = modality == Modality::kTeleconsultation ? 1 : 0;
    return (uint64_t{static_cast<uint8_t>(profession)} << 33) | (remote << 32) |
           bucket;
  }
  // The key of an entry in its partition: its leaf cell's, or for a
  // teleconsultation its start within the bucket and its tie key's top bits.
  static internal::CellKey KeyOf(const IndexEntry& entry);
  // The partition holding entries like `entry` (made on demand).
  Partition& PartitionOf(Profession profession, const IndexEntry& entry);
  // One pass of Search over the partitions of a profession, spatial or
  // teleconsultation: calls visit_bucket(partition) for each bucket of the
  // window until none later can rank.
  template <typename VisitBucket>
  void SearchPartitions(const IndexQuery& query, Profession profession,
                        Modality modality, const VisitBucket& visit_bucket,
                        const std::vector<Candidate>& out) const;

  absl::btree_map<uint64_t, Partition> partitions_;
  size_t size_ = 0;
};

}  // namespace creneau

#endif  // CRENEAU_ENGINE_SLOT_INDEX_H_
