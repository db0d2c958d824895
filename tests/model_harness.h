// ModelHarness: one seeded run of random commands against the engine and the
// reference model, comparing every answer. Shared by the model test and, in
// time, the deterministic simulator.
#ifndef CRENEAU_TESTS_MODEL_HARNESS_H_
#define CRENEAU_TESTS_MODEL_HARNESS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/testing/fixtures.h"
#include "tests/reference_model.h"

namespace creneau::testing {

struct ModelStats {
  uint64_t searches = 0, non_empty_searches = 0, holds = 0, bookings = 0;
  uint64_t expiries = 0, replays = 0, purged = 0, errors = 0;
  // Refusals of the access rules, compared on both sides.
  uint64_t not_found = 0, permission_denied = 0, resource_exhausted = 0;
  uint64_t reads = 0, territory_changes = 0, transfers = 0;
  // Holds refused by the weekly cap, and overbooking places taken on
  // request.
  uint64_t cap_refusals = 0, overbooking_holds = 0;
  // ListBookings compared (all pages), and the bookings they listed.
  uint64_t booking_lists = 0, bookings_listed = 0;
  // Searches of several professions that found a slot of an added one, and
  // balanced searches that ranked a professional with orientations that
  // week (the load term at work).
  uint64_t mixed_profession_searches = 0, loaded_balanced_searches = 0;
  // Availability publications applied, the generated slots they withdrew or
  // kept (held or booked), and horizon extensions that moved.
  uint64_t availability_publications = 0, generated_withdrawn = 0;
  uint64_t generated_kept = 0, availability_extensions = 0;
  // Teleconsultations matched beyond the radius searched.
  uint64_t remote_beyond_radius = 0;
  // Professionals with an agenda whose time zone changed (their generated
  // slots expanded again in the new zone).
  uint64_t agendas_moved_zone = 0;
  // MatchAndHold: places held, empty answers, and of those the ones that
  // found matches the caller could not hold.
  uint64_t matched_holds = 0;
  uint64_t empty_matches = 0;
  uint64_t unholdable_matches = 0;
  // Change-feed rules compared: objects the caller's feed would send, and
  // objects it would not.
  uint64_t watch_sent = 0, watch_hidden = 0;
  // The waitlist: requests enqueued, places held for them (each accepted
  // by the reference), cancelled, expired; and waiting requests checked to
  // have no place they could hold.
  uint64_t waitlist_enqueued = 0, waitlist_held = 0, waitlist_cancelled = 0;
  uint64_t waitlist_expired = 0, waitlist_checked = 0;
};

// A hold in a disagreement's message.
std::string Show(const Hold& hold);

// The engine options of the harness's engines: small per-caller limits, so
// that runs reach them.
EngineOptions HarnessOptions();

class ModelHarness {
 public:
  explicit ModelHarness(uint64_t seed);

  // Runs `ops` random commands; stops at the first disagreement.
  ModelStats Run(uint64_t ops);
  // Empty when engine and model agreed on everything.
  const std::string& failure() const { return failure_; }

 private:
  // A mutation as sent, kept so that it can be retried.
  struct Request {
    Method method;
    int caller;
    RequestKey key;
    std::vector<Professional> professionals;
    std::vector<Slot> slots;
    std::vector<std::string> ids;
    HoldCommand hold;
    ConfirmCommand confirm;
    ReleaseCommand release;
    CancelCommand cancel;
    Territory territory;
    Engine::UpsertMode mode = Engine::UpsertMode::kCreateOrReplace;
    std::string new_owner;  // TransferProfessionals.
    Availability availability;
    // A HoldSlot request when false, MatchAndHold (recorded as a hold)
    // when true.
    bool match = false;
    MatchHoldCommand match_hold;
  };

  void Step();
  void Send(Request request);
  // Searches and match-and-hold (model_harness_search.cc).
  void Search();
  SearchQuery RandomQuery();
  // The engine's result as the model gives it (call before the next
  // mutation).
  ReferenceSearch ReferenceOf(const SearchResult& result) const;
  void MatchAndHold();
  // Sends a MatchAndHold request to both sides: returns the engine's
  // status or whether it held a place, with *got and *want set when the
  // two differ.
  absl::StatusOr<bool> SendMatch(const Request& request, Effects* effects,
                                 std::string* got, std::string* want);
  // Reads a random booking and slot as a random caller on both sides: the
  // same answer, or NOT_FOUND on both for what the caller may not see.
  void CompareReads();
  // ListBookings as `caller`, every page, against the model's whole list.
  void CompareBookingLists(const Caller& caller);
  // Whether the engine's change feed would send a random slot and booking
  // to `caller` as the reference's rules say (model_harness_watch.cc).
  void CompareWatchRules(const Caller& caller);
  void CountRefusal(absl::StatusCode code);
  // The waitlist (model_harness_waitlist.cc): enqueues or cancels a
  // request; replays on the reference the holds the engine took for
  // waiting requests (from Persist); checks that no waiting request has a
  // place it could hold.
  void Waitlist();
  void ApplyWaitlistHolds(const Effects& effects);
  void CheckWaitlist();
  void ChangeTerritory();
  void Transfer();
  // The caller that manages a professional (its owner's feed, else the
  // administrator).
  int OwnerCaller(const std::string& professional_id) const;
  void CheckState();
  void CheckRestore();
  // Restores the persisted records into a new engine, record by record or
  // in bulk (BeginRestore, as the store does), and compares it with the
  // running engine.
  void CheckRestoreInto(bool bulk);
  // The same searches on `restored` and on the running engine answer alike.
  void CompareSearches(const Engine& restored);
  void Fail(const std::string& what);

  Request NewRequest(Method method, int caller);
  Slot RandomSlot();
  // Templates and exceptions around the harness's clock, now and then
  // invalid or naming another professional's template id.
  Availability RandomAvailability(const std::string& professional_id);
  SlotShape RandomShape();
  // ExtendAvailability on both sides, compared.
  void Extend();
  std::string RandomSlotId();
  std::string NewToken();
  std::string RandomProfessionalId();
  void Setup();

  std::mt19937_64 rng_;
  std::shared_ptr<const CommuneTable> communes_;
  std::vector<const Commune*> territory_;
  Engine engine_;
  ReferenceModel model_;
  std::vector<Caller> callers_;
  std::vector<Professional> professionals_;
  int64_t now_ = 0;
  uint64_t next_request_ = 0, next_token_ = 0;
  std::vector<Request> sent_;  // For retries.
  struct SentHold {
    std::string token, slot_id;
    int caller;
  };
  std::vector<SentHold> holds_;
  std::vector<std::string> bookings_;
  std::vector<std::string> waiting_ids_;  // Requests enqueued.
  std::vector<std::string> last_found_;   // Slot ids the last search returned.
  ModelStats stats_;
  std::string failure_;
  // Everything the engine asked to persist, applied like storage would.
  std::map<std::string, Territory> stored_territories_;
  std::map<std::string, Professional> stored_professionals_;
  std::map<std::string, Slot> stored_slots_;
  std::map<std::string, Hold> stored_holds_;
  std::map<std::string, Booking> stored_bookings_;
  std::map<std::string, IdempotencyRecord> stored_requests_;
  std::map<std::string, StoredAvailability> stored_availability_;
  std::map<std::string, WaitingRequest> stored_waiting_;
  int64_t stored_clock_ = 0;
  void Persist(const Effects& effects);
};

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_MODEL_HARNESS_H_
