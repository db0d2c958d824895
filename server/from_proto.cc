// Requests to domain commands, validating every field.
#include "server/from_proto.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/limits.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "server/internal/enums.h"
#include "server/internal/proto_time.h"
#include "territory/territory_source.h"

namespace creneau::server {
namespace {

// Timestamps from year 1 to 9999, as google.protobuf.Timestamp defines them.
absl::StatusOr<int64_t> UnixSeconds(const google::protobuf::Timestamp& t,
                                    absl::string_view path) {
  constexpr int64_t kMin = -62135596800, kMax = 253402300799;
  if (t.seconds() < kMin || t.seconds() > kMax || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return InvalidField(path, "not a valid timestamp");
  }
  return t.seconds();
}

using internal::Seconds;

absl::StatusOr<LatLng> Point(const v1::LatLng& p, absl::string_view path) {
  const LatLng point{p.latitude(), p.longitude()};
  if (!IsValidLatLng(point)) {
    return InvalidField(path,
                        "must be a WGS84 position in degrees (latitude in "
                        "[-90, 90], longitude in [-180, 180])");
  }
  return point;
}

absl::Status CheckEnum(bool valid, int value, absl::string_view path) {
  if (valid) return absl::OkStatus();
  return InvalidField(path, absl::StrCat("unknown value ", value));
}

absl::StatusOr<Professional> ProfessionalFrom(const v1::Professional& in,
                                              const std::string& path) {
  Professional p;
  RETURN_IF_ERROR(CheckId(path + ".id", in.id()));
  p.id = in.id();
  RETURN_IF_ERROR(CheckEnum(v1::Profession_IsValid(in.profession()),
                            in.profession(), path + ".profession"));
  if (in.profession() == v1::PROFESSION_UNSPECIFIED) {
    return InvalidField(path + ".profession", "required");
  }
  p.profession = static_cast<Profession>(in.profession());
  if (!in.has_location()) return InvalidField(path + ".location", "required");
  ASSIGN_OR_RETURN(p.location, Point(in.location(), path + ".location"));
  p.commune_code = in.commune_code();
  p.time_zone = in.time_zone().empty() ? kDefaultTimeZone : in.time_zone();
  if (!IsSupportedTimeZone(p.time_zone)) {
    return InvalidField(path + ".time_zone", TimeZoneRule());
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(p.time_zone, &zone)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ".time_zone: '", p.time_zone,
                     "' is not installed on the server (package tzdata)"));
  }
  RETURN_IF_ERROR(CheckEnum(v1::StructureType_IsValid(in.structure()),
                            in.structure(), path + ".structure"));
  p.structure = in.structure() == v1::STRUCTURE_TYPE_UNSPECIFIED
                    ? StructureType::kOwnPractice
                    : static_cast<StructureType>(in.structure());
  p.cpts_id = in.cpts_id();
  p.sector = in.sector();
  p.weekly_orientation_cap = in.weekly_orientation_cap();
  p.home_visit_radius_km = in.home_visit_radius_km();
  p.display_name = in.display_name();
  return p;  // The engine checks the remaining ranges, naming the field.
}

absl::StatusOr<Slot> SlotFrom(const v1::Slot& in, const std::string& path) {
  Slot s;
  RETURN_IF_ERROR(CheckId(path + ".id", in.id()));
  s.id = in.id();
  RETURN_IF_ERROR(CheckId(path + ".professional_id", in.professional_id()));
  s.professional_id = in.professional_id();
  if (!in.has_start_time())
    return InvalidField(path + ".start_time", "required");
  ASSIGN_OR_RETURN(s.start_unix_s,
                   UnixSeconds(in.start_time(), path + ".start_time"));
  if (!in.has_duration()) return InvalidField(path + ".duration", "required");
  ASSIGN_OR_RETURN(const int64_t duration_s,
                   Seconds(in.duration(), path + ".duration"));
  if (duration_s < limits::kMinSlotDurationS ||
      duration_s > limits::kMaxSlotDurationS) {
    return InvalidField(
        path + ".duration",
        DurationRule(limits::kMinSlotDurationS, limits::kMaxSlotDurationS));
  }
  s.duration_s = static_cast<int32_t>(duration_s);
  RETURN_IF_ERROR(CheckEnum(v1::Modality_IsValid(in.modality()), in.modality(),
                            path + ".modality"));
  if (in.modality() == v1::MODALITY_UNSPECIFIED) {
    return InvalidField(path + ".modality", "required");
  }
  s.modality = static_cast<Modality>(in.modality());
  s.capacity = in.capacity() == 0 ? 1 : in.capacity();
  s.overbooking_places = in.overbooking_places();
  RETURN_IF_ERROR(CheckEnum(v1::Visibility_IsValid(in.visibility()),
                            in.visibility(), path + ".visibility"));
  s.visibility = in.visibility() == v1::VISIBILITY_UNSPECIFIED
                     ? Visibility::kPublic
                     : static_cast<Visibility>(in.visibility());
  if (in.has_location()) {
    ASSIGN_OR_RETURN(s.location, Point(in.location(), path + ".location"));
  }
  return s;
}

}  // namespace

