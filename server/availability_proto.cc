#include "server/availability_proto.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/limits.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "server/to_proto.h"

namespace creneau::server {
namespace {

absl::StatusOr<int32_t> Minute(const std::string& text,
                               const std::string& path) {
  std::optional<int32_t> minute = ParseLocalMinute(text);
  if (!minute.has_value()) {
    return InvalidField(path, text.empty()
                                  ? "required (\"HH:MM\")"
                                  : "must be \"HH:MM\", 00:00 to 24:00");
  }
  return *minute;
}

absl::StatusOr<absl::CivilDay> Day(const std::string& text,
                                   const std::string& path) {
  std::optional<absl::CivilDay> day = ParseLocalDay(text);
  if (!day.has_value()) {
    return InvalidField(path, text.empty() ? "required (\"YYYY-MM-DD\")"
                                           : "must be a date \"YYYY-MM-DD\"");
  }
  return *day;
}

absl::StatusOr<SlotShape> ShapeFrom(const v1::SlotShape& in,
                                    const std::string& path) {
  SlotShape s;
  s.slot_minutes = in.slot_minutes();
  if (!v1::Modality_IsValid(in.modality())) {
    return InvalidField(path + ".modality",
                        absl::StrCat("unknown value ", in.modality()));
  }
  s.modality = static_cast<Modality>(in.modality());
  s.capacity = in.capacity() == 0 ? 1 : in.capacity();
  s.overbooking_places = in.overbooking_places();
  if (!v1::Visibility_IsValid(in.visibility())) {
    return InvalidField(path + ".visibility",
                        absl::StrCat("unknown value ", in.visibility()));
  }
  s.visibility = in.visibility() == v1::VISIBILITY_UNSPECIFIED
                     ? Visibility::kPublic
                     : static_cast<Visibility>(in.visibility());
  if (in.has_location()) {
    s.location = LatLng{in.location().latitude(), in.location().longitude()};
  }
  return s;  // ValidateAvailability checks the ranges, naming the field.
}

absl::StatusOr<WeeklyTemplate> TemplateFrom(const v1::WeeklyTemplate& in,
                                            const std::string& path) {
  WeeklyTemplate t;
  t.id = in.id();
  for (int i = 0; i < in.weekdays_size(); ++i) {
    const int day = in.weekdays(i);
    if (day < 1 || day > 7) {
      return InvalidField(absl::StrCat(path, ".weekdays[", i, "]"),
                          "must be 1 (Monday) to 7 (Sunday)");
    }
    t.weekdays |= static_cast<uint8_t>(1 << (day - 1));
  }
  ASSIGN_OR_RETURN(t.start_minute,
                   Minute(in.start_time(), path + ".start_time"));
  ASSIGN_OR_RETURN(t.end_minute, Minute(in.end_time(), path + ".end_time"));
  ASSIGN_OR_RETURN(t.shape, ShapeFrom(in.shape(), path + ".shape"));
  ASSIGN_OR_RETURN(t.first_day, Day(in.first_day(), path + ".first_day"));
  if (!in.last_day().empty()) {
    ASSIGN_OR_RETURN(t.last_day, Day(in.last_day(), path + ".last_day"));
  }
  return t;
}

absl::StatusOr<AvailabilityException> ExceptionFrom(
    const v1::AvailabilityException& in, const std::string& path) {
  AvailabilityException e;
  e.id = in.id();
  if (!v1::AvailabilityException::Kind_IsValid(in.kind())) {
    return InvalidField(path + ".kind",
                        absl::StrCat("unknown value ", in.kind()));
  }
  e.kind = static_cast<ExceptionKind>(in.kind());
  ASSIGN_OR_RETURN(e.first_day, Day(in.first_day(), path + ".first_day"));
  e.last_day = e.first_day;
  if (!in.last_day().empty()) {
    ASSIGN_OR_RETURN(e.last_day, Day(in.last_day(), path + ".last_day"));
  }
  const bool whole_day = e.kind == ExceptionKind::kVacation ||
                         (e.kind == ExceptionKind::kClosure &&
                          in.start_time().empty() && in.end_time().empty());
  if (!whole_day) {
    ASSIGN_OR_RETURN(e.start_minute,
                     Minute(in.start_time(), path + ".start_time"));
    ASSIGN_OR_RETURN(e.end_minute, Minute(in.end_time(), path + ".end_time"));
  }
  if (e.kind == ExceptionKind::kOpening) {
    ASSIGN_OR_RETURN(e.shape, ShapeFrom(in.shape(), path + ".shape"));
  }
  return e;
}

void ShapeToProto(const SlotShape& s, v1::SlotShape* out) {
  out->set_slot_minutes(s.slot_minutes);
  out->set_modality(static_cast<v1::Modality>(s.modality));
  out->set_capacity(s.capacity);
  out->set_overbooking_places(s.overbooking_places);
  out->set_visibility(static_cast<v1::Visibility>(s.visibility));
  if (s.location) ToProto(*s.location, out->mutable_location());
}

}  // namespace

std::optional<int32_t> ParseLocalMinute(absl::string_view text) {
  int hours, minutes;
  if (text.size() != 5 || text[2] != ':' ||
      !absl::SimpleAtoi(text.substr(0, 2), &hours) ||
      !absl::SimpleAtoi(text.substr(3, 2), &minutes) || hours < 0 ||
      minutes < 0 || minutes > 59 || hours * 60 + minutes > 24 * 60) {
    return std::nullopt;
  }
  return hours * 60 + minutes;
}

std::optional<absl::CivilDay> ParseLocalDay(absl::string_view text) {
  absl::CivilDay day;
  // ParseCivilTime normalises "2026-02-30"; a date must read back the same.
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::FormatCivilTime(day) != text) {
    return std::nullopt;
  }
  return day;
}

