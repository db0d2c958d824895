// The engine's in-memory tables of professionals and slots.
//
// Slots live in a dense chunked array addressed by SlotNo (freed numbers are
// reused), so the index and the per-professional lists hold 4-byte handles.
#ifndef CRENEAU_ENGINE_INTERNAL_TABLES_H_
#define CRENEAU_ENGINE_INTERNAL_TABLES_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "engine/geo.h"
#include "engine/internal/chunked_vector.h"
#include "engine/internal/id_arena.h"
#include "engine/internal/interner.h"
#include "engine/limits.h"
#include "engine/slot_index.h"
#include "engine/types.h"

namespace creneau::internal {

using ProfNo = uint32_t;
inline constexpr ProfNo kNoProfessional = ~ProfNo{0};
// The commune index of a professional outside the commune table (or when
// the table is empty).
inline constexpr uint32_t kNoCommune = ~uint32_t{0};

// One professional, 96 bytes: strings live once in the table (id and name
// in its IdArena, commune, zone, owner and CPTS interned), so that a
// national table of hundreds of thousands stays small.
struct ProfessionalRecord {
  IdArena::Handle id = IdArena::kNoId;
  IdArena::Handle display_name = IdArena::kNoId;  // kNoId when empty.
  Interner::Number commune_code = Interner::kEmpty;
  Interner::Number time_zone = Interner::kEmpty;
  Interner::Number owner = Interner::kEmpty;  // The managing organisation.
  // The practice's commune in the commune table (its code's, or the
  // nearest one to the practice when it gives none); for scope checks.
  uint32_t commune_index = kNoCommune;
  uint16_t cpts = 0;  // Interned cpts_id, 0 for none.
  Profession profession = Profession::kUnspecified;
  StructureType structure = StructureType::kOwnPractice;
  int8_t sector = 0;                   // 0..3 (validated).
  uint8_t home_visit_radius_km = 0;    // 0..limits::kMaxHomeVisitRadiusKm.
  int16_t weekly_orientation_cap = 0;  // 0..limits::kMaxWeeklyOrientationCap.
  LatLng location;
  geo::UnitPoint point;
  uint64_t cell = 0;
  std::vector<SlotNo> slots;  // Unordered.
};
static_assert(sizeof(ProfessionalRecord) == 96);
static_assert(limits::kMaxWeeklyOrientationCap <= INT16_MAX);

// Hash and equality of table numbers by the ids they name, and of ids
// directly (heterogeneous lookup), so that a table's lookup set holds 4-byte
// numbers and no copy of the ids. `Table::id(no)` gives a number's id.
template <typename Table, typename No>
struct IdHashOf {
  using is_transparent = void;
  const Table* table;
  size_t operator()(No no) const { return (*this)(table->id(no)); }
  size_t operator()(absl::string_view id) const {
    return absl::Hash<absl::string_view>()(id);
  }
};
template <typename Table, typename No>
struct IdEqOf {
  using is_transparent = void;
  const Table* table;
  absl::string_view Id(No no) const { return table->id(no); }
  absl::string_view Id(absl::string_view id) const { return id; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return Id(a) == Id(b);
  }
};

// Professionals never leave the table (an agenda may stop publishing, but
// bookings keep referring to them).
class ProfessionalTable {
 public:
  static constexpr size_t kRecordsPerChunk = size_t{1} << 13;  // 768 KiB.

  ProfessionalTable();
  // The lookup set's functors point back at the table.
  ProfessionalTable(const ProfessionalTable&) = delete;
  ProfessionalTable& operator=(const ProfessionalTable&) = delete;

  ProfNo Find(absl::string_view id) const;
  // Starts loading the memory Find(id) will read (a hint; changes nothing).
  void Prefetch(absl::string_view id) const { by_id_.prefetch(id); }
  // Adds a new professional (its owner and commune index as given); its id
  // must not exist, its CPTS id must be known or FitsNewCpts (checked).
  ProfNo Add(const Professional& professional, uint32_t commune_index);
  // Replaces the data of an existing professional, keeping its slots; the
  // owner changes too.
  void Replace(ProfNo no, const Professional& professional,
               uint32_t commune_index);
  // Whether `cpts_id` is empty, known, or fits as a new distinct id
  // (limits::kMaxCptsIds) after `also_new` other new ones.
  bool FitsNewCpts(absl::string_view cpts_id, size_t also_new = 0) const;
  // Professionals managed by `organisation`.
  int OwnedBy(absl::string_view organisation) const;
  // The owner's organisation of a professional.
  absl::string_view owner(ProfNo no) const {
    return owners_.view(records_[no].owner);
  }

