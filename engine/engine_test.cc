#include "engine/engine.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'900'000'000;  // 2030-03-17T17:46:40Z.

const char kCommunes[] =
    "insee,name,departement,lat,lng,area_km2,population,epci_siren,epci_name\n"
    "17306,Royan,17,45.6248,-1.0281,19.3,18419,241700624,CA Royan Atlantique\n"
    "17333,Saint-Georges-de-Didonne,17,45.6031,-0.9969,26.1,5466,241700624,"
    "CA Royan Atlantique\n"
    "17300,La Rochelle,17,46.1591,-1.1520,28.4,77205,241700434,CA La "
    "Rochelle\n";

absl::Time At(int64_t unix_s) { return absl::FromUnixSeconds(unix_s); }

std::string Token(int n) { return absl::StrFormat("%032x", n); }

// Persists effects the way storage does (puts and deletes by key), so that a
// restored engine can be compared with the live one.
struct EffectsSink {
  std::map<std::string, Professional> professionals;
  std::map<std::string, Slot> slots;
  std::map<std::string, Hold> holds;
  std::map<std::string, Booking> bookings;
  std::map<std::string, IdempotencyRecord> idempotency;
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

TEST_F(EngineTest, SearchRanksByStartThenDistanceAndExplainsDistance) {
  ASSERT_TRUE(Publish({MakeSlot("a", "gp-didonne", kT0 + 3600),
                       MakeSlot("b", "gp-royan", kT0 + 3600),
                       MakeSlot("c", "gp-royan", kT0 + 1800)})
                  .ok());
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, RoyanGp(), At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 3u);
  EXPECT_EQ(engine_->ViewSlot(result.hits[0].slot).slot.id, "c");
  EXPECT_EQ(engine_->ViewSlot(result.hits[1].slot).slot.id, "b");
  EXPECT_EQ(engine_->ViewSlot(result.hits[2].slot).slot.id, "a");
  EXPECT_NEAR(result.hits[0].distance_m, 0, 1);
  EXPECT_NEAR(result.hits[2].distance_m, 3500, 500);
  EXPECT_EQ(result.origin_commune, "17306");

  SearchQuery nearest = RoyanGp();
  nearest.order = SearchOrder::kNearest;
  EXPECT_THAT(SearchIds(nearest), ::testing::ElementsAre("c", "b", "a"));
}

TEST_F(EngineTest, WidensUntilEnoughResultsThenStopsAtTheCap) {
  Slot ten_km = MakeSlot("ten-km", "gp-royan", kT0 + 3600);
  ten_km.location = LatLng{45.70, -1.11};  // A session about 10 km north.
  ASSERT_TRUE(Publish({MakeSlot("near", "gp-royan", kT0 + 3600), ten_km,
                       MakeSlot("far", "gp-rochelle", kT0 + 3600)})
                  .ok());
  SearchQuery q = RoyanGp();
  q.limit = 2;
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 2u);
  EXPECT_GT(result.widening_steps, 0);
  EXPECT_GT(result.radius_m, result.initial_radius_m);
  EXPECT_EQ(result.hits[0].reason, MatchReason::kWithinRadius);
  EXPECT_EQ(result.hits[1].reason, MatchReason::kWidenedRadius);
  EXPECT_NEAR(result.hits[1].distance_m, 10700, 800);

  // La Rochelle (60 km) is beyond the cap of this dense territory.
  q.limit = 3;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.hits.size(), 2u);
  EXPECT_LT(result.radius_m, 60000);

  q.radius_m = 100000;  // Explicit radius: searched as given, never widened.
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.hits.size(), 3u);
  EXPECT_EQ(result.widening_steps, 0);
  EXPECT_EQ(result.radius_m, 100000);
}

TEST_F(EngineTest, HoldConfirmGetAndSecondConfirmRefused) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  auto hold = HoldOn("s1", 1);
  ASSERT_TRUE(hold.ok()) << hold.status();
  EXPECT_EQ(hold->expire_unix_s, kT0 + 180);
  EXPECT_TRUE(SearchIds(RoyanGp()).empty()) << "a held slot leaves searches";
  EXPECT_EQ(engine_->GetSlot("s1")->state, SlotState::kHeld);

  auto booking = Confirm("s1", 1);
  ASSERT_TRUE(booking.ok()) << booking.status();
  EXPECT_EQ(booking->status, BookingStatus::kBooked);
  EXPECT_EQ(engine_->GetBooking(booking->id)->patient_ref, "patient-1");
  EXPECT_EQ(engine_->GetSlot("s1")->state, SlotState::kFull);

  auto again = Confirm("s1", 1);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.status().message()),
              HasSubstr("already confirmed"));
}

