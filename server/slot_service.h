// SlotService: the API of agenda software and CPTS tools (see
// proto/creneau/v1/slot_service.proto).
#ifndef CRENEAU_SERVER_SLOT_SERVICE_H_
#define CRENEAU_SERVER_SLOT_SERVICE_H_

#include "creneau/v1/slot_service.grpc.pb.h"
#include "server/call.h"

namespace creneau::server {

class SlotService final : public v1::SlotService::CallbackService {
 public:
  explicit SlotService(ServiceParts parts) : parts_(parts) {}

  grpc::ServerUnaryReactor* UpsertProfessionals(
      grpc::CallbackServerContext* context,
      const v1::UpsertProfessionalsRequest* request,
      v1::UpsertProfessionalsResponse* response) override;
  grpc::ServerUnaryReactor* PublishSlots(
      grpc::CallbackServerContext* context,
      const v1::PublishSlotsRequest* request,
      v1::PublishSlotsResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawSlots(
      grpc::CallbackServerContext* context,
      const v1::WithdrawSlotsRequest* request,
      v1::WithdrawSlotsResponse* response) override;
  grpc::ServerUnaryReactor* GetSlot(grpc::CallbackServerContext* context,
                                    const v1::GetSlotRequest* request,
                                    v1::GetSlotResponse* response) override;
  grpc::ServerUnaryReactor* ListSlots(grpc::CallbackServerContext* context,
                                      const v1::ListSlotsRequest* request,
                                      v1::ListSlotsResponse* response) override;
  grpc::ServerUnaryReactor* PublishAvailability(
      grpc::CallbackServerContext* context,
      const v1::PublishAvailabilityRequest* request,
      v1::PublishAvailabilityResponse* response) override;
  grpc::ServerUnaryReactor* GetAvailability(
      grpc::CallbackServerContext* context,
      const v1::GetAvailabilityRequest* request,
      v1::GetAvailabilityResponse* response) override;

 private:
  const ServiceParts parts_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_SLOT_SERVICE_H_
