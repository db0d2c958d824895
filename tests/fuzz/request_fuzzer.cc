// Fuzz target: request validation and proto -> domain mapping, then the
// engine command. The first byte picks the RPC, the rest is parsed as its
// request message. Mapping must answer with a status naming a field or a
// command; the engine must apply or refuse that command without breaking
// any invariant (its CRENEAU_CHECKs stay on in every build).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/check.h"
#include "engine/engine.h"
#include "server/from_proto.h"
#include "server/to_proto.h"

namespace {

namespace v1 = ::creneau::v1;
using creneau::Caller;
using creneau::Effects;
using creneau::Engine;

constexpr int kInputsPerEngine = 2000;  // Bounds the engine's growth.

const Caller& Admin() {
  static const Caller c{"fuzz", 0xff, true, "cpts-1"};
  return c;
}

Engine& FreshEngine(bool reset) {
  static std::unique_ptr<Engine> engine;
  if (engine == nullptr || reset) {
    engine = std::make_unique<Engine>(
        std::make_shared<const creneau::CommuneTable>());
    Effects effects;
    creneau::Professional p;
    p.id = "p1";
    p.profession = creneau::Profession::kGeneralPractitioner;
    p.location = {45.6, -1.0};
    p.time_zone = "Europe/Paris";
    CRENEAU_CHECK(engine
                      ->UpsertProfessionals(
                          Admin(), {}, {p},
                          absl::FromUnixSeconds(1'900'000'000), &effects)
                      .ok());
  }
  return *engine;
}

template <typename Message>
bool Parse(const uint8_t* data, size_t size, Message* m) {
  return m->ParseFromArray(data, static_cast<int>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int inputs = 0;
  if (size < 1) return 0;
  Engine& engine = FreshEngine(++inputs % kInputsPerEngine == 0);
  const absl::Time now = absl::FromUnixSeconds(1'900'000'000);
  const creneau::RequestKey key{"fuzz-request", 1};
  Effects effects;
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  switch (data[0] % 8) {
    case 0: {
      v1::UpsertProfessionalsRequest r;
      if (!Parse(body, n, &r)) break;
      auto pros = creneau::server::ProfessionalsFromRequest(r);
      if (pros.ok())
        (void)engine.UpsertProfessionals(Admin(), {}, *pros, now, &effects);
      break;
    }
    case 1: {
      v1::PublishSlotsRequest r;
      if (!Parse(body, n, &r)) break;
      auto slots = creneau::server::SlotsFromRequest(r);
      if (slots.ok())
        (void)engine.PublishSlots(Admin(), {}, *slots, now, &effects);
      break;
    }
    case 2: {
      v1::WithdrawSlotsRequest r;
      if (!Parse(body, n, &r)) break;
      auto ids = creneau::server::SlotIdsFromRequest(r);
      if (ids.ok())
        (void)engine.WithdrawSlots(Admin(), {}, *ids, now, &effects);
      break;
    }
    case 3: {
      v1::SearchSlotsRequest r;
      if (!Parse(body, n, &r)) break;
      auto query = creneau::server::QueryFromRequest(r);
      creneau::SearchResult result;
      if (query.ok()) (void)engine.Search(Admin(), *query, now, &result);
      break;
    }
    case 4: {
      v1::HoldSlotRequest r;
      if (!Parse(body, n, &r)) break;
      auto hold = creneau::server::HoldFromRequest(r, std::string(32, 'a'));
      if (hold.ok()) (void)engine.HoldSlot(Admin(), key, *hold, now, &effects);
      break;
    }
    case 5: {
      v1::ConfirmBookingRequest r;
      if (!Parse(body, n, &r)) break;
      auto confirm = creneau::server::ConfirmFromRequest(r);
      if (confirm.ok())
        (void)engine.ConfirmBooking(Admin(), key, *confirm, now, &effects);
      break;
    }
    case 6: {
      v1::ReleaseHoldRequest r;
      if (!Parse(body, n, &r)) break;
      auto release = creneau::server::ReleaseFromRequest(r);
      if (release.ok())
        (void)engine.ReleaseHold(Admin(), key, *release, now, &effects);
      break;
    }
    case 7: {
      v1::CancelBookingRequest r;
      if (!Parse(body, n, &r)) break;
      auto cancel = creneau::server::CancelFromRequest(r);
      if (cancel.ok())
        (void)engine.CancelBooking(Admin(), key, *cancel, now, &effects);
      break;
    }
  }
  return 0;
}