TEST_F(EngineTest, ReleaseAndCancelGiveThePlaceBack) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  Effects e;
  ASSERT_TRUE(
      engine_->ReleaseHold(regulator_, Key(""), {"s1", Token(1)}, At(now_), &e)
          .ok());
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("s1"));

  ASSERT_TRUE(HoldOn("s1", 2).ok());
  auto booking = Confirm("s1", 2);
  ASSERT_TRUE(booking.ok());
  EXPECT_TRUE(SearchIds(RoyanGp()).empty());
  auto cancelled = engine_->CancelBooking(
      regulator_, Key(""), {booking->id, CancelReason::kPatientBetter},
      At(now_), &e);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->status, BookingStatus::kCancelled);
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("s1"));
  auto twice =
      engine_->CancelBooking(regulator_, Key(""), {booking->id}, At(now_), &e);
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, ExpiryFreesThePlaceExactlyOnceAndClockNeverGoesBack) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1, nullptr, 60).ok());
  Effects e;
  EXPECT_EQ(engine_->ExpireHolds(At(kT0 + 59), &e), 0);
  EXPECT_EQ(engine_->ExpireHolds(At(kT0 + 60), &e), 1);
  EXPECT_EQ(engine_->ExpireHolds(At(kT0 + 61), &e), 0);
  EXPECT_EQ(engine_->GetSlot("s1")->places_held, 0);
  // The clock steps back: the hold stays expired and cannot be confirmed.
  now_ = kT0 + 10;
  auto confirm = Confirm("s1", 1);
  EXPECT_EQ(confirm.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(confirm.status().message()), HasSubstr("expired at"));
  EXPECT_EQ(engine_->clock_unix_s(), kT0 + 61);
}

TEST_F(EngineTest, AnotherCallersTokenOrAnotherSlotIsRefused) {
  const auto unknown_message = [&](int token) {
    auto unknown = Confirm("s1", token);
    EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
    return std::string(unknown.status().message());
  };
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600),
                       MakeSlot("s2", "gp-royan", kT0 + 7200)})
                  .ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  auto wrong_slot = Confirm("s2", 1);
  EXPECT_EQ(wrong_slot.status().code(), absl::StatusCode::kFailedPrecondition);
  Effects e;
  Caller other = regulator_;
  other.name = "sas-33";
  auto stolen = engine_->ConfirmBooking(
      other, Key(""), {"s1", Token(1), "p", ""}, At(now_), &e);
  // Another caller's hold answers as an unknown token.
  EXPECT_EQ(stolen.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(stolen.status().message(), unknown_message(99));
}

