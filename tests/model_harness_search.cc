// ModelHarness: searches, and match-and-hold (a search and the hold of its
// best place in one step), sent to both sides and compared.
#include "absl/strings/str_cat.h"
#include "tests/model_harness.h"

namespace creneau::testing {
namespace {

std::string Show(const ReferenceSearch& s) {
  std::string out =
      absl::StrCat("radius=", s.radius_m, "/", s.initial_radius_m,
                   " steps=", s.widening_steps,
                   " empty=", static_cast<int>(s.empty_reason), " [");
  for (const ReferenceHit& h : s.hits) {
    absl::StrAppend(&out, h.slot_id, "@", h.distance_m, "r",
                    static_cast<int>(h.reason), h.overbooking_only ? "o" : "",
                    " ");
  }
  return out + "]";
}

}  // namespace

SearchQuery ModelHarness::RandomQuery() {
  SearchQuery q;
  if (rng_() % 10 < 7) {
    q.commune_code = territory_[rng_() % territory_.size()]->insee;
    if (rng_() % 200 == 0) q.commune_code = "99999";
  } else {
    q.point = LatLng{45.3 + (rng_() % 7000) / 10000.0,
                     -1.4 + (rng_() % 9000) / 10000.0};
  }
  const int p = int(rng_() % 20);
  q.profession = p < 12   ? Profession::kGeneralPractitioner
                 : p < 17 ? Profession::kNurse
                 : p < 19 ? Profession::kPhysiotherapist
                          : Profession::kDentist;
  // Other professions: one or two, now and then the same twice or an
  // unknown one (refused).
  for (int n = rng_() % 5 == 0 ? 1 + int(rng_() % 2) : 0; n > 0; --n) {
    const int other = int(rng_() % 60);
    q.other_professions.push_back(other < 20 ? Profession::kGeneralPractitioner
                                  : other < 40 ? Profession::kNurse
                                  : other < 59 ? Profession::kPhysiotherapist
                                               : static_cast<Profession>(99));
  }
  if (rng_() % 4 == 0) q.modalities = static_cast<ModalityMask>(rng_() % 16);
  if (rng_() % 3 == 0) {
    q.window_start_unix_s = now_ - 3600 + int64_t(rng_() % (3 * 86400));
    q.window_end_unix_s =
        *q.window_start_unix_s - 600 + int64_t(rng_() % (5 * 86400));
  }
  if (rng_() % 3 == 0) q.radius_m = 500 + int32_t(rng_() % 60000);
  if (rng_() % 2 == 0) q.limit = 1 + int32_t(rng_() % 30);
  if (rng_() % 300 == 0) q.limit = 101;
  q.order = static_cast<SearchOrder>(1 + rng_() % 3);
  if (rng_() % 8 == 0) q.preferred_professional_id = RandomProfessionalId();
  return q;
}

ReferenceSearch ModelHarness::ReferenceOf(const SearchResult& result) const {
  ReferenceSearch got;
  for (const SearchHit& h : result.hits) {
    got.hits.push_back({engine_.ViewSlot(h.slot).slot.id, h.distance_m,
                        h.reason, h.overbooking_only, h.week_orientations,
                        h.weekly_cap});
  }
  got.initial_radius_m = result.initial_radius_m;
  got.radius_m = result.radius_m;
  got.widening_steps = result.widening_steps;
  got.empty_reason = result.empty_reason;
  got.window_start_unix_s = result.window_start_unix_s;
  got.window_end_unix_s = result.window_end_unix_s;
  return got;
}

void ModelHarness::Search() {
  const SearchQuery q = RandomQuery();
  const Caller& caller = callers_[rng_() % callers_.size()];

  SearchResult result;
  const absl::Status status =
      engine_.Search(caller, q, absl::FromUnixSeconds(now_), &result);
  const absl::StatusOr<ReferenceSearch> want = model_.Search(caller, q, now_);
  ++stats_.searches;
  if (status.code() != want.status().code()) {
    return Fail(absl::StrCat("search: engine ", status.ToString(), " model ",
                             want.status().ToString()));
  }
  if (!status.ok()) {
    ++stats_.errors;
    return;
  }
  engine_.ExplainHits(&result);
  const ReferenceSearch got = ReferenceOf(result);
  if (!(got == *want)) {
    return Fail(absl::StrCat("search order ", static_cast<int>(q.order),
                             " limit ", q.limit, ": engine ", Show(got),
                             " model ", Show(*want)));
  }
  stats_.non_empty_searches += !got.hits.empty();
  bool mixed = false, loaded = false;
  for (const SearchHit& h : result.hits) {
    mixed |= engine_.ViewSlot(h.slot).profession != q.profession;
    loaded |= h.week_orientations > 0;
    stats_.remote_beyond_radius += h.reason == MatchReason::kTeleconsultation &&
                                   h.distance_m > result.radius_m;
  }
  stats_.mixed_profession_searches += mixed;
  stats_.loaded_balanced_searches +=
      loaded && q.order == SearchOrder::kBalanced;
  if (!got.hits.empty()) {
    last_found_.clear();
    for (const ReferenceHit& h : got.hits) last_found_.push_back(h.slot_id);
  }
}

void ModelHarness::MatchAndHold() {
  Request r = NewRequest(Method::kHoldSlot, int(rng_() % callers_.size()));
  r.match = true;
  r.match_hold.query = RandomQuery();
  r.match_hold.token = NewToken();
  r.match_hold.ttl_s =
      rng_() % 4 == 0 ? 10 + int(rng_() % 50) : 60 + int(rng_() % 841);
  if (rng_() % 200 == 0) r.match_hold.ttl_s = 5;  // Refused.
  Send(r);
}

absl::StatusOr<bool> ModelHarness::SendMatch(const Request& r, Effects* effects,
                                             std::string* got,
                                             std::string* want) {
  const Caller& caller = callers_[r.caller];
  SearchResult result;
  ReferenceSearch model_search;
  const auto engine_held =
      engine_.MatchAndHold(caller, r.key, r.match_hold,
                           absl::FromUnixSeconds(now_), &result, effects);
  const auto model_held =
      model_.MatchAndHold(caller, r.key, r.match_hold, now_, &model_search);
  const auto answer = [&]() -> absl::StatusOr<bool> {
    if (!engine_held.ok()) return engine_held.status();
    return engine_held->has_value();
  };
  const auto show = [](const auto& held) -> std::string {
    if (!held.ok()) return held.status().ToString();
    return held->has_value() ? Show(**held) : "nothing held";
  };
  if (engine_held.status().code() != model_held.status().code() ||
      (engine_held.ok() && *engine_held != *model_held)) {
    *got = show(engine_held);
    *want = show(model_held);
    return answer();
  }
  if (!engine_held.ok()) return engine_held.status();
  // A replay gives the held slot's match, which the model does not
  // recompute: only the hold is compared then.
  if (!effects->replayed) {
    const ReferenceSearch engine_search = ReferenceOf(result);
    if (!(engine_search == model_search)) {
      *got = Show(engine_search);
      *want = Show(model_search);
      return answer();
    }
  }
  if (engine_held->has_value() && !effects->replayed) {
    const Hold& hold = **engine_held;
    holds_.push_back({hold.token, hold.slot_id, r.caller});
    ++stats_.holds;
    ++stats_.matched_holds;
  }
  stats_.empty_matches += !engine_held->has_value();
  stats_.unholdable_matches +=
      !engine_held->has_value() &&
      result.empty_reason == EmptyReason::kNoneHoldable;
  return engine_held->has_value();
}

}  // namespace creneau::testing
