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

ProfNo ProfessionalTable::Add(const Professional& professional) {
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
  Replace(no, professional);
  return no;
}

void ProfessionalTable::Replace(ProfNo no, const Professional& professional) {
  ProfessionalRecord& record = records_[no];
  CRENEAU_CHECK(record.data.id.empty() || record.data.id == professional.id);
  CRENEAU_CHECK(record.data.id.empty() || !locating_deferred_);
  if (!record.data.id.empty()) Unlocate(no);
  record.data = professional;
  record.point = geo::ToUnitPoint(professional.location);
  record.cell = geo::LeafCellId(record.point);
  record.cpts = InternCpts(professional.cpts_id);
  Locate(no);
}

uint16_t ProfessionalTable::FindCpts(absl::string_view cpts_id) const {
  if (cpts_id.empty()) return 0;
  auto it = cpts_numbers_.find(cpts_id);
  return it == cpts_numbers_.end() ? 0 : it->second;
}

uint16_t ProfessionalTable::InternCpts(const std::string& cpts_id) {
  if (cpts_id.empty()) return 0;
  auto [it, inserted] = cpts_numbers_.try_emplace(
      cpts_id, static_cast<uint16_t>(cpts_numbers_.size() + 1));
  // About 1,000 CPTS exist in France; 65,535 is far beyond.
  CRENEAU_CHECK(cpts_numbers_.size() < std::numeric_limits<uint16_t>::max());
  return it->second;
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
    unlocated_.emplace_back(r.data.profession, Located{r.cell, no});
    return;
  }
  by_cell_[static_cast<int>(r.data.profession)].insert(Located{r.cell, no});
}

void ProfessionalTable::Unlocate(ProfNo no) {
  const ProfessionalRecord& r = records_[no];
  const size_t erased =
      by_cell_[static_cast<int>(r.data.profession)].erase(Located{r.cell, no});
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
