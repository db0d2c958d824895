// Domain values to API messages, and the sentences that explain a search.
#include "server/to_proto.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/names.h"
#include "server/internal/enums.h"
#include "server/internal/proto_time.h"

namespace creneau::server {
namespace {

using internal::SetTime;

void SetDuration(int64_t seconds, google::protobuf::Duration* out) {
  out->set_seconds(seconds);
  out->set_nanos(0);
}

std::string Distance(double meters) {
  if (meters < 1000) return absl::StrFormat("%.0f m", meters);
  return absl::StrFormat("%.1f km", meters / 1000);
}

std::string ProfessionPlural(Profession profession) {
  std::string name(ProfessionName(profession));
  for (char& c : name) {
    if (c == '-') c = ' ';
  }
  return name + "s";
}

std::string Capitalized(std::string text) {
  if (!text.empty()) text[0] = absl::ascii_toupper(text[0]);
  return text;
}

}  // namespace

void ToProto(const ProfessionalView& p, v1::Professional* out) {
  out->set_id(p.id.data(), p.id.size());
  out->set_profession(static_cast<v1::Profession>(p.profession));
  ToProto(p.location, out->mutable_location());
  out->set_commune_code(p.commune_code.data(), p.commune_code.size());
  out->set_time_zone(p.time_zone.data(), p.time_zone.size());
  out->set_structure(static_cast<v1::StructureType>(p.structure));
  out->set_cpts_id(p.cpts_id.data(), p.cpts_id.size());
  out->set_sector(p.sector);
  out->set_weekly_orientation_cap(p.weekly_orientation_cap);
  out->set_home_visit_radius_km(p.home_visit_radius_km);
  out->set_display_name(p.display_name.data(), p.display_name.size());
  out->set_owner_organisation(p.owner.data(), p.owner.size());
}

void ToProto(const Professional& p, v1::Professional* out) {
  ToProto(ProfessionalView{.owner = p.owner,
                           .id = p.id,
                           .profession = p.profession,
                           .location = p.location,
                           .commune_code = p.commune_code,
                           .time_zone = p.time_zone,
                           .structure = p.structure,
                           .cpts_id = p.cpts_id,
                           .sector = p.sector,
                           .weekly_orientation_cap = p.weekly_orientation_cap,
                           .home_visit_radius_km = p.home_visit_radius_km,
                           .display_name = p.display_name},
          out);
}

void ToProto(const LatLng& point, v1::LatLng* out) {
  out->set_latitude(point.lat_deg);
  out->set_longitude(point.lng_deg);
}

void ToProto(const SlotView& view, v1::Slot* out) {
  const Slot& s = view.slot;
  out->set_id(s.id);
  out->set_professional_id(s.professional_id);
  SetTime(s.start_unix_s, out->mutable_start_time());
  SetDuration(s.duration_s, out->mutable_duration());
  out->set_modality(static_cast<v1::Modality>(s.modality));
  out->set_capacity(s.capacity);
  out->set_overbooking_places(s.overbooking_places);
  out->set_visibility(static_cast<v1::Visibility>(s.visibility));
  if (s.location) ToProto(*s.location, out->mutable_location());
  out->set_state(static_cast<v1::SlotState>(view.state));
  out->set_places_held(view.places_held);
  out->set_places_booked(view.places_booked);
  out->set_profession(static_cast<v1::Profession>(view.profession));
}

void ToProto(const Hold& hold, v1::Hold* out) {
  out->set_token(hold.token);
  out->set_slot_id(hold.slot_id);
  SetTime(hold.expire_unix_s, out->mutable_expire_time());
  out->set_overbooking_place(hold.overbooking_place);
}

void ToProto(const Booking& b, v1::Booking* out) {
  out->set_id(b.id);
  out->set_slot_id(b.slot_id);
  out->set_professional_id(b.professional_id);
  SetTime(b.start_unix_s, out->mutable_start_time());
  SetDuration(b.duration_s, out->mutable_duration());
  out->set_modality(static_cast<v1::Modality>(b.modality));
  out->set_patient_ref(b.patient_ref);
  out->set_orientation_ref(b.orientation_ref);
  out->set_status(static_cast<v1::BookingStatus>(b.status));
  SetTime(b.create_unix_s, out->mutable_create_time());
  if (b.status == BookingStatus::kCancelled) {
    SetTime(b.cancel_unix_s, out->mutable_cancel_time());
    out->set_cancel_reason_code(static_cast<v1::CancelReason>(b.cancel_reason));
  }
  out->set_overbooking_place(b.overbooking_place);
  out->set_booked_by(b.booked_by);
  out->set_organisation(b.organisation);
}

void ToProto(const Territory& t, v1::Territory* out) {
  out->set_id(t.id);
  out->set_name(t.name);
  out->set_kind(static_cast<v1::TerritoryKind>(t.kind));
  for (const std::string& code : t.commune_codes) out->add_commune_codes(code);
}

std::string TimeZoneOf(const Engine& engine,
                       absl::string_view professional_id) {
  const std::optional<ProfessionalView> professional =
      engine.FindProfessional(professional_id);
  return professional ? std::string(professional->time_zone) : std::string();
}

std::string ActionName(EventType type) {
  switch (type) {
    case EventType::kProfessionalsUpserted:
      return "professionals_upserted";
    case EventType::kSlotsPublished:
      return "slots_published";
    case EventType::kSlotsWithdrawn:
      return "slots_withdrawn";
    case EventType::kSlotHeld:
      return "slot_held";
    case EventType::kBookingConfirmed:
      return "booking_confirmed";
    case EventType::kHoldReleased:
      return "hold_released";
    case EventType::kBookingCancelled:
      return "booking_cancelled";
    case EventType::kHoldsExpired:
      return "holds_expired";
    case EventType::kRecordsPurged:
      return "records_purged";
    case EventType::kTerritoryUpserted:
      return "territory_upserted";
    case EventType::kProfessionalsTransferred:
      return "professionals_transferred";
    case EventType::kBookingRead:
      return "booking_read";
    case EventType::kCallsRefused:
      return "calls_refused";
    case EventType::kAvailabilityPublished:
      return "availability_published";
    case EventType::kRequestEnqueued:
      return "request_enqueued";
    case EventType::kRequestMatched:
      return "request_matched";
    case EventType::kRequestCancelled:
      return "request_cancelled";
    case EventType::kRequestsExpired:
      return "requests_expired";
  }
  return "unknown";
}

void ToProto(uint64_t sequence, const Event& e, v1::AuditRecord* out) {
  out->set_sequence(sequence);
  SetTime(e.time_unix_s, out->mutable_time());
  out->set_action(ActionName(e.type));
  out->set_principal(e.actor);
  out->set_organisation(e.organisation);
  out->set_request_id(e.request_id);
  for (const Subject& s : e.subjects) {
    v1::AuditSubject* subject = out->add_subjects();
    subject->set_kind(static_cast<v1::AuditSubject::Kind>(s.kind));
    subject->set_id(s.id);
  }
  out->set_detail(e.detail);
}

std::string ReasonText(const SearchHit& hit, SearchOrder order,
                       const RankingWeights& weights, bool other_profession) {
  const std::string week =
      hit.weekly_cap > 0
          ? absl::StrCat(hit.week_orientations, " of ", hit.weekly_cap,
                         " this week")
          : absl::StrCat(hit.week_orientations, " this week, uncapped");
  std::vector<std::string> parts;
  if (hit.reason == MatchReason::kPreferredProfessional) {
    parts.push_back("patient's own professional");
  }
  const bool remote = hit.reason == MatchReason::kTeleconsultation;
  if (order == SearchOrder::kBalanced) {
    parts.push_back(absl::StrFormat(
        "score %.0f = %.0f min + %.0f for %s + %.0f for %s", hit.score,
        hit.minutes_to_start, weights.minutes_per_km * hit.trip_m / 1000,
        hit.trip_m > 0 ? Distance(hit.trip_m) : std::string("no trip"),
        weights.minutes_per_full_week * hit.load, week));
  } else {
    parts.push_back(week);
  }
  if (hit.reason == MatchReason::kWidenedRadius) {
    parts.push_back("found after widening");
  }
  if (remote) parts.push_back("teleconsultation, not bound by the radius");
  if (other_profession) parts.push_back("another profession searched");
  if (hit.overbooking_only) parts.push_back("overbooking place only");
  return absl::StrJoin(parts, ", ");
}

std::string Explanation(const CommuneTable& communes, const SearchQuery& query,
                        const SearchResult& result) {
  const Commune* origin = communes.Find(result.origin_commune);
  const std::string where =
      origin ? absl::StrCat(" of ", origin->name, " (", origin->insee, ")")
             : "";
  const std::string radius = Distance(result.radius_m);
  const std::string who = ProfessionPlural(query.profession);
  switch (result.empty_reason) {
    case EmptyReason::kNone: {
      std::string text =
          absl::StrCat(result.hits.size(), " slot(s) within ", radius, where);
      if (result.widening_steps > 0) {
        absl::StrAppend(&text, ", radius widened ", result.widening_steps,
                        " time(s) from ", Distance(result.initial_radius_m));
      }
      const auto remote = std::count_if(
          result.hits.begin(), result.hits.end(), [&](const SearchHit& h) {
            return h.reason == MatchReason::kTeleconsultation &&
                   h.distance_m > result.radius_m;
          });
      if (remote > 0) {
        absl::StrAppend(&text, ", ", remote,
                        " of them teleconsultations from farther");
      }
      return text;
    }
    case EmptyReason::kNoSupplyInReach:
      return absl::StrCat("No ", who, " practise within ", radius, where, ".");
    case EmptyReason::kOutsideWindow:
      return absl::StrCat(
          Capitalized(who), " practise within ", radius, where,
          " but published no slot in the window searched; try a later "
          "or longer window.");
    case EmptyReason::kAllTaken:
      return absl::StrCat(
          "Every slot of ", who, " within ", radius, where,
          " in the window is held or booked; try again shortly.");
    case EmptyReason::kNoMatchingSlot:
      return absl::StrCat(
          "Free slots of ", who, " exist within ", radius, where,
          " but none with an accepted modality or open to your role.");
    case EmptyReason::kCapReached:
      return absl::StrCat(
          "Free slots of ", who, " exist within ", radius, where,
          " but every one of them belongs to a professional who has reached "
          "their weekly orientation cap that week.");
    case EmptyReason::kNoneHoldable:
      return absl::StrCat(
          "Free slots of ", who, " exist within ", radius, where,
          " but none you may hold: outside your territories, or only "
          "overbooking places left.");
  }
  return "";
}

void ToProto(const Engine& engine, const Caller& caller,
             const SearchQuery& query, const SearchResult& result,
             v1::SearchSlotsResponse* out) {
  thread_local SlotView view;  // Its strings are reused from call to call.
  engine.PrefetchHits(result);
  for (const SearchHit& hit : result.hits) {
    v1::SlotMatch* match = out->add_matches();
    engine.ViewSlot(hit.slot, &view);
    ToProto(view, match->mutable_slot());
    ToProto(engine.ProfessionalOfSlot(hit.slot), match->mutable_professional());
    match->mutable_slot()->set_time_zone(match->professional().time_zone());
    match->set_distance_m(std::round(hit.distance_m * 10) / 10);
    match->set_reason(static_cast<v1::MatchReason>(hit.reason));
    match->set_reason_text(ReasonText(hit, query.order,
                                      engine.options().ranking,
                                      view.profession != query.profession));
    match->set_overbooking_only(hit.overbooking_only);
    match->set_in_scope(engine.InScope(caller, hit.slot));
    v1::ScoreComponents* score = match->mutable_score();
    score->set_minutes_to_start(std::round(hit.minutes_to_start * 10) / 10);
    score->set_distance_km(std::round(hit.trip_m / 100) / 10);
    score->set_week_orientations(hit.week_orientations);
    score->set_weekly_cap(hit.weekly_cap);
    score->set_week_load(hit.load);
    score->set_score(std::round(hit.score * 10) / 10);
  }
  out->set_radius_m(result.radius_m);
  out->set_widening_steps(result.widening_steps);
  out->set_empty_reason(static_cast<v1::EmptyReason>(result.empty_reason));
  out->set_explanation(Explanation(engine.communes(), query, result));
  SetTime(result.window_start_unix_s, out->mutable_window_start());
  SetTime(result.window_end_unix_s, out->mutable_window_end());
}

}  // namespace creneau::server
