#include "tools/internal/cli_format.h"

#include "absl/time/time.h"
#include "engine/names.h"

namespace creneau::tools::internal {

std::string LocalTime(const google::protobuf::Timestamp& t) {
  static const absl::TimeZone paris = [] {
    absl::TimeZone zone;
    return absl::LoadTimeZone("Europe/Paris", &zone) ? zone
                                                     : absl::UTCTimeZone();
  }();
  return absl::FormatTime("%a %d %b %H:%M", absl::FromUnixSeconds(t.seconds()),
                          paris);
}

std::string ModalityText(creneau::v1::Modality modality) {
  return std::string(ModalityName(static_cast<Modality>(modality)));
}

void PrintBooking(const creneau::v1::Booking& b, std::ostream& out) {
  out << "booking      " << b.id() << "\n"
      << "status       "
      << BookingStatusName(static_cast<BookingStatus>(b.status())) << "\n"
      << "slot         " << b.slot_id() << "\n"
      << "professional " << b.professional_id() << "\n"
      << "start        " << LocalTime(b.start_time()) << " ("
      << b.duration().seconds() / 60 << " min, " << ModalityText(b.modality())
      << ")\n"
      << "patient      " << b.patient_ref() << "\n";
  if (!b.orientation_ref().empty())
    out << "orientation  " << b.orientation_ref() << "\n";
  out << "booked by    " << b.booked_by() << " at "
      << LocalTime(b.create_time())
      << (b.overbooking_place() ? " (overbooking place)" : "") << "\n";
  if (!b.organisation().empty()) {
    out << "organisation " << b.organisation() << "\n";
  }
  if (b.status() == creneau::v1::BOOKING_STATUS_CANCELLED) {
    out << "cancelled    " << LocalTime(b.cancel_time()) << " ("
        << CancelReasonName(static_cast<CancelReason>(b.cancel_reason_code()))
        << ")\n";
  }
}

void PrintSlot(const creneau::v1::Slot& s, std::ostream& out) {
  out << "slot         " << s.id() << "\n"
      << "state        " << SlotStateName(static_cast<SlotState>(s.state()))
      << "\n"
      << "professional " << s.professional_id() << " ("
      << ProfessionName(static_cast<Profession>(s.profession())) << ")\n"
      << "start        " << LocalTime(s.start_time()) << " ("
      << s.duration().seconds() / 60 << " min, " << ModalityText(s.modality())
      << ")\n"
      << "places       " << s.capacity() << " (+" << s.overbooking_places()
      << " overbooking), " << s.places_booked() << " booked, "
      << s.places_held() << " held\n"
      << "visibility   "
      << VisibilityName(static_cast<Visibility>(s.visibility())) << "\n";
}

}  // namespace creneau::tools::internal
