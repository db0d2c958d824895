// Engine: construction, clock, idempotency, slot bookkeeping and reads.
// The commands live in engine_feed.cc, engine_orientation.cc,
// engine_search.cc and engine_maintenance.cc.
#include "engine/engine.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/check.h"
#include "engine/internal/booking_key.h"
#include "engine/internal/page_token.h"
#include "engine/names.h"
#include "engine/validate.h"

namespace creneau {

std::string IdempotencyKey(absl::string_view caller,
                           absl::string_view request_id) {
  std::string key;
  key.reserve(caller.size() + 1 + request_id.size());
  key.append(caller.data(), caller.size());
  key.push_back('\0');
  key.append(request_id.data(), request_id.size());
  return key;
}

Engine::Engine(std::shared_ptr<const CommuneTable> communes,
               EngineOptions options)
    : communes_(communes ? std::move(communes)
                         : std::make_shared<const CommuneTable>()),
      options_(options) {
  CRENEAU_CHECK(options_.default_weekly_orientation_cap >= 0 &&
                options_.default_weekly_orientation_cap <=
                    limits::kMaxWeeklyOrientationCap);
}

Engine::~Engine() = default;

int64_t Engine::Advance(absl::Time now) {
  clock_unix_s_ = std::max(clock_unix_s_, absl::ToUnixSeconds(now));
  return clock_unix_s_;
}

absl::StatusOr<const IdempotencyRecord*> Engine::Replay(const Caller& caller,
                                                        const RequestKey& key,
                                                        Method method) const {
  if (key.request_id.empty()) return nullptr;
  auto it = idempotency_.find(IdempotencyKey(caller.name, key.request_id));
  if (it == idempotency_.end()) return nullptr;
  const IdempotencyRecord& record = it->second;
  if (record.method != method) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id: '", key.request_id,
                     "' was already used by this caller for another method"));
  }
  if (record.payload_fingerprint != key.payload_fingerprint) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id: '", key.request_id,
        "' was already used by this caller with a different payload"));
  }
  return &record;
}

void Engine::Remember(const Caller& caller, const RequestKey& key,
                      Method method, Outcome outcome, Effects* effects) {
  if (key.request_id.empty()) return;
  IdempotencyRecord record;
  record.caller = caller.name;
  record.request_id = key.request_id;
  record.method = method;
  record.payload_fingerprint = key.payload_fingerprint;
  record.create_unix_s = clock_unix_s_;
  record.outcome = std::move(outcome);
  std::string storage_key = IdempotencyKey(caller.name, key.request_id);
  idempotency_by_age_.emplace_back(clock_unix_s_, storage_key);
  effects->idempotency_put.push_back(record);
  if (idempotency_.insert_or_assign(std::move(storage_key), std::move(record))
          .second) {
    ++requests_by_caller_[caller.name];
  }
}

Event Engine::MakeEvent(EventType type, const Caller& caller,
                        const RequestKey& key) {
  Event event;
  event.type = type;
  event.time_unix_s = clock_unix_s_;
  event.actor = caller.name;
  event.organisation = caller.organisation;
  event.request_id = key.request_id;
  return event;
}

Slot Engine::SlotOf(SlotNo no) const {
  Slot slot;
  FillSlot(no, &slot);
  return slot;
}

void Engine::FillSlot(SlotNo no, Slot* slot) const {
  const internal::SlotRecord& r = slots_.at(no);
  const absl::string_view id = slots_.id(no);
  slot->id.assign(id.data(),
                  id.size());  // Assignments reuse the strings' capacity.
  const absl::string_view professional_id = professionals_.id(r.professional);
  slot->professional_id.assign(professional_id.data(), professional_id.size());
  slot->start_unix_s = r.start_unix_s;
  slot->duration_s = r.duration_s;
  slot->modality = r.modality;
  slot->capacity = r.capacity;
  slot->overbooking_places = r.overbooking_places;
  slot->visibility = r.visibility;
  slot->location.reset();
  if (r.has_location) slot->location = slots_.location(no).exact;
  slot->withdrawn = r.withdrawn;
}

