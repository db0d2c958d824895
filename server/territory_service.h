// TerritoryService: territories as objects (see
// proto/creneau/v1/territory_service.proto). Sources (EPCI, département,
// list) are resolved here against the server's commune file, so that the
// engine stores explicit commune lists.
#ifndef CRENEAU_SERVER_TERRITORY_SERVICE_H_
#define CRENEAU_SERVER_TERRITORY_SERVICE_H_

#include "creneau/v1/territory_service.grpc.pb.h"
#include "server/call.h"

namespace creneau::server {

class TerritoryService final : public v1::TerritoryService::CallbackService {
 public:
  explicit TerritoryService(ServiceParts parts) : parts_(parts) {}

  grpc::ServerUnaryReactor* CreateTerritory(
      grpc::CallbackServerContext* context,
      const v1::CreateTerritoryRequest* request,
      v1::CreateTerritoryResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTerritory(
      grpc::CallbackServerContext* context,
      const v1::UpdateTerritoryRequest* request,
      v1::UpdateTerritoryResponse* response) override;
  grpc::ServerUnaryReactor* GetTerritory(
      grpc::CallbackServerContext* context,
      const v1::GetTerritoryRequest* request,
      v1::GetTerritoryResponse* response) override;
  grpc::ServerUnaryReactor* ListTerritories(
      grpc::CallbackServerContext* context,
      const v1::ListTerritoriesRequest* request,
      v1::ListTerritoriesResponse* response) override;

 private:
  // Applies `territory` as `mode` allows, then answers with it as stored.
  grpc::ServerUnaryReactor* Put(grpc::ServerUnaryReactor* reactor,
                                const Principal& principal,
                                const RequestKey& key, Territory territory,
                                Engine::UpsertMode mode,
                                v1::Territory* response);

  const ServiceParts parts_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_TERRITORY_SERVICE_H_
