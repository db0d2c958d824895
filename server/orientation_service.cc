#include "server/orientation_service.h"

#include "engine/validate.h"
#include "server/call.h"
#include "server/fingerprint.h"
#include "server/from_proto.h"
#include "server/to_proto.h"

namespace creneau::server {

grpc::ServerUnaryReactor* OrientationService::SearchSlots(
    grpc::CallbackServerContext* context, const v1::SearchSlotsRequest* request,
    v1::SearchSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kRead);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto query = QueryFromRequest(*request);
  if (!query.ok()) return Finish(reactor, query.status());
  const Caller caller = CallerFor(*principal);
  auto done = host_->Read<bool>(
      [&](const Engine& engine, absl::Time now) -> absl::StatusOr<bool> {
        // Reused by this thread's searches: no allocation once warm.
        thread_local SearchResult result;
        absl::Status status = engine.Search(caller, *query, now, &result);
        if (!status.ok()) return status;
        ToProto(engine, *query, result, now, response);
        return true;
      });
  return Finish(reactor, done.status());
}

grpc::ServerUnaryReactor* OrientationService::HoldSlot(
    grpc::CallbackServerContext* context, const v1::HoldSlotRequest* request,
    v1::HoldSlotResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kBook);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto command = HoldFromRequest(*request, storage::EngineHost::NewHoldToken());
  if (!command.ok()) return Finish(reactor, command.status());
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("HoldSlot", *request)};
  host_->Mutate<Hold>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.HoldSlot(caller, key, *command, now, effects);
      },
      [reactor, response](absl::StatusOr<Hold> hold) {
        if (hold.ok()) ToProto(*hold, response->mutable_hold());
        Finish(reactor, hold.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* OrientationService::ConfirmBooking(
    grpc::CallbackServerContext* context,
    const v1::ConfirmBookingRequest* request,
    v1::ConfirmBookingResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kBook);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto command = ConfirmFromRequest(*request);
  if (!command.ok()) return Finish(reactor, command.status());
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("ConfirmBooking", *request)};
  host_->Mutate<Booking>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.ConfirmBooking(caller, key, *command, now, effects);
      },
      [reactor, response](absl::StatusOr<Booking> booking) {
        if (booking.ok()) ToProto(*booking, response->mutable_booking());
        Finish(reactor, booking.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* OrientationService::ReleaseHold(
    grpc::CallbackServerContext* context, const v1::ReleaseHoldRequest* request,
    v1::ReleaseHoldResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kBook);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto command = ReleaseFromRequest(*request);
  if (!command.ok()) return Finish(reactor, command.status());
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("ReleaseHold", *request)};
  host_->Mutate<Hold>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.ReleaseHold(caller, key, *command, now, effects);
      },
      [reactor, response](absl::StatusOr<Hold> hold) {
        if (hold.ok()) ToProto(*hold, response->mutable_hold());
        Finish(reactor, hold.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* OrientationService::CancelBooking(
    grpc::CallbackServerContext* context,
    const v1::CancelBookingRequest* request,
    v1::CancelBookingResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kCancel);
  if (!principal.ok()) return Finish(reactor, principal.status());
  auto command = CancelFromRequest(*request);
  if (!command.ok()) return Finish(reactor, command.status());
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("CancelBooking", *request)};
  host_->Mutate<Booking>(
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.CancelBooking(caller, key, *command, now, effects);
      },
      [reactor, response](absl::StatusOr<Booking> booking) {
        if (booking.ok()) ToProto(*booking, response->mutable_booking());
        Finish(reactor, booking.status());
      });
  return reactor;
}

grpc::ServerUnaryReactor* OrientationService::GetBooking(
    grpc::CallbackServerContext* context, const v1::GetBookingRequest* request,
    v1::GetBookingResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = Authorize(*context, *authenticator_, Permission::kBook);
  if (!principal.ok()) return Finish(reactor, principal.status());
  if (auto s = CheckId("booking_id", request->booking_id()); !s.ok()) {
    return Finish(reactor, s);
  }
  auto booking = host_->Read<Booking>([&](const Engine& engine, absl::Time) {
    return engine.GetBooking(request->booking_id());
  });
  if (booking.ok()) ToProto(*booking, response->mutable_booking());
  return Finish(reactor, booking.status());
}

}  // namespace creneau::server
