// ReferenceModel: the simplest possible implementation of the engine's
// rules, for model-based tests. Plain ordered maps, brute-force search over
// every slot, no index, no incremental counters beyond the obvious ones.
//
// It shares with the engine only the definitions that are the contract
// itself: the geometry (engine/geo.h), the commune table, the density radii
// and the field validators. Everything the engine optimises or decides (the
// S2 index, widening, bookkeeping of places, expiry order, idempotency, the
// balanced score, retention, the access rules: ownership, scope,
// visibility, organisations, per-caller limits) is written again here,
// slowly and plainly.
#ifndef CRENEAU_TESTS_REFERENCE_MODEL_H_
#define CRENEAU_TESTS_REFERENCE_MODEL_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"

namespace creneau::testing {

struct ReferenceHit {
  std::string slot_id;
  double distance_m = 0;
  MatchReason reason = MatchReason::kWithinRadius;
  bool overbooking_only = false;
  // The professional's orientations in the slot's week, and their cap.
  int32_t week_orientations = 0;
  int32_t weekly_cap = 0;
  bool operator==(const ReferenceHit&) const = default;
};

struct ReferenceSearch {
  std::vector<ReferenceHit> hits;
  int32_t initial_radius_m = 0;
  int32_t radius_m = 0;
  int32_t widening_steps = 0;
  EmptyReason empty_reason = EmptyReason::kNone;
  int64_t window_start_unix_s = 0;
  int64_t window_end_unix_s = 0;
  bool operator==(const ReferenceSearch&) const = default;
};

struct ReferenceSlot {
  Slot slot;
  int held_regular = 0, held_overbooking = 0;
  int booked_regular = 0, booked_overbooking = 0;
};

class ReferenceModel {
 public:
  ReferenceModel(std::shared_ptr<const CommuneTable> communes,
                 EngineOptions options)
      : communes_(std::move(communes)), options_(options) {}

  absl::StatusOr<BatchCounts> UpsertProfessionals(
      const Caller& caller, const RequestKey& key,
      const std::vector<Professional>& professionals, int64_t now);
  absl::StatusOr<BatchCounts> PublishSlots(const Caller& caller,
                                           const RequestKey& key,
                                           const std::vector<Slot>& slots,
                                           int64_t now);
  absl::StatusOr<BatchCounts> WithdrawSlots(const Caller& caller,
                                            const RequestKey& key,
                                            const std::vector<std::string>& ids,
                                            int64_t now);
  absl::StatusOr<Hold> HoldSlot(const Caller& caller, const RequestKey& key,
                                const HoldCommand& command, int64_t now);
  // The model's search, then HoldSlot on its first hit the caller may hold
  // (in scope, a regular place). `search` receives the search with only
  // the held hit, or none and its empty reason (kNoneHoldable when hits
  // were found but none could be held); a replay leaves it as it is.
  absl::StatusOr<std::optional<Hold>> MatchAndHold(
      const Caller& caller, const RequestKey& key,
      const MatchHoldCommand& command, int64_t now, ReferenceSearch* search);
  absl::StatusOr<Booking> ConfirmBooking(const Caller& caller,
                                         const RequestKey& key,
                                         const ConfirmCommand& command,
                                         int64_t now);
  absl::StatusOr<Hold> ReleaseHold(const Caller& caller, const RequestKey& key,
                                   const ReleaseCommand& command, int64_t now);
  absl::StatusOr<Booking> CancelBooking(const Caller& caller,
                                        const RequestKey& key,
                                        const CancelCommand& command,
                                        int64_t now);
  absl::StatusOr<BatchCounts> UpsertTerritory(const Caller& caller,
                                              const RequestKey& key,
                                              const Territory& territory,
                                              Engine::UpsertMode mode,
                                              int64_t now);
  absl::StatusOr<BatchCounts> TransferProfessionals(
      const Caller& caller, const RequestKey& key,
      const std::vector<std::string>& ids, const std::string& new_owner,
      int64_t now);
  // Recurring availability (reference_availability.cc), expanded minute
  // by minute in absolute time rather than session by session in local
  // time as the engine does.
  absl::StatusOr<BatchCounts> PublishAvailability(const Caller& caller,
                                                  const RequestKey& key,
                                                  const Availability& a,
                                                  int64_t now);
  // Returns the professionals whose horizon moved.
  int ExtendAvailability(int64_t now);
  const std::map<std::string, StoredAvailability>& availability() const {
    return availability_;
  }
  int ExpireHolds(int64_t now);
  // Reads with the access rules: NOT_FOUND for what the caller may not see.
  absl::StatusOr<Booking> GetBooking(const Caller& caller,
                                     const std::string& id) const;
  absl::StatusOr<Slot> GetSlot(const Caller& caller,
                               const std::string& id) const;
  // The change feed's rules without a filter (Engine::MayWatch): a slot
  // the caller may read in its scope, or any of a professional its
  // organisation manages; a booking it may read (reference_watch.cc).
  bool MayWatchSlot(const Caller& caller, const std::string& id) const;
  bool MayWatchBooking(const Caller& caller, const std::string& id) const;
  // Every booking the query names that the caller may read, by (start, id):
  // all pages of the engine's ListBookings at once (page fields ignored).
  absl::StatusOr<std::vector<Booking>> ListBookings(
      const Caller& caller, const BookingQuery& query) const;
  absl::StatusOr<ReferenceSearch> Search(const Caller& caller,
                                         const SearchQuery& query,
                                         int64_t now) const;