TEST_F(EngineTest, OverbookingPlacesAreForRegulationOnly) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 1, 1)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());  // The regular place.
  EXPECT_TRUE(SearchIds(RoyanGp(), &public_).empty());
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, RoyanGp(), At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 1u);
  EXPECT_TRUE(result.hits[0].overbooking_only);
  EXPECT_EQ(HoldOn("s1", 2, &public_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Only on request: a plain hold does not fall back to the overbooking
  // place, and a public caller may not ask for one.
  EXPECT_EQ(HoldOn("s1", 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(HoldOn("s1", 3, &public_, 180, true).status().code(),
            absl::StatusCode::kPermissionDenied);
  auto over = HoldOn("s1", 3, nullptr, 180, true);
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_TRUE(over->overbooking_place);
  EXPECT_EQ(HoldOn("s1", 4, nullptr, 180, true).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, VisibilityIsEnforcedBySearchAndHold) {
  Slot s = MakeSlot("reg", "gp-royan", kT0 + 3600);
  s.visibility = Visibility::kRegulation;
  ASSERT_TRUE(Publish({s}).ok());
  EXPECT_TRUE(SearchIds(RoyanGp(), &public_).empty());
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("reg"));
  // A slot the caller may not see answers as an unknown one.
  auto hidden = HoldOn("reg", 1, &public_);
  EXPECT_EQ(hidden.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden.status().message(), "slot_id: no slot 'reg'");
  EXPECT_EQ(HoldOn("nothing", 2, &public_).status().message(),
            "slot_id: no slot 'nothing'");
}

TEST_F(EngineTest, IdempotentRetriesReturnTheFirstAnswer) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  Effects e1, e2, e3;
  auto first = engine_->HoldSlot(regulator_, Key("req-1", 42),
                                 {"s1", Token(1), 180}, At(now_), &e1);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(e1.replayed);
  now_ += 5;
  auto retry = engine_->HoldSlot(regulator_, Key("req-1", 42),
                                 {"s1", Token(2), 180}, At(now_), &e2);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(e2.replayed);
  EXPECT_TRUE(e2.empty());
  EXPECT_EQ(retry->token, first->token);
  EXPECT_EQ(engine_->GetSlot("s1")->places_held, 1);
  auto different = engine_->HoldSlot(regulator_, Key("req-1", 43),
                                     {"s1", Token(3), 180}, At(now_), &e3);
  EXPECT_EQ(different.status().code(), absl::StatusCode::kAlreadyExists);
  auto other_method = engine_->ReleaseHold(regulator_, Key("req-1", 42),
                                           {"s1", Token(1)}, At(now_), &e3);
  EXPECT_EQ(other_method.status().code(), absl::StatusCode::kAlreadyExists);
  // Another caller may use the same request id for itself.
  Caller other = regulator_;
  other.name = "sas-33";
  Effects e4;
  EXPECT_EQ(engine_
                ->HoldSlot(other, Key("req-1", 42), {"s1", Token(5), 180},
                           At(now_), &e4)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);  // Full, not a replay.
}

TEST_F(EngineTest, ABadSlotRefusesTheWholeBatch) {
  std::vector<Slot> batch = {MakeSlot("ok1", "gp-royan", kT0 + 3600),
                             MakeSlot("bad", "gp-royan", kT0 - 60),
                             MakeSlot("ok2", "gp-royan", kT0 + 7200)};
  auto result = Publish(batch);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "slots[1].start_time: must be in the future");
  EXPECT_EQ(engine_->stats().slots, 0u);
  batch[1] = MakeSlot("ok1", "gp-royan", kT0 + 60);
  EXPECT_THAT(std::string(Publish(batch).status().message()),
              HasSubstr("slots[1].id: duplicate of slots[0]"));
  batch[1] = MakeSlot("x", "nobody", kT0 + 60);
  EXPECT_EQ(Publish(batch).status().code(),
            absl::StatusCode::kFailedPrecondition);
  std::vector<Slot> huge(limits::kMaxBatchSize + 1,
                         MakeSlot("y", "gp-royan", kT0 + 60));
  EXPECT_EQ(Publish(huge).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->stats().slots, 0u);
}

TEST_F(EngineTest, RepublishRulesForSlotsWithPlacesTaken) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 2)}).ok());
  EXPECT_EQ(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 2)})->unchanged, 1);
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  ASSERT_TRUE(HoldOn("s1", 2).ok());
  EXPECT_EQ(
      Publish({MakeSlot("s1", "gp-royan", kT0 + 7200, 2)}).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 1)}).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 3)})->updated, 1);
  EXPECT_THAT(SearchIds(RoyanGp()), ::testing::ElementsAre("s1"));
  Effects e;
  EXPECT_EQ(engine_->WithdrawSlots(feed_, Key(""), {"s1"}, At(now_), &e)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, PreferredProfessionalComesFirstWhateverTheDistance) {
  ASSERT_TRUE(Publish({MakeSlot("near", "gp-royan", kT0 + 3600),
                       MakeSlot("mine", "gp-rochelle", kT0 + 7200)})
                  .ok());
  SearchQuery q = RoyanGp();
  q.radius_m = 5000;
  q.preferred_professional_id = "gp-rochelle";
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  ASSERT_EQ(result.hits.size(), 2u);
  EXPECT_EQ(engine_->ViewSlot(result.hits[0].slot).slot.id, "mine");
  EXPECT_EQ(result.hits[0].reason, MatchReason::kPreferredProfessional);
}

