#include "engine/internal/tables.h"

#include <algorithm>
#include <limits>

#include "engine/check.h"

namespace creneau::internal {

ProfessionalTable::ProfessionalTable() : by_id_(0, IdHash{this}, IdEq{this}) {}

ProfNo ProfessionalTable::Find(absl::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? kNoProfessional : *it;
}

ProfNo ProfessionalTable::Add(const Professional& professional,
                              uint32_t commune_index) {
  CRENEAU_CHECK(records_.size() < kNoProfessional);
  const ProfNo no = static_cast<ProfNo>(records_.size());
  // The new number's record is filled before the set next hashes it.
  bool inserted = false;
  by_id_.lazy_emplace(absl::string_view(professional.id),
                      [&](const auto& construct) {
                        inserted = true;
                        construct(no);
                      });
  CRENEAU_CHECK(inserted);
  records_.emplace_back();
  Replace(no, professional, commune_index);
  return no;
}

void ProfessionalTable::Replace(ProfNo no, const Professional& professional,
                                uint32_t commune_index) {
  ProfessionalRecord& r = records_[no];
  const bool placed = r.id != IdArena::kNoId;
  CRENEAU_CHECK(!placed || id(no) == professional.id);
  CRENEAU_CHECK(!placed || !locating_deferred_);
  if (placed) {
    Unlocate(no);
    if (r.display_name != IdArena::kNoId) strings_.Remove(r.display_name);
    --owned_[r.owner];
  } else {
    r.id = strings_.Add(professional.id);
  }
  r.owner = owners_.Intern(professional.owner);
  ++owned_[r.owner];
  r.commune_index = commune_index;
  r.display_name = professional.display_name.empty()
                       ? IdArena::kNoId
                       : strings_.Add(professional.display_name);
  r.commune_code = communes_.Intern(professional.commune_code);
  r.time_zone = time_zones_.Intern(professional.time_zone);
  r.cpts = InternCpts(professional.cpts_id);
  r.profession = professional.profession;
  r.structure = professional.structure;
  CRENEAU_CHECK(professional.sector >= 0 && professional.sector <= 3);
  CRENEAU_CHECK(professional.weekly_orientation_cap >= 0 &&
                professional.weekly_orientation_cap <=
                    limits::kMaxWeeklyOrientationCap);
  r.sector = static_cast<int8_t>(professional.sector);
  r.weekly_orientation_cap =
      static_cast<int16_t>(professional.weekly_orientation_cap);
  CRENEAU_CHECK(professional.home_visit_radius_km >= 0 &&
                professional.home_visit_radius_km <=
                    limits::kMaxHomeVisitRadiusKm);
  r.home_visit_radius_km =
      static_cast<uint8_t>(professional.home_visit_radius_km);
  r.location = professional.location;
  r.point = geo::ToUnitPoint(professional.location);
  r.cell = geo::LeafCellId(r.point);
  Locate(no);
}

ProfessionalView ProfessionalTable::view(ProfNo no) const {
  const ProfessionalRecord& r = records_[no];
  ProfessionalView v;
  v.owner = owners_.view(r.owner);
  v.id = strings_.view(r.id);
  v.profession = r.profession;
  v.location = r.location;
  v.commune_code = communes_.view(r.commune_code);
  v.time_zone = time_zones_.view(r.time_zone);
  v.structure = r.structure;
  v.cpts_id = cpts_.view(r.cpts);
  v.sector = r.sector;
  v.weekly_orientation_cap = r.weekly_orientation_cap;
  v.home_visit_radius_km = r.home_visit_radius_km;
  if (r.display_name != IdArena::kNoId) {
    v.display_name = strings_.view(r.display_name);
  }
  return v;
}

uint16_t ProfessionalTable::FindCpts(absl::string_view cpts_id) const {
  return static_cast<uint16_t>(cpts_.Find(cpts_id));
}

uint16_t ProfessionalTable::InternCpts(absl::string_view cpts_id) {
  CRENEAU_CHECK(FitsNewCpts(cpts_id));  // The engine checked the limit.
  return static_cast<uint16_t>(cpts_.Intern(cpts_id));
}

bool ProfessionalTable::FitsNewCpts(absl::string_view cpts_id,
                                    size_t also_new) const {
  static_assert(limits::kMaxCptsIds < std::numeric_limits<uint16_t>::max());
  // cpts_ holds the empty string too.
  const size_t distinct = cpts_.size() - 1;
  return cpts_id.empty() || cpts_.Find(cpts_id) != Interner::kEmpty ||
         distinct + also_new + 1 <= static_cast<size_t>(limits::kMaxCptsIds);
}

int ProfessionalTable::OwnedBy(absl::string_view organisation) const {
  const Interner::Number number = owners_.Find(organisation);
  if (number == Interner::kEmpty && !organisation.empty()) return 0;
  auto it = owned_.find(number);
  return it == owned_.end() ? 0 : it->second;
}

void ProfessionalTable::DeferLocating() { locating_deferred_ = true; }

void ProfessionalTable::FinishLocating() {
  locating_deferred_ = false;
  std::sort(unlocated_.begin(), unlocated_.end());
  for (const auto& [profession, located] : unlocated_) {
    by_cell_[static_cast<int>(profession)].insert(
        by_cell_[static_cast<int>(profession)].end(), located);
  }
  unlocated_ = {};
}

void ProfessionalTable::Locate(ProfNo no) {
  const ProfessionalRecord& r = records_[no];
  if (locating_deferred_) {
    unlocated_.emplace_back(r.profession, Located{r.cell, no});
    return;
  }
  by_cell_[static_cast<int>(r.profession)].insert(Located{r.cell, no});
}

void ProfessionalTable::Unlocate(ProfNo no) {
  const ProfessionalRecord& r = records_[no];
  const size_t erased =
      by_cell_[static_cast<int>(r.profession)].erase(Located{r.cell, no});
  CRENEAU_CHECK(erased == 1);
}

SlotTable::SlotTable() : by_id_(0, IdHash{this}, IdEq{this}) {}

SlotNo SlotTable::Find(absl::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? kNoSlot : *it;
}

SlotNo SlotTable::Add(absl::string_view id, SlotRecord record) {
  const SlotNo no = TryAdd(id, std::move(record));
  CRENEAU_CHECK(no != kNoSlot);
  return no;
}

SlotNo SlotTable::TryAdd(absl::string_view id, SlotRecord record) {
  // One probe by the id itself: each candidate is compared with one read of
  // its id (a probe by slot number would read both ids).
  bool inserted = false;
  const auto it = by_id_.lazy_emplace(id, [&](const auto& construct) {
    inserted = true;
    construct(TakeNumber());
  });
  if (!inserted) return kNoSlot;
  const SlotNo no = *it;
  record.id = ids_.Add(id);
  record.in_use = true;
  records_[no] = std::move(record);
  return no;
}

SlotNo SlotTable::TakeNumber() {
  SlotNo no;
  if (!free_.empty()) {
    no = free_.back();
    free_.pop_back();
  } else {
    CRENEAU_CHECK(records_.size() < kNoSlot);
    no = static_cast<SlotNo>(records_.size());
    records_.emplace_back();
  }
  return no;
}

void SlotTable::Remove(SlotNo no) {
  SlotRecord& record = records_[no];
  CRENEAU_CHECK(record.in_use);
  const size_t erased = by_id_.erase(no);
  CRENEAU_CHECK(erased == 1);
  locations_.erase(no);
  ids_.Remove(record.id);
  record = SlotRecord();
  free_.push_back(no);
}

void SlotTable::Reserve(size_t count) {
  records_.reserve(count);
  by_id_.reserve(count);
}

void SlotTable::set_location(SlotNo no, const std::optional<LatLng>& location) {
  if (location.has_value()) {
    SlotLocation& own = locations_[no];
    own.exact = *location;
    own.point = geo::ToUnitPoint(*location);
    own.cell = geo::LeafCellId(own.point);
  } else if (records_[no].has_location) {
    locations_.erase(no);
  }
  records_[no].has_location = location.has_value();
}

}  // namespace creneau::internal
