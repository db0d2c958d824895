// Engine: bookings listed by professional or by organisation, for the
// agenda that shows a professional who is coming and for a call centre's
// follow-up of its own bookings. Two ordered sets keep (owner, start, id)
// of every booking beside bookings_, so a page is a range scan: no listing
// walks all bookings.
#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/internal/page_token.h"
#include "engine/validate.h"

namespace creneau {

void Engine::AddBooking(const Booking& booking) {
  CRENEAU_CHECK(bookings_.emplace(booking.id, booking).second);
  bookings_by_end_.emplace(booking.start_unix_s + booking.duration_s,
                           booking.id);
  bookings_by_professional_.emplace(booking.professional_id,
                                    booking.start_unix_s, booking.id);
  bookings_by_organisation_.emplace(booking.organisation, booking.start_unix_s,
                                    booking.id);
}

void Engine::EraseBooking(const std::string& id) {
  auto it = bookings_.find(id);
  CRENEAU_CHECK(it != bookings_.end());
  const Booking& b = it->second;
  bookings_by_end_.erase({b.start_unix_s + b.duration_s, b.id});
  CRENEAU_CHECK(bookings_by_professional_.erase(
                    {b.professional_id, b.start_unix_s, b.id}) == 1);
  CRENEAU_CHECK(bookings_by_organisation_.erase(
                    {b.organisation, b.start_unix_s, b.id}) == 1);
  bookings_.erase(it);
}

absl::StatusOr<BookingPage> Engine::ListBookings(
    const Caller& caller, const BookingQuery& query) const {
  int32_t page_size = query.page_size;
  if (page_size < 0 || page_size > limits::kMaxPageSize) {
    return InvalidField("page_size", RangeRule(1, limits::kMaxPageSize));
  }
  if (page_size == 0) page_size = limits::kDefaultPageSize;
  int64_t after_start = 0;
  std::string after_id;
  if (!query.page_token.empty() &&
      !internal::DecodePageToken(query.page_token, &after_start, &after_id)) {
    return InvalidField("page_token", "malformed");
  }

  const bool by_professional = !query.professional_id.empty();
  const std::string& owner = by_professional ? query.professional_id
                             : query.organisation.empty() ? caller.organisation
                                                          : query.organisation;
  if (by_professional) {
    if (professionals_.Find(owner) == internal::kNoProfessional) {
      return absl::NotFoundError(
          absl::StrCat("professional_id: no professional '", owner, "'"));
    }
  } else if (!caller.administrator && owner != caller.organisation) {
    // Another organisation's bookings answer as if there were none to name.
    return absl::NotFoundError(
        absl::StrCat("organisation: no bookings of '", owner, "'"));
  }
  const absl::btree_set<BookingKey>& index =
      by_professional ? bookings_by_professional_ : bookings_by_organisation_;

  auto it = query.page_token.empty()
                ? index.lower_bound({owner, query.from_unix_s, std::string()})
                : index.upper_bound({owner, after_start, after_id});
  BookingPage page;
  const BookingKey* last = nullptr;  // The last entry read.
  for (int scanned = 0; it != index.end() && std::get<0>(*it) == owner;
       ++it, ++scanned) {
    if (scanned == limits::kMaxBookingsScannedPerPage) {
      // Enough for one page: the caller goes on from the last entry read.
      page.next_page_token =
          internal::EncodePageToken(std::get<1>(*last), std::get<2>(*last));
      return page;
    }
    const Booking& booking = bookings_.at(std::get<2>(*it));
    const bool wanted = (query.organisation.empty() || !by_professional ||
                         booking.organisation == query.organisation) &&
                        MayReadBooking(caller, booking);
    if (wanted && page.bookings.size() == static_cast<size_t>(page_size)) {
      // One more to read: the next page starts after the last one given.
      const Booking& given = page.bookings.back();
      page.next_page_token =
          internal::EncodePageToken(given.start_unix_s, given.id);
      return page;
    }
    if (wanted) page.bookings.push_back(booking);
    last = &*it;
  }
  return page;
}

}  // namespace creneau