  // What has outlived its retention at `now`, by the model's own reading of
  // the retention rules: ended slots without holds, closed holds,
  // idempotency records, bookings after their appointment.
  struct Purgeable {
    std::set<std::string> slots, holds, bookings, requests;
    size_t size() const {
      return slots.size() + holds.size() + bookings.size() + requests.size();
    }
  };
  Purgeable PurgeableAt(int64_t now) const;
  // Checks what an engine Purge removed against PurgeableAt(now): every
  // record removed must be purgeable and, when the engine stopped short of
  // its per-pass budget (`exhaustive`), every purgeable record must have
  // been removed. Then removes them from the model. INTERNAL names the
  // first record in disagreement.
  absl::Status ApplyPurge(const Effects& purged, int64_t now, bool exhaustive);

  const std::map<std::string, ReferenceSlot>& slots() const { return slots_; }
  const std::map<std::string, Hold>& holds() const { return holds_; }
  const std::map<std::string, Booking>& bookings() const { return bookings_; }
  const std::map<std::string, Professional>& professionals() const {
    return professionals_;
  }
  const std::map<std::string, Territory>& territories() const {
    return territories_;
  }
  int64_t clock() const { return clock_; }

  // The weekly cap, read plainly: the Monday-based week of a start in the
  // professional's zone, the regular places held or booked per
  // (professional, week) over every slot, and whether a slot's week is at
  // its professional's cap.
  using WeekLoads = std::map<std::pair<std::string, int64_t>, int>;
  static int64_t WeekOf(const Professional& p, int64_t start_unix_s);
  WeekLoads Loads() const;
  bool Capped(const ReferenceSlot& s, const WeekLoads& loads) const;
  int CapOf(const Professional& p) const;
  int LoadOf(const ReferenceSlot& s, const WeekLoads& loads) const;

 private:
  int64_t Advance(int64_t now);
  absl::StatusOr<const IdempotencyRecord*> Replay(const Caller& caller,
                                                  const RequestKey& key,
                                                  Method method) const;
  void Remember(const Caller& caller, const RequestKey& key, Method method,
                Outcome outcome);
  LatLng LocationOf(const ReferenceSlot& s) const;
  // Searches show a slot by its visibility (and CPTS) only.
  bool SearchVisible(const Caller& caller, const ReferenceSlot& s) const;
  // Reads and holds also show every slot of the caller's own professionals.
  bool Sees(const Caller& caller, const ReferenceSlot& s) const;
  bool Manages(const Caller& caller, const std::string& professional) const;
  bool InScope(const Caller& caller, const LatLng& where,
               const std::string& commune_code) const;
  // Where the slot takes place (its own location, else its professional's)
  // lies in the caller's scope.
  bool SlotInScope(const Caller& caller, const ReferenceSlot& s) const;
  bool MayRead(const Caller& caller, const Booking& b) const;
  absl::Status CheckRecordLimit(const Caller& caller) const;
  bool FreeFor(const Caller& caller, const ReferenceSlot& s) const;
  absl::StatusOr<Hold*> ActiveHold(const Caller& caller,
                                   const std::string& slot_id,
                                   const std::string& token);

  std::shared_ptr<const CommuneTable> communes_;
  EngineOptions options_;
  int64_t clock_ = 0;
  std::map<std::string, Territory> territories_;
  std::map<std::string, Professional> professionals_;
  std::map<std::string, ReferenceSlot> slots_;
  std::map<std::string, Hold> holds_;
  std::map<std::string, Booking> bookings_;
  std::map<std::pair<std::string, std::string>, IdempotencyRecord> requests_;
  std::map<std::string, StoredAvailability> availability_;
  // The slots `a` generates in [from, until) for `p`; false when more than
  // limits::kMaxGeneratedSlotsPerProfessional.
  bool Generate(const Availability& a, const Professional& p, int64_t from,
                int64_t until, std::vector<Slot>* out) const;
  // Publishes generated slots as the engine keeps them in step: another
  // professional's id, or a taken slot that would change, is kept as is.
  void PutGenerated(const std::vector<Slot>& generated, BatchCounts* counts);
  // Puts `generated` and withdraws the professional's other free generated
  // slots still ahead, as a publication does.
  BatchCounts SyncGenerated(const std::string& professional_id,
                            const std::vector<Slot>& generated);
  // After a change of time zone: the stored availability expanded again in
  // the new zone up to its horizon, synced.
  void RegenerateAvailability(const std::string& professional_id);
};

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_REFERENCE_MODEL_H_