absl::StatusOr<std::vector<Professional>> ProfessionalsFromRequest(
    const v1::UpsertProfessionalsRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(
      CheckBatchSize("professionals", request.professionals_size()));
  std::vector<Professional> out;
  out.reserve(request.professionals_size());
  for (int i = 0; i < request.professionals_size(); ++i) {
    ASSIGN_OR_RETURN(Professional p,
                     ProfessionalFrom(request.professionals(i),
                                      absl::StrCat("professionals[", i, "]")));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<Slot>> SlotsFromRequest(
    const v1::PublishSlotsRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckBatchSize("slots", request.slots_size()));
  std::vector<Slot> out;
  out.reserve(request.slots_size());
  for (int i = 0; i < request.slots_size(); ++i) {
    ASSIGN_OR_RETURN(
        Slot s, SlotFrom(request.slots(i), absl::StrCat("slots[", i, "]")));
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> SlotIdsFromRequest(
    const v1::WithdrawSlotsRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckBatchSize("slot_ids", request.slot_ids_size()));
  std::vector<std::string> out;
  for (int i = 0; i < request.slot_ids_size(); ++i) {
    RETURN_IF_ERROR(
        CheckId(absl::StrCat("slot_ids[", i, "]"), request.slot_ids(i)));
    out.push_back(request.slot_ids(i));
  }
  return out;
}

absl::StatusOr<SearchQuery> QueryFromRequest(
    const v1::SearchSlotsRequest& request) {
  SearchQuery q;
  switch (request.origin_case()) {
    case v1::SearchSlotsRequest::kPoint: {
      ASSIGN_OR_RETURN(q.point, Point(request.point(), "point"));
      break;
    }
    case v1::SearchSlotsRequest::kCommuneCode:
      if (!IsValidCommuneCode(request.commune_code())) {
        return InvalidField("commune_code",
                            "must be a 5-character INSEE code such as 17306");
      }
      q.commune_code = request.commune_code();
      break;
    case v1::SearchSlotsRequest::ORIGIN_NOT_SET:
      return InvalidField("origin", "one of point or commune_code is required");
  }
  RETURN_IF_ERROR(CheckEnum(v1::Profession_IsValid(request.profession()),
                            request.profession(), "profession"));
  if (request.profession() == v1::PROFESSION_UNSPECIFIED) {
    return InvalidField("profession", "required");
  }
  q.profession = static_cast<Profession>(request.profession());
  if (request.other_professions_size() >= kProfessionCount) {
    return InvalidField("other_professions",
                        absl::StrCat("at most ", kProfessionCount - 2,
                                     " (each profession once)"));
  }
  for (int i = 0; i < request.other_professions_size(); ++i) {
    const std::string field = absl::StrCat("other_professions[", i, "]");
    const int other = request.other_professions(i);
    RETURN_IF_ERROR(CheckEnum(v1::Profession_IsValid(other), other, field));
    if (other == v1::PROFESSION_UNSPECIFIED) {
      return InvalidField(field, "unknown profession");
    }
    q.other_professions.push_back(static_cast<Profession>(other));
  }
  for (int i = 0; i < request.modalities_size(); ++i) {
    const int m = request.modalities(i);
    if (!v1::Modality_IsValid(m) || m == v1::MODALITY_UNSPECIFIED) {
      return InvalidField(absl::StrCat("modalities[", i, "]"),
                          absl::StrCat("unknown value ", m));
    }
    q.modalities |= Bit(static_cast<Modality>(m));
  }
  if (request.has_window_start()) {
    ASSIGN_OR_RETURN(q.window_start_unix_s,
                     UnixSeconds(request.window_start(), "window_start"));
  }
  if (request.has_window_end()) {
    ASSIGN_OR_RETURN(q.window_end_unix_s,
                     UnixSeconds(request.window_end(), "window_end"));
  }
  q.radius_m = request.radius_m();
  q.limit = request.limit();
  RETURN_IF_ERROR(CheckEnum(v1::SearchOrder_IsValid(request.order()),
                            request.order(), "order"));
  q.order = request.order() == v1::SEARCH_ORDER_UNSPECIFIED
                ? SearchOrder::kSoonest
                : static_cast<SearchOrder>(request.order());
  q.preferred_professional_id = request.preferred_professional_id();
  return q;  // The engine checks radius, limit and window, naming the field.
}

namespace {

// A hold's time to live: limits::kDefaultHoldTtlS when not given.
absl::StatusOr<int32_t> HoldTtl(bool has_ttl,
                                const google::protobuf::Duration& ttl) {
  if (!has_ttl) return limits::kDefaultHoldTtlS;
  ASSIGN_OR_RETURN(const int64_t ttl_s, Seconds(ttl, "ttl"));
  if (ttl_s < limits::kMinHoldTtlS || ttl_s > limits::kMaxHoldTtlS) {
    return InvalidField(
        "ttl", DurationRule(limits::kMinHoldTtlS, limits::kMaxHoldTtlS));
  }
  return static_cast<int32_t>(ttl_s);
}

}  // namespace

absl::StatusOr<HoldCommand> HoldFromRequest(const v1::HoldSlotRequest& request,
                                            std::string token) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckId("slot_id", request.slot_id()));
  HoldCommand command;
  command.slot_id = request.slot_id();
  command.token = std::move(token);
  command.overbooking_place = request.overbooking_place();
  ASSIGN_OR_RETURN(command.ttl_s, HoldTtl(request.has_ttl(), request.ttl()));
  return command;
}

