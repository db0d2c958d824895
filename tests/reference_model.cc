// ReferenceModel: the mutations, written plainly.
#include "tests/reference_model.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/check.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "tests/reference_internal.h"

namespace creneau::testing {
namespace {

bool ValidProfessional(const Professional& p, const CommuneTable& communes) {
  const int profession = static_cast<int>(p.profession);
  const int structure = static_cast<int>(p.structure);
  return IsValidId(p.id) && profession > 0 && profession < kProfessionCount &&
         IsValidLatLng(p.location) &&
         (p.commune_code.empty() ||
          (IsValidCommuneCode(p.commune_code) &&
           (communes.size() == 0 || communes.Find(p.commune_code)))) &&
         IsSupportedTimeZone(p.time_zone) && structure >= 1 && structure <= 4 &&
         (p.cpts_id.empty() || IsValidId(p.cpts_id)) && p.sector >= 0 &&
         p.sector <= 3 && p.weekly_orientation_cap >= 0 &&
         p.weekly_orientation_cap <= 200 && p.home_visit_radius_km >= 0 &&
         p.home_visit_radius_km <= 60 && p.display_name.size() <= 128 &&
         IsValidUtf8(p.display_name);
}

bool ValidSlotShape(const Slot& s, int64_t now) {
  const int modality = static_cast<int>(s.modality);
  const int visibility = static_cast<int>(s.visibility);
  // "t:" names slots generated from availability templates.
  return IsValidId(s.id) && s.id.rfind("t:", 0) != 0 &&
         IsValidId(s.professional_id) && s.start_unix_s > now &&
         s.start_unix_s <= now + 366LL * 86400 && s.duration_s >= 300 &&
         s.duration_s <= 12 * 3600 && modality >= 1 && modality <= 3 &&
         s.capacity >= 1 && s.capacity <= 100 && s.overbooking_places >= 0 &&
         s.overbooking_places <= 10 && visibility >= 1 && visibility <= 4 &&
         (!s.location || IsValidLatLng(*s.location)) && !s.withdrawn;
}

// The commune a place lies in: its code's, or the nearest one.
const Commune* CommuneAt(const CommuneTable& communes, const LatLng& where,
                         const std::string& code) {
  return code.empty() ? communes.Nearest(where) : communes.Find(code);
}

}  // namespace

int64_t ReferenceModel::Advance(int64_t now) {
  clock_ = std::max(clock_, now);
  ExpireHolds(clock_);
  return clock_;
}

int ReferenceModel::ExpireHolds(int64_t now) {
  clock_ = std::max(clock_, now);
  int expired = 0;
  for (auto& [token, hold] : holds_) {
    if (hold.state != HoldState::kActive || hold.expire_unix_s > clock_)
      continue;
    ReferenceSlot& s = slots_.at(hold.slot_id);
    (hold.overbooking_place ? s.held_overbooking : s.held_regular)--;
    hold.state = HoldState::kExpired;
    hold.close_unix_s = clock_;
    ++expired;
  }
  return expired;
}

absl::StatusOr<const IdempotencyRecord*> ReferenceModel::Replay(
    const Caller& caller, const RequestKey& key, Method method) const {
  if (key.request_id.empty()) return nullptr;
  auto it = requests_.find({caller.name, key.request_id});
  if (it == requests_.end()) return nullptr;
  if (it->second.method != method ||
      it->second.payload_fingerprint != key.payload_fingerprint) {
    return absl::AlreadyExistsError("reused");
  }
  return &it->second;
}

void ReferenceModel::Remember(const Caller& caller, const RequestKey& key,
                              Method method, Outcome outcome) {
  if (key.request_id.empty()) return;
  IdempotencyRecord& r = requests_[{caller.name, key.request_id}];
  r.caller = caller.name;
  r.request_id = key.request_id;
  r.method = method;
  r.payload_fingerprint = key.payload_fingerprint;
  r.create_unix_s = clock_;
  r.outcome = std::move(outcome);
}

LatLng ReferenceModel::LocationOf(const ReferenceSlot& s) const {
  return s.slot.location ? *s.slot.location
                         : professionals_.at(s.slot.professional_id).location;
}

bool ReferenceModel::SearchVisible(const Caller& caller,
                                   const ReferenceSlot& s) const {
  if (caller.administrator || (caller.visibilities & Bit(s.slot.visibility))) {
    return true;
  }
  const std::string& cpts = professionals_.at(s.slot.professional_id).cpts_id;
  return s.slot.visibility == Visibility::kCptsMembers && !cpts.empty() &&
         cpts == caller.organisation;
}

bool ReferenceModel::Sees(const Caller& caller, const ReferenceSlot& s) const {
  return SearchVisible(caller, s) || Manages(caller, s.slot.professional_id);
}

bool ReferenceModel::Manages(const Caller& caller,
                             const std::string& professional) const {
  return caller.administrator ||
         professionals_.at(professional).owner == caller.organisation;
}

bool ReferenceModel::InScope(const Caller& caller, const LatLng& where,
                             const std::string& commune_code) const {
  if (caller.administrator || caller.scope.national) return true;
  const Commune* commune = CommuneAt(*communes_, where, commune_code);
  if (commune == nullptr) return false;
  for (const std::string& id : caller.scope.territory_ids) {
    auto t = territories_.find(id);
    if (t == territories_.end()) continue;
    if (t->second.kind == TerritoryKind::kNational) return true;
    const auto& codes = t->second.commune_codes;
    if (std::find(codes.begin(), codes.end(), commune->insee) != codes.end()) {
      return true;
    }
  }
  return false;
}

bool ReferenceModel::MayRead(const Caller& caller, const Booking& b) const {
  if (caller.administrator || b.organisation == caller.organisation) {
    return true;
  }
  auto p = professionals_.find(b.professional_id);
  return p != professionals_.end() && Manages(caller, b.professional_id);
}

absl::Status ReferenceModel::CheckRecordLimit(const Caller& caller) const {
  if (options_.max_request_records_per_caller <= 0 || caller.administrator) {
    return absl::OkStatus();
  }
  int count = 0;
  for (const auto& [key, record] : requests_) count += key.first == caller.name;
  if (count >= options_.max_request_records_per_caller) {
    return absl::ResourceExhaustedError("requests remembered");
  }
  return absl::OkStatus();
}

absl::StatusOr<Booking> ReferenceModel::GetBooking(
    const Caller& caller, const std::string& id) const {
  auto it = bookings_.find(id);
  if (it == bookings_.end() || !MayRead(caller, it->second)) {
    return absl::NotFoundError("no booking");
  }
  return it->second;
}

absl::StatusOr<std::vector<Booking>> ReferenceModel::ListBookings(
    const Caller& caller, const BookingQuery& query) const {
  const bool by_professional = !query.professional_id.empty();
  const std::string owner = query.organisation.empty() && !by_professional
                                ? caller.organisation
                                : query.organisation;
  if (by_professional && !professionals_.contains(query.professional_id)) {
    return absl::NotFoundError("no professional");
  }
  if (!by_professional && !caller.administrator &&
      owner != caller.organisation) {
    return absl::NotFoundError("another organisation");
  }
  std::vector<Booking> found;
  for (const auto& [id, b] : bookings_) {
    const bool named = by_professional
                           ? b.professional_id == query.professional_id &&
                                 (owner.empty() || b.organisation == owner)
                           : b.organisation == owner;
    if (named && b.start_unix_s >= query.from_unix_s && MayRead(caller, b)) {
      found.push_back(b);
    }
  }
  std::sort(found.begin(), found.end(), [](const Booking& a, const Booking& b) {
    return std::tie(a.start_unix_s, a.id) < std::tie(b.start_unix_s, b.id);
  });
  return found;
}

absl::StatusOr<Slot> ReferenceModel::GetSlot(const Caller& caller,
                                             const std::string& id) const {
  auto it = slots_.find(id);
  if (it == slots_.end() || !Sees(caller, it->second)) {
    return absl::NotFoundError("no slot");
  }
  return it->second.slot;
}

int64_t ReferenceModel::WeekOf(const Professional& p, int64_t start_unix_s) {
  absl::TimeZone zone;
  CRENEAU_CHECK(absl::LoadTimeZone(p.time_zone, &zone));
  const absl::CivilDay day =
      absl::ToCivilDay(absl::FromUnixSeconds(start_unix_s), zone);
  // Whole weeks since Monday 1970-01-05, rounded down.
  const int64_t days = day - absl::CivilDay(1970, 1, 5);
  return days >= 0 ? days / 7 : -((-days + 6) / 7);
}

ReferenceModel::WeekLoads ReferenceModel::Loads() const {
  WeekLoads loads;
  for (const auto& [id, s] : slots_) {
    // A week without orientations has no entry (LoadOf reads 0).
    if (s.held_regular + s.booked_regular == 0) continue;
    const Professional& p = professionals_.at(s.slot.professional_id);
    loads[{p.id, WeekOf(p, s.slot.start_unix_s)}] +=
        s.held_regular + s.booked_regular;
  }
  return loads;
}

int ReferenceModel::CapOf(const Professional& p) const {
  return p.weekly_orientation_cap > 0 ? p.weekly_orientation_cap
                                      : options_.default_weekly_orientation_cap;
}

int ReferenceModel::LoadOf(const ReferenceSlot& s,
                           const WeekLoads& loads) const {
  const Professional& p = professionals_.at(s.slot.professional_id);
  auto it = loads.find({p.id, WeekOf(p, s.slot.start_unix_s)});
  return it == loads.end() ? 0 : it->second;
}

bool ReferenceModel::Capped(const ReferenceSlot& s,
                            const WeekLoads& loads) const {
  const int cap = CapOf(professionals_.at(s.slot.professional_id));
  return cap > 0 && LoadOf(s, loads) >= cap;
}

bool ReferenceModel::FreeFor(const Caller& caller,
                             const ReferenceSlot& s) const {
  const bool regular = s.held_regular + s.booked_regular < s.slot.capacity;
  const bool over =
      s.held_overbooking + s.booked_overbooking < s.slot.overbooking_places;
  return !s.slot.withdrawn && (regular || (caller.may_overbook && over));
}

absl::StatusOr<BatchCounts> ReferenceModel::UpsertProfessionals(
    const Caller& caller, const RequestKey& key,
    const std::vector<Professional>& professionals, int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kUpsertProfessionals);
  if (!replay.ok()) return replay.status();
  if (*replay) return (*replay)->outcome.counts;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (professionals.empty() || professionals.size() > 1000) return Invalid();
  std::set<std::string> seen, cpts;
  for (const auto& [id, p] : professionals_) {
    if (!p.cpts_id.empty()) cpts.insert(p.cpts_id);
  }
  int created = 0;
  for (const Professional& p : professionals) {
    if (!ValidProfessional(p, *communes_) || !seen.insert(p.id).second) {
      return Invalid();
    }
    const bool exists = professionals_.contains(p.id);
    if (exists && !Manages(caller, p.id)) {
      return absl::PermissionDeniedError("another organisation's");
    }
    if (!InScope(caller, p.location, p.commune_code)) {
      return absl::PermissionDeniedError("outside the caller's territories");
    }
    if (!p.cpts_id.empty()) cpts.insert(p.cpts_id);
    if (cpts.size() > static_cast<size_t>(limits::kMaxCptsIds)) {
      return absl::ResourceExhaustedError("CPTS ids");
    }
    created += !exists;
  }
  if (options_.max_professionals_per_organisation > 0 &&
      !caller.administrator) {
    int owned = 0;
    for (const auto& [id, p] : professionals_) {
      owned += p.owner == caller.organisation;
    }
    if (owned + created > options_.max_professionals_per_organisation) {
      return absl::ResourceExhaustedError("professionals per organisation");
    }
  }
  BatchCounts counts;
  for (Professional p : professionals) {
    auto it = professionals_.find(p.id);
    p.owner =
        it == professionals_.end() ? caller.organisation : it->second.owner;
    if (it == professionals_.end()) {
      ++counts.created;
    } else if (it->second == p) {
      ++counts.unchanged;
    } else {
      ++counts.updated;
    }
    const bool new_zone =
        it != professionals_.end() && it->second.time_zone != p.time_zone;
    professionals_[p.id] = p;
    // The agenda's local hours fall at other instants.
    if (new_zone) RegenerateAvailability(p.id);
  }
  Outcome outcome;
  outcome.counts = counts;
  Remember(caller, key, Method::kUpsertProfessionals, outcome);
  return counts;
}