  ProfessionalRecord& at(ProfNo no) { return records_[no]; }
  const ProfessionalRecord& at(ProfNo no) const { return records_[no]; }
  size_t size() const { return records_.size(); }
  absl::string_view id(ProfNo no) const {
    return strings_.view(records_[no].id);
  }
  // Every field of a professional, its strings viewing the table's.
  ProfessionalView view(ProfNo no) const;
  // Starts loading a record (a hint; changes nothing).
  void PrefetchRecord(ProfNo no) const {
    const char* at = reinterpret_cast<const char*>(&records_[no]);
    __builtin_prefetch(at);
    __builtin_prefetch(at + sizeof(ProfessionalRecord) - 1);
  }

  // Bulk build (start-up): from DeferLocating to FinishLocating, added
  // professionals are not yet placed for ForEachWithin; FinishLocating
  // sorts them once and places them all (one descent of the cell B-tree per
  // professional in cell order instead of in random order). Replace must
  // not be called in between (checked).
  void DeferLocating();
  void FinishLocating();

  // The number of a CPTS id; 0 for the empty id or an unknown one.
  uint16_t FindCpts(absl::string_view cpts_id) const;

  // Calls `visit(no)` for each professional of `profession` whose practice
  // is within `radius_m` of `center`.
  template <typename Visit>
  void ForEachWithin(Profession profession, const S2Point& center,
                     double radius_m, Visit visit) const;

 private:
  uint16_t InternCpts(absl::string_view cpts_id);
  void Locate(ProfNo no);
  void Unlocate(ProfNo no);

  struct Located {
    uint64_t cell;
    ProfNo no;
    auto operator<=>(const Located&) const = default;
  };
  using IdHash = IdHashOf<ProfessionalTable, ProfNo>;
  using IdEq = IdEqOf<ProfessionalTable, ProfNo>;

  ChunkedVector<ProfessionalRecord, kRecordsPerChunk> records_;
  IdArena strings_{
      std::max<size_t>(limits::kMaxIdLength, limits::kMaxDisplayNameBytes)};
  Interner communes_;
  Interner time_zones_;
  Interner cpts_;  // Numbers are the records' `cpts`.
  Interner owners_;
  absl::flat_hash_map<Interner::Number, int> owned_;  // By owners_ number.
  absl::flat_hash_set<ProfNo, IdHash, IdEq> by_id_;
  absl::btree_set<Located> by_cell_[kProfessionCount];
  bool locating_deferred_ = false;
  std::vector<std::pair<Profession, Located>> unlocated_;
};

// One slot, 32 bytes: the table holds millions, so every field is as narrow
// as its limits allow (a start fits 32 unsigned bits until 2106, a duration
// of at most limits::kMaxSlotDurationS fits 16); the id lives in the table's
// IdArena. Its location is its practice's unless it has its own
// (has_location), kept aside in the slot table: few slots have one.
struct SlotRecord {
  uint32_t start_unix_s = 0;
  IdArena::Handle id = IdArena::kNoId;
  ProfNo professional = kNoProfessional;
  uint16_t duration_s = 0;
  uint16_t capacity = 0;
  uint16_t overbooking_places = 0;
  uint16_t held_regular = 0;
  uint16_t held_overbooking = 0;
  uint16_t booked_regular = 0;
  uint16_t booked_overbooking = 0;
  Modality modality = Modality::kUnspecified;
  Visibility visibility = Visibility::kUnspecified;
  bool withdrawn : 1 = false;
  bool has_location : 1 = false;  // The slot overrides the practice location.
  bool in_use : 1 = false;        // False for a freed number.
  // The professional reached the weekly cap in this slot's week: the slot
  // leaves searches and its regular places cannot be held (engine_cap.cc).
  bool week_capped : 1 = false;
  // The local week of the start in the professional's time zone
  // (Engine::WeekOf), set with the start and on a change of zone: searches
  // read it for every match, and a zone lookup costs a few hundred ns.
  // Weeks of uint32 starts fit 16 bits.
  int16_t week = 0;