absl::StatusOr<MatchHoldCommand> MatchHoldFromRequest(
    const v1::MatchAndHoldRequest& request, std::string token) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  if (!request.has_search()) return InvalidField("search", "required");
  MatchHoldCommand command;
  ASSIGN_OR_RETURN(command.query, QueryFromRequest(request.search()));
  command.token = std::move(token);
  ASSIGN_OR_RETURN(command.ttl_s, HoldTtl(request.has_ttl(), request.ttl()));
  return command;
}

absl::StatusOr<ConfirmCommand> ConfirmFromRequest(
    const v1::ConfirmBookingRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckId("slot_id", request.slot_id()));
  RETURN_IF_ERROR(CheckHoldToken("hold_token", request.hold_token()));
  if (request.patient_ref().empty()) {
    return InvalidField("patient_ref",
                        "required (a pseudonymous reference, never a name)");
  }
  return ConfirmCommand{request.slot_id(), request.hold_token(),
                        request.patient_ref(), request.orientation_ref()};
}

absl::StatusOr<ReleaseCommand> ReleaseFromRequest(
    const v1::ReleaseHoldRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckId("slot_id", request.slot_id()));
  RETURN_IF_ERROR(CheckHoldToken("hold_token", request.hold_token()));
  return ReleaseCommand{request.slot_id(), request.hold_token()};
}

absl::StatusOr<CancelCommand> CancelFromRequest(
    const v1::CancelBookingRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckId("booking_id", request.booking_id()));
  RETURN_IF_ERROR(CheckEnum(v1::CancelReason_IsValid(request.reason_code()),
                            request.reason_code(), "reason_code"));
  return CancelCommand{request.booking_id(),
                       static_cast<CancelReason>(request.reason_code())};
}