IndexEntry Engine::EntryOf(SlotNo no) const {
  const internal::SlotRecord& r = slots_.at(no);
  IndexEntry entry;
  entry.cell = CellOf(no);
  entry.slot = no;
  entry.tie_key = TieKeyOf(slots_.id(no));
  entry.start_unix_s = r.start_unix_s;
  entry.point = r.has_location ? slots_.location(no).point
                               : professionals_.at(r.professional).point;
  entry.cpts = professionals_.at(r.professional).cpts;
  entry.modality = r.modality;
  entry.visibility = r.visibility;
  entry.regular_place_free = r.regular_place_free();
  const int32_t radius_km =
      professionals_.at(r.professional).home_visit_radius_km;
  entry.home_visit_radius_km = static_cast<uint8_t>(
      radius_km > 0 ? radius_km : limits::kDefaultHomeVisitRadiusKm);
  return entry;
}

uint64_t Engine::CellOf(SlotNo no) const {
  const internal::SlotRecord& r = slots_.at(no);
  return r.has_location ? slots_.location(no).cell
                        : professionals_.at(r.professional).cell;
}

void Engine::Unindex(SlotNo no) {
  const internal::SlotRecord& r = slots_.at(no);
  if (index_deferred_ || !r.searchable()) return;
  index_.Erase(professionals_.at(r.professional).profession, EntryOf(no));
}

void Engine::Reindex(SlotNo no) {
  const internal::SlotRecord& r = slots_.at(no);
  if (index_deferred_ || !r.searchable()) return;
  index_.Insert(professionals_.at(r.professional).profession, EntryOf(no));
  NoteFreed(no);  // Searchable again, or elsewhere: the waitlist may use it.
}

bool Engine::VisibleTo(const Caller& caller, SlotNo no) const {
  const internal::SlotRecord& r = slots_.at(no);
  if (caller.administrator || (caller.visibilities & Bit(r.visibility)) != 0 ||
      Manages(caller, r.professional)) {
    return true;
  }
  const uint16_t cpts = professionals_.at(r.professional).cpts;
  return r.visibility == Visibility::kCptsMembers && cpts != 0 &&
         cpts == professionals_.FindCpts(caller.organisation);
}

bool Engine::Manages(const Caller& caller, internal::ProfNo prof) const {
  return caller.administrator ||
         professionals_.owner(prof) == caller.organisation;
}

bool Engine::MayReadBooking(const Caller& caller,
                            const Booking& booking) const {
  if (caller.administrator || booking.organisation == caller.organisation) {
    return true;
  }
  const internal::ProfNo prof = professionals_.Find(booking.professional_id);
  return prof != internal::kNoProfessional && Manages(caller, prof);
}

bool Engine::InScopeCommune(const Caller& caller,
                            uint32_t commune_index) const {
  if (caller.administrator || caller.scope.national) return true;
  if (commune_index == internal::kNoCommune) return false;
  for (const std::string& id : caller.scope.territory_ids) {
    if (territories_.Contains(id, commune_index)) return true;
  }
  return false;
}

uint32_t Engine::CommuneIndexOf(absl::string_view commune_code,
                                const LatLng& location) const {
  const Commune* commune = commune_code.empty() ? communes_->Nearest(location)
                                                : communes_->Find(commune_code);
  if (commune == nullptr) return internal::kNoCommune;
  return static_cast<uint32_t>(commune - communes_->communes().data());
}

uint32_t Engine::CommuneOfSlot(SlotNo no) const {
  const internal::SlotRecord& r = slots_.at(no);
  if (r.has_location) return CommuneIndexOf("", slots_.location(no).exact);
  return professionals_.at(r.professional).commune_index;
}

bool Engine::InScope(const Caller& caller, SlotNo no) const {
  return InScopeCommune(caller, CommuneOfSlot(no));
}

