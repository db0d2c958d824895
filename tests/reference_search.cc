// ReferenceModel: search by brute force over every slot.
#include <algorithm>
#include <set>
#include <tuple>

#include "engine/slot_index.h"
#include "engine/validate.h"
#include "tests/reference_model.h"

namespace creneau::testing {
namespace {

struct Scored {
  const ReferenceSlot* slot;
  double chord_squared;  // The trip ranked: 0 for a teleconsultation.
  double score;
  double place_c2;   // To the slot's place, whatever its modality.
  bool remote;       // A teleconsultation.
  uint32_t tie_key;  // Orders equal ranks, then the id.
};

// The documented orders, written as tuples.
bool Before(SearchOrder order, const Scored& a, const Scored& b) {
  const auto& as = a.slot->slot;
  const auto& bs = b.slot->slot;
  switch (order) {
    case SearchOrder::kSoonest:
      return std::tie(as.start_unix_s, a.chord_squared, a.tie_key, as.id) <
             std::tie(bs.start_unix_s, b.chord_squared, b.tie_key, bs.id);
    case SearchOrder::kNearest:
      return std::tie(a.chord_squared, as.start_unix_s, a.tie_key, as.id) <
             std::tie(b.chord_squared, bs.start_unix_s, b.tie_key, bs.id);
    case SearchOrder::kBalanced:
      return std::tie(a.score, a.tie_key, as.id) <
             std::tie(b.score, b.tie_key, bs.id);
  }
  return false;
}

absl::Status Invalid() { return absl::InvalidArgumentError("invalid"); }

// The balanced order as the API documents it: minutes until the start, plus
// six minutes per kilometer of trip, plus 1440 minutes times the
// professional's week load (orientations over their cap, or over 20 when
// uncapped, at most 1). Written here again, not taken from the engine, so
// that a change of the engine's formula shows as a difference.
double ReferenceBalancedScore(int64_t now, int64_t start, double c2, int load,
                              int cap) {
  const double minutes = (start - now) / 60.0;
  const double km = geo::MetersFromChordSquared(c2) / 1000.0;
  const double fraction =
      std::min(1.0, static_cast<double>(load) / (cap > 0 ? cap : 20));
  return minutes + 6.0 * km + 1440.0 * fraction;
}

}  // namespace

absl::StatusOr<ReferenceSearch> ReferenceModel::Search(const Caller& caller,
                                                       const SearchQuery& query,
                                                       int64_t now) const {
  now = std::max(now, clock_);
  const int profession = static_cast<int>(query.profession);
  if (profession <= 0 || profession >= kProfessionCount) return Invalid();
  std::set<Profession> professions = {query.profession};
  for (Profession other : query.other_professions) {
    const int number = static_cast<int>(other);
    if (number <= 0 || number >= kProfessionCount ||
        !professions.insert(other).second) {
      return Invalid();
    }
  }
  if (query.commune_code.empty() == !query.point.has_value()) return Invalid();
  const Commune* commune = nullptr;
  LatLng origin;
  if (!query.commune_code.empty()) {
    if (!IsValidCommuneCode(query.commune_code)) return Invalid();
    commune = communes_->Find(query.commune_code);
    if (commune == nullptr) return absl::NotFoundError("commune");
    origin = commune->location;
  } else {
    if (!IsValidLatLng(*query.point)) return Invalid();
    origin = *query.point;
    commune = communes_->Nearest(origin);
  }
  if ((query.modalities & ~kAllModalities) != 0 || query.radius_m < 0 ||
      query.radius_m > 200000 || query.limit < 0 || query.limit > 100 ||
      static_cast<int>(query.order) < 1 || static_cast<int>(query.order) > 3 ||
      (!query.preferred_professional_id.empty() &&
       !IsValidId(query.preferred_professional_id))) {
    return Invalid();
  }
  ReferenceSearch result;
  result.window_start_unix_s =
      std::max(query.window_start_unix_s.value_or(now), now + 1);
  if (result.window_start_unix_s > now + 366LL * 86400) return Invalid();
  result.window_end_unix_s =
      query.window_end_unix_s.value_or(result.window_start_unix_s + 48 * 3600);
  if (result.window_end_unix_s <= result.window_start_unix_s ||
      result.window_end_unix_s - result.window_start_unix_s > 31LL * 86400) {
    return Invalid();
  }
  const SearchRadii radii =
      query.radius_m > 0
          ? SearchRadii{query.radius_m, query.radius_m}
          : RadiiForDensity(commune ? communes_->DensityAround(*commune)
                                    : 100.0);
  result.initial_radius_m = radii.initial_m;
  const ModalityMask modalities =
      query.modalities == 0 ? kAllModalities : query.modalities;
  const int limit = query.limit == 0 ? 20 : query.limit;
  const S2Point center = geo::ToS2Point(origin);

  // Every slot that passes the filters, whatever its distance.
  const WeekLoads loads = Loads();
  std::vector<Scored> eligible;
  for (const auto& [id, s] : slots_) {
    if (!professions.contains(
            professionals_.at(s.slot.professional_id).profession) ||
        !FreeFor(caller, s) || Capped(s, loads) || !SearchVisible(caller, s) ||
        (modalities & Bit(s.slot.modality)) == 0 ||
        s.slot.start_unix_s < result.window_start_unix_s ||
        s.slot.start_unix_s >=
            std::min<int64_t>(result.window_end_unix_s, UINT32_MAX)) {
      continue;
    }
    const double c2 =
        geo::ChordSquared(center, geo::ToUnitPoint(LocationOf(s)));
    // A home visit reaches as far as its professional goes (10 km unless
    // they say otherwise).
    const int home_visit_km =
        professionals_.at(s.slot.professional_id).home_visit_radius_km;
    if (s.slot.modality == Modality::kHomeVisit &&
        c2 > geo::ChordSquaredForMeters(
                 (home_visit_km > 0 ? home_visit_km : 10) * 1000.0)) {
      continue;
    }
    // No one travels to a teleconsultation: it ranks with a trip of 0.
    const bool remote = s.slot.modality == Modality::kTeleconsultation;
    const double trip_c2 = remote ? 0 : c2;
    const int cap = CapOf(professionals_.at(s.slot.professional_id));
    eligible.push_back({&s, trip_c2,
                        ReferenceBalancedScore(now, s.slot.start_unix_s,
                                               trip_c2, LoadOf(s, loads), cap),
                        c2, remote, TieKeyOf(s.slot.id)});
  }
  const auto before = [&](const Scored& a, const Scored& b) {
    return Before(query.order, a, b);
  };
  std::sort(eligible.begin(), eligible.end(), before);

  const Scored* preferred = nullptr;
  auto pro = professionals_.find(query.preferred_professional_id);
  if (pro != professionals_.end() &&
      professions.contains(pro->second.profession)) {
    for (const Scored& e : eligible) {
      if (e.slot->slot.professional_id == pro->first) {
        preferred = &e;
        break;
      }
    }
  }
  const auto hit = [&](const Scored& e, MatchReason reason) {
    const bool regular =
        e.slot->held_regular + e.slot->booked_regular < e.slot->slot.capacity;
    return ReferenceHit{e.slot->slot.id,
                        geo::MetersFromChordSquared(e.place_c2),
                        reason,
                        !regular,
                        LoadOf(*e.slot, loads),
                        CapOf(professionals_.at(e.slot->slot.professional_id))};
  };
  if (preferred)
    result.hits.push_back(hit(*preferred, MatchReason::kPreferredProfessional));

  const int wanted = limit - static_cast<int>(result.hits.size());
  double radius = radii.initial_m;
  std::vector<const Scored*> within;
  // A teleconsultation reaches 1,200 km, whatever the radius.
  const auto in_reach = [](const Scored& e, double radius_m) {
    return e.place_c2 <=
           geo::ChordSquaredForMeters(e.remote ? 1200000.0 : radius_m);
  };
  while (wanted > 0) {
    within.clear();
    for (const Scored& e : eligible) {
      if (&e != preferred && in_reach(e, radius)) within.push_back(&e);
    }
    if (static_cast<int>(within.size()) >= wanted || radius >= radii.cap_m)
      break;
    radius = std::min<double>(radius * 2, radii.cap_m);
    ++result.widening_steps;
  }
  result.radius_m = static_cast<int32_t>(radius);
  const double initial_c2 = geo::ChordSquaredForMeters(radii.initial_m);
  for (size_t i = 0; i < within.size() && static_cast<int>(i) < wanted; ++i) {
    result.hits.push_back(
        hit(*within[i], within[i]->remote ? MatchReason::kTeleconsultation
                        : within[i]->chord_squared <= initial_c2
                            ? MatchReason::kWithinRadius
                            : MatchReason::kWidenedRadius));
  }
  if (!result.hits.empty()) return result;

  // Why nothing: look at every professional in reach.
  bool supply = false, in_window = false, free = false, capped = false;
  const double reach_c2 = geo::ChordSquaredForMeters(radius);
  for (const auto& [id, p] : professionals_) {
    if (!professions.contains(p.profession) ||
        geo::ChordSquared(center, geo::ToUnitPoint(p.location)) > reach_c2) {
      continue;
    }
    supply = true;
    for (const auto& [sid, s] : slots_) {
      if (s.slot.professional_id != id || s.slot.withdrawn ||
          s.slot.start_unix_s < result.window_start_unix_s ||
          s.slot.start_unix_s >=
              std::min<int64_t>(result.window_end_unix_s, UINT32_MAX)) {
        continue;
      }
      in_window = true;
      if (FreeFor(caller, s)) (Capped(s, loads) ? capped : free) = true;
    }
  }
  result.empty_reason = !supply      ? EmptyReason::kNoSupplyInReach
                        : !in_window ? EmptyReason::kOutsideWindow
                        : free       ? EmptyReason::kNoMatchingSlot
                        : capped     ? EmptyReason::kCapReached
                                     : EmptyReason::kAllTaken;
  return result;
}

}  // namespace creneau::testing
