// OrientationService: the waitlist's calls (see EnqueueRequest in
// proto/creneau/v1/orientation_service.proto). Its feed is
// ChangeService.WatchRequests.
#include "engine/validate.h"
#include "server/fingerprint.h"
#include "server/orientation_service.h"
#include "server/waitlist_proto.h"
#include "storage/engine_host.h"

namespace creneau::server {

grpc::ServerUnaryReactor* OrientationService::EnqueueRequest(
    grpc::CallbackServerContext* context,
    const v1::EnqueueRequestRequest* request,
    v1::EnqueueRequestResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kHold);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto command =
      EnqueueFromRequest(*request, storage::EngineHost::NewHoldToken());
  if (!command.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, command.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("EnqueueRequest", *request)};
  return MutateThenFinish<WaitingRequest>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.EnqueueRequest(caller, key, *command, now, effects);
      },
      [response](const WaitingRequest& waiting) {
        ToProto(waiting, response->mutable_request());
      });
}

grpc::ServerUnaryReactor* OrientationService::CancelRequest(
    grpc::CallbackServerContext* context,
    const v1::CancelRequestRequest* request,
    v1::CancelRequestResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kHold);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::Status valid = CheckRequestId("request_id", request->request_id());
  if (valid.ok())
    valid = CheckId("waiting_request_id", request->waiting_request_id());
  if (!valid.ok()) return Finish(reactor, *parts_.gate, principal->name, valid);
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("CancelRequest", *request)};
  return MutateThenFinish<WaitingRequest>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.CancelRequest(caller, key, request->waiting_request_id(),
                                    now, effects);
      },
      [response](const WaitingRequest& waiting) {
        ToProto(waiting, response->mutable_request());
      });
}

grpc::ServerUnaryReactor* OrientationService::ListRequests(
    grpc::CallbackServerContext* context,
    const v1::ListRequestsRequest* request,
    v1::ListRequestsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kHold);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  const Caller caller = CallerFor(*principal);
  auto page =
      parts_.host->Read<RequestPage>([&](const Engine& engine, absl::Time now) {
        return engine.ListRequests(caller, request->include_closed(),
                                   request->page_size(), request->page_token());
      });
  if (page.ok()) {
    for (const WaitingRequest& waiting : page->requests) {
      ToProto(waiting, response->add_requests());
    }
    response->set_next_page_token(page->next_page_token);
  }
  return Finish(reactor, *parts_.gate, principal->name, page.status());
}

}  // namespace creneau::server