std::string Engine::BookingIdOf(absl::string_view hold_token) {
  CRENEAU_CHECK(hold_token.size() >= limits::kBookingIdHexDigits);
  return absl::StrCat(
      internal::kBookingIdPrefix,
      hold_token.substr(hold_token.size() - limits::kBookingIdHexDigits));
}

SlotView Engine::ViewSlot(SlotNo no) const {
  SlotView view;
  ViewSlot(no, &view);
  return view;
}

void Engine::ViewSlot(SlotNo no, SlotView* out) const {
  const internal::SlotRecord& r = slots_.at(no);
  CRENEAU_CHECK(r.in_use);
  const internal::ProfessionalRecord& p = professionals_.at(r.professional);
  SlotView& view = *out;
  FillSlot(no, &view.slot);
  view.profession = p.profession;
  view.location = r.has_location ? slots_.location(no).exact : p.location;
  view.places_held = r.held_regular + r.held_overbooking;
  view.places_booked = r.booked_regular + r.booked_overbooking;
  view.weekly_cap_reached = r.week_capped;
  if (r.withdrawn) {
    view.state = SlotState::kWithdrawn;
  } else if (r.regular_place_free()) {
    view.state = SlotState::kFree;
  } else if (r.held_regular > 0) {
    view.state = SlotState::kHeld;
  } else {
    view.state = SlotState::kFull;
  }
}

void Engine::PrefetchHits(const SearchResult& result) const {
  for (const SearchHit& hit : result.hits) slots_.PrefetchRecord(hit.slot);
  for (const SearchHit& hit : result.hits) {
    slots_.PrefetchId(hit.slot);
    professionals_.PrefetchRecord(slots_.at(hit.slot).professional);
  }
}

ProfessionalView Engine::ProfessionalOfSlot(SlotNo no) const {
  return professionals_.view(slots_.at(no).professional);
}

namespace {

absl::Status NoSlot(absl::string_view field, absl::string_view slot_id) {
  return absl::NotFoundError(absl::StrCat(field, ": no slot '", slot_id, "'"));
}

absl::Status NoBooking(absl::string_view booking_id) {
  return absl::NotFoundError(
      absl::StrCat("booking_id: no booking '", booking_id, "'"));
}

}  // namespace

absl::StatusOr<SlotView> Engine::GetSlot(absl::string_view slot_id) const {
  const SlotNo no = slots_.Find(slot_id);
  if (no == kNoSlot) return NoSlot("slot_id", slot_id);
  return ViewSlot(no);
}

absl::StatusOr<SlotView> Engine::GetSlot(const Caller& caller,
                                         absl::string_view slot_id) const {
  const SlotNo no = slots_.Find(slot_id);
  // A slot the caller may not see answers exactly as an unknown one.
  if (no == kNoSlot || !VisibleTo(caller, no))
    return NoSlot("slot_id", slot_id);
  return ViewSlot(no);
}

absl::StatusOr<SlotPage> Engine::ListSlots(const Caller& caller,
                                           absl::string_view professional_id,
                                           int32_t page_size,
                                           absl::string_view page_token,
                                           bool include_withdrawn) const {
  const internal::ProfNo prof = professionals_.Find(professional_id);
  if (prof == internal::kNoProfessional) {
    return absl::NotFoundError(absl::StrCat(
        "professional_id: no professional '", professional_id, "'"));
  }
  if (page_size < 0 || page_size > limits::kMaxPageSize) {
    return InvalidField("page_size", RangeRule(1, limits::kMaxPageSize));
  }
  if (page_size == 0) page_size = limits::kDefaultPageSize;
  int64_t after_start = INT64_MIN;
  std::string after_id;
  if (!page_token.empty() &&
      !internal::DecodePageToken(page_token, &after_start, &after_id)) {
    return InvalidField("page_token", "malformed");
  }

  std::vector<std::pair<int64_t, absl::string_view>> order;
  for (SlotNo no : professionals_.at(prof).slots) {
    const internal::SlotRecord& r = slots_.at(no);
    if ((r.withdrawn && !include_withdrawn) || !VisibleTo(caller, no)) {
      continue;
    }
    const auto key = std::make_pair(int64_t{r.start_unix_s}, slots_.id(no));
    if (!page_token.empty() &&
        key <= std::make_pair(after_start, absl::string_view(after_id))) {
      continue;
    }
    order.push_back(key);
  }
  std::sort(order.begin(), order.end());
  SlotPage page;
  const size_t n = std::min(order.size(), static_cast<size_t>(page_size));
  for (size_t i = 0; i < n; ++i) {
    page.slots.push_back(ViewSlot(slots_.Find(order[i].second)));
  }
  if (order.size() > n) {
    page.next_page_token =
        internal::EncodePageToken(order[n - 1].first, order[n - 1].second);
  }
  return page;
}

