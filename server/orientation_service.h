// OrientationService: the API of regulators (see
// proto/creneau/v1/orientation_service.proto).
#ifndef CRENEAU_SERVER_ORIENTATION_SERVICE_H_
#define CRENEAU_SERVER_ORIENTATION_SERVICE_H_

#include "creneau/v1/orientation_service.grpc.pb.h"
#include "server/arena_allocator.h"
#include "server/call.h"

namespace creneau::server {

class OrientationService final
    : public v1::OrientationService::CallbackService {
 public:
  explicit OrientationService(ServiceParts parts) : parts_(parts) {
    SetMessageAllocatorFor_SearchSlots(&search_allocator_);
  }

  grpc::ServerUnaryReactor* SearchSlots(
      grpc::CallbackServerContext* context,
      const v1::SearchSlotsRequest* request,
      v1::SearchSlotsResponse* response) override;
  grpc::ServerUnaryReactor* HoldSlot(grpc::CallbackServerContext* context,
                                     const v1::HoldSlotRequest* request,
                                     v1::HoldSlotResponse* response) override;
  grpc::ServerUnaryReactor* MatchAndHold(
      grpc::CallbackServerContext* context,
      const v1::MatchAndHoldRequest* request,
      v1::MatchAndHoldResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmBooking(
      grpc::CallbackServerContext* context,
      const v1::ConfirmBookingRequest* request,
      v1::ConfirmBookingResponse* response) override;
  grpc::ServerUnaryReactor* ReleaseHold(
      grpc::CallbackServerContext* context,
      const v1::ReleaseHoldRequest* request,
      v1::ReleaseHoldResponse* response) override;
  grpc::ServerUnaryReactor* CancelBooking(
      grpc::CallbackServerContext* context,
      const v1::CancelBookingRequest* request,
      v1::CancelBookingResponse* response) override;
  grpc::ServerUnaryReactor* GetBooking(
      grpc::CallbackServerContext* context,
      const v1::GetBookingRequest* request,
      v1::GetBookingResponse* response) override;
  grpc::ServerUnaryReactor* ListBookings(
      grpc::CallbackServerContext* context,
      const v1::ListBookingsRequest* request,
      v1::ListBookingsResponse* response) override;

  // The waitlist (waitlist_handlers.cc). Roles: regulator, admin
  // (Permission::kHold); each reaches its organisation's requests only.
  grpc::ServerUnaryReactor* EnqueueRequest(
      grpc::CallbackServerContext* context,
      const v1::EnqueueRequestRequest* request,
      v1::EnqueueRequestResponse* response) override;
  grpc::ServerUnaryReactor* CancelRequest(
      grpc::CallbackServerContext* context,
      const v1::CancelRequestRequest* request,
      v1::CancelRequestResponse* response) override;
  grpc::ServerUnaryReactor* ListRequests(
      grpc::CallbackServerContext* context,
      const v1::ListRequestsRequest* request,
      v1::ListRequestsResponse* response) override;

 private:
  const ServiceParts parts_;
  ArenaMessageAllocator<v1::SearchSlotsRequest, v1::SearchSlotsResponse>
      search_allocator_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_ORIENTATION_SERVICE_H_
