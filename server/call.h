// Helpers every RPC handler uses: authentication, and turning an
// absl::Status into the gRPC status sent to the client (the only place a
// grpc::Status is made).
#ifndef CRENEAU_SERVER_CALL_H_
#define CRENEAU_SERVER_CALL_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "server/auth.h"

namespace creneau::server {

grpc::Status ToGrpc(const absl::Status& status);

// The caller's principal if it may do `permission`: UNAUTHENTICATED or
// PERMISSION_DENIED otherwise.
absl::StatusOr<Principal> Authorize(const grpc::CallbackServerContext& context,
                                    const Authenticator& authenticator,
                                    Permission permission);

// Finishes a unary call with `status` and returns its reactor.
inline grpc::ServerUnaryReactor* Finish(grpc::ServerUnaryReactor* reactor,
                                        const absl::Status& status) {
  reactor->Finish(ToGrpc(status));
  return reactor;
}

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_CALL_H_
