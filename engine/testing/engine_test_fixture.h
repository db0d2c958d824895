// The fixture of the engine's command tests (engine_test.cc,
// engine_restore_test.cc): a three-commune table, three GPs, a regulator, a
// feed and a reader, helpers that send commands at the test's clock, and a
// sink that persists effects the way storage does.
#ifndef CRENEAU_ENGINE_TESTING_ENGINE_TEST_FIXTURE_H_
#define CRENEAU_ENGINE_TESTING_ENGINE_TEST_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/engine.h"
#include "gtest/gtest.h"

namespace creneau::testing {

inline constexpr int64_t kT0 = 1'900'000'000;  // 2030-03-17T17:46:40Z.

inline constexpr char kCommunes[] =
    "insee,name,departement,lat,lng,area_km2,population,epci_siren,epci_name\n"
    "17306,Royan,17,45.6248,-1.0281,19.3,18419,241700624,CA Royan Atlantique\n"
    "17333,Saint-Georges-de-Didonne,17,45.6031,-0.9969,26.1,5466,241700624,"
    "CA Royan Atlantique\n"
    "17300,La Rochelle,17,46.1591,-1.1520,28.4,77205,241700434,CA La "
    "Rochelle\n";

inline absl::Time At(int64_t unix_s) { return absl::FromUnixSeconds(unix_s); }

inline std::string Token(int n) { return absl::StrFormat("%032x", n); }

// Persists effects the way storage does (puts and deletes by key), so that a
// restored engine can be compared with the live one.
struct EffectsSink {
  std::map<std::string, Professional> professionals;
  std::map<std::string, Slot> slots;
  std::map<std::string, Hold> holds;
  std::map<std::string, Booking> bookings;
  std::map<std::string, IdempotencyRecord> idempotency;
  std::map<std::string, WaitingRequest> requests;
  int64_t clock = 0;

  void Apply(const Effects& e) {
    for (const auto& p : e.professionals_put) professionals[p.id] = p;
    for (const auto& s : e.slots_put) slots[s.id] = s;
    for (const auto& id : e.slots_deleted) slots.erase(id);
    for (const auto& h : e.holds_put) holds[h.token] = h;
    for (const auto& t : e.holds_deleted) holds.erase(t);
    for (const auto& b : e.bookings_put) bookings[b.id] = b;
    for (const auto& id : e.bookings_deleted) bookings.erase(id);
    for (const auto& r : e.idempotency_put) {
      idempotency[IdempotencyKey(r.caller, r.request_id)] = r;
    }
    for (const auto& k : e.idempotency_deleted) idempotency.erase(k);
    for (const auto& r : e.requests_put) requests[r.id] = r;
    for (const auto& id : e.requests_deleted) requests.erase(id);
    for (const auto& ev : e.events) clock = std::max(clock, ev.time_unix_s);
  }
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    auto table = CommuneTable::FromCsv(kCommunes);
    communes_ = std::make_shared<const CommuneTable>(*std::move(table));
    engine_ = std::make_unique<Engine>(communes_);
    regulator_.name = "sas-17";
    regulator_.visibilities = Bit(Visibility::kPublic) |
                              Bit(Visibility::kProfessionals) |
                              Bit(Visibility::kRegulation);
    regulator_.may_overbook = true;
    regulator_.organisation = "sas-17";
    feed_.name = "agenda";
    feed_.organisation = "agenda-vendor";
    feed_.visibilities = Bit(Visibility::kPublic);
    public_.name = "app";
    public_.organisation = "app";
    public_.visibilities = Bit(Visibility::kPublic);
    Upsert({Gp("gp-royan", {45.6248, -1.0281}),
            Gp("gp-didonne", {45.6031, -0.9969}),
            Gp("gp-rochelle", {46.1591, -1.1520})});
  }

  static Professional Gp(const std::string& id, LatLng where) {
    Professional p;
    p.id = id;
    p.profession = Profession::kGeneralPractitioner;
    p.location = where;
    p.time_zone = "Europe/Paris";
    p.display_name = "Dr " + id;
    return p;
  }

  static Slot MakeSlot(const std::string& id, const std::string& prof,
                       int64_t start, int32_t capacity = 1, int32_t over = 0) {
    Slot s;
    s.id = id;
    s.professional_id = prof;
    s.start_unix_s = start;
    s.duration_s = 900;
    s.modality = Modality::kInOffice;
    s.capacity = capacity;
    s.overbooking_places = over;
    s.visibility = Visibility::kPublic;
    return s;
  }

  RequestKey Key(const std::string& id, uint64_t fingerprint = 1) {
    return RequestKey{id, fingerprint};
  }

  void Upsert(const std::vector<Professional>& ps) {
    Effects e;
    ASSERT_TRUE(
        engine_->UpsertProfessionals(feed_, Key(""), ps, At(now_), &e).ok());
    sink_.Apply(e);
  }
  absl::StatusOr<BatchCounts> Publish(const std::vector<Slot>& slots,
                                      const std::string& request_id = "") {
    Effects e;
    auto result =
        engine_->PublishSlots(feed_, Key(request_id), slots, At(now_), &e);
    sink_.Apply(e);
    return result;
  }
  absl::StatusOr<Hold> HoldOn(const std::string& slot, int token,
                              const Caller* caller = nullptr, int ttl_s = 180,
                              bool overbooking_place = false) {
    Effects e;
    HoldCommand command{slot, Token(token), ttl_s};
    command.overbooking_place = overbooking_place;
    auto result = engine_->HoldSlot(caller ? *caller : regulator_, Key(""),
                                    command, At(now_), &e);
    sink_.Apply(e);
    return result;
  }
  absl::StatusOr<Booking> Confirm(const std::string& slot, int token,
                                  const std::string& request_id = "") {
    Effects e;
    auto result = engine_->ConfirmBooking(
        regulator_, Key(request_id),
        ConfirmCommand{slot, Token(token), "patient-1", "case-9"}, At(now_),
        &e);
    sink_.Apply(e);
    return result;
  }
  std::vector<std::string> SearchIds(const SearchQuery& q,
                                     const Caller* caller = nullptr) {
    SearchResult result;
    EXPECT_TRUE(
        engine_->Search(caller ? *caller : regulator_, q, At(now_), &result)
            .ok());
    std::vector<std::string> ids;
    for (const SearchHit& h : result.hits)
      ids.push_back(engine_->ViewSlot(h.slot).slot.id);
    return ids;
  }
  SearchQuery RoyanGp() {
    SearchQuery q;
    q.commune_code = "17306";
    q.profession = Profession::kGeneralPractitioner;
    return q;
  }

  std::shared_ptr<const CommuneTable> communes_;
  std::unique_ptr<Engine> engine_;
  Caller regulator_, feed_, public_;
  int64_t now_ = kT0;
  EffectsSink sink_;
};

}  // namespace creneau::testing

#endif  // CRENEAU_ENGINE_TESTING_ENGINE_TEST_FIXTURE_H_
