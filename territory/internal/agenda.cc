#include "territory/internal/agenda.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace creneau::territory::internal {
namespace {

constexpr uint8_t kWeekdays = 0b0011111;  // Monday to Friday.
constexpr uint8_t kEveryDay = 0b1111111;
constexpr uint8_t kWeekend = 0b1100000;
constexpr uint8_t kSaturday = 0b0100000;

constexpr int Hm(int hours, int minutes = 0) { return hours * 60 + minutes; }

Visibility PickVisibility(Profession profession, Draw& draw) {
  const std::array<int, 4> weights =
      profession == Profession::kGeneralPractitioner
          ? std::array<int, 4>{35, 10, 45, 10}
          : std::array<int, 4>{60, 20, 15, 5};
  return static_cast<Visibility>(1 + draw.Weighted(weights));
}

// Builds one professional's availability, numbering its sessions.
class AgendaBuilder {
 public:
  AgendaBuilder(const Professional& p, absl::CivilDay first_day, Draw& draw)
      : professional_(p), first_day_(first_day), draw_(draw) {
    availability_.professional_id = p.id;
  }

  SlotShape Shape(Modality modality, int slot_minutes) {
    SlotShape shape;
    shape.slot_minutes = slot_minutes;
    shape.modality = modality;
    shape.visibility = PickVisibility(professional_.profession, draw_);
    return shape;
  }

  void Session(uint8_t weekdays, int start_minute, int end_minute,
               const SlotShape& shape) {
    WeeklyTemplate t;
    t.id = absl::StrCat(professional_.id, "-", ++sessions_);
    t.weekdays = weekdays;
    t.start_minute = start_minute;
    t.end_minute = end_minute;
    t.shape = shape;
    t.first_day = first_day_;
    availability_.templates.push_back(std::move(t));
  }

  void Exception(ExceptionKind kind, absl::CivilDay first, absl::CivilDay last,
                 int start_minute, int end_minute, const SlotShape& shape) {
    AvailabilityException e;
    e.id = absl::StrCat(professional_.id, "-x", ++exceptions_);
    e.kind = kind;
    e.first_day = first;
    e.last_day = last;
    e.start_minute = start_minute;
    e.end_minute = end_minute;
    e.shape = shape;
    availability_.exceptions.push_back(std::move(e));
  }

  Availability Take() { return std::move(availability_); }

 private:
  const Professional& professional_;
  const absl::CivilDay first_day_;
  Draw& draw_;
  Availability availability_;
  int sessions_ = 0;
  int exceptions_ = 0;
};

// One or two distinct weekdays, Monday to Friday.
uint8_t SomeWeekdays(Draw& draw, int count) {
  uint8_t days = 0;
  while (__builtin_popcount(days) < count) days |= 1 << draw.Below(5);
  return days;
}

}  // namespace

Availability AgendaOf(const Professional& p, bool sos,
                      const AgendaProfile& profile, absl::CivilDay first_day,
                      int days, Draw& draw) {
  AgendaBuilder agenda(p, first_day, draw);
  const auto modality = [&] {
    return static_cast<Modality>(1 + draw.Weighted(profile.modality_weights));
  };
  if (sos) {
    // SOS Médecins: home visits every evening, and weekend days.
    agenda.Session(kEveryDay, Hm(18), Hm(22),
                   agenda.Shape(Modality::kHomeVisit, 30));
    agenda.Session(kWeekend, Hm(9), Hm(13),
                   agenda.Shape(Modality::kHomeVisit, 30));
  } else if (p.profession == Profession::kGeneralPractitioner) {
    // Evening or lunchtime sessions on one or two weekdays (SAS
    // commitments are a few hours a week), some on Saturday mornings.
    constexpr std::array<std::array<int, 2>, 4> kHours = {
        {{Hm(17), Hm(19)}, {Hm(18), Hm(20)}, {Hm(12), Hm(13)}, {Hm(8), Hm(9)}}};
    const auto& hours = kHours[draw.Below(4)];
    SlotShape shape = agenda.Shape(modality(), 15);
    if (draw.Chance(0.1)) shape.overbooking_places = 1;
    agenda.Session(SomeWeekdays(draw, 1 + draw.Below(2)), hours[0], hours[1],
                   shape);
    if (draw.Chance(0.2)) {
      agenda.Session(kSaturday, Hm(9), Hm(12),
                     agenda.Shape(Modality::kInOffice, 15));
    }
    if (draw.Chance(0.05)) {  // An evening session ("plage") for several.
      SlotShape plage = agenda.Shape(Modality::kInOffice, 90);
      plage.capacity = 4 + draw.Below(3);
      agenda.Session(SomeWeekdays(draw, 1), Hm(18), Hm(19, 30), plage);
    }
  } else if (p.profession == Profession::kNurse) {
    // Morning rounds on two or three days, mostly at home.
    agenda.Session(SomeWeekdays(draw, 2 + draw.Below(2)), Hm(7), Hm(8, 30),
                   agenda.Shape(modality(), profile.slot_minutes));
  } else {
    // An hour on one or two weekdays.
    const int start =
        std::array<int, 4>{Hm(9), Hm(11), Hm(14), Hm(16)}[draw.Below(4)];
    agenda.Session(SomeWeekdays(draw, 1 + draw.Below(2)), start, start + 60,
                   agenda.Shape(modality(), profile.slot_minutes));
  }

  // What real agendas add: holidays, a closed evening, an extra session.
  const auto some_day = [&] { return first_day + draw.Below(days); };
  if (draw.Chance(0.08)) {
    const absl::CivilDay from = some_day();
    agenda.Exception(ExceptionKind::kVacation, from, from + 2 + draw.Below(7),
                     0, 1440, SlotShape{});
  }
  if (draw.Chance(0.1)) {
    const absl::CivilDay day = some_day();
    agenda.Exception(ExceptionKind::kClosure, day, day, Hm(17), Hm(20),
                     SlotShape{});
  }
  if (p.profession == Profession::kGeneralPractitioner && !sos &&
      draw.Chance(0.05)) {
    const absl::CivilDay day = some_day();
    agenda.Exception(ExceptionKind::kOpening, day, day, Hm(14), Hm(16),
                     agenda.Shape(Modality::kInOffice, 15));
  }
  return agenda.Take();
}

}  // namespace creneau::territory::internal
