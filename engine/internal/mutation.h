// Engine::Mutation, the one path every mutating command takes (see its
// declaration in engine.h), and the conversion of each command's answer to
// and from the Outcome an idempotency record keeps. Included by the files
// that define commands.
#ifndef CRENEAU_ENGINE_INTERNAL_MUTATION_H_
#define CRENEAU_ENGINE_INTERNAL_MUTATION_H_

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace creneau {
namespace internal {

inline Outcome OutcomeOf(const BatchCounts& counts) {
  Outcome outcome;
  outcome.counts = counts;
  return outcome;
}
inline Outcome OutcomeOf(const Hold& hold) {
  Outcome outcome;
  outcome.hold = hold;
  return outcome;
}
inline Outcome OutcomeOf(const Booking& booking) {
  Outcome outcome;
  outcome.booking = booking;
  return outcome;
}

// The answer an Outcome holds, for a command answering T.
template <typename T>
T AnswerOf(const Outcome& outcome);
template <>
inline BatchCounts AnswerOf<BatchCounts>(const Outcome& outcome) {
  return outcome.counts;
}
template <>
inline Hold AnswerOf<Hold>(const Outcome& outcome) {
  CRENEAU_CHECK(outcome.hold.has_value());
  return *outcome.hold;
}
template <>
inline Booking AnswerOf<Booking>(const Outcome& outcome) {
  CRENEAU_CHECK(outcome.booking.has_value());
  return *outcome.booking;
}

}  // namespace internal

template <typename T>
absl::StatusOr<T> Engine::Mutation(
    const Caller& caller, const RequestKey& key, Method method, absl::Time now,
    Effects* effects,
    absl::FunctionRef<absl::StatusOr<T>(int64_t now_s)> apply) {
  const int64_t now_s = Advance(now);
  ExpireDue(now_s, effects);
  absl::StatusOr<T> answer = [&]() -> absl::StatusOr<T> {
    ASSIGN_OR_RETURN(const IdempotencyRecord* replay,
                     Replay(caller, key, method));
    if (replay != nullptr) {
      effects->replayed = true;
      return internal::AnswerOf<T>(replay->outcome);
    }
    // A caller's remembered requests are bounded: each is kept for
    // limits::kIdempotencyRetentionS.
    const int max_records = options_.max_request_records_per_caller;
    if (!key.request_id.empty() && max_records > 0 && !caller.administrator) {
      auto it = requests_by_caller_.find(caller.name);
      if (it != requests_by_caller_.end() && it->second >= max_records) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "request_id: this caller already has ", it->second,
            " requests remembered (at most ", max_records, ", each kept ",
            HumanDuration(limits::kIdempotencyRetentionS), "); retry later"));
      }
    }
    absl::StatusOr<T> applied = apply(now_s);
    if (applied.ok()) {
      Remember(caller, key, method, internal::OutcomeOf(*applied), effects);
    }
    return applied;
  }();
  // Places the expiries or the command freed go to the waitlist before
  // anyone else, whatever the answer.
  ServeWaitlist(now_s, effects);
  return answer;
}

}  // namespace creneau

#endif  // CRENEAU_ENGINE_INTERNAL_MUTATION_H_
