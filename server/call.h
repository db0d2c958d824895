// Helpers every RPC handler uses: turning an absl::Status into the gRPC
// status sent to the client (the only place a grpc::Status is made), and
// finishing a call so that a refusal is counted for the audit trail.
#ifndef CRENEAU_SERVER_CALL_H_
#define CRENEAU_SERVER_CALL_H_

#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "server/gatekeeper.h"
#include "server/rpc_metrics.h"
#include "storage/engine_host.h"

namespace creneau::server {

grpc::Status ToGrpc(const absl::Status& status);

// What the server says of itself in GetStatus.
struct ServerIdentity {
  std::string version = CRENEAU_VERSION;
  std::string data_dir;
  absl::Time started = absl::Now();
};

// What the services share: the engine behind its host, the gatekeeper,
// the call metrics (optional) and the server's identity. All must outlive
// the services.
struct ServiceParts {
  storage::EngineHost* host = nullptr;
  Gatekeeper* gate = nullptr;
  RpcMetrics* metrics = nullptr;
  const ServerIdentity* identity = nullptr;
};

// Finishes a unary call with `status`, counting a refusal against
// `principal`; returns the reactor.
inline grpc::ServerUnaryReactor* Finish(grpc::ServerUnaryReactor* reactor,
                                        Gatekeeper& gate,
                                        absl::string_view principal,
                                        const absl::Status& status) {
  gate.Count(principal, status);
  reactor->Finish(ToGrpc(status));
  return reactor;
}

// Finishes a call the gatekeeper refused (it counted the refusal).
inline grpc::ServerUnaryReactor* Refuse(grpc::ServerUnaryReactor* reactor,
                                        const absl::Status& status) {
  reactor->Finish(ToGrpc(status));
  return reactor;
}

// Runs a mutation for `principal` through the host and, once its answer is
// durable, fills the response with `fill` (on success) and finishes the
// call. Returns the reactor.
template <typename T>
grpc::ServerUnaryReactor* MutateThenFinish(
    grpc::ServerUnaryReactor* reactor, const ServiceParts& parts,
    std::string principal,
    absl::FunctionRef<absl::StatusOr<T>(Engine&, absl::Time, Effects*)> apply,
    absl::AnyInvocable<void(const T&) &&> fill) {
  parts.host->Mutate<T>(
      apply, [reactor, gate = parts.gate, principal = std::move(principal),
              fill = std::move(fill)](absl::StatusOr<T> result) mutable {
        if (result.ok()) std::move(fill)(*result);
        Finish(reactor, *gate, principal, result.status());
      });
  return reactor;
}

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_CALL_H_
