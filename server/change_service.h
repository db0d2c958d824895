// ChangeService: the change feed (see proto/creneau/v1/change_service.proto),
// its streams driven by a WatchHub.
#ifndef CRENEAU_SERVER_CHANGE_SERVICE_H_
#define CRENEAU_SERVER_CHANGE_SERVICE_H_

#include "absl/status/statusor.h"
#include "creneau/v1/change_service.grpc.pb.h"
#include "server/call.h"
#include "server/watch_hub.h"

namespace creneau::server {

// A request's filter, or INVALID_ARGUMENT naming the field.
absl::StatusOr<WatchFilter> WatchFilterFromProto(const v1::ChangeFilter& proto);

class ChangeService final : public v1::ChangeService::CallbackService {
 public:
  explicit ChangeService(ServiceParts parts) : parts_(parts), hub_(parts) {}

  // Roles: all (Permission::kRead); each stream sends only what its caller
  // may read.
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchChanges(
      grpc::CallbackServerContext* context,
      const v1::WatchChangesRequest* request) override;
  // Roles: regulator, admin (Permission::kHold): the waiting requests of
  // the caller's organisation (administrators: of `organisation`, or all).
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchRequests(
      grpc::CallbackServerContext* context,
      const v1::WatchRequestsRequest* request) override;

  // Ends every stream (UNAVAILABLE) before the server shuts down.
  void Close() { hub_.Close(); }
  size_t streams() const { return hub_.size(); }

 private:
  // Opens a stream for a principal with `permission`, or finishes it at
  // once with the first error of the principal, filter or start.
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* Open(
      grpc::CallbackServerContext* context, Permission permission,
      const absl::StatusOr<WatchFilter>& filter,
      const absl::StatusOr<WatchStart>& start);

  const ServiceParts parts_;
  WatchHub hub_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_CHANGE_SERVICE_H_