absl::StatusOr<BatchCounts> ReferenceModel::PublishSlots(
    const Caller& caller, const RequestKey& key, const std::vector<Slot>& slots,
    int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kPublishSlots);
  if (!replay.ok()) return replay.status();
  if (*replay) return (*replay)->outcome.counts;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (slots.empty() || slots.size() > 1000) return Invalid();
  std::set<std::string> seen;
  for (const Slot& s : slots) {
    if (!ValidSlotShape(s, clock_) || !seen.insert(s.id).second)
      return Invalid();
    if (!professionals_.contains(s.professional_id)) {
      return absl::FailedPreconditionError("unknown professional");
    }
    if (!Manages(caller, s.professional_id)) {
      return absl::PermissionDeniedError("another organisation's professional");
    }
    auto it = slots_.find(s.id);
    if (it != slots_.end() &&
        !Manages(caller, it->second.slot.professional_id)) {
      return absl::PermissionDeniedError("another organisation's slot id");
    }
    if (it == slots_.end() || Taken(it->second) == 0) continue;
    const Slot& old = it->second.slot;
    if (old.professional_id != s.professional_id ||
        old.start_unix_s != s.start_unix_s || old.duration_s != s.duration_s ||
        old.modality != s.modality || old.location != s.location ||
        s.capacity < it->second.held_regular + it->second.booked_regular ||
        s.overbooking_places <
            it->second.held_overbooking + it->second.booked_overbooking) {
      return absl::FailedPreconditionError("taken");
    }
  }
  BatchCounts counts;
  for (const Slot& s : slots) {
    auto it = slots_.find(s.id);
    if (it == slots_.end()) {
      slots_[s.id].slot = s;
      ++counts.created;
    } else if (it->second.slot == s) {
      ++counts.unchanged;
    } else {
      it->second.slot = s;
      ++counts.updated;
    }
  }
  Outcome outcome;
  outcome.counts = counts;
  Remember(caller, key, Method::kPublishSlots, outcome);
  return counts;
}