absl::StatusOr<Booking> Engine::GetBooking(absl::string_view booking_id) const {
  auto it = bookings_.find(booking_id);
  if (it == bookings_.end()) return NoBooking(booking_id);
  return it->second;
}

absl::StatusOr<Booking> Engine::GetBooking(const Caller& caller,
                                           absl::string_view booking_id) const {
  auto it = bookings_.find(booking_id);
  if (it == bookings_.end() || !MayReadBooking(caller, it->second)) {
    return NoBooking(booking_id);
  }
  return it->second;
}

absl::StatusOr<Territory> Engine::GetTerritory(absl::string_view id) const {
  const Territory* territory = territories_.Find(id);
  if (territory == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("territory_id: no territory '", id, "'"));
  }
  return *territory;
}

absl::StatusOr<TerritoryPage> Engine::ListTerritories(
    int32_t page_size, absl::string_view page_token) const {
  if (page_size < 0 || page_size > limits::kMaxPageSize) {
    return InvalidField("page_size", RangeRule(1, limits::kMaxPageSize));
  }
  if (page_size == 0) page_size = limits::kDefaultPageSize;
  std::vector<const Territory*> found =
      territories_.Page(page_token, static_cast<size_t>(page_size) + 1);
  TerritoryPage page;
  for (size_t i = 0; i < found.size() && i < static_cast<size_t>(page_size);
       ++i) {
    page.territories.push_back(*found[i]);
  }
  if (found.size() > static_cast<size_t>(page_size)) {
    page.next_page_token = page.territories.back().id;
  }
  return page;
}

std::optional<ProfessionalView> Engine::FindProfessional(
    absl::string_view id) const {
  const internal::ProfNo no = professionals_.Find(id);
  if (no == internal::kNoProfessional) return std::nullopt;
  return professionals_.view(no);
}

const Hold* Engine::FindHold(absl::string_view token) const {
  auto it = holds_.find(token);
  return it == holds_.end() ? nullptr : &it->second;
}

EngineStats Engine::stats() const {
  EngineStats s;
  s.territories = territories_.size();
  s.professionals = professionals_.size();
  s.slots = slots_.size();
  s.searchable_slots = index_.size();
  s.active_holds = active_by_expiry_.size();
  s.bookings = bookings_.size();
  s.idempotency_records = idempotency_.size();
  return s;
}

SlotCensus Engine::CountSlots() const {
  SlotCensus census;
  for (SlotNo no = 0; no < slots_.end(); ++no) {
    const internal::SlotRecord& r = slots_.at(no);
    if (!r.in_use) continue;
    SlotCensusState state = SlotCensusState::kFree;
    if (r.withdrawn) {
      state = SlotCensusState::kWithdrawn;
    } else if (!r.regular_place_free()) {
      state = SlotCensusState::kFull;
    } else if (r.week_capped) {
      state = SlotCensusState::kCapped;
    }
    const Profession profession = professionals_.at(r.professional).profession;
    ++census.slots[static_cast<int>(profession)][static_cast<int>(state)];
  }
  return census;
}

}  // namespace creneau
