// Engine: match-and-hold, a search and the hold of its best place in one
// step under the engine's lock.
//
// Why one step: between a regulator's search and their hold, another
// regulator may take the place; the first then starts again while the
// patient waits. Here nothing comes between the ranking and the hold.
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/geo.h"
#include "engine/internal/mutation.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {

absl::StatusOr<std::optional<Hold>> Engine::MatchAndHold(
    const Caller& caller, const RequestKey& key,
    const MatchHoldCommand& command, absl::Time now, SearchResult* result,
    Effects* effects) {
  // Set when the search offered nothing the caller may hold: an answer,
  // but not one to remember (nothing changed), so the lambda returns an
  // error that Mutation does not record, and this answers it as empty.
  bool nothing_held = false;
  absl::StatusOr<Hold> held = Mutation<Hold>(
      caller, key, Method::kHoldSlot, now, effects,
      [&](int64_t now_s) -> absl::StatusOr<Hold> {
        RETURN_IF_ERROR(CheckHoldTerms(command.token, command.ttl_s));
        RETURN_IF_ERROR(Search(caller, command.query,
                               absl::FromUnixSeconds(now_s), result));
        HoldCommand hold;
        hold.token = command.token;
        hold.ttl_s = command.ttl_s;
        // Bounded by the search's limit (at most limits::kMaxResultLimit).
        for (const SearchHit& hit : result->hits) {
          if (hit.overbooking_only || !InScope(caller, hit.slot)) continue;
          const SlotNo no = hit.slot;
          // The answer's one match, explained before the hold, as the
          // search ranked it (`hit` is not read after this).
          result->hits = {hit};
          ExplainHits(result);
          hold.slot_id = std::string(slots_.id(no));
          absl::StatusOr<Hold> taken =
              TakeHold(caller, key, no, hold, now_s, effects);
          // The search offered only free places in reach under the same
          // lock; anything but the caller's own limits is a broken
          // invariant.
          CRENEAU_CHECK(
              taken.ok() ||
              taken.status().code() == absl::StatusCode::kResourceExhausted ||
              taken.status().code() == absl::StatusCode::kAlreadyExists);
          return taken;
        }
        if (result->empty_reason == EmptyReason::kNone) {
          result->empty_reason = EmptyReason::kNoneHoldable;
        }
        result->hits.clear();
        nothing_held = true;
        return absl::NotFoundError("no place to hold");
      });
  if (nothing_held) return std::nullopt;
  if (!held.ok()) return held.status();
  if (effects->replayed) MatchOfHeld(caller, command.query, *held, result);
  return std::optional<Hold>(*std::move(held));
}

void Engine::MatchOfHeld(const Caller& caller, const SearchQuery& query,
                         const Hold& hold, SearchResult* result) const {
  IndexQuery iq;
  int32_t cap_m = 0;
  result->hits.clear();
  // The retry's answer is the first hold, whatever happened since: when the
  // query no longer holds (its window has passed) or the slot was purged,
  // it comes without a match.
  if (!PrepareSearch(caller, query, clock_unix_s_, &iq, result, &cap_m).ok()) {
    *result = SearchResult();
    return;
  }
  const SlotNo no = slots_.Find(hold.slot_id);
  if (no == kNoSlot) return;
  const IndexEntry entry = EntryOf(no);
  SearchHit hit;
  hit.slot = no;
  const double chord_squared = geo::ChordSquared(iq.center, entry.point);
  hit.distance_m = geo::MetersFromChordSquared(chord_squared);
  hit.reason = entry.modality == Modality::kTeleconsultation
                   ? MatchReason::kTeleconsultation
               : hit.distance_m <= result->initial_radius_m
                   ? MatchReason::kWithinRadius
                   : MatchReason::kWidenedRadius;
  result->hits.push_back(hit);
  ExplainHits(result);
}

}  // namespace creneau
