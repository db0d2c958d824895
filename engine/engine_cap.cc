// Engine: the weekly orientation cap. A professional's orientations in a
// week are the regular places held or booked on their slots of that week
// (Monday 00:00 to Sunday 24:00 in the professional's time zone); once they
// reach the cap, every slot of that week leaves the index (week_capped) and
// holds of regular places are refused, until a release, an expiry or a
// cancellation brings the count below the cap again. Overbooking places,
// taken only on explicit request, are outside the cap.
//
// The count is kept per (professional, week) from the slot records alone:
// it is the sum of held_regular + booked_regular over the professional's
// slots of that week, so it survives restarts (the restore replays holds
// and bookings through ChangePlaces) and leaves with purged slots.
#include <algorithm>

#include "absl/time/civil_time.h"
#include "engine/check.h"
#include "engine/engine.h"

namespace creneau {
namespace {

uint64_t WeekKey(internal::ProfNo prof, int32_t week) {
  return (uint64_t{prof} << 32) | static_cast<uint32_t>(week);
}

// 1970-01-05 was a Monday.
const absl::CivilDay kFirstMonday(1970, 1, 5);

}  // namespace

int32_t Engine::WeekOf(internal::ProfNo prof, int64_t start_unix_s) const {
  const internal::ProfessionalRecord& p = professionals_.at(prof);
  CRENEAU_CHECK(p.time_zone < zones_.size());
  const absl::CivilDay day = absl::ToCivilDay(
      absl::FromUnixSeconds(start_unix_s), zones_[p.time_zone]);
  const int64_t days = day - kFirstMonday;
  // Floor division: weeks before 1970-01-05 are negative.
  return static_cast<int32_t>(days >= 0 ? days / 7 : (days - 6) / 7);
}

int64_t Engine::WeekStartUnixS(internal::ProfNo prof, int32_t week) const {
  const internal::ProfessionalRecord& p = professionals_.at(prof);
  return absl::ToUnixSeconds(
      zones_[p.time_zone]
          .At(absl::CivilSecond(kFirstMonday + int64_t{week} * 7))
          .pre);
}

int32_t Engine::CapOf(internal::ProfNo prof) const {
  const int32_t own = professionals_.at(prof).weekly_orientation_cap;
  return own > 0 ? own : options_.default_weekly_orientation_cap;
}

bool Engine::AtCap(internal::ProfNo prof, int32_t load) const {
  const int32_t cap = CapOf(prof);
  return cap > 0 && load >= cap;
}

int32_t Engine::WeekLoad(internal::ProfNo prof, int32_t week) const {
  auto it = week_load_.find(WeekKey(prof, week));
  return it == week_load_.end() ? 0 : it->second;
}

double Engine::LoadFraction(int32_t orientations, int32_t cap) {
  const int32_t reference = cap > 0 ? cap : limits::kLoadReferenceOrientations;
  return std::min(1.0, static_cast<double>(orientations) / reference);
}

double Engine::LoadOfSlot(SlotNo no) const {
  const internal::SlotRecord& r = slots_.at(no);
  return LoadFraction(WeekLoad(r.professional, r.week), CapOf(r.professional));
}

void Engine::NoteTimeZone(internal::ProfNo prof) {
  const internal::Interner::Number number = professionals_.at(prof).time_zone;
  if (number < zones_.size() && zone_loaded_[number]) return;
  if (number >= zones_.size()) {
    zones_.resize(number + 1, absl::UTCTimeZone());
    zone_loaded_.resize(number + 1, false);
  }
  // Validated as one of the supported zones on the way in (commands and
  // restore alike), all of which the system's zone database has.
  const bool loaded = absl::LoadTimeZone(
      std::string(professionals_.view(prof).time_zone), &zones_[number]);
  CRENEAU_CHECK(loaded);
  zone_loaded_[number] = true;
}

void Engine::AddWeekLoad(internal::ProfNo prof, int32_t week, int delta) {
  if (delta == 0) return;
  int32_t& load = week_load_[WeekKey(prof, week)];
  load += delta;
  CRENEAU_CHECK(load >= 0);
  if (load == 0) week_load_.erase(WeekKey(prof, week));
}

void Engine::AdjustWeekLoad(internal::ProfNo prof, int32_t week, int delta) {
  const int32_t before = WeekLoad(prof, week);
  AddWeekLoad(prof, week, delta);
  const int32_t after = before + delta;
  if (AtCap(prof, before) != AtCap(prof, after)) {
    SetWeekCapped(prof, week, AtCap(prof, after));
  }
}

void Engine::SetWeekCapped(internal::ProfNo prof, int32_t week, bool capped) {
  // A professional has at most limits::kMaxSlotsPerProfessional slots.
  for (SlotNo no : professionals_.at(prof).slots) {
    if (slots_.at(no).week == week) {
      SetSlotCapped(no, capped);
    }
  }
}

void Engine::SetSlotCapped(SlotNo no, bool capped) {
  internal::SlotRecord& r = slots_.at(no);
  if (r.week_capped == capped) return;
  if (capped) {
    Unindex(no);
    r.week_capped = true;
  } else {
    r.week_capped = false;
    Reindex(no);
  }
}

void Engine::SyncSlotCap(SlotNo no) {
  const internal::SlotRecord& r = slots_.at(no);
  SetSlotCapped(no, AtCap(r.professional, WeekLoad(r.professional, r.week)));
}

void Engine::CountSlotLoad(SlotNo no, int sign) {
  const internal::SlotRecord& r = slots_.at(no);
  AddWeekLoad(r.professional, r.week,
              sign * (r.held_regular + r.booked_regular));
}

}  // namespace creneau