absl::StatusOr<BatchCounts> ReferenceModel::WithdrawSlots(
    const Caller& caller, const RequestKey& key,
    const std::vector<std::string>& ids, int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kWithdrawSlots);
  if (!replay.ok()) return replay.status();
  if (*replay) return (*replay)->outcome.counts;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (ids.empty() || ids.size() > 1000) return Invalid();
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    if (!IsValidId(id) || !seen.insert(id).second) return Invalid();
    auto it = slots_.find(id);
    if (it == slots_.end() || !Sees(caller, it->second)) {
      return absl::NotFoundError("no slot");
    }
    if (!Manages(caller, it->second.slot.professional_id)) {
      return absl::PermissionDeniedError("another organisation's slot");
    }
    if (Taken(it->second) > 0) return absl::FailedPreconditionError("taken");
  }
  BatchCounts counts;
  for (const std::string& id : ids) {
    Slot& slot = slots_.at(id).slot;
    if (slot.withdrawn) {
      ++counts.unchanged;
    } else {
      slot.withdrawn = true;
      ++counts.created;
    }
  }
  Outcome outcome;
  outcome.counts = counts;
  Remember(caller, key, Method::kWithdrawSlots, outcome);
  return counts;
}

absl::StatusOr<BatchCounts> ReferenceModel::UpsertTerritory(
    const Caller& caller, const RequestKey& key, const Territory& territory,
    Engine::UpsertMode mode, int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kUpsertTerritory);
  if (!replay.ok()) return replay.status();
  if (*replay) return (*replay)->outcome.counts;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (!caller.administrator) return absl::PermissionDeniedError("not admin");
  Territory t = territory;
  std::sort(t.commune_codes.begin(), t.commune_codes.end());
  t.commune_codes.erase(
      std::unique(t.commune_codes.begin(), t.commune_codes.end()),
      t.commune_codes.end());
  const int kind = static_cast<int>(t.kind);
  const bool national = t.kind == TerritoryKind::kNational;
  if (!IsValidId(t.id) || t.name.empty() || t.name.size() > 128 ||
      !IsValidUtf8(t.name) || kind < 1 || kind > 4 ||
      national != t.commune_codes.empty()) {
    return Invalid();
  }
  for (const std::string& code : t.commune_codes) {
    if (communes_->Find(code) == nullptr) return Invalid();
  }
  auto old = territories_.find(t.id);
  if (old != territories_.end() && mode == Engine::UpsertMode::kCreate) {
    return absl::AlreadyExistsError("territory exists");
  }
  if (old == territories_.end() && mode == Engine::UpsertMode::kReplace) {
    return absl::NotFoundError("no territory");
  }
  BatchCounts counts;
  if (old != territories_.end() && old->second == t) {
    counts.unchanged = 1;
  } else {
    (old == territories_.end() ? counts.created : counts.updated) = 1;
    territories_[t.id] = t;
  }
  Outcome outcome;
  outcome.counts = counts;
  Remember(caller, key, Method::kUpsertTerritory, outcome);
  return counts;
}

