// Engine: bookings listed by professional or by organisation, for the
// agenda that shows a professional who is coming and for a call centre's
// follow-up of its own bookings. Beside bookings_, every booking has a
// (start, id) key under its professional (a sorted vector: few bookings
// each) and under its organisation (a tree: an organisation may have most
// of them), so a page is a range scan: no listing walks all bookings. The
// keys are integers (internal/booking_key.h): with string keys, these
// inserts doubled the engine's hold + confirm time.
#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "engine/internal/page_token.h"
#include "engine/validate.h"

namespace creneau {
namespace {

using internal::BookingKey;

// Where a listing starts in an owner's keys: at `from` on a first page,
// strictly after `after` on the next ones.
std::vector<BookingKey>::const_iterator FirstListed(
    const std::vector<BookingKey>& keys, const BookingKey& from,
    const BookingKey* after) {
  return after == nullptr ? std::lower_bound(keys.begin(), keys.end(), from)
                          : std::upper_bound(keys.begin(), keys.end(), *after);
}
absl::btree_set<BookingKey>::const_iterator FirstListed(
    const absl::btree_set<BookingKey>& keys, const BookingKey& from,
    const BookingKey* after) {
  return after == nullptr ? keys.lower_bound(from) : keys.upper_bound(*after);
}

}  // namespace

void Engine::AddBooking(const Booking& booking) {
  CRENEAU_CHECK(bookings_.emplace(booking.id, booking).second);
  bookings_by_end_.insert(internal::BookingKeyOf(
      booking.start_unix_s + booking.duration_s, booking.id));
  const BookingKey key =
      internal::BookingKeyOf(booking.start_unix_s, booking.id);
  std::vector<BookingKey>& of_professional =
      bookings_by_professional_[booking.professional_id];
  of_professional.insert(
      std::upper_bound(of_professional.begin(), of_professional.end(), key),
      key);
  CRENEAU_CHECK(
      bookings_by_organisation_[booking.organisation].insert(key).second);
}

void Engine::EraseBooking(const std::string& id) {
  auto it = bookings_.find(id);
  CRENEAU_CHECK(it != bookings_.end());
  const Booking& b = it->second;
  CRENEAU_CHECK(bookings_by_end_.erase(internal::BookingKeyOf(
                    b.start_unix_s + b.duration_s, b.id)) == 1);
  const BookingKey key = internal::BookingKeyOf(b.start_unix_s, b.id);
  auto of_professional = bookings_by_professional_.find(b.professional_id);
  CRENEAU_CHECK(of_professional != bookings_by_professional_.end());
  std::vector<BookingKey>& keys = of_professional->second;
  auto at = std::lower_bound(keys.begin(), keys.end(), key);
  CRENEAU_CHECK(at != keys.end() && *at == key);
  keys.erase(at);
  if (keys.empty()) bookings_by_professional_.erase(of_professional);
  auto of_organisation = bookings_by_organisation_.find(b.organisation);
  CRENEAU_CHECK(of_organisation != bookings_by_organisation_.end() &&
                of_organisation->second.erase(key) == 1);
  if (of_organisation->second.empty()) {
    bookings_by_organisation_.erase(of_organisation);
  }
  bookings_.erase(it);
}

absl::StatusOr<BookingPage> Engine::ListBookings(
    const Caller& caller, const BookingQuery& query) const {
  int32_t page_size = query.page_size;
  if (page_size < 0 || page_size > limits::kMaxPageSize) {
    return InvalidField("page_size", RangeRule(1, limits::kMaxPageSize));
  }
  if (page_size == 0) page_size = limits::kDefaultPageSize;
  BookingKey after;
  if (!query.page_token.empty()) {
    std::string after_id;
    if (!internal::DecodePageToken(query.page_token, &after.unix_s,
                                   &after_id) ||
        !internal::IsBookingId(after_id)) {
      return InvalidField("page_token", "malformed");
    }
    after = internal::BookingKeyOf(after.unix_s, after_id);
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
  const BookingKey from{query.from_unix_s, 0, 0};
  const BookingKey* resume = query.page_token.empty() ? nullptr : &after;
  BookingPage page;
  if (by_professional) {
    auto keys = bookings_by_professional_.find(owner);
    if (keys != bookings_by_professional_.end()) {
      FillBookingPage(caller, query, page_size,
                      FirstListed(keys->second, from, resume),
                      keys->second.end(), &page);
    }
  } else {
    auto keys = bookings_by_organisation_.find(owner);
    if (keys != bookings_by_organisation_.end()) {
      FillBookingPage(caller, query, page_size,
                      FirstListed(keys->second, from, resume),
                      keys->second.end(), &page);
    }
  }
  return page;
}

template <typename KeyIterator>
void Engine::FillBookingPage(const Caller& caller, const BookingQuery& query,
                             int32_t page_size, KeyIterator it, KeyIterator end,
                             BookingPage* page) const {
  const BookingKey* last = nullptr;  // The last entry read.
  for (int scanned = 0; it != end; ++it, ++scanned) {
    if (scanned == limits::kMaxBookingsScannedPerPage) {
      // Enough for one page: the caller goes on from the last entry read.
      page->next_page_token = internal::EncodePageToken(
          last->unix_s, internal::BookingIdOfKey(*last));
      return;
    }
    const Booking& booking = bookings_.at(internal::BookingIdOfKey(*it));
    const bool wanted =
        (query.organisation.empty() || query.professional_id.empty() ||
         booking.organisation == query.organisation) &&
        MayReadBooking(caller, booking);
    if (wanted && page->bookings.size() == static_cast<size_t>(page_size)) {
      // One more to read: the next page starts after the last one given.
      const Booking& given = page->bookings.back();
      page->next_page_token =
          internal::EncodePageToken(given.start_unix_s, given.id);
      return;
    }
    if (wanted) page->bookings.push_back(booking);
    last = &*it;
  }
}

}  // namespace creneau
