#include "tools/internal/cli_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/names.h"

namespace creneau::tools::internal {

namespace {

// The loaded zone of `name`; UTC when it does not load.
absl::TimeZone ZoneOf(const std::string& name) {
  absl::TimeZone zone;
  return absl::LoadTimeZone(name, &zone) ? zone : absl::UTCTimeZone();
}

std::string Format(const google::protobuf::Timestamp& t, absl::TimeZone zone) {
  return absl::FormatTime("%a %d %b %H:%M", absl::FromUnixSeconds(t.seconds()),
                          zone);
}

}  // namespace

std::string LocalTime(const google::protobuf::Timestamp& t,
                      const std::string& caller_zone) {
  return Format(t, ZoneOf(caller_zone));
}

std::string SlotTime(const google::protobuf::Timestamp& t,
                     const std::string& slot_zone,
                     const std::string& caller_zone) {
  absl::TimeZone zone;
  if (slot_zone.empty() || slot_zone == caller_zone ||
      !absl::LoadTimeZone(slot_zone, &zone)) {
    return LocalTime(t, caller_zone);
  }
  return absl::StrCat(Format(t, zone), " ", slot_zone);
}

std::string ModalityText(creneau::v1::Modality modality) {
  return std::string(ModalityName(static_cast<Modality>(modality)));
}

void PrintBooking(const creneau::v1::Booking& b, const std::string& caller_zone,
                  std::ostream& out) {
  out << "booking      " << b.id() << "\n"
      << "status       "
      << BookingStatusName(static_cast<BookingStatus>(b.status())) << "\n"
      << "slot         " << b.slot_id() << "\n"
      << "professional " << b.professional_id() << "\n"
      << "start        " << SlotTime(b.start_time(), b.time_zone(), caller_zone)
      << " (" << b.duration().seconds() / 60 << " min, "
      << ModalityText(b.modality()) << ")\n"
      << "patient      " << b.patient_ref() << "\n";
  if (!b.orientation_ref().empty())
    out << "orientation  " << b.orientation_ref() << "\n";
  out << "booked by    " << b.booked_by() << " at "
      << LocalTime(b.create_time(), caller_zone)
      << (b.overbooking_place() ? " (overbooking place)" : "") << "\n";
  if (!b.organisation().empty()) {
    out << "organisation " << b.organisation() << "\n";
  }
  if (b.status() == creneau::v1::BOOKING_STATUS_CANCELLED) {
    out << "cancelled    " << LocalTime(b.cancel_time(), caller_zone) << " ("
        << CancelReasonName(static_cast<CancelReason>(b.cancel_reason_code()))
        << ")\n";
  }
}

void PrintSlot(const creneau::v1::Slot& s, const std::string& caller_zone,
               std::ostream& out) {
  out << "slot         " << s.id() << "\n"
      << "state        " << SlotStateName(static_cast<SlotState>(s.state()))
      << "\n"
      << "professional " << s.professional_id() << " ("
      << ProfessionName(static_cast<Profession>(s.profession())) << ")\n"
      << "start        " << SlotTime(s.start_time(), s.time_zone(), caller_zone)
      << " (" << s.duration().seconds() / 60 << " min, "
      << ModalityText(s.modality()) << ")\n"
      << "places       " << s.capacity() << " (+" << s.overbooking_places()
      << " overbooking), " << s.places_booked() << " booked, "
      << s.places_held() << " held\n"
      << "visibility   "
      << VisibilityName(static_cast<Visibility>(s.visibility())) << "\n";
}

std::string RequestLine(const creneau::v1::WaitingRequest& r,
                        const std::string& caller_zone) {
  std::string state = absl::AsciiStrToLower(
      creneau::v1::WaitingRequestState_Name(r.state()).substr(22));
  std::string professions(
      ProfessionName(static_cast<Profession>(r.profession())));
  for (int p : r.other_professions()) {
    absl::StrAppend(&professions, ",",
                    ProfessionName(static_cast<Profession>(p)));
  }
  std::string line =
      absl::StrCat("request ", r.id(), "  ", state, "  #", r.position(), "  ",
                   professions, "  ", r.principal());
  if (r.state() == creneau::v1::WAITING_REQUEST_STATE_WAITING) {
    absl::StrAppend(&line, "  waits until ",
                    LocalTime(r.expire_time(), caller_zone));
  } else if (r.state() == creneau::v1::WAITING_REQUEST_STATE_HELD) {
    absl::StrAppend(&line, "  slot ", r.hold().slot_id(), " held until ",
                    LocalTime(r.hold().expire_time(), caller_zone), "  token ",
                    r.hold().token());
  }
  return line;
}

}  // namespace creneau::tools::internal
