// Engine: search (SearchSlots) with automatic radius widening, the patient's
// preferred professional, and the reason of an empty answer.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
absl::Status Engine::PrepareSearch(const Caller& caller,
                                   const SearchQuery& query, int64_t now_s,
                                   IndexQuery* iq, SearchResult* result,
                                   int32_t* cap_m) const {
  const int profession = static_cast<int>(query.profession);
  if (profession <= 0 || profession >= kProfessionCount) {
    return InvalidField("profession", "required");
  }
  ProfessionMask professions = Bit(query.profession);
  for (Profession other : query.other_professions) {
    const int number = static_cast<int>(other);
    if (number <= 0 || number >= kProfessionCount) {
      return InvalidField("other_professions", "unknown profession");
    }
    if ((professions & Bit(other)) != 0) {
      return InvalidField("other_professions",
                          "each profession may be named once");
    }
    professions |= Bit(other);
  }
  const bool has_commune = !query.commune_code.empty();
  if (has_commune == query.point.has_value()) {
    return InvalidField("origin",
                        "exactly one of point and commune_code is needed");
  }
  const Commune* commune = nullptr;
  LatLng origin;
  if (has_commune) {
    if (!IsValidCommuneCode(query.commune_code)) {
      return InvalidField("commune_code", "must be a 5-character INSEE code");
    }
    commune = communes_->Find(query.commune_code);
    if (commune == nullptr) {
      return absl::NotFoundError(absl::StrCat("commune_code: unknown commune '",
                                              query.commune_code, "'"));
    }
    origin = commune->location;
  } else {
    if (!IsValidLatLng(*query.point)) {
      return InvalidField("point", "must be a WGS84 position in degrees");
    }
    origin = *query.point;
    commune = communes_->Nearest(origin);
  }
  if ((query.modalities & ~kAllModalities) != 0) {
    return InvalidField("modalities", "unknown modality");
  }
  if (query.radius_m < 0 || query.radius_m > limits::kMaxRadiusM) {
    return InvalidField("radius_m",
                        absl::StrCat(RangeRule(1, limits::kMaxRadiusM),
                                     " meters, or 0 for automatic"));
  }
  if (query.limit < 0 || query.limit > limits::kMaxResultLimit) {
    return InvalidField("limit", RangeRule(1, limits::kMaxResultLimit));
  }
  const int order = static_cast<int>(query.order);
  if (order < 1 || order > 3) return InvalidField("order", "unknown order");
  if (!query.preferred_professional_id.empty()) {
    RETURN_IF_ERROR(
        CheckId("preferred_professional_id", query.preferred_professional_id));
  }

  // Only slots that have not started can be taken.
  const int64_t start =
      std::max(query.window_start_unix_s.value_or(now_s), now_s + 1);
  if (start > now_s + limits::kMaxPublishAheadS) {
    return InvalidField(
        "window_start",
        absl::StrCat("must be at most ",
                     HumanDuration(limits::kMaxPublishAheadS), " ahead"));
  }
  const int64_t end =
      query.window_end_unix_s.value_or(start + limits::kDefaultWindowS);
  if (end <= start) {
    return InvalidField("window_end",
                        "must be in the future and after window_start");
  }
  if (end - start > limits::kMaxWindowS) {
    return InvalidField(
        "window_end",
        absl::StrCat("must be at most ", HumanDuration(limits::kMaxWindowS),
                     " after window_start"));
  }

  const SearchRadii radii =
      query.radius_m > 0
          ? SearchRadii{query.radius_m, query.radius_m}
          : RadiiForDensity(commune != nullptr
                                ? communes_->DensityAround(*commune)
                                : 100.0);
  *cap_m = radii.cap_m;
  result->initial_radius_m = radii.initial_m;
  result->radius_m = radii.initial_m;
  result->widening_steps = 0;
  result->empty_reason = EmptyReason::kNone;
  result->window_start_unix_s = start;
  result->window_end_unix_s = end;
  result->origin_commune = commune != nullptr ? commune->insee : "";
  result->searched_at_unix_s = now_s;

  iq->professions = professions;
  iq->center = geo::ToS2Point(origin);
  iq->radius_m = radii.initial_m;
  iq->from_unix_s = static_cast<uint32_t>(start);
  iq->to_unix_s = static_cast<uint32_t>(std::min<int64_t>(end, UINT32_MAX));
  iq->modalities = query.modalities == 0 ? kAllModalities : query.modalities;
  iq->visibilities = caller.administrator
                         ? VisibilityMask{Bit(Visibility::kPublic) |
                                          Bit(Visibility::kProfessionals) |
                                          Bit(Visibility::kRegulation) |
                                          Bit(Visibility::kCptsMembers)}
                         : caller.visibilities;
  iq->caller_cpts = professionals_.FindCpts(caller.organisation);
  iq->may_overbook = caller.may_overbook;
  iq->order = query.order;
  iq->now_unix_s = now_s;
  iq->weights = options_.ranking;
  iq->limit = query.limit == 0 ? limits::kDefaultResultLimit : query.limit;
  iq->excluded = kNoSlot;
  return absl::OkStatus();
}