  bool regular_place_free() const {
    return held_regular + booked_regular < capacity;
  }
  bool overbooking_place_free() const {
    return held_overbooking + booked_overbooking < overbooking_places;
  }
  bool taken() const {
    return held_regular + held_overbooking + booked_regular +
               booked_overbooking >
           0;
  }
  // The index holds the slot exactly when this is true.
  bool searchable() const {
    return in_use && !withdrawn && !week_capped &&
           (regular_place_free() || overbooking_place_free());
  }
};
static_assert(sizeof(SlotRecord) == 32);
static_assert(limits::kMaxSlotDurationS <= UINT16_MAX);

// A slot's own location: exact, and as the index stores it.
struct SlotLocation {
  LatLng exact;
  geo::UnitPoint point;
  uint64_t cell = 0;  // Leaf cell of `point`.
};

class SlotTable {
 public:
  static constexpr size_t kRecordsPerChunk = size_t{1} << 16;  // 2 MiB.

  SlotTable();
  // The lookup set's functors point back at the table.
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;

  SlotNo Find(absl::string_view id) const;
  // Starts loading the memory Find(id) or TryAdd(id, ...) will read (a hint;
  // changes nothing).
  void Prefetch(absl::string_view id) const { by_id_.prefetch(id); }
  // Stores a new record under `id` (which must not exist, checked) and
  // returns its number. `record.id` is ignored.
  SlotNo Add(absl::string_view id, SlotRecord record);
  // As Add, but returns kNoSlot, storing nothing, when `id` exists: one hash
  // probe where Find then Add take two.
  SlotNo TryAdd(absl::string_view id, SlotRecord record);
  // Frees a number; the record must be out of every other structure.
  void Remove(SlotNo no);
  // Room for `count` slots in all, so that a bulk load does not rehash.
  void Reserve(size_t count);

  SlotRecord& at(SlotNo no) { return records_[no]; }
  const SlotRecord& at(SlotNo no) const { return records_[no]; }
  absl::string_view id(SlotNo no) const { return ids_.view(records_[no].id); }
  // Start loading a record, and a record's id once the record is loaded
  // (hints; they change nothing).
  void PrefetchRecord(SlotNo no) const { __builtin_prefetch(&records_[no]); }
  void PrefetchId(SlotNo no) const { ids_.Prefetch(records_[no].id); }
  // One past the highest number ever used (for sweeps).
  SlotNo end() const { return static_cast<SlotNo>(records_.size()); }
  size_t size() const { return by_id_.size(); }

  // The location override of a slot (has_location).
  const SlotLocation& location(SlotNo no) const { return locations_.at(no); }
  void set_location(SlotNo no, const std::optional<LatLng>& location);

 private:
  // A free slot number, its record empty (not yet in `by_id_`).
  SlotNo TakeNumber();

  using IdHash = IdHashOf<SlotTable, SlotNo>;
  using IdEq = IdEqOf<SlotTable, SlotNo>;

  ChunkedVector<SlotRecord, kRecordsPerChunk> records_;
  IdArena ids_;
  std::vector<SlotNo> free_;
  absl::flat_hash_set<SlotNo, IdHash, IdEq> by_id_;
  absl::flat_hash_map<SlotNo, SlotLocation> locations_;
};

template <typename Visit>
void ProfessionalTable::ForEachWithin(Profession profession,
                                      const S2Point& center, double radius_m,
                                      Visit visit) const {
  const auto& located = by_cell_[static_cast<int>(profession)];
  const geo::Covering covering = geo::CoverDisk(center, radius_m);
  const double max_chord_squared = geo::ChordSquaredForMeters(radius_m);
  for (int r = 0; r < covering.size; ++r) {
    for (auto it = located.lower_bound(Located{covering.ranges[r].min, 0});
         it != located.end() && it->cell <= covering.ranges[r].max; ++it) {
      if (geo::ChordSquared(center, records_[it->no].point) <=
          max_chord_squared) {
        visit(it->no);
      }
    }
  }
}

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_TABLES_H_