TEST_F(EngineTest, EmptyAnswersSayWhy) {
  SearchQuery q = RoyanGp();
  SearchResult result;
  q.profession = Profession::kDentist;
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kNoSupplyInReach);

  q = RoyanGp();
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kOutsideWindow);

  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kAllTaken);

  ASSERT_TRUE(Publish({MakeSlot("s2", "gp-royan", kT0 + 3600)}).ok());
  q.modalities = Bit(Modality::kTeleconsultation);
  ASSERT_TRUE(engine_->Search(regulator_, q, At(now_), &result).ok());
  EXPECT_EQ(result.empty_reason, EmptyReason::kNoMatchingSlot);
}

TEST_F(EngineTest, SearchValidatesEveryField) {
  SearchResult result;
  const auto code = [&](SearchQuery q) {
    return engine_->Search(regulator_, q, At(now_), &result).code();
  };
  SearchQuery q = RoyanGp();
  q.radius_m = 10'000'000;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.commune_code = "99999";
  EXPECT_EQ(code(q), absl::StatusCode::kNotFound);
  q = RoyanGp();
  q.point = LatLng{45, -1};
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.limit = 101;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.window_end_unix_s = kT0 + 32 * 86400;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
  q = RoyanGp();
  q.profession = Profession::kUnspecified;
  EXPECT_EQ(code(q), absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, ProfessionalMoveCarriesItsSlots) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-rochelle", kT0 + 3600)}).ok());
  SearchQuery q = RoyanGp();
  q.radius_m = 5000;
  EXPECT_TRUE(SearchIds(q).empty());
  Upsert({Gp("gp-rochelle", {45.6240, -1.0270})});
  EXPECT_THAT(SearchIds(q), ::testing::ElementsAre("s1"));
}

// Professionals are stored in compact records (strings shared or interned);
// every field must read back as published, through every update.
TEST_F(EngineTest, ProfessionalsReadBackAsPublished) {
  Professional full = Gp("gp-full", {45.6100, -1.0100});
  full.commune_code = "17306";
  full.structure = StructureType::kHealthCentre;
  full.cpts_id = "cpts-royan";
  full.sector = 2;
  full.weekly_orientation_cap = 12;
  full.display_name = std::string(limits::kMaxDisplayNameBytes, 'n');
  Professional bare = Gp("gp-bare", {45.6200, -1.0200});
  bare.display_name.clear();
  Upsert({full, bare});
  // They read back managed by the feed's organisation, which created them.
  full.owner = bare.owner = feed_.organisation;
  ASSERT_TRUE(Publish({MakeSlot("s-full", "gp-full", kT0 + 3600),
                       MakeSlot("s-bare", "gp-bare", kT0 + 3600)})
                  .ok());
  const auto read_back = [&](const std::string& id) {
    const std::optional<ProfessionalView> view = engine_->FindProfessional(id);
    EXPECT_TRUE(view.has_value()) << id;
    return view ? view->ToProfessional() : Professional{};
  };
  EXPECT_EQ(read_back("gp-full"), full);
  EXPECT_EQ(read_back("gp-bare"), bare);
  EXPECT_FALSE(engine_->FindProfessional("gp-nobody").has_value());
  // The slot's number, as a search hands it out.
  SlotNo no = kNoSlot;
  SearchResult result;
  ASSERT_TRUE(engine_->Search(regulator_, RoyanGp(), At(now_), &result).ok());
  for (const SearchHit& hit : result.hits) {
    if (engine_->ViewSlot(hit.slot).slot.id == "s-full") no = hit.slot;
  }
  ASSERT_NE(no, kNoSlot);
  EXPECT_EQ(engine_->ProfessionalOfSlot(no).ToProfessional(), full);

  // The same again changes nothing; a new name and CPTS replace the old.
  Effects effects;
  auto counts = engine_->UpsertProfessionals(feed_, Key(""), {full, bare},
                                             At(now_), &effects);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->unchanged, 2);
  full.display_name = "Dr Full";
  full.cpts_id.clear();
  bare.display_name = "Dr Bare, maison de sant\u00e9";
  bare.commune_code = "17333";
  Upsert({full, bare});
  EXPECT_EQ(read_back("gp-full"), full);
  EXPECT_EQ(read_back("gp-bare"), bare);
  EXPECT_EQ(engine_->ProfessionalOfSlot(no).ToProfessional(), full);
}