std::string FormatLocalMinute(int32_t minute) {
  return absl::StrFormat("%02d:%02d", minute / 60, minute % 60);
}

std::string FormatLocalDay(absl::CivilDay day) {
  return absl::FormatCivilTime(day);
}

absl::StatusOr<Availability> AvailabilityFromRequest(
    const v1::PublishAvailabilityRequest& request) {
  RETURN_IF_ERROR(CheckRequestId("request_id", request.request_id()));
  const v1::Availability& in = request.availability();
  Availability a;
  a.professional_id = in.professional_id();
  // Counts first, so that an oversized request is refused before parsing.
  if (in.templates_size() > limits::kMaxTemplatesPerProfessional) {
    return InvalidField(
        "availability.templates",
        absl::StrCat("at most ", limits::kMaxTemplatesPerProfessional));
  }
  if (in.exceptions_size() > limits::kMaxExceptionsPerProfessional) {
    return InvalidField(
        "availability.exceptions",
        absl::StrCat("at most ", limits::kMaxExceptionsPerProfessional));
  }
  for (int i = 0; i < in.templates_size(); ++i) {
    ASSIGN_OR_RETURN(
        WeeklyTemplate t,
        TemplateFrom(in.templates(i),
                     absl::StrCat("availability.templates[", i, "]")));
    a.templates.push_back(std::move(t));
  }
  for (int i = 0; i < in.exceptions_size(); ++i) {
    ASSIGN_OR_RETURN(
        AvailabilityException e,
        ExceptionFrom(in.exceptions(i),
                      absl::StrCat("availability.exceptions[", i, "]")));
    a.exceptions.push_back(std::move(e));
  }
  absl::Status valid = ValidateAvailability(a);
  if (!valid.ok()) {
    return absl::Status(valid.code(),
                        absl::StrCat("availability.", valid.message()));
  }
  NormalizeAvailability(&a);
  return a;
}

void ToProto(const StoredAvailability& stored, v1::Availability* out) {
  const Availability& a = stored.availability;
  out->set_professional_id(a.professional_id);
  for (const WeeklyTemplate& t : a.templates) {
    v1::WeeklyTemplate* p = out->add_templates();
    p->set_id(t.id);
    for (int day = 0; day < 7; ++day) {
      if (t.weekdays >> day & 1) p->add_weekdays(day + 1);
    }
    p->set_start_time(FormatLocalMinute(t.start_minute));
    p->set_end_time(FormatLocalMinute(t.end_minute));
    ShapeToProto(t.shape, p->mutable_shape());
    p->set_first_day(FormatLocalDay(t.first_day));
    if (t.last_day) p->set_last_day(FormatLocalDay(*t.last_day));
  }
  for (const AvailabilityException& e : a.exceptions) {
    v1::AvailabilityException* p = out->add_exceptions();
    p->set_id(e.id);
    p->set_kind(static_cast<v1::AvailabilityException::Kind>(e.kind));
    p->set_first_day(FormatLocalDay(e.first_day));
    p->set_last_day(FormatLocalDay(e.last_day));
    if (e.kind != ExceptionKind::kVacation) {
      p->set_start_time(FormatLocalMinute(e.start_minute));
      p->set_end_time(FormatLocalMinute(e.end_minute));
    }
    if (e.kind == ExceptionKind::kOpening) {
      ShapeToProto(e.shape, p->mutable_shape());
    }
  }
  out->mutable_generated_until()->set_seconds(stored.generated_until_unix_s);
}

}  // namespace creneau::server
