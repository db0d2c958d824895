// Engine: the change feed's access rules and its snapshot.
//
// A change carries the state recorded when it happened; whether a caller
// may receive it is decided now, against the engine's current professionals
// and territories, by the same rules as reads: what a caller may not read
// is never sent.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/internal/booking_key.h"

namespace creneau {
namespace {

bool Lists(const std::vector<std::string>& ids, absl::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

bool Engine::PassesFilter(const WatchFilter& filter, uint32_t commune_index,
                          Profession profession,
                          absl::string_view professional_id) const {
  if (filter.professions != 0 && (filter.professions & Bit(profession)) == 0) {
    return false;
  }
  if (!filter.professional_ids.empty() &&
      !Lists(filter.professional_ids, professional_id)) {
    return false;
  }
  if (filter.territory_ids.empty()) return true;
  if (commune_index == internal::kNoCommune) return false;
  for (const std::string& id : filter.territory_ids) {
    if (territories_.Contains(id, commune_index)) return true;
  }
  return false;
}

bool Engine::MayWatchSlot(const Caller& caller, const WatchFilter& filter,
                          const SlotView& view) const {
  const internal::ProfNo prof = professionals_.Find(view.slot.professional_id);
  if (prof == internal::kNoProfessional) return caller.administrator;
  const internal::ProfessionalRecord& record = professionals_.at(prof);
  const uint32_t commune = view.slot.location.has_value()
                               ? CommuneIndexOf("", *view.slot.location)
                               : record.commune_index;
  if (!PassesFilter(filter, commune, view.profession,
                    view.slot.professional_id)) {
    return false;
  }
  if (Manages(caller, prof)) return true;
  const bool visible =
      (caller.visibilities & Bit(view.slot.visibility)) != 0 ||
      (view.slot.visibility == Visibility::kCptsMembers && record.cpts != 0 &&
       record.cpts == professionals_.FindCpts(caller.organisation));
  return visible && InScopeCommune(caller, commune);
}

bool Engine::MayWatchProfessional(const Caller& caller,
                                  const WatchFilter& filter,
                                  const Professional& professional) const {
  const uint32_t commune =
      CommuneIndexOf(professional.commune_code, professional.location);
  if (!PassesFilter(filter, commune, professional.profession,
                    professional.id)) {
    return false;
  }
  return caller.administrator || professional.owner == caller.organisation ||
         InScopeCommune(caller, commune);
}

bool Engine::MayWatchBooking(const Caller& caller, const WatchFilter& filter,
                             const Booking& booking) const {
  const internal::ProfNo prof = professionals_.Find(booking.professional_id);
  if (prof == internal::kNoProfessional) return caller.administrator;
  const internal::ProfessionalRecord& record = professionals_.at(prof);
  return PassesFilter(filter, record.commune_index, record.profession,
                      booking.professional_id) &&
         MayReadBooking(caller, booking);
}

bool Engine::MayWatchTerritory(const Caller& caller, const WatchFilter& filter,
                               const Territory& territory) const {
  if (filter.professions != 0 || !filter.professional_ids.empty()) {
    return false;
  }
  if (!filter.territory_ids.empty() &&
      !Lists(filter.territory_ids, territory.id)) {
    return false;
  }
  return caller.administrator || caller.scope.national ||
         Lists(caller.scope.territory_ids, territory.id);
}

bool Engine::MayWatch(const Caller& caller, const WatchFilter& filter,
                      const SubjectState& state) const {
  struct Visitor {
    const Engine& engine;
    const Caller& caller;
    const WatchFilter& filter;
    bool operator()(std::monostate) const { return caller.administrator; }
    bool operator()(const SlotView& v) const {
      return engine.MayWatchSlot(caller, filter, v);
    }
    bool operator()(const Professional& p) const {
      return engine.MayWatchProfessional(caller, filter, p);
    }
    bool operator()(const Booking& b) const {
      return engine.MayWatchBooking(caller, filter, b);
    }
    bool operator()(const Territory& t) const {
      return engine.MayWatchTerritory(caller, filter, t);
    }
    bool operator()(const WaitingRequest& r) const {
      return engine.MayWatchRequest(caller, filter, r);
    }
  };
  // The waitlist's feed carries requests only, the change feed none.
  if (filter.requests != std::holds_alternative<WaitingRequest>(state) &&
      !std::holds_alternative<std::monostate>(state)) {
    return false;
  }
  return std::visit(Visitor{*this, caller, filter}, state);
}

absl::Status Engine::WatchSnapshot(const Caller& caller,
                                   const WatchFilter& filter,
                                   size_t max_objects,
                                   std::vector<SubjectState>* out) const {
  const size_t first = out->size();
  auto add = [&](SubjectState state) {
    if (!MayWatch(caller, filter, state)) return true;
    if (out->size() - first >= max_objects) return false;
    out->push_back(std::move(state));
    return true;
  };
  const absl::Status too_many = absl::ResourceExhaustedError(
      absl::StrCat("filter: the snapshot holds more than ", max_objects,
                   " objects; narrow it by territory, profession or "
                   "professional"));
  if (filter.requests) {
    for (const auto& [order, id] : requests_by_order_) {
      if (!add(ForChangeFeed(requests_.at(id)))) return too_many;
    }
    return absl::OkStatus();
  }
  for (const Territory* t : territories_.Page("", territories_.size())) {
    if (!add(*t)) return too_many;
  }
  for (internal::ProfNo prof = 0; prof < professionals_.size(); ++prof) {
    if (!add(professionals_.view(prof).ToProfessional())) return too_many;
    for (SlotNo no : professionals_.at(prof).slots) {
      if (!add(ViewSlot(no))) return too_many;
    }
    auto bookings = bookings_by_professional_.find(professionals_.id(prof));
    if (bookings == bookings_by_professional_.end()) continue;
    for (const internal::BookingKey& key : bookings->second) {
      const Booking& booking = bookings_.at(internal::BookingIdOfKey(key));
      if (!add(ForChangeFeed(booking))) return too_many;
    }
  }
  return absl::OkStatus();
}

}  // namespace creneau
