#include "tests/model_harness.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/check.h"

namespace creneau::testing {
namespace {

constexpr int64_t kStart = 1'900'000'000;  // 2030-03-17.
constexpr int kSlotIds = 800;
constexpr int kProfessionals = 40;

std::string Describe(const absl::Status& s) { return s.ToString(); }

template <typename T>
std::string CodeOf(const absl::StatusOr<T>& r) {
  return r.ok() ? "OK" : absl::StatusCodeToString(r.status().code());
}

}  // namespace

EngineOptions HarnessOptions() {
  EngineOptions options;
  options.max_active_holds_per_caller = 3;
  options.max_request_records_per_caller = 1500;
  options.max_professionals_per_organisation = 34;
  // Small, so that professionals reach it within a run.
  options.default_weekly_orientation_cap = 6;
  // A short horizon: generated slots stay few beside the published ones,
  // and the run's weeks of simulated time extend it many times.
  options.availability_horizon_days = 5;
  return options;
}

namespace {

constexpr VisibilityMask kFeedVisibilities =
    Bit(Visibility::kPublic) | Bit(Visibility::kProfessionals);
constexpr VisibilityMask kRegulatorVisibilities =
    kFeedVisibilities | Bit(Visibility::kRegulation);

// The harness's callers, by index.
enum CallerIndex {
  kVendorA = 0,     // Feed, national.
  kVendorB = 1,     // Feed, scope t-marennes.
  kSasA = 2,        // Regulator of sas-17, national.
  kSasB = 3,        // Regulator of sas-17, scope t-royan.
  kApp = 4,         // Reader.
  kCptsMember = 5,  // Organisation cpts-royan (its members-only slots).
  kAdmin = 6,
};

Caller MakeCaller(std::string name, std::string organisation,
                  VisibilityMask visibilities, bool may_overbook,
                  std::vector<std::string> scope = {}) {
  Caller c;
  c.name = std::move(name);
  c.organisation = std::move(organisation);
  c.visibilities = visibilities;
  c.may_overbook = may_overbook;
  c.scope.national = scope.empty();
  c.scope.territory_ids = std::move(scope);
  return c;
}

}  // namespace

ModelHarness::ModelHarness(uint64_t seed)
    : rng_(seed),
      communes_(ShippedCommunes()),
      engine_(communes_, HarnessOptions()),
      model_(communes_, HarnessOptions()),
      now_(kStart) {
  Setup();
}

int ModelHarness::OwnerCaller(const std::string& professional_id) const {
  auto it = model_.professionals().find(professional_id);
  if (it == model_.professionals().end()) return kVendorA;
  if (it->second.owner == "vendor-a") return kVendorA;
  if (it->second.owner == "vendor-b") return kVendorB;
  return kAdmin;
}

void ModelHarness::Setup() {
  std::vector<std::string> royan, marennes;
  for (const char* epci : {"CA Royan Atlantique", "CC du Bassin de Marennes"}) {
    for (const Commune* c : communes_->CommunesOfEpci(epci)) {
      territory_.push_back(c);
      (territory_.size() <= 33 ? royan : marennes).push_back(c->insee);
    }
  }
  CRENEAU_CHECK(territory_.size() > 30 && royan.size() == 33);
  callers_ = {
      MakeCaller("vendor-a", "vendor-a", kFeedVisibilities, false),
      MakeCaller("vendor-b", "vendor-b", kFeedVisibilities, false,
                 {"t-marennes"}),
      MakeCaller("sas-a", "sas-17", kRegulatorVisibilities, true),
      MakeCaller("sas-b", "sas-17", kRegulatorVisibilities, true, {"t-royan"}),
      MakeCaller("app", "app", Bit(Visibility::kPublic), false),
      MakeCaller("cpts-member", "cpts-royan", kFeedVisibilities, false),
      MakeCaller("root", "ops", 0, true),
  };
  callers_[kAdmin].administrator = true;
  for (const auto& [id, codes] :
       {std::pair{"t-royan", royan}, std::pair{"t-marennes", marennes}}) {
    Request r = NewRequest(Method::kUpsertTerritory, kAdmin);
    r.territory = {id, id, TerritoryKind::kCpts, codes};
    Send(r);
  }

  std::uniform_real_distribution<double> jitter(-0.02, 0.02);
  std::vector<Professional> by_vendor[2];
  for (int i = 0; i < kProfessionals; ++i) {
    const size_t commune = rng_() % territory_.size();
    const Commune* c = territory_[commune];
    Professional p;
    p.id = absl::StrCat("pro-", i);
    p.profession = i % 10 < 6   ? Profession::kGeneralPractitioner
                   : i % 10 < 9 ? Profession::kNurse
                                : Profession::kPhysiotherapist;
    p.location = {c->location.lat_deg + jitter(rng_),
                  c->location.lng_deg + jitter(rng_)};
    p.commune_code = c->insee;
    p.time_zone = "Europe/Paris";
    p.cpts_id = i % 3 == 0 ? "cpts-royan" : "";
    // Home visits reach 2 to 12 km, or the default (10 km).
    p.home_visit_radius_km = i % 4 == 0 ? 0 : 2 + i % 11;
    professionals_.push_back(p);
    // Vendor B works in Marennes only (its scope); vendor A everywhere.
    by_vendor[commune >= royan.size() && i % 2 == 0].push_back(p);
  }
  for (int vendor : {kVendorA, kVendorB}) {
    Request r = NewRequest(Method::kUpsertProfessionals, vendor);
    r.professionals = by_vendor[vendor];
    Send(r);
  }
}

void ModelHarness::ChangeTerritory() {
  const bool royan = rng_() % 2 == 0;
  auto it = model_.territories().find(royan ? "t-royan" : "t-marennes");
  if (it == model_.territories().end()) return;
  Territory t = it->second;
  const int change = int(rng_() % 5);
  if (change == 0 && t.commune_codes.size() > 1) {
    t.commune_codes.erase(t.commune_codes.begin() +
                          rng_() % t.commune_codes.size());
  } else if (change == 1) {
    t.commune_codes.push_back(territory_[rng_() % territory_.size()]->insee);
  } else if (change == 2) {
    t.name = absl::StrCat("renamed ", rng_() % 100);
  } else if (change == 3) {
    t.commune_codes.push_back("99999");  // Unknown: refused.
  }
  ++stats_.territory_changes;
  Request r =
      NewRequest(Method::kUpsertTerritory,
                 rng_() % 4 == 0 ? int(rng_() % callers_.size()) : int(kAdmin));
  r.territory = std::move(t);
  r.mode = static_cast<Engine::UpsertMode>(rng_() % 3);
  Send(r);
}

void ModelHarness::Transfer() {
  ++stats_.transfers;
  Request r =
      NewRequest(Method::kTransferProfessionals,
                 rng_() % 4 == 0 ? int(rng_() % callers_.size()) : int(kAdmin));
  r.ids = {RandomProfessionalId()};
  if (rng_() % 10 == 0) r.ids.push_back(r.ids.front());  // Refused.
  const char* owners[] = {"vendor-a", "vendor-b", "vendor-c"};
  r.new_owner = owners[rng_() % 3];
  Send(r);
}

ModelHarness::Request ModelHarness::NewRequest(Method method, int caller) {
  Request r;
  r.method = method;
  r.caller = caller;
  // A third of the mutations carry a request id; the payload fingerprint is
  // any value that changes with the payload (here a fresh random number).
  if (rng_() % 3 == 0) r.key.request_id = absl::StrCat("req-", next_request_++);
  r.key.payload_fingerprint = rng_();
  return r;
}

SlotShape ModelHarness::RandomShape() {
  constexpr int kMinutes[] = {15, 20, 30, 45, 60};
  SlotShape s;
  s.slot_minutes = kMinutes[rng_() % 5];
  s.modality = static_cast<Modality>(1 + rng_() % 3);
  s.capacity = 1 + int(rng_() % 2);
  s.overbooking_places = int(rng_() % 2);
  s.visibility = rng_() % 3 ? Visibility::kPublic : Visibility::kRegulation;
  return s;
}

Availability ModelHarness::RandomAvailability(const std::string& id) {
  const absl::CivilDay today =
      absl::ToCivilDay(absl::FromUnixSeconds(now_), absl::UTCTimeZone());
  Availability a;
  a.professional_id = id;
  // Session ids: the professional's own, now and then one from a shared
  // pool (refused while another professional's availability uses it).
  const auto session_id = [&] {
    return rng_() % 8 == 0 ? absl::StrCat("shared-", rng_() % 3)
                           : absl::StrCat(id, "-", rng_() % 3);
  };
  const int templates = int(rng_() % 3);
  for (int i = 0; i < templates; ++i) {
    WeeklyTemplate t;
    t.id = session_id();
    t.weekdays = static_cast<uint8_t>(1 + rng_() % kAllWeekdays);
    // Half-hours around the clock: night sessions meet the clock changes.
    t.start_minute = int(rng_() % 46) * 30;
    t.end_minute = std::min(1440, t.start_minute + 30 * int(1 + rng_() % 8));
    t.shape = RandomShape();
    t.first_day = today + int(rng_() % 5) - 2;
    if (rng_() % 3 == 0) t.last_day = t.first_day + int(rng_() % 20);
    a.templates.push_back(std::move(t));
  }
  const int exceptions = int(rng_() % 3);
  for (int i = 0; i < exceptions; ++i) {
    AvailabilityException e;
    e.kind = static_cast<ExceptionKind>(1 + rng_() % 3);
    e.first_day = today + int(rng_() % 16);
    e.last_day = e.first_day + int(rng_() % 3);
    if (e.kind != ExceptionKind::kVacation) {
      e.start_minute = int(rng_() % 40) * 30;
      e.end_minute = std::min(1440, e.start_minute + 30 * int(1 + rng_() % 6));
    }
    if (e.kind == ExceptionKind::kOpening) {
      e.id = session_id();
      e.shape = RandomShape();
    }
    a.exceptions.push_back(std::move(e));
  }
  if (rng_() % 25 == 0 && !a.templates.empty()) {
    a.templates[0].end_minute = a.templates[0].start_minute;  // Invalid.
  }
  return a;
}

void ModelHarness::Extend() {
  Effects effects;
  const int extended =
      engine_.ExtendAvailability(absl::FromUnixSeconds(now_), &effects);
  const int model_extended = model_.ExtendAvailability(now_);
  Persist(effects);
  if (extended != model_extended) {
    return Fail("ExtendAvailability counts differ");
  }
  stats_.availability_extensions += extended;
}

std::string ModelHarness::RandomSlotId() {
  return absl::StrCat("s", rng_() % kSlotIds);
}

std::string ModelHarness::RandomProfessionalId() {
  return absl::StrCat("pro-", rng_() % kProfessionals);
}

std::string ModelHarness::NewToken() {
  return absl::StrFormat("%016x%016x", next_token_++, rng_());
}

Slot ModelHarness::RandomSlot() {
  Slot s;
  // Mostly avoid ids still taken by a past booking: republishing those is
  // refused until retention removes them, a path tried often enough anyway.
  auto known = model_.slots().end();
  for (int attempt = 0; attempt < 4; ++attempt) {
    s.id = RandomSlotId();
    known = model_.slots().find(s.id);
    if (known == model_.slots().end() ||
        known->second.slot.start_unix_s > now_ ||
        known->second.booked_regular + known->second.booked_overbooking == 0) {
      break;
    }
  }
  // Agendas mostly republish what they published, changing places.
  if (known != model_.slots().end() &&
      known->second.slot.start_unix_s > now_ + 60 && rng_() % 10 < 7) {
    s = known->second.slot;
    s.withdrawn = false;
    s.capacity = std::min(100, s.capacity + int(rng_() % 2));
    if (rng_() % 4 == 0) s.visibility = static_cast<Visibility>(1 + rng_() % 4);
    return s;
  }
  s.professional_id = rng_() % 50 == 0 ? "nobody" : RandomProfessionalId();
  const int64_t ahead = rng_() % 60 == 0 ? -600 : int64_t(rng_() % (4 * 86400));
  s.start_unix_s = (now_ + ahead) / 300 * 300 + 300;
  s.duration_s = rng_() % 100 == 0 ? 60 : 900 + 300 * int(rng_() % 4);
  s.modality = static_cast<Modality>(1 + rng_() % 3);
  s.capacity = rng_() % 5 == 0 ? 2 + int(rng_() % 3) : 1;
  s.overbooking_places = rng_() % 5 == 0 ? 1 + int(rng_() % 2) : 0;
  // Now and then a value just past a limit, which both must refuse.
  if (rng_() % 200 == 0) s.capacity = limits::kMaxCapacity + 1;
  if (rng_() % 200 == 0) {
    s.overbooking_places = limits::kMaxOverbookingPlaces + 1;
  }
  const int v = int(rng_() % 10);
  s.visibility = v < 6   ? Visibility::kPublic
                 : v < 7 ? Visibility::kProfessionals
                 : v < 9 ? Visibility::kRegulation
                         : Visibility::kCptsMembers;
  if (rng_() % 10 == 0) {
    const Commune* c = territory_[rng_() % territory_.size()];
    s.location = c->location;
  }
  return s;
}

ModelStats ModelHarness::Run(uint64_t ops) {
  for (uint64_t i = 0; i < ops && failure_.empty(); ++i) {
    Step();
    if (engine_.waiting_requests() > 0) CheckWaitlist();
    if (i % 997 == 0) CheckState();
    if (i == ops / 2) CheckRestore();
  }
  if (failure_.empty()) CheckState();
  if (failure_.empty()) CheckRestore();
  return stats_;
}

void ModelHarness::Fail(const std::string& what) {
  if (failure_.empty()) failure_ = absl::StrCat("at t=", now_, ": ", what);
}

void ModelHarness::Step() {
  now_ += rng_() % 4;
  const int dice = int(rng_() % 1000);
  if (dice < 4) return Extend();
  // Availability one command in 100: enough replacements over taken
  // generated slots that even a 20,000-command run keeps some.
  if (dice < 14) {
    const std::string id = RandomProfessionalId();
    Request r = NewRequest(
        Method::kPublishAvailability,
        rng_() % 8 == 0 ? int(rng_() % callers_.size()) : OwnerCaller(id));
    r.availability = RandomAvailability(id);
    return Send(r);
  }
  if (dice < 22) return Waitlist();
  if (dice < 370) return Search();
  if (dice < 400) return MatchAndHold();
  if (dice < 600) {
    // Mostly the professional's own feed; now and then anyone (refused
    // unless an administrator).
    std::vector<Slot> slots;
    const int n = 1 + int(rng_() % 4);
    for (int i = 0; i < n; ++i) slots.push_back(RandomSlot());
    const int publisher = rng_() % 8 == 0
                              ? int(rng_() % callers_.size())
                              : OwnerCaller(slots.front().professional_id);
    Request r = NewRequest(Method::kPublishSlots, publisher);
    r.slots = std::move(slots);
    return Send(r);
  }
  if (dice < 630) {
    std::vector<std::string> ids;
    const int n = 1 + int(rng_() % 3);
    for (int i = 0; i < n; ++i) ids.push_back(RandomSlotId());
    auto known = model_.slots().find(ids.front());
    const int withdrawer =
        rng_() % 6 == 0 || known == model_.slots().end()
            ? int(rng_() % callers_.size())
            : OwnerCaller(known->second.slot.professional_id);
    Request r = NewRequest(Method::kWithdrawSlots, withdrawer);
    r.ids = std::move(ids);
    return Send(r);
  }
  if (dice < 780) {
    Request r = NewRequest(Method::kHoldSlot, int(rng_() % callers_.size()));
    r.hold.slot_id = !last_found_.empty() && rng_() % 10 < 7
                         ? last_found_[rng_() % last_found_.size()]
                         : RandomSlotId();
    r.hold.token = NewToken();
    // Overbooking places only on request (refused to callers that may not
    // overbook, and when none is free).
    r.hold.overbooking_place = rng_() % 6 == 0;
    r.hold.ttl_s =
        rng_() % 4 == 0 ? 10 + int(rng_() % 50) : 60 + int(rng_() % 841);
    if (rng_() % 200 == 0) r.hold.ttl_s = 5;  // Refused.
    return Send(r);
  }
  if (dice < 880 && !holds_.empty()) {
    const SentHold& held =
        holds_[rng_() % 3 == 0 ? rng_() % holds_.size() : holds_.size() - 1];
    const std::string& token = held.token;
    const std::string& slot = held.slot_id;
    const bool release = dice >= 850;
    Request r = NewRequest(
        release ? Method::kReleaseHold : Method::kConfirmBooking,
        rng_() % 10 == 0 ? int(rng_() % callers_.size()) : held.caller);
    const std::string slot_id = rng_() % 20 == 0 ? RandomSlotId() : slot;
    if (release) {
      r.release = {slot_id, token};
    } else {
      r.confirm = {slot_id, token, absl::StrCat("patient-", rng_() % 1000),
                   rng_() % 2 ? "case-1" : ""};
    }
    return Send(r);
  }
  if (dice < 910 && !bookings_.empty()) {
    Request r =
        NewRequest(Method::kCancelBooking, int(rng_() % callers_.size()));
    // Every code, now and then one the API does not know.
    const int reason = rng_() % 50 == 0 ? 9 : int(rng_() % kCancelReasonCount);
    r.cancel = {bookings_[rng_() % bookings_.size()],
                static_cast<CancelReason>(reason)};
    return Send(r);
  }
  if (dice < 950) {
    const int kind = int(rng_() % 20);
    now_ += kind < 17 ? 1 + rng_() % 120 : kind < 19 ? 600 + rng_() % 7200 : 0;
    if (kind == 19) now_ -= 1 + rng_() % 300;  // The clock steps back.
    return;
  }
  if (dice < 965) {
    Effects effects;
    const int expired =
        engine_.ExpireHolds(absl::FromUnixSeconds(now_), &effects);
    const int model_expired = model_.ExpireHolds(now_);
    Persist(effects);
    if (expired != model_expired) Fail("ExpireHolds counts differ");
    stats_.expiries += expired;
    return;
  }
  if (dice < 985 && !sent_.empty()) {
    Request r = sent_[rng_() % sent_.size()];
    if (rng_() % 5 == 0) ++r.key.payload_fingerprint;  // Another payload.
    if (r.method == Method::kHoldSlot) {
      r.hold.token = NewToken();
      r.match_hold.token = NewToken();
    }
    return Send(r);
  }
  if (dice < 990) {
    Professional& p = professionals_[rng_() % professionals_.size()];
    p.location.lat_deg += (int(rng_() % 3) - 1) * 0.01;
    if (rng_() % 4 == 0) p.cpts_id = p.cpts_id.empty() ? "cpts-royan" : "";
    // The cap and the zone (which decides the week a slot counts in)
    // change too.
    if (rng_() % 3 == 0) p.weekly_orientation_cap = int(rng_() % 4) * 3;
    // The home-visit radius too, now and then beyond the limit (refused).
    if (rng_() % 4 == 0) p.home_visit_radius_km = int(rng_() % 62);
    // The zone every other time, so that even the sanitizers' runs of
    // 20,000 commands move several agendas (one time in 8 let 3 of 50 such
    // runs move none).
    if (rng_() % 2 == 0) {
      p.time_zone =
          p.time_zone == "Europe/Paris" ? "Indian/Reunion" : "Europe/Paris";
    }
    Request r = NewRequest(
        Method::kUpsertProfessionals,
        rng_() % 5 == 0 ? int(rng_() % callers_.size()) : OwnerCaller(p.id));
    r.professionals = {p};
    // A newcomer every other time: the organisation's limit is near. Enough
    // names that both vendors keep reaching their limit after the first
    // ones exist.
    if (rng_() % 2 == 0) {
      Professional newcomer = p;
      newcomer.id = absl::StrCat("pro-new-", rng_() % 64);
      r.professionals.push_back(newcomer);
    }
    return Send(r);
  }
  if (dice < 992) return ChangeTerritory();
  if (dice < 994) return Transfer();
  if (dice < 997) return CompareReads();
  Effects effects;
  const int reported = engine_.Purge(absl::FromUnixSeconds(now_), &effects);
  model_.ExpireHolds(now_);
  Persist(effects);
  // Count what the engine removed, not what it says it removed.
  const int purged = static_cast<int>(
      effects.slots_deleted.size() + effects.holds_deleted.size() +
      effects.bookings_deleted.size() + effects.idempotency_deleted.size() +
      effects.requests_deleted.size());
  if (reported != purged) {
    Fail(absl::StrCat("Purge reported ", reported, " records, removed ",
                      purged));
  }
  stats_.purged += purged;
  // Below its budget a pass removes everything due (the harness's few
  // hundred slot numbers are all swept in one pass).
  const bool exhaustive = purged < limits::kMaxPurgedPerPass;
  const absl::Status status =
      model_.ApplyPurge(effects, model_.clock(), exhaustive);
  if (!status.ok()) Fail(Describe(status));
}

}  // namespace creneau::testing
