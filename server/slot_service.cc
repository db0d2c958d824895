#include "server/slot_service.h"

#include "engine/validate.h"
#include "server/call.h"
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
  auto principal = Authorize(*context, *authenticator_, Permission::kPublish);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto professionals = ProfessionalsFromRequest(*request);
  if (!professionals.ok()) return Finish(reactor, professionals.status());
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("UpsertProfessionals", *request)};
  host_->Mutate<BatchCounts>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.UpsertProfessionals(caller, key, *professionals, now,
                                          effects);
      },
      [reactor, response](absl::StatusOr<BatchCounts> counts) {
        if (counts.ok()) SetCounts(*counts, response);
        Finish(reactor, counts.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* SlotService::PublishSlots(
    grpc::CallbackServerContext* context,
    const v1::PublishSlotsRequest* request,
    v1::PublishSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kPublish);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto slots = SlotsFromRequest(*request);
  if (!slots.ok()) return Finish(reactor, slots.status());
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("PublishSlots", *request)};
  host_->Mutate<BatchCounts>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.PublishSlots(caller, key, *slots, now, effects);
      },
      [reactor, response](absl::StatusOr<BatchCounts> counts) {
        if (counts.ok()) SetCounts(*counts, response);
        Finish(reactor, counts.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* SlotService::WithdrawSlots(
    grpc::CallbackServerContext* context,
    const v1::WithdrawSlotsRequest* request,
    v1::WithdrawSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kPublish);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto ids = SlotIdsFromRequest(*request);
  if (!ids.ok()) return Finish(reactor, ids.status());
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("WithdrawSlots", *request)};
  host_->Mutate<BatchCounts>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.WithdrawSlots(caller, key, *ids, now, effects);
      },
      [reactor, response](absl::StatusOr<BatchCounts> counts) {
        if (counts.ok()) {
          response->set_withdrawn_count(counts->created);
          response->set_unchanged_count(counts->unchanged);
        }
        Finish(reactor, counts.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* SlotService::GetSlot(
    grpc::CallbackServerContext* context, const v1::GetSlotRequest* request,
    v1::GetSlotResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kRead);
  if (!principal.ok()) return Finish(reactor, principal.status());
  if (auto s = CheckId("slot_id", request->slot_id()); !s.ok())
    return Finish(reactor, s);
  auto view = host_->Read<SlotView>([&](const Engine& engine, absl::Time) {
    return engine.GetSlot(request->slot_id());
  });
  if (view.ok()) ToProto(*view, response->mutable_slot());
  return Finish(reactor, view.status());
}

grpc::ServerUnaryReactor* SlotService::ListSlots(
    grpc::CallbackServerContext* context, const v1::ListSlotsRequest* request,
    v1::ListSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kRead);
  if (!principal.ok()) return Finish(reactor, principal.status());
  if (auto s = CheckId("professional_id", request->professional_id());
      !s.ok()) {
    return Finish(reactor, s);
  }
  auto page = host_->Read<SlotPage>([&](const Engine& engine, absl::Time) {
    return engine.ListSlots(request->professional_id(), request->page_size(),
                            request->page_token(),
                            request->include_withdrawn());
  });
  if (page.ok()) {
    for (const SlotView& view : page->slots)
      ToProto(view, response->add_slots());
    response->set_next_page_token(page->next_page_token);
  }
  return Finish(reactor, page.status());
}

}  // namespace creneau::server