TEST_F(EngineTest, RestoreRefusesProfessionalsPublicationWouldRefuse) {
  Engine fresh(communes_);
  Professional long_name = Gp("gp-long", {45.6, -1.0});
  long_name.display_name = std::string(limits::kMaxDisplayNameBytes + 1, 'n');
  EXPECT_EQ(fresh.RestoreProfessional(long_name).code(),
            absl::StatusCode::kDataLoss);
  Professional bad_id =
      Gp(std::string(limits::kMaxIdLength + 1, 'x'), {45.6, -1.0});
  EXPECT_EQ(fresh.RestoreProfessional(bad_id).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(fresh.RestoreProfessional(Gp("gp-ok", {45.6, -1.0})).ok());
  EXPECT_FALSE(fresh.FindProfessional("gp-long").has_value());
}

TEST_F(EngineTest, PurgeRemovesWhatOutlivedItsRetention) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}, "r1").ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  auto booking = Confirm("s1", 1);
  ASSERT_TRUE(booking.ok());
  Effects e;
  EXPECT_EQ(engine_->Purge(At(kT0 + 3600), &e), 0);
  const int64_t later = kT0 + 3600 + 900 + limits::kEndedSlotRetentionS;
  EXPECT_GT(engine_->Purge(At(later), &e), 0);
  EXPECT_EQ(engine_->GetSlot("s1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(engine_->GetBooking(booking->id).ok())
      << "bookings outlive slots";
  EXPECT_EQ(engine_->stats().idempotency_records, 0u);
  EXPECT_EQ(engine_->FindHold(Token(1)), nullptr);
}

TEST_F(EngineTest, RestoringTheEffectsGivesTheSameState) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600, 2, 1),
                       MakeSlot("s2", "gp-didonne", kT0 + 7200)},
                      "pub-1")
                  .ok());
  ASSERT_TRUE(HoldOn("s1", 1).ok());
  ASSERT_TRUE(HoldOn("s1", 2).ok());
  ASSERT_TRUE(Confirm("s1", 2, "conf-1").ok());
  ASSERT_TRUE(HoldOn("s2", 3, nullptr, 30).ok());
  now_ += 40;
  Effects e;
  engine_->ExpireHolds(At(now_), &e);
  sink_.Apply(e);

  Engine restored(communes_);
  for (const auto& [id, p] : sink_.professionals)
    ASSERT_TRUE(restored.RestoreProfessional(p).ok());
  for (const auto& [id, s] : sink_.slots)
    ASSERT_TRUE(restored.RestoreSlot(s).ok());
  for (const auto& [t, h] : sink_.holds)
    ASSERT_TRUE(restored.RestoreHold(h).ok());
  for (const auto& [id, b] : sink_.bookings)
    ASSERT_TRUE(restored.RestoreBooking(b).ok());
  for (const auto& [k, r] : sink_.idempotency)
    ASSERT_TRUE(restored.RestoreIdempotency(r).ok());
  ASSERT_TRUE(restored.FinishRestore(sink_.clock).ok());

  for (const std::string id : {"s1", "s2"}) {
    const SlotView a = *engine_->GetSlot(id), b = *restored.GetSlot(id);
    EXPECT_EQ(a.slot, b.slot);
    EXPECT_EQ(a.places_held, b.places_held) << id;
    EXPECT_EQ(a.places_booked, b.places_booked) << id;
    EXPECT_EQ(a.state, b.state) << id;
  }
  EXPECT_EQ(restored.stats().searchable_slots,
            engine_->stats().searchable_slots);
  EXPECT_EQ(restored.clock_unix_s(), engine_->clock_unix_s());
  // A retry after the restart is answered from the restored record.
  Effects r;
  auto replay = restored.ConfirmBooking(regulator_, Key("conf-1"),
                                        {"s1", Token(2), "patient-1", "case-9"},
                                        At(now_), &r);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(r.replayed);
  // A booking's id is its hold token's last 20 hex digits.
  EXPECT_EQ(replay->id, "bk-00000000000000000002");
}

}  // namespace
}  // namespace creneau