void Engine::FindPreferred(const SearchQuery& query, const IndexQuery& iq,
                           SearchResult* result) const {
  if (query.preferred_professional_id.empty()) return;
  const internal::ProfNo prof =
      professionals_.Find(query.preferred_professional_id);
  if (prof == internal::kNoProfessional ||
      (iq.professions & Bit(professionals_.at(prof).profession)) == 0) {
    return;  // Not a publisher of a profession searched: rank as usual.
  }
  const auto id_less = [this](SlotNo a, SlotNo b) {
    return slots_.id(a) < slots_.id(b);
  };
  Candidate best;
  for (SlotNo no : professionals_.at(prof).slots) {
    if (!slots_.at(no).searchable()) continue;
    const IndexEntry entry = EntryOf(no);
    if (!MatchesFilters(iq, entry)) continue;
    Candidate c;
    c.slot = no;
    c.start_unix_s = entry.start_unix_s;
    c.tie_key = entry.tie_key;
    c.chord_squared = geo::ChordSquared(iq.center, entry.point);
    if (!WithinHomeVisitReach(entry, c.chord_squared)) continue;
    // No trip to a teleconsultation: it ranks as the index ranks it.
    c.place_chord_squared = c.chord_squared;
    c.remote = entry.modality == Modality::kTeleconsultation;
    if (c.remote) c.chord_squared = 0;
    c.regular_place_free = entry.regular_place_free;
    if (iq.order == SearchOrder::kBalanced) {
      c.load = LoadOfSlot(no);
      c.score = BalancedScore(iq.now_unix_s, c.start_unix_s, c.chord_squared,
                              iq.weights) +
                iq.weights.minutes_per_full_week * c.load;
    }
    if (best.slot == kNoSlot || RanksBefore(iq.order, c, best, id_less)) {
      best = c;
    }
  }
  if (best.slot == kNoSlot) return;
  SearchHit hit;
  hit.slot = best.slot;
  hit.distance_m = geo::MetersFromChordSquared(best.place_chord_squared);
  hit.reason = MatchReason::kPreferredProfessional;
  hit.overbooking_only = !best.regular_place_free;
  result->hits.push_back(hit);
}

void Engine::ExplainHits(SearchResult* result) const {
  const RankingWeights& weights = options_.ranking;
  for (SearchHit& hit : result->hits) {
    const internal::SlotRecord& r = slots_.at(hit.slot);
    hit.minutes_to_start =
        (int64_t{r.start_unix_s} - result->searched_at_unix_s) / 60.0;
    hit.week_orientations = WeekLoad(r.professional, r.week);
    hit.weekly_cap = CapOf(r.professional);
    hit.load = LoadFraction(hit.week_orientations, hit.weekly_cap);
    hit.trip_m = r.modality == Modality::kTeleconsultation ? 0 : hit.distance_m;
    hit.score = hit.minutes_to_start +
                weights.minutes_per_km * hit.trip_m / 1000 +
                weights.minutes_per_full_week * hit.load;
  }
}

