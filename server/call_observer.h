// CallObserver: a gRPC server interceptor that sees every call finish. It
// records the call in RpcMetrics (method, status code, latency) and writes
// it to the call log when it is a mutation or slower than the threshold
// (request_log.h). It reads neither request nor answer.
#ifndef CRENEAU_SERVER_CALL_OBSERVER_H_
#define CRENEAU_SERVER_CALL_OBSERVER_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/gatekeeper.h"
#include "server/rpc_metrics.h"

namespace creneau::server {

struct CallLogOptions {
  // Calls at least this long are logged (warn), mutations or not.
  absl::Duration slow_call = absl::Milliseconds(250);
};

// True for methods that change state (everything but Get*, List*, Search*,
// Watch*, Check and Empty).
bool IsMutation(absl::string_view method_name);

class CallObserverFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // A request id a client sends in this header is logged as it is (when
  // it has at most kMaxClientRequestIdBytes of [A-Za-z0-9._-]); otherwise
  // one is made up.
  static constexpr char kRequestIdHeader[] = "x-request-id";
  static constexpr size_t kMaxClientRequestIdBytes = 64;

  // `metrics` and `gate` must outlive the server.
  CallObserverFactory(RpcMetrics* metrics, const Gatekeeper* gate,
                      CallLogOptions options)
      : metrics_(metrics), gate_(gate), options_(options) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  RpcMetrics* const metrics_;
  const Gatekeeper* const gate_;
  const CallLogOptions options_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_CALL_OBSERVER_H_
