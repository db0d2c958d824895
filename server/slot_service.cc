#include "server/slot_service.h"

#include "engine/validate.h"
#include "server/availability_proto.h"
#include "server/fingerprint.h"
#include "server/from_proto.h"
#include "server/to_proto.h"

namespace creneau::server {
namespace {

void SetCounts(const BatchCounts& counts, auto* response) {
  response->set_created_count(counts.created);
  response->set_updated_count(counts.updated);
  response->set_unchanged_count(counts.unchanged);
}

}  // namespace

grpc::ServerUnaryReactor* SlotService::UpsertProfessionals(
    grpc::CallbackServerContext* context,
    const v1::UpsertProfessionalsRequest* request,
    v1::UpsertProfessionalsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kPublish);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto professionals = ProfessionalsFromRequest(*request);
  if (!professionals.ok()) {
    return Finish(reactor, *parts_.gate, principal->name,
                  professionals.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("UpsertProfessionals", *request)};
  return MutateThenFinish<BatchCounts>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.UpsertProfessionals(caller, key, *professionals, now,
                                          effects);
      },
      [response](const BatchCounts& counts) { SetCounts(counts, response); });
}

grpc::ServerUnaryReactor* SlotService::PublishSlots(
    grpc::CallbackServerContext* context,
    const v1::PublishSlotsRequest* request,
    v1::PublishSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kPublish);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto slots = SlotsFromRequest(*request);
  if (!slots.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, slots.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("PublishSlots", *request)};
  return MutateThenFinish<BatchCounts>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.PublishSlots(caller, key, *slots, now, effects);
      },
      [response](const BatchCounts& counts) { SetCounts(counts, response); });
}

grpc::ServerUnaryReactor* SlotService::WithdrawSlots(
    grpc::CallbackServerContext* context,
    const v1::WithdrawSlotsRequest* request,
    v1::WithdrawSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kPublish);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto ids = SlotIdsFromRequest(*request);
  if (!ids.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, ids.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("WithdrawSlots", *request)};
  return MutateThenFinish<BatchCounts>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.WithdrawSlots(caller, key, *ids, now, effects);
      },
      [response](const BatchCounts& counts) {
        response->set_withdrawn_count(counts.created);
        response->set_unchanged_count(counts.unchanged);
      });
}

grpc::ServerUnaryReactor* SlotService::GetSlot(
    grpc::CallbackServerContext* context, const v1::GetSlotRequest* request,
    v1::GetSlotResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kRead);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::Status status = CheckId("slot_id", request->slot_id());
  if (status.ok()) {
    const Caller caller = CallerFor(*principal);
    std::string zone;
    auto view =
        parts_.host->Read<SlotView>([&](const Engine& engine, absl::Time) {
          absl::StatusOr<SlotView> found =
              engine.GetSlot(caller, request->slot_id());
          if (found.ok())
            zone = TimeZoneOf(engine, found->slot.professional_id);
          return found;
        });
    if (view.ok()) {
      ToProto(*view, response->mutable_slot());
      response->mutable_slot()->set_time_zone(zone);
    }
    status = view.status();
  }
  return Finish(reactor, *parts_.gate, principal->name, status);
}

grpc::ServerUnaryReactor* SlotService::ListSlots(
    grpc::CallbackServerContext* context, const v1::ListSlotsRequest* request,
    v1::ListSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kRead);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::Status status = CheckId("professional_id", request->professional_id());
  if (status.ok()) {
    const Caller caller = CallerFor(*principal);
    std::string zone;  // One professional's slots: one zone.
    auto page =
        parts_.host->Read<SlotPage>([&](const Engine& engine, absl::Time) {
          zone = TimeZoneOf(engine, request->professional_id());
          return engine.ListSlots(caller, request->professional_id(),
                                  request->page_size(), request->page_token(),
                                  request->include_withdrawn());
        });
    if (page.ok()) {
      for (const SlotView& view : page->slots) {
        v1::Slot* slot = response->add_slots();
        ToProto(view, slot);
        slot->set_time_zone(zone);
      }
      response->set_next_page_token(page->next_page_token);
    }
    status = page.status();
  }
  return Finish(reactor, *parts_.gate, principal->name, status);
}

grpc::ServerUnaryReactor* SlotService::PublishAvailability(
    grpc::CallbackServerContext* context,
    const v1::PublishAvailabilityRequest* request,
    v1::PublishAvailabilityResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kPublish);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto availability = AvailabilityFromRequest(*request);
  if (!availability.ok()) {
    return Finish(reactor, *parts_.gate, principal->name,
                  availability.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("PublishAvailability", *request)};
  return MutateThenFinish<BatchCounts>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.PublishAvailability(caller, key, *availability, now,
                                          effects);
      },
      [response](const BatchCounts& counts) {
        SetCounts(counts, response);
        response->set_withdrawn_count(counts.withdrawn);
        response->set_kept_count(counts.kept);
      });
}

grpc::ServerUnaryReactor* SlotService::GetAvailability(
    grpc::CallbackServerContext* context,
    const v1::GetAvailabilityRequest* request,
    v1::GetAvailabilityResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kPublish);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::Status status = CheckId("professional_id", request->professional_id());
  if (status.ok()) {
    const Caller caller = CallerFor(*principal);
    auto stored = parts_.host->Read<StoredAvailability>(
        [&](const Engine& engine, absl::Time) {
          return engine.GetAvailability(caller, request->professional_id());
        });
    if (stored.ok()) ToProto(*stored, response->mutable_availability());
    status = stored.status();
  }
  return Finish(reactor, *parts_.gate, principal->name, status);
}

}  // namespace creneau::server
