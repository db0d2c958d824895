// Small builders of API messages for tests that talk to a real server.
#ifndef CRENEAU_TESTS_SUPPORT_API_FIXTURES_H_
#define CRENEAU_TESTS_SUPPORT_API_FIXTURES_H_

#include <string>

#include "absl/time/clock.h"
#include "creneau/v1/orientation_service.pb.h"
#include "creneau/v1/slot_service.pb.h"

namespace creneau::testing {

namespace v1 = ::creneau::v1;

// Royan (INSEE 17306) and nearby points.
inline constexpr double kRoyanLat = 45.6248, kRoyanLng = -1.0281;

inline v1::Professional ApiProfessional(
    const std::string& id, double lat = kRoyanLat, double lng = kRoyanLng,
    v1::Profession profession = v1::PROFESSION_GENERAL_PRACTITIONER) {
  v1::Professional p;
  p.set_id(id);
  p.set_profession(profession);
  p.mutable_location()->set_latitude(lat);
  p.mutable_location()->set_longitude(lng);
  p.set_commune_code("17306");
  p.set_display_name("Dr " + id);
  return p;
}

// A slot starting `hours_ahead` hours from now (whole minutes).
inline v1::Slot ApiSlot(const std::string& id,
                        const std::string& professional_id,
                        double hours_ahead = 2, int capacity = 1) {
  v1::Slot s;
  s.set_id(id);
  s.set_professional_id(professional_id);
  const int64_t start = absl::ToUnixSeconds(absl::Now()) +
                        static_cast<int64_t>(hours_ahead * 3600);
  s.mutable_start_time()->set_seconds(start / 60 * 60);
  s.mutable_duration()->set_seconds(900);
  s.set_modality(v1::MODALITY_IN_OFFICE);
  s.set_capacity(capacity);
  s.set_visibility(v1::VISIBILITY_PUBLIC);
  return s;
}

inline v1::SearchSlotsRequest RoyanSearch() {
  v1::SearchSlotsRequest r;
  r.set_commune_code("17306");
  r.set_profession(v1::PROFESSION_GENERAL_PRACTITIONER);
  r.set_limit(100);
  return r;
}

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_API_FIXTURES_H_
