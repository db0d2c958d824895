// Engine: the deterministic state machine of creneau.
//
// It holds professionals, slots, holds, bookings and idempotency records in
// memory, answers searches, and applies one command at a time. The same
// commands with the same `now` values always give the same answers and the
// same state: no clock, no randomness, no I/O. Time only moves forward: a
// `now` earlier than one already seen is read as the latest seen, so a clock
// stepping back never revives an expired hold.
//
// Every mutation:
// - first expires the holds due at `now` (their effects are appended to
//   `effects` even when the command then fails, and must be persisted);
// - then either fails with no other change, or succeeds and appends to
//   `effects` every record it changed and one event;
// - is idempotent under its RequestKey: the same caller sending the same
//   request id with the same payload fingerprint gets the first outcome back
//   (effects->replayed is set and nothing changes); with another payload or
//   another method, ALREADY_EXISTS.
// Errors name the offending field first ("slots[3].start_time: ...").
//
// Not thread-safe: callers serialise mutations and may run const methods
// concurrently with each other (not with mutations).
#ifndef CRENEAU_ENGINE_ENGINE_H_
#define CRENEAU_ENGINE_ENGINE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/commune_table.h"
#include "engine/effects.h"
#include "engine/engine_types.h"
#include "engine/internal/booking_key.h"
#include "engine/internal/tables.h"
#include "engine/internal/territories.h"
#include "engine/limits.h"
#include "engine/slot_index.h"
#include "engine/types.h"
#include "engine/waitlist.h"