absl::StatusOr<BatchCounts> ReferenceModel::TransferProfessionals(
    const Caller& caller, const RequestKey& key,
    const std::vector<std::string>& ids, const std::string& new_owner,
    int64_t now) {
  Advance(now);
  auto replay = Replay(caller, key, Method::kTransferProfessionals);
  if (!replay.ok()) return replay.status();
  if (*replay) return (*replay)->outcome.counts;
  if (!key.request_id.empty()) RETURN_IF_ERROR(CheckRecordLimit(caller));
  if (!caller.administrator) return absl::PermissionDeniedError("not admin");
  if (!IsValidId(new_owner) || ids.empty() || ids.size() > 1000) {
    return Invalid();
  }
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    if (!IsValidId(id) || !seen.insert(id).second) return Invalid();
    if (!professionals_.contains(id)) return absl::NotFoundError("no one");
  }
  BatchCounts counts;
  for (const std::string& id : ids) {
    Professional& p = professionals_.at(id);
    if (p.owner == new_owner) {
      ++counts.unchanged;
    } else {
      p.owner = new_owner;
      ++counts.updated;
    }
  }
  Outcome outcome;
  outcome.counts = counts;
  Remember(caller, key, Method::kTransferProfessionals, outcome);
  return counts;
}

}  // namespace creneau::testing
