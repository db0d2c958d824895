// The value types of the engine's commands and answers: options, commands,
// search queries and results, pages and counts (see engine.h).
#ifndef CRENEAU_ENGINE_ENGINE_TYPES_H_
#define CRENEAU_ENGINE_ENGINE_TYPES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/limits.h"
#include "engine/slot_index.h"
#include "engine/types.h"

namespace creneau {

struct EngineOptions {
  // Weekly orientation cap of professionals that do not set one, within
  // [0, limits::kMaxWeeklyOrientationCap]; 0 leaves them uncapped (load
  // tests that book far more than a week allows).
  int32_t default_weekly_orientation_cap = limits::kDefaultWeeklyOrientationCap;
  // What one caller (principal) can make the engine remember, at most; 0
  // for no limit (in-process callers). Administrators are exempt. The
  // server sets them from its flags (limits::kDefault... by default).
  int max_active_holds_per_caller = 0;
  int max_request_records_per_caller = 0;
  int max_professionals_per_organisation = 0;
  // The balanced order's weights, each within [0, limits::kMaxMinutesPer...].
  RankingWeights ranking;
  // Days ahead that slots generated from availability templates are kept
  // published, within [1, limits::kMaxAvailabilityHorizonDays].
  int32_t availability_horizon_days = limits::kDefaultAvailabilityHorizonDays;
};

struct HoldCommand {
  std::string slot_id;
  std::string token;  // Fresh, unguessable: limits::kHoldTokenLength hex.
  int32_t ttl_s = limits::kDefaultHoldTtlS;
  // Take an overbooking (surnuméraire) place, never a regular one: only on
  // this explicit request, for callers that may overbook; such a place is
  // outside the professional's weekly cap.
  bool overbooking_place = false;
};

struct ConfirmCommand {
  std::string slot_id;
  std::string hold_token;
  std::string patient_ref;
  std::string orientation_ref;  // Optional.
};

struct ReleaseCommand {
  std::string slot_id;
  std::string hold_token;
};

struct CancelCommand {
  std::string booking_id;
  CancelReason reason = CancelReason::kUnspecified;  // Unspecified: kOther.
};

enum class MatchReason : uint8_t {
  kWithinRadius = 1,
  kWidenedRadius = 2,
  kPreferredProfessional = 3,
  // A teleconsultation: matched within limits::kTeleconsultationReachM,
  // whatever the radius, and ranked with no trip.
  kTeleconsultation = 4,
};

enum class EmptyReason : uint8_t {
  kNone = 0,
  kNoSupplyInReach = 1,
  kOutsideWindow = 2,
  kAllTaken = 3,
  kNoMatchingSlot = 4,
  // Free slots are in reach, but every one belongs to a professional who
  // reached the weekly cap in its week.
  kCapReached = 5,
  // MatchAndHold only: matches were found, but none the caller may hold
  // (each outside its territories, or with only an overbooking place left).
  kNoneHoldable = 6,
};

struct SearchQuery {
  std::optional<LatLng> point;  // Exactly one of point and commune_code.
  std::string commune_code;
  Profession profession = Profession::kUnspecified;
  // Searched too, in one ranking (a cooperation protocol sends a sore throat
  // to a GP or a pharmacist); each a distinct profession other than
  // `profession`.
  std::vector<Profession> other_professions;
  ModalityMask modalities = 0;                 // 0: all.
  std::optional<int64_t> window_start_unix_s;  // Default now.
  std::optional<int64_t> window_end_unix_s;    // Default start + 48 h.
  int32_t radius_m = 0;                        // 0: automatic, widening.
  int32_t limit = 0;                           // 0: default 20.
  SearchOrder order = SearchOrder::kSoonest;
  std::string preferred_professional_id;
  bool operator==(const SearchQuery&) const = default;
};

// MatchAndHold: a search, and a hold on its best place the caller may hold.
struct MatchHoldCommand {
  SearchQuery query;  // Its limit: how many ranked matches may be tried.
  std::string token;  // As HoldCommand's.
  int32_t ttl_s = limits::kDefaultHoldTtlS;
};

struct SearchHit {
  SlotNo slot = kNoSlot;  // Read with ViewSlot() under the same lock.
  double distance_m = 0;
  MatchReason reason = MatchReason::kWithinRadius;
  bool overbooking_only = false;
  // The balanced order's components for this slot, whatever the order
  // searched (RankingWeights), set by Engine::ExplainHits (Search leaves
  // them 0): the answer explains every rank with them.
  double minutes_to_start = 0;
  // The trip the score counts: distance_m, but 0 for a teleconsultation.
  double trip_m = 0;
  int32_t week_orientations = 0;  // The professional's, in the slot's week.
  int32_t weekly_cap = 0;         // 0: uncapped.
  double load = 0;                // In [0, 1].
  double score = 0;
};

struct SearchResult {
  std::vector<SearchHit> hits;
  int32_t initial_radius_m = 0;
  int32_t radius_m = 0;  // Finally searched.
  int32_t widening_steps = 0;
  EmptyReason empty_reason = EmptyReason::kNone;
  int64_t window_start_unix_s = 0;
  int64_t window_end_unix_s = 0;
  std::string origin_commune;      // The commune searched from or nearest.
  int64_t searched_at_unix_s = 0;  // The engine's time of the search.
};

struct SlotPage {
  std::vector<SlotView> slots;
  std::string next_page_token;  // Empty on the last page.
};

// What ListBookings lists: the bookings of one professional, or of one
// organisation, by appointment start then id.
struct BookingQuery {
  // The professional's bookings; empty to list by organisation.
  std::string professional_id;
  // The organisation that booked; empty for the caller's own. With a
  // professional_id, keeps only that organisation's bookings of them.
  std::string organisation;
  // Only appointments starting at or after this time.
  int64_t from_unix_s = 0;
  int32_t page_size = 0;  // 0: limits::kDefaultPageSize.
  std::string page_token;
};

struct BookingPage {
  std::vector<Booking> bookings;  // Booked and cancelled alike.
  std::string next_page_token;    // Empty on the last page.
};

struct TerritoryPage {
  std::vector<Territory> territories;
  std::string next_page_token;  // Empty on the last page.
};

// What a change feed follows (Engine::MayWatch): changes touching any of
// the territories (by the commune of a slot or a professional's practice),
// of the professions, of the professionals. An empty list or mask keeps
// everything; the three combine with AND. Territory changes pass only
// filters without professions or professionals.
struct WatchFilter {
  std::vector<std::string> territory_ids;
  ProfessionMask professions = 0;
  std::vector<std::string> professional_ids;
  // The waitlist's feed (WatchRequests): only waiting requests pass, and
  // only of the caller's organisation (administrators: of `organisation`,
  // or all when empty); the fields above do not apply. Otherwise requests
  // never pass.
  bool requests = false;
  std::string organisation;
};

struct EngineStats {
  size_t territories = 0;
  size_t professionals = 0;
  size_t slots = 0;
  size_t searchable_slots = 0;
  size_t active_holds = 0;
  size_t bookings = 0;
  size_t idempotency_records = 0;
};

// What a slot's places allow now, for the census of slots.
enum class SlotCensusState : uint8_t {
  kFree = 0,       // A regular place is free and the week is not capped.
  kFull = 1,       // Every regular place is held or booked.
  kCapped = 2,     // Free places, but the professional's week is at its cap.
  kWithdrawn = 3,  // Withdrawn by its feed, kept for its bookings.
};
inline constexpr int kSlotCensusStates = 4;

// Slots by profession (index: Profession value) and state.
struct SlotCensus {
  std::array<std::array<int64_t, kSlotCensusStates>, kProfessionCount> slots{};
};

}  // namespace creneau

#endif  // CRENEAU_ENGINE_ENGINE_TYPES_H_