namespace creneau {

class Engine {
 public:
  // `communes` is shared, read-only, for the engine's lifetime; it may be
  // null or empty (commune searches then fail with NOT_FOUND, and commune
  // codes of professionals are not checked against it).
  explicit Engine(std::shared_ptr<const CommuneTable> communes,
                  EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine();

  // ---- Feed mutations (all or none). ----
  //
  // Every mutation follows the contract at the top of this file: `effects`
  // (owned by the caller, appended to) receives what must be persisted even
  // when the command fails (expiries); errors are INVALID_ARGUMENT naming
  // the field, ALREADY_EXISTS for a request id reused with another payload,
  // or the command's own codes below.

  // Creates or replaces up to kMaxBatchSize professionals. A location or
  // profession change moves the professional's searchable slots with it.
  // INVALID_ARGUMENT for an empty or oversized batch, a duplicate id, or a
  // malformed field (an unknown commune code when the table has communes).
  absl::StatusOr<BatchCounts> UpsertProfessionals(
      const Caller& caller, const RequestKey& key,
      const std::vector<Professional>& professionals, absl::Time now,
      Effects* effects);
  // Creates or replaces up to kMaxBatchSize slots (see slot_service.proto for
  // what may change on a slot that has holds or bookings). FAILED_PRECONDITION
  // for an unknown professional or a forbidden change of a taken slot,
  // RESOURCE_EXHAUSTED past limits::kMaxSlotsPerProfessional.
  absl::StatusOr<BatchCounts> PublishSlots(const Caller& caller,
                                           const RequestKey& key,
                                           const std::vector<Slot>& slots,
                                           absl::Time now, Effects* effects);
  // Withdraws up to kMaxBatchSize slots; NOT_FOUND for an unknown id,
  // FAILED_PRECONDITION for a slot with active holds or bookings. Counts:
  // `created` the slots withdrawn, `unchanged` those already withdrawn.
  absl::StatusOr<BatchCounts> WithdrawSlots(
      const Caller& caller, const RequestKey& key,
      const std::vector<std::string>& slot_ids, absl::Time now,
      Effects* effects);

  // ---- Orientation mutations. ----

  // Holds one place for command.ttl_s: a regular one when free, else an
  // overbooking one if the caller may overbook. NOT_FOUND for an unknown
  // slot, PERMISSION_DENIED for one the caller may not see,
  // FAILED_PRECONDITION for a withdrawn, started or full slot,
  // RESOURCE_EXHAUSTED past limits::kMaxActiveHolds, ALREADY_EXISTS for a
  // token already used.
  absl::StatusOr<Hold> HoldSlot(const Caller& caller, const RequestKey& key,
                                const HoldCommand& command, absl::Time now,
                                Effects* effects);
  // Searches as Search does and holds a regular place of the best match
  // the caller may hold (in its scope; matches with only an overbooking
  // place are passed over), in one step: no command comes between the
  // ranking and the hold, so two callers never get the same place, nor a
  // refused hold for a place the search had offered. Returns the hold with
  // `result` (reused) trimmed to the held match, explained as ExplainHits
  // does before the hold; or nullopt with `result` empty and its
  // empty_reason (kNoneHoldable when matches were found but none the
  // caller may hold). The idempotency record is a HoldSlot's (its outcome
  // is a hold): a retry gets the first hold, `result` then holding that
  // slot's match from the query's origin while the slot exists and the
  // query's window has not passed (no match otherwise). An empty answer
  // changes nothing and is not remembered: a retry searches again.
  // Errors: as Search (the query) and HoldSlot (token, ttl, hold limits).
  absl::StatusOr<std::optional<Hold>> MatchAndHold(
      const Caller& caller, const RequestKey& key,
      const MatchHoldCommand& command, absl::Time now, SearchResult* result,
      Effects* effects);
  // Turns the caller's active hold into a booking. NOT_FOUND for an unknown
  // token, PERMISSION_DENIED for another caller's hold, FAILED_PRECONDITION
  // for a hold on another slot or no longer active (the message says since
  // when).
  absl::StatusOr<Booking> ConfirmBooking(const Caller& caller,
                                         const RequestKey& key,
                                         const ConfirmCommand& command,
                                         absl::Time now, Effects* effects);
  // Gives the caller's active hold back; errors as ConfirmBooking.
  absl::StatusOr<Hold> ReleaseHold(const Caller& caller, const RequestKey& key,
                                   const ReleaseCommand& command,
                                   absl::Time now, Effects* effects);
  // Cancels a booking; its place returns to the slot. NOT_FOUND for an
  // unknown booking, FAILED_PRECONDITION when already cancelled.
  absl::StatusOr<Booking> CancelBooking(const Caller& caller,
                                        const RequestKey& key,
                                        const CancelCommand& command,
                                        absl::Time now, Effects* effects);

  // ---- The waitlist (engine/waitlist.h, engine_waitlist.cc). ----

  // Puts a search that may find nothing on the waitlist of the caller's
  // organisation, and serves it at once when a place is free. When places
  // appear later, the oldest waiting request they could serve gets a hold
  // of command.hold_ttl_s on the best place its search offers (as
  // MatchAndHold), in the caller's name; the request is then kHeld and
  // the feed (WatchRequests) says so. A retry (same request id and
  // payload) gets the request back as it is now; another payload,
  // ALREADY_EXISTS. INVALID_ARGUMENT names the field (query as Search,
  // patient_ref, token and ttl as HoldSlot, expiry_s); NOT_FOUND for an
  // unknown commune; RESOURCE_EXHAUSTED beyond
  // limits::kMaxWaitingRequestsPerOrganisation or kMaxWaitingRequests.
  absl::StatusOr<WaitingRequest> EnqueueRequest(const Caller& caller,
                                                const RequestKey& key,
                                                const EnqueueCommand& command,
                                                absl::Time now,
                                                Effects* effects);
  // Cancels a waiting request of the caller's organisation (cancelling a
  // cancelled one answers it unchanged). NOT_FOUND for an unknown request
  // or another organisation's; FAILED_PRECONDITION once held (release the
  // hold instead) or expired.
  absl::StatusOr<WaitingRequest> CancelRequest(const Caller& caller,
                                               const RequestKey& key,
                                               absl::string_view request_id,
                                               absl::Time now,
                                               Effects* effects);
  // A request of the caller's organisation (administrators: any);
  // NOT_FOUND otherwise, as for an unknown id.
  absl::StatusOr<WaitingRequest> GetRequest(const Caller& caller,
                                            absl::string_view id) const;
  // As above for a trusted in-process reader (tests, tools): no rules.
  absl::StatusOr<WaitingRequest> GetRequest(absl::string_view id) const;
  // The requests of the caller's organisation (administrators: of all),
  // oldest first, waiting ones only unless `include_closed` (closed ones
  // are kept limits::kClosedRequestRetentionS). Paged as ListSlots.
  absl::StatusOr<RequestPage> ListRequests(const Caller& caller,
                                           bool include_closed,
                                           int32_t page_size,
                                           absl::string_view page_token) const;
  // How many requests wait, all organisations together.
  size_t waiting_requests() const { return waiting_.size(); }

  // ---- Administration (administrators only: PERMISSION_DENIED else). ----

  // Creates or replaces a territory, as `mode` allows (ALREADY_EXISTS or
  // NOT_FOUND otherwise). Its communes must be known to the commune table
  // (INVALID_ARGUMENT names the first unknown one); a national territory
  // lists none and covers every commune. RESOURCE_EXHAUSTED past
  // limits::kMaxTerritories. Counts: created or updated 1, or unchanged 1.
  enum class UpsertMode : uint8_t { kCreateOrReplace, kCreate, kReplace };
  absl::StatusOr<BatchCounts> UpsertTerritory(const Caller& caller,
                                              const RequestKey& key,
                                              const Territory& territory,
                                              UpsertMode mode, absl::Time now,
                                              Effects* effects);
  // Gives up to kMaxBatchSize professionals to organisation `new_owner`
  // (a practice changed agenda software): from then on that organisation
  // manages them, their slots and their bookings. NOT_FOUND for an unknown
  // professional. Counts: `updated` moved, `unchanged` already there.
  absl::StatusOr<BatchCounts> TransferProfessionals(
      const Caller& caller, const RequestKey& key,
      const std::vector<std::string>& professional_ids,
      const std::string& new_owner, absl::Time now, Effects* effects);

  // ---- Maintenance (system commands). ----

  // Replaces the recurring availability of a professional the caller
  // manages (engine/availability.h) and keeps its generated slots in step
  // over [now, now + options().availability_horizon_days): adds the new
  // ones, updates the changed ones and withdraws those no longer generated,
  // except that a slot with holds or bookings stays as it is (counted in
  // `kept`; see BatchCounts). INVALID_ARGUMENT as ValidateAvailability;
  // NOT_FOUND for an unknown professional or one of another organisation
  // (as if unknown); FAILED_PRECONDITION for a template or opening id that
  // another professional's availability uses; RESOURCE_EXHAUSTED past
  // limits::kMaxGeneratedSlotsPerProfessional or kMaxSlotsPerProfessional.
  absl::StatusOr<BatchCounts> PublishAvailability(
      const Caller& caller, const RequestKey& key,
      const Availability& availability, absl::Time now, Effects* effects);
  // The availability last published for a professional the caller manages;
  // NOT_FOUND for an unknown professional, one of another organisation, or
  // one without availability.
  absl::StatusOr<StoredAvailability> GetAvailability(
      const Caller& caller, absl::string_view professional_id) const;
  // Extends the generated slots of professionals whose horizon ends before
  // now + the horizon, at most limits::kMaxAvailabilityExtensionsPerPass
  // of them and fewer once its event lists
  // limits::kMaxAvailabilityExtensionSubjects (the next pass goes on);
  // returns how many it extended (0: none is due). Slots whose id is taken
  // (by an earlier publication) are left as they are.
  int ExtendAvailability(absl::Time now, Effects* effects);
  // Expires every active hold due at `now`, each exactly once, appending
  // their effects. Returns how many expired.
  int ExpireHolds(absl::Time now, Effects* effects);
  // When the next active hold or waiting request expires; nullopt when
  // none is active or waiting.
  std::optional<int64_t> NextHoldExpiryUnixS() const;
  // Removes, at most limits::kMaxPurgedPerPass at a time, what outlived its
  // retention: ended slots, closed holds, idempotency records, old
  // bookings. Returns how many records went.
  int Purge(absl::Time now, Effects* effects);

  // ---- Reads. ----

  // Fills `result` (reusing its storage) with the best matches for `caller`.
  // INVALID_ARGUMENT names the field; NOT_FOUND for an unknown commune. The
  // hits' SlotNo values are valid until the engine is next mutated.
  // Sets the score components of every hit of `result`, which Search made
  // and the engine has not changed since (call under the same lock). Apart
  // from Search, so that callers that do not show them (in-process
  // matching, benchmarks) do not pay the cache misses of reading each
  // match's professional and week.
  void ExplainHits(SearchResult* result) const;
  absl::Status Search(const Caller& caller, const SearchQuery& query,
                      absl::Time now, SearchResult* result) const;
  // A hit's slot; `no` must come from a search on the unchanged engine.
  SlotView ViewSlot(SlotNo no) const;
  // As above into `out`, reusing its strings' capacity (no allocation once
  // warm), for answers that list many slots.
  void ViewSlot(SlotNo no, SlotView* out) const;
  // The professional offering slot `no`; its strings view the engine's
  // tables (valid until the engine is next mutated).
  ProfessionalView ProfessionalOfSlot(SlotNo no) const;
  // A hint that the hits of `result` are about to be read (ViewSlot,
  // ProfessionalOfSlot): starts loading their slot records, then their ids
  // and practices, so that those cache misses overlap instead of coming one
  // hit after another. Changes nothing.
  void PrefetchHits(const SearchResult& result) const;

  // A copy of a slot and its places, as `caller` may see it: NOT_FOUND, the
  // same as for an unknown id, when it may not (see VisibleTo).
  absl::StatusOr<SlotView> GetSlot(const Caller& caller,
                                   absl::string_view slot_id) const;
  // As above for a trusted in-process reader (tests, tools): no rules.
  absl::StatusOr<SlotView> GetSlot(absl::string_view slot_id) const;
  // The slots of a professional that `caller` may see, by (start, id), at
  // most page_size (0: limits::kDefaultPageSize; at most
  // limits::kMaxPageSize), after the position `page_token` names.
  // NOT_FOUND for an unknown professional, INVALID_ARGUMENT for a bad page
  // size or token.
  absl::StatusOr<SlotPage> ListSlots(const Caller& caller,
                                     absl::string_view professional_id,
                                     int32_t page_size,
                                     absl::string_view page_token,
                                     bool include_withdrawn) const;
  // A copy of a booking `caller` may read: its own organisation's, one of a
  // professional its organisation manages, or any for an administrator;
  // NOT_FOUND, the same as for an unknown id, otherwise.
  absl::StatusOr<Booking> GetBooking(const Caller& caller,
                                     absl::string_view booking_id) const;
  // As above for a trusted in-process reader (tests, tools): no rules.
  absl::StatusOr<Booking> GetBooking(absl::string_view booking_id) const;
  // The bookings `query` names that `caller` may read (as GetBooking), at
  // most page_size (1 to limits::kMaxPageSize). By professional: NOT_FOUND
  // for an unknown one; a regulator sees its organisation's bookings of
  // them, their managing feed all of them. By organisation: NOT_FOUND for
  // another organisation than the caller's (administrators: any). One page
  // reads at most limits::kMaxBookingsScannedPerPage index entries, so a
  // page may hold fewer than page_size with a next_page_token to go on.
  // INVALID_ARGUMENT for a bad page size or token.
  absl::StatusOr<BookingPage> ListBookings(const Caller& caller,
                                           const BookingQuery& query) const;
  // A copy of a territory; NOT_FOUND for an unknown id.
  absl::StatusOr<Territory> GetTerritory(absl::string_view id) const;
  // Territories by id, at most page_size (0: limits::kDefaultPageSize), after
  // `page_token` (the last id of the previous page). INVALID_ARGUMENT for a
  // bad page size.
  absl::StatusOr<TerritoryPage> ListTerritories(
      int32_t page_size, absl::string_view page_token) const;
  // ---- The change feed (engine_watch.cc). ----

  // Whether a change feed of `caller` with `filter` sends `state`. The
  // access rules of reads, with the professional's current owner and
  // CPTS: a slot it may see (GetSlot) in its scope or of a professional
  // its organisation manages; a professional in its scope or managed; a
  // booking it may read (GetBooking); a territory in its scope. A removed
  // object (monostate) goes to administrators only, since nothing is left
  // to check the rules against.
  bool MayWatch(const Caller& caller, const WatchFilter& filter,
                const SubjectState& state) const;
  // Appends to `out` the current state of every object `caller` may watch
  // with `filter`: territories, professionals, their slots (withdrawn ones
  // included), bookings (ForChangeFeed). RESOURCE_EXHAUSTED, naming the
  // filter, when there are more than `max_objects` (`out` is then
  // incomplete). Reads every professional: for a feed's start, not a
  // call's path.
  absl::Status WatchSnapshot(const Caller& caller, const WatchFilter& filter,
                             size_t max_objects,
                             std::vector<SubjectState>* out) const;

  // Whether `caller` may hold slot `no` (from a search on the unchanged
  // engine): the slot's commune lies in its scope.
  bool InScope(const Caller& caller, SlotNo no) const;
  // A professional by id, as ProfessionalOfSlot; nullopt when unknown.
  std::optional<ProfessionalView> FindProfessional(absl::string_view id) const;
  // The hold of a token, active or closed (closed ones are kept
  // limits::kClosedHoldRetentionS); nullptr when unknown. The pointer is
  // the engine's, valid until the engine is next mutated.
  const Hold* FindHold(absl::string_view token) const;
  // The commune table given at construction (never null).
  const CommuneTable& communes() const { return *communes_; }
  const EngineOptions& options() const { return options_; }
  // Counts of what the engine holds.
  EngineStats stats() const;
  // Every slot by profession and state: one pass over the whole slot table
  // (millions of records nationally), for metrics scraped every few
  // seconds, not for a call's path.
  SlotCensus CountSlots() const;
  // The latest `now` seen.
  int64_t clock_unix_s() const { return clock_unix_s_; }

  // ---- Start-up: storage replays persisted records, then Finish. ----
  //
  // On a fresh engine only, in this order: BeginRestore (optional), every
  // territory, then professionals, then slots, then holds, then bookings, then
  // idempotency records (Restore*, each Prefetch* optional and changing
  // nothing), then FinishRestore once. Each Restore* refuses (DATA_LOSS, naming
  // the record) what a command could never have produced: a malformed or
  // duplicate record, a slot of an unknown professional, an active hold or
  // booking beyond its slot's places. No mutation or search before
  // FinishRestore.

  // Optional, before the first Restore* call: reserves room for about
  // `expected_slots` slots (capped at limits::kMaxReservedSlots) and defers
  // indexing to FinishRestore, which builds the index in one sort per
  // partition instead of one insertion per slot.
  void BeginRestore(size_t expected_slots);
  // Adds a stored professional.
  absl::Status RestoreProfessional(const Professional& professional);
  // As PrefetchSlot, for RestoreProfessional.
  void PrefetchProfessional(const Professional& professional) const;
  // Adds a stored slot (its places start empty: holds and bookings fill
  // them).
  absl::Status RestoreSlot(const Slot& slot);
  // A hint that RestoreSlot(slot) comes soon: starts loading the hash table
  // memory it will read, so that a caller restoring a batch overlaps those
  // cache misses. Changes nothing.
  void PrefetchSlot(const Slot& slot) const;
  // Adds a stored hold; an active one takes its place on its slot.
  absl::Status RestoreHold(const Hold& hold);
  // As PrefetchSlot, for RestoreHold and RestoreBooking.
  void PrefetchHold(const Hold& hold) const;
  // Adds a stored booking; a booked one takes its place on its slot when
  // the slot is still there.
  absl::Status RestoreBooking(const Booking& booking);
  void PrefetchBooking(const Booking& booking) const;
  // Adds a stored idempotency record.
  absl::Status RestoreIdempotency(const IdempotencyRecord& record);
  // Adds a stored availability (after the slots).
  absl::Status RestoreAvailability(const StoredAvailability& stored);
  // Adds a stored waiting request (after the holds).
  absl::Status RestoreRequest(const WaitingRequest& request);
  // Adds a stored territory (before the professionals).
  absl::Status RestoreTerritory(const Territory& territory);
  // Ends the restore: sets the clock high-water mark (the engine's clock is
  // then at least `clock_unix_s`), builds the index when BeginRestore
  // deferred it, and checks that the index holds exactly the searchable
  // slots (INTERNAL otherwise). The per-record invariants were checked by
  // the Restore* calls.
  absl::Status FinishRestore(int64_t clock_unix_s);

 private:
  // The one path of every mutating command (engine/internal/mutation.h):
  // advances the clock to `now`, expires the holds due, answers a retry
  // from its idempotency record (ALREADY_EXISTS for another payload or
  // method), and otherwise runs `apply` at the advanced time, remembering a
  // successful answer under (caller, key). T is BatchCounts, Hold or
  // Booking.
  template <typename T>
  absl::StatusOr<T> Mutation(
      const Caller& caller, const RequestKey& key, Method method,
      absl::Time now, Effects* effects,
      absl::FunctionRef<absl::StatusOr<T>(int64_t now_s)> apply);
  int64_t Advance(absl::Time now);
  // Looks up the idempotency record of (caller, key). Returns nullptr when
  // the request is new; ALREADY_EXISTS when the id was used differently.
  absl::StatusOr<const IdempotencyRecord*> Replay(const Caller& caller,
                                                  const RequestKey& key,
                                                  Method method) const;
  void Remember(const Caller& caller, const RequestKey& key, Method method,
                Outcome outcome, Effects* effects);
  Event MakeEvent(EventType type, const Caller& caller, const RequestKey& key);

  // Creates or replaces a validated slot of a known professional, counting
  // it and adding it to `event` and `effects` (PublishSlots,
  // PublishAvailability).
  void PutSlot(const Slot& slot, BatchCounts* counts, Event* event,
               Effects* effects);
  // Withdraws a free slot, adding it to `event` and `effects`.
  void PutWithdrawn(SlotNo no, Event* event, Effects* effects);
  // Availability (engine_availability.cc): checks that the ids of
  // `availability` are free or already the professional's.
  absl::Status CheckSessionIds(internal::ProfNo prof,
                               const Availability& availability) const;
  // True when the professional's slots plus those of `generated` not yet
  // stored stay within limits::kMaxSlotsPerProfessional.
  bool FitsSlotLimit(internal::ProfNo prof,
                     const std::vector<Slot>& generated) const;
  // Publishes `generated` (free or absent slots, and unchanged taken ones)
  // and, with `withdraw`, withdraws the professional's generated slots
  // starting in [from_s, until_s) that `generated` leaves out.
  BatchCounts SyncGenerated(internal::ProfNo prof,
                            const std::vector<Slot>& generated, int64_t from_s,
                            int64_t until_s, bool withdraw, Event* event,
                            Effects* effects);
  // After a change of the professional's time zone: expands their stored
  // availability again in the new zone from `now_s` to their horizon (the
  // same local times, so the same ids, at new instants) and syncs it as a
  // publication does; taken slots keep their instant. Nothing without an
  // availability, or when the expansion or the professional's slots would
  // exceed a limit (then the agenda stays as it was until the feed
  // publishes again).
  void RegenerateAvailability(internal::ProfNo prof, int64_t now_s,
                              Event* event, Effects* effects);
  // Slot bookkeeping shared by the commands.
  Slot SlotOf(SlotNo no) const;
  // As SlotOf into `slot`, reusing its strings' capacity.
  void FillSlot(SlotNo no, Slot* slot) const;
  IndexEntry EntryOf(SlotNo no) const;
  // The leaf cell of a slot's effective location.
  uint64_t CellOf(SlotNo no) const;
  void Unindex(SlotNo no);
  void Reindex(SlotNo no);
  // Moves places of a slot between free, held and booked (deltas of the
  // four counters), updating the index only when its entry changes.
  void ChangePlaces(SlotNo no, bool overbooking, int held_delta,
                    int booked_delta);
  // Whether a hold may take a regular place of slot `no` (free, and its
  // professional under the weekly cap), or an overbooking place
  // (explicitly asked, by a caller that may overbook); FAILED_PRECONDITION
  // or PERMISSION_DENIED saying why not.
  absl::Status CheckRegularPlace(SlotNo no) const;
  absl::Status CheckOverbookingPlace(const Caller& caller, SlotNo no) const;
  // The checks and the hold of HoldSlot from the slot found on (the token
  // and ttl already valid).
  absl::StatusOr<Hold> TakeHold(const Caller& caller, const RequestKey& key,
                                SlotNo no, const HoldCommand& command,
                                int64_t now_s, Effects* effects);
  // MatchAndHold's answer to a retry: the held slot as a match of `query`,
  // or no match when the query's window has passed or the slot is gone.
  void MatchOfHeld(const Caller& caller, const SearchQuery& query,
                   const Hold& hold, SearchResult* result) const;
  // Finds the caller's active hold on `slot_id`, or says why not.
  absl::StatusOr<Hold*> ActiveHoldFor(const Caller& caller,
                                      absl::string_view slot_id,
                                      absl::string_view token);
  absl::Status CheckProfessionalChange(const Caller& caller,
                                       const Professional& professional,
                                       const std::string& path) const;
  absl::Status CheckSlotOwnership(const Caller& caller, const Slot& slot,
                                  const std::string& path) const;
  // Access rules. A caller sees a slot when it is an administrator, when
  // its organisation manages the slot's professional, when the slot's
  // visibility is in its mask, or for a kCptsMembers slot of its own CPTS.
  bool VisibleTo(const Caller& caller, SlotNo no) const;
  // A caller may read and cancel a booking of its own organisation, or of a
  // professional its organisation manages (administrators: all).
  bool MayReadBooking(const Caller& caller, const Booking& booking) const;
  // A caller manages a professional its organisation owns.
  bool Manages(const Caller& caller, internal::ProfNo prof) const;
  // The change feed's rules per kind of state (engine_watch.cc).
  bool MayWatchSlot(const Caller& caller, const WatchFilter& filter,
                    const SlotView& view) const;
  bool MayWatchProfessional(const Caller& caller, const WatchFilter& filter,
                            const Professional& professional) const;
  bool MayWatchBooking(const Caller& caller, const WatchFilter& filter,
                       const Booking& booking) const;
  bool MayWatchTerritory(const Caller& caller, const WatchFilter& filter,
                         const Territory& territory) const;
  bool MayWatchRequest(const Caller& caller, const WatchFilter& filter,
                       const WaitingRequest& request) const;
  // Whether the commune at `commune_index` (of a professional `prof`,
  // kNoProfessional for none, of `profession`) passes the filter.
  bool PassesFilter(const WatchFilter& filter, uint32_t commune_index,
                    Profession profession,
                    absl::string_view professional_id) const;
  // Whether the commune at `commune_index` lies in the caller's scope.
  bool InScopeCommune(const Caller& caller, uint32_t commune_index) const;
  // The commune table index of a commune code, or of the commune nearest to
  // `location` when the code is empty; internal::kNoCommune when unknown.
  uint32_t CommuneIndexOf(absl::string_view commune_code,
                          const LatLng& location) const;
  // The commune a slot takes place in (its own location's, or its
  // practice's).
  uint32_t CommuneOfSlot(SlotNo no) const;
  void CloseHold(Hold& hold, HoldState state, int64_t now_s, Effects* effects);

  // The weekly cap (engine_cap.cc). A week is numbered from the Monday
  // 1970-01-05, in the professional's time zone.
  int32_t WeekOf(internal::ProfNo prof, int64_t start_unix_s) const;
  // The Monday 00:00 (local) that starts `week`, as Unix seconds.
  int64_t WeekStartUnixS(internal::ProfNo prof, int32_t week) const;
  // The professional's cap, or the engine's default; 0 for none.
  int32_t CapOf(internal::ProfNo prof) const;
  // True when the professional has a cap and `load` reaches it.
  bool AtCap(internal::ProfNo prof, int32_t load) const;
  // Regular places held or booked on the professional's slots of `week`.
  int32_t WeekLoad(internal::ProfNo prof, int32_t week) const;
  // The balanced order's load of a slot's professional in its week, in
  // [0, 1] (RankingWeights).
  double LoadOfSlot(SlotNo no) const;
  // `orientations` over `cap` (over limits::kLoadReferenceOrientations when
  // 0), at most 1.
  static double LoadFraction(int32_t orientations, int32_t cap);
  // Loads the time zone of a professional just added or replaced, once per
  // distinct zone (searches read zones_ under the shared lock).
  void NoteTimeZone(internal::ProfNo prof);
  // Changes a week's load, nothing else.
  void AddWeekLoad(internal::ProfNo prof, int32_t week, int delta);
  // Changes a week's load and, when it crosses the cap, the week_capped
  // flag (and index entries) of every slot of that week.
  void AdjustWeekLoad(internal::ProfNo prof, int32_t week, int delta);
  // Sets the flag of every slot of the professional's `week`.
  void SetWeekCapped(internal::ProfNo prof, int32_t week, bool capped);
  // Sets one slot's week_capped flag, taking it out of the index or
  // putting it back.
  void SetSlotCapped(SlotNo no, bool capped);
  // Sets one slot's week_capped flag from its week's load, keeping the
  // index in step.
  void SyncSlotCap(SlotNo no);
  // Adds (sign +1) or removes (-1) a slot's places to its week's load.
  void CountSlotLoad(SlotNo no, int sign);
  void ExpireDue(int64_t now_s, Effects* effects);

  // The waitlist (engine_waitlist.cc). Notes that slot `no` may have a
  // place for waiting requests (a place freed, a slot added or changed, a
  // week uncapped); nothing when none waits.
  void NoteFreed(SlotNo no);
  // Notes that what callers may reach changed (a territory): every waiting
  // request is tried at the next ServeWaitlist.
  void NoteAccessChanged() { retry_all_ = !waiting_.empty(); }
  // Serves the waiting requests, oldest first, that the places noted since
  // the last call could serve, those of callers whose holds closed (their
  // limit of active holds may have stopped them), or all after
  // NoteAccessChanged; then forgets the notes. Every command ends with it
  // (never in the middle, so the waitlist's holds come after the
  // command's changes).
  void ServeWaitlist(int64_t now_s, Effects* effects);
  // Searches for one waiting request and holds its best place; false when
  // its search offers none it may hold.
  bool TryServe(WaitingRequest& request, int64_t now_s, Effects* effects);
  // Moves a waiting request to `state` (not kWaiting), out of the queues.
  void CloseRequest(WaitingRequest& request, RequestState state, int64_t now_s,
                    Effects* effects);
  // Expires the waiting requests due at `now_s` (ExpireDue).
  void ExpireRequestsDue(int64_t now_s, Effects* effects);
  // Purges closed requests past their retention, at most `budget`;
  // returns how many.
  int PurgeRequests(int64_t now_s, int budget, Event* event, Effects* effects);
  bool MayReadRequest(const Caller& caller,
                      const WaitingRequest& request) const;
  // "bk-" and the last limits::kBookingIdHexDigits digits of the token.
  static std::string BookingIdOf(absl::string_view hold_token);
  // Stores a new booking (its id unused) with its index entries, or
  // removes one; engine_bookings.cc.
  void AddBooking(const Booking& booking);
  void EraseBooking(const std::string& id);
  // Appends to `page` the bookings of keys [it, end) that `query` keeps and
  // `caller` may read, up to `page_size`, setting its next_page_token when
  // more remain or limits::kMaxBookingsScannedPerPage were read.
  template <typename KeyIterator>
  void FillBookingPage(const Caller& caller, const BookingQuery& query,
                       int32_t page_size, KeyIterator it, KeyIterator end,
                       BookingPage* page) const;

  // Search steps.
  absl::Status PrepareSearch(const Caller& caller, const SearchQuery& query,
                             int64_t now_s, IndexQuery* index_query,
                             SearchResult* result, int32_t* cap_m) const;
  void FindPreferred(const SearchQuery& query, const IndexQuery& index_query,
                     SearchResult* result) const;
  EmptyReason Diagnose(const IndexQuery& query) const;

  std::shared_ptr<const CommuneTable> communes_;
  EngineOptions options_;
  int64_t clock_unix_s_ = 0;

  internal::TerritoryTable territories_;
  internal::ProfessionalTable professionals_;
  internal::SlotTable slots_;
  SlotIndex index_;
  absl::flat_hash_map<std::string, Hold> holds_;  // By token.
  // Per-caller counts behind EngineOptions' limits.
  absl::flat_hash_map<std::string, int> active_holds_by_caller_;
  absl::flat_hash_map<std::string, int> requests_by_caller_;
  absl::btree_set<std::pair<int64_t, std::string>> active_by_expiry_;
  std::deque<std::pair<int64_t, std::string>> closed_holds_;  // By close.
  absl::btree_map<std::string, Booking> bookings_;            // By id.
  // (start, id) of every booking per professional and per organisation,
  // for ListBookings (engine_bookings.cc). A professional has few bookings:
  // a sorted vector each; an organisation may have most of them: a tree.
  absl::flat_hash_map<std::string, std::vector<internal::BookingKey>>
      bookings_by_professional_;
  absl::flat_hash_map<std::string, absl::btree_set<internal::BookingKey>>
      bookings_by_organisation_;
  // (end of the appointment, id) of every booking, for retention.
  absl::btree_set<internal::BookingKey> bookings_by_end_;
  // A node map: records are large (an outcome holds a whole hold or
  // booking), so growing the table moves pointers, not records.
  absl::node_hash_map<std::string, IdempotencyRecord> idempotency_;
  std::deque<std::pair<int64_t, std::string>> idempotency_by_age_;
  // Regular places held or booked per (professional << 32 | week); no
  // entry for 0 (engine_cap.cc).
  absl::flat_hash_map<uint64_t, int32_t> week_load_;
  // Time zones by interned number (ProfessionalRecord::time_zone).
  std::vector<absl::TimeZone> zones_;
  std::vector<bool> zone_loaded_;
  // Recurring availability by professional id, and the professional of
  // every template and opening id (they name generated slots, one
  // namespace).
  absl::btree_map<std::string, StoredAvailability> availability_;
  absl::flat_hash_map<std::string, std::string> session_owner_;
  SlotNo purge_cursor_ = 0;
  // The waitlist: every request kept, by id and by order, and counted per
  // organisation; the waiting ones by order (the queue), by expiry and
  // counted per organisation; the closed ones by close time (for
  // retention); the enqueue of each by IdempotencyKey(caller, request id),
  // for retries.
  absl::btree_map<std::string, WaitingRequest> requests_;
  absl::btree_map<uint64_t, std::string> requests_by_order_;
  absl::btree_map<uint64_t, std::string> waiting_;
  absl::btree_set<std::pair<int64_t, std::string>> waiting_by_expiry_;
  absl::flat_hash_map<std::string, int> waiting_by_organisation_;
  absl::flat_hash_map<std::string, int> kept_by_organisation_;
  std::deque<std::pair<int64_t, std::string>> closed_requests_;
  absl::flat_hash_map<std::string, std::string> request_keys_;
  uint64_t next_request_order_ = 1;
  // What NoteFreed noted since the last ServeWaitlist: the professions and
  // the span of starts of the slots that may have a place.
  ProfessionMask freed_professions_ = 0;
  absl::flat_hash_set<std::string> retry_callers_;
  bool retry_all_ = false;
  int64_t freed_min_start_s_ = 0;
  int64_t freed_max_start_s_ = 0;
  // Between BeginRestore and FinishRestore: the index is built at the end.
  bool index_deferred_ = false;
};

}  // namespace creneau

#endif  // CRENEAU_ENGINE_ENGINE_H_
