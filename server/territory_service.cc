#include "server/territory_service.h"

#include "engine/status_macros.h"
#include "engine/validate.h"
#include "server/fingerprint.h"
#include "server/from_proto.h"
#include "server/to_proto.h"

namespace creneau::server {

grpc::ServerUnaryReactor* TerritoryService::Put(
    grpc::ServerUnaryReactor* reactor, const Principal& principal,
    const RequestKey& key, Territory territory, Engine::UpsertMode mode,
    v1::Territory* response) {
  const Caller caller = CallerFor(principal);
  const std::string id = territory.id;
  return MutateThenFinish<BatchCounts>(
      reactor, parts_, principal.name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.UpsertTerritory(caller, key, territory, mode, now,
                                      effects);
      },
      [host = parts_.host, id, response](const BatchCounts&) {
        auto stored =
            host->Read<Territory>([&](const Engine& engine, absl::Time) {
              return engine.GetTerritory(id);
            });
        if (stored.ok()) ToProto(*stored, response);
      });
}

grpc::ServerUnaryReactor* TerritoryService::CreateTerritory(
    grpc::CallbackServerContext* context,
    const v1::CreateTerritoryRequest* request,
    v1::CreateTerritoryResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kAdminister);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto territory =
      parts_.host->Read<Territory>([&](const Engine& engine, absl::Time) {
        return TerritoryFromRequest(*request, engine.communes());
      });
  if (!territory.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, territory.status());
  }
  const RequestKey key{request->request_id(),
                       RequestFingerprint("CreateTerritory", *request)};
  return Put(reactor, *principal, key, *std::move(territory),
             Engine::UpsertMode::kCreate, response->mutable_territory());
}

grpc::ServerUnaryReactor* TerritoryService::UpdateTerritory(
    grpc::CallbackServerContext* context,
    const v1::UpdateTerritoryRequest* request,
    v1::UpdateTerritoryResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kAdminister);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::StatusOr<Territory> territory = parts_.host->Read<Territory>(
      [&](const Engine& engine, absl::Time) -> absl::StatusOr<Territory> {
        RETURN_IF_ERROR(CheckId("territory_id", request->territory_id()));
        ASSIGN_OR_RETURN(const Territory current,
                         engine.GetTerritory(request->territory_id()));
        return TerritoryFromRequest(*request, current, engine.communes());
      });
  if (!territory.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, territory.status());
  }
  const RequestKey key{request->request_id(),
                       RequestFingerprint("UpdateTerritory", *request)};
  return Put(reactor, *principal, key, *std::move(territory),
             Engine::UpsertMode::kReplace, response->mutable_territory());
}

grpc::ServerUnaryReactor* TerritoryService::GetTerritory(
    grpc::CallbackServerContext* context,
    const v1::GetTerritoryRequest* request,
    v1::GetTerritoryResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kRead);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::Status status = CheckId("territory_id", request->territory_id());
  if (status.ok()) {
    auto territory =
        parts_.host->Read<Territory>([&](const Engine& engine, absl::Time) {
          return engine.GetTerritory(request->territory_id());
        });
    if (territory.ok()) ToProto(*territory, response->mutable_territory());
    status = territory.status();
  }
  return Finish(reactor, *parts_.gate, principal->name, status);
}

grpc::ServerUnaryReactor* TerritoryService::ListTerritories(
    grpc::CallbackServerContext* context,
    const v1::ListTerritoriesRequest* request,
    v1::ListTerritoriesResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kRead);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto page = parts_.host->Read<TerritoryPage>([&](const Engine& engine,
                                                   absl::Time) {
    return engine.ListTerritories(request->page_size(), request->page_token());
  });
  if (page.ok()) {
    for (const Territory& t : page->territories) {
      ToProto(t, response->add_territories());
    }
    response->set_next_page_token(page->next_page_token);
  }
  return Finish(reactor, *parts_.gate, principal->name, page.status());
}

}  // namespace creneau::server