absl::StatusOr<BookingQuery> BookingQueryFromRequest(
    const v1::ListBookingsRequest& request) {
  BookingQuery query;
  if (!request.professional_id().empty()) {
    RETURN_IF_ERROR(CheckId("professional_id", request.professional_id()));
    query.professional_id = request.professional_id();
  }
  if (!request.organisation().empty()) {
    RETURN_IF_ERROR(CheckId("organisation", request.organisation()));
    query.organisation = request.organisation();
  }
  if (request.has_start_from()) {
    ASSIGN_OR_RETURN(query.from_unix_s,
                     UnixSeconds(request.start_from(), "start_from"));
  } else {
    query.from_unix_s = std::numeric_limits<int64_t>::min();
  }
  query.page_size = request.page_size();
  query.page_token = request.page_token();
  return query;
}

absl::StatusOr<std::vector<std::string>> CommunesFromSource(
    const v1::TerritorySource& source, const CommuneTable& communes,
    bool* national) {
  *national = false;
  switch (source.source_case()) {
    case v1::TerritorySource::kEpciSiren: {
      auto codes = territory::CommunesOfEpci(communes, source.epci_siren());
      if (absl::IsNotFound(codes.status())) {
        return InvalidField("source", codes.status().message());
      }
      return codes;
    }
    case v1::TerritorySource::kDepartement: {
      auto codes =
          territory::CommunesOfDepartement(communes, source.departement());
      if (absl::IsNotFound(codes.status())) {
        return InvalidField("source", codes.status().message());
      }
      return codes;
    }
    case v1::TerritorySource::kCommunes:
      return std::vector<std::string>(source.communes().commune_codes().begin(),
                                      source.communes().commune_codes().end());
    case v1::TerritorySource::kNational:
      if (!source.national()) break;
      *national = true;
      return std::vector<std::string>();
    case v1::TerritorySource::SOURCE_NOT_SET:
      break;
  }
  return InvalidField("source",
                      "one of epci_siren, departement, communes or national "
                      "is required");
}

absl::StatusOr<Territory> TerritoryFromRequest(
    const v1::CreateTerritoryRequest& request, const CommuneTable& communes) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckId("territory_id", request.territory_id()));
  RETURN_IF_ERROR(CheckEnum(v1::TerritoryKind_IsValid(request.kind()),
                            request.kind(), "kind"));
  Territory t;
  t.id = request.territory_id();
  t.name = request.name();
  t.kind = static_cast<TerritoryKind>(request.kind());
  bool national = false;
  ASSIGN_OR_RETURN(t.commune_codes,
                   CommunesFromSource(request.source(), communes, &national));
  if (national != (t.kind == TerritoryKind::kNational)) {
    return InvalidField("kind",
                        "TERRITORY_KIND_NATIONAL goes with source.national, "
                        "and only with it");
  }
  return t;  // The engine checks the name, the communes and the limits.
}

absl::StatusOr<Territory> TerritoryFromRequest(
    const v1::UpdateTerritoryRequest& request, const Territory& current,
    const CommuneTable& communes) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckEnum(v1::TerritoryKind_IsValid(request.kind()),
                            request.kind(), "kind"));
  Territory t = current;
  if (!request.name().empty()) t.name = request.name();
  if (request.kind() != v1::TERRITORY_KIND_UNSPECIFIED) {
    t.kind = static_cast<TerritoryKind>(request.kind());
  }
  if (request.has_source()) {
    bool national = false;
    ASSIGN_OR_RETURN(t.commune_codes,
                     CommunesFromSource(request.source(), communes, &national));
    if (national && t.kind != TerritoryKind::kNational) {
      return InvalidField("kind", "source.national needs a national kind");
    }
  }
  return t;
}

absl::StatusOr<std::vector<std::string>> TransferFromRequest(
    const v1::TransferProfessionalsRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  RETURN_IF_ERROR(CheckId("organisation", request.organisation()));
  RETURN_IF_ERROR(
      CheckBatchSize("professional_ids", request.professional_ids_size()));
  std::vector<std::string> ids;
  for (int i = 0; i < request.professional_ids_size(); ++i) {
    RETURN_IF_ERROR(CheckId(absl::StrCat("professional_ids[", i, "]"),
                            request.professional_ids(i)));
    ids.push_back(request.professional_ids(i));
  }
  return ids;
}

}  // namespace creneau::server