absl::Status Engine::Search(const Caller& caller, const SearchQuery& query,
                            absl::Time now, SearchResult* result) const {
  CRENEAU_CHECK(!index_deferred_);  // FinishRestore has run.
  const int64_t now_s = std::max(clock_unix_s_, absl::ToUnixSeconds(now));
  result->hits.clear();
  IndexQuery iq;
  int32_t cap_m = 0;
  RETURN_IF_ERROR(PrepareSearch(caller, query, now_s, &iq, result, &cap_m));
  const int limit = iq.limit;

  FindPreferred(query, iq, result);
  if (!result->hits.empty()) iq.excluded = result->hits.front().slot;
  iq.limit = limit - static_cast<int>(result->hits.size());

  const auto id_less = [this](SlotNo a, SlotNo b) {
    return slots_.id(a) < slots_.id(b);
  };
  // Reused across searches on this thread: no allocation once warm.
  thread_local std::vector<Candidate> candidates;
  candidates.clear();
  while (iq.limit > 0) {
    index_.Search(
        iq, id_less, [this](SlotNo no) { return LoadOfSlot(no); }, &candidates);
    if (static_cast<int>(candidates.size()) >= iq.limit ||
        iq.radius_m >= cap_m) {
      break;
    }
    iq.radius_m = std::min<double>(iq.radius_m * 2, cap_m);
    ++result->widening_steps;
  }
  result->radius_m = static_cast<int32_t>(iq.radius_m);

  const double initial_chord_squared =
      geo::ChordSquaredForMeters(result->initial_radius_m);
  for (const Candidate& c : candidates) {
    SearchHit hit;
    hit.slot = c.slot;
    hit.distance_m = geo::MetersFromChordSquared(c.place_chord_squared);
    hit.reason = c.remote ? MatchReason::kTeleconsultation
                 : c.chord_squared <= initial_chord_squared
                     ? MatchReason::kWithinRadius
                     : MatchReason::kWidenedRadius;
    hit.overbooking_only = !c.regular_place_free;
    result->hits.push_back(hit);
  }
  if (result->hits.empty()) result->empty_reason = Diagnose(iq);
  return absl::OkStatus();
}

EmptyReason Engine::Diagnose(const IndexQuery& iq) const {
  bool supply = false, in_window = false, free = false, capped = false;
  for (int p = 1; p < kProfessionCount && !free; ++p) {
    const Profession profession = static_cast<Profession>(p);
    if ((iq.professions & Bit(profession)) == 0) continue;
    professionals_.ForEachWithin(
        profession, iq.center, iq.radius_m, [&](internal::ProfNo prof) {
          supply = true;
          // One free slot settles the answer: the walk over every slot of
          // every professional in reach stops there.
          if (free) return;
          for (SlotNo no : professionals_.at(prof).slots) {
            if (free) break;
            const internal::SlotRecord& r = slots_.at(no);
            if (r.withdrawn || r.start_unix_s < iq.from_unix_s ||
                r.start_unix_s >= iq.to_unix_s) {
              continue;
            }
            in_window = true;
            if (r.regular_place_free() ||
                (iq.may_overbook && r.overbooking_place_free())) {
              if (r.week_capped) {
                capped = true;
              } else {
                free = true;
              }
            }
          }
        });
  }
  if (!supply) return EmptyReason::kNoSupplyInReach;
  if (!in_window) return EmptyReason::kOutsideWindow;
  if (!free) return capped ? EmptyReason::kCapReached : EmptyReason::kAllTaken;
  return EmptyReason::kNoMatchingSlot;
}

}  // namespace creneau
