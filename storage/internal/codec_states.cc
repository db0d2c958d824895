// The states an event records of its subjects (event format version 3): the
// record as its own family stores it, and for a slot its places.
#include "absl/strings/str_cat.h"
#include "engine/limits.h"
#include "storage/internal/codec.h"
#include "storage/internal/codec_common.h"
#include "storage/internal/coding.h"

namespace creneau::storage::internal {
namespace {

constexpr uint8_t kNoState = 0;

struct Encoder {
  std::string* out;
  void operator()(std::monostate) const { PutU8(out, kNoState); }
  void operator()(const SlotView& v) const {
    PutU8(out, static_cast<uint8_t>(SubjectKind::kSlot));
    PutString(out, EncodeSlot(v.slot));
    PutU8(out, static_cast<uint8_t>(v.profession));
    PutDouble(out, v.location.lat_deg);
    PutDouble(out, v.location.lng_deg);
    PutVarint32(out, static_cast<uint32_t>(v.places_held));
    PutVarint32(out, static_cast<uint32_t>(v.places_booked));
    PutU8(out, static_cast<uint8_t>(v.state));
    PutU8(out, v.weekly_cap_reached ? 1 : 0);
  }
  void operator()(const Booking& b) const {
    PutU8(out, static_cast<uint8_t>(SubjectKind::kBooking));
    PutString(out, EncodeBooking(b));
  }
  void operator()(const Professional& p) const {
    PutU8(out, static_cast<uint8_t>(SubjectKind::kProfessional));
    PutString(out, EncodeProfessional(p));
  }
  void operator()(const Territory& t) const {
    PutU8(out, static_cast<uint8_t>(SubjectKind::kTerritory));
    PutString(out, EncodeTerritory(t));
  }
  void operator()(const WaitingRequest& r) const {
    PutU8(out, static_cast<uint8_t>(SubjectKind::kRequest));
    PutString(out, EncodeRequest(r));
  }
};

// Decodes one record of `kind` keyed `id` into `state`; false when corrupt.
bool GetState(Decoder& d, SubjectKind kind, const std::string& id,
              SubjectState* state) {
  std::string value;
  if (!d.GetString(&value)) return false;
  switch (kind) {
    case SubjectKind::kSlot: {
      absl::StatusOr<Slot> slot = DecodeSlot(id, value);
      SlotView view;
      uint32_t held, booked;
      uint8_t capped;
      if (!slot.ok() ||
          !GetEnum(d, &view.profession, 0, kProfessionCount - 1) ||
          !GetLatLng(d, &view.location) || !d.GetVarint32(&held) ||
          !d.GetVarint32(&booked) ||
          held >
              uint32_t{limits::kMaxCapacity + limits::kMaxOverbookingPlaces} ||
          booked >
              uint32_t{limits::kMaxCapacity + limits::kMaxOverbookingPlaces} ||
          !GetEnum(d, &view.state, 1,
                   static_cast<int>(SlotState::kWithdrawn)) ||
          !d.GetU8(&capped) || capped > 1) {
        return false;
      }
      view.slot = *std::move(slot);
      view.places_held = static_cast<int32_t>(held);
      view.places_booked = static_cast<int32_t>(booked);
      view.weekly_cap_reached = capped == 1;
      *state = std::move(view);
      return true;
    }
    case SubjectKind::kBooking: {
      absl::StatusOr<Booking> booking = DecodeBooking(id, value);
      if (!booking.ok()) return false;
      *state = *std::move(booking);
      return true;
    }
    case SubjectKind::kProfessional: {
      absl::StatusOr<Professional> professional = DecodeProfessional(id, value);
      if (!professional.ok()) return false;
      *state = *std::move(professional);
      return true;
    }
    case SubjectKind::kTerritory: {
      absl::StatusOr<Territory> territory = DecodeTerritory(id, value);
      if (!territory.ok()) return false;
      *state = *std::move(territory);
      return true;
    }
    case SubjectKind::kRequest: {
      absl::StatusOr<WaitingRequest> request = DecodeRequest(id, value);
      if (!request.ok()) return false;
      *state = *std::move(request);
      return true;
    }
  }
  return false;
}

}  // namespace

void PutSubjectStates(std::string* out,
                      const std::vector<SubjectState>& states) {
  PutVarint32(out, static_cast<uint32_t>(states.size()));
  for (const SubjectState& state : states) std::visit(Encoder{out}, state);
}

bool GetSubjectStates(Decoder& d, const std::vector<Subject>& subjects,
                      std::vector<SubjectState>* states) {
  uint32_t count;
  if (!d.GetVarint32(&count) || (count != 0 && count != subjects.size())) {
    return false;
  }
  states->resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t kind;
    if (!d.GetU8(&kind)) return false;
    if (kind == kNoState) continue;
    if (kind != static_cast<uint8_t>(subjects[i].kind) ||
        !GetState(d, subjects[i].kind, subjects[i].id, &(*states)[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace creneau::storage::internal
