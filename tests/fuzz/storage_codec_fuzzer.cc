// Fuzz target: every storage key/value decoder. The first byte picks the
// record kind, the second how the rest splits into key and value. A decoder
// must refuse bad bytes with a status (never crash), and whatever it
// accepts must encode and decode back to the same record.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/check.h"
#include "storage/internal/codec.h"

namespace {

template <typename Record, typename Decode, typename Encode>
void RoundTrip(absl::string_view key, absl::string_view value, Decode decode,
               Encode encode) {
  absl::StatusOr<Record> record = decode(key, value);
  if (!record.ok()) return;
  const std::string again = encode(*record);
  absl::StatusOr<Record> back = decode(key, again);
  CRENEAU_CHECK(back.ok());
  CRENEAU_CHECK(*back == *record);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace creneau;
  using namespace creneau::storage::internal;
  if (size < 2) return 0;
  const int kind = data[0] % 7;
  const absl::string_view rest(reinterpret_cast<const char*>(data + 2),
                               size - 2);
  const size_t split = rest.empty() ? 0 : data[1] % (rest.size() + 1);
  const absl::string_view key = rest.substr(0, split);
  const absl::string_view value = rest.substr(split);
  switch (kind) {
    case 0:
      RoundTrip<Professional>(key, value, DecodeProfessional,
                              EncodeProfessional);
      break;
    case 1:
      RoundTrip<Slot>(key, value, DecodeSlot, EncodeSlot);
      break;
    case 2:
      RoundTrip<Hold>(key, value, DecodeHold, EncodeHold);
      break;
    case 3:
      RoundTrip<Booking>(key, value, DecodeBooking, EncodeBooking);
      break;
    case 4:
      RoundTrip<IdempotencyRecord>(key, value, DecodeIdempotency,
                                   EncodeIdempotency);
      break;
    case 5: {
      absl::StatusOr<Event> event = DecodeEvent(rest);
      if (event.ok()) {
        absl::StatusOr<Event> back = DecodeEvent(EncodeEvent(*event));
        CRENEAU_CHECK(back.ok() && *back == *event);
      }
      break;
    }
    case 6: {
      absl::StatusOr<uint64_t> sequence = DecodeEventKey(rest);
      if (sequence.ok()) {
        CRENEAU_CHECK(*DecodeEventKey(EventKey(*sequence)) == *sequence);
      }
      break;
    }
  }
  return 0;
}
