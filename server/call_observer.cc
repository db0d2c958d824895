#include "server/call_observer.h"

#include <atomic>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "server/request_log.h"

namespace creneau::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

bool IsSafeRequestId(absl::string_view id) {
  if (id.empty() || id.size() > CallObserverFactory::kMaxClientRequestIdBytes) {
    return false;
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

// Made-up request ids: a random prefix per process, then a counter.
std::string NextRequestId() {
  static const uint32_t prefix = absl::Uniform<uint32_t>(absl::BitGen());
  static std::atomic<uint64_t> next{1};
  return absl::StrFormat("%08x-%x", prefix,
                         next.fetch_add(1, std::memory_order_relaxed));
}

class CallObserver : public grpc::experimental::Interceptor {
 public:
  CallObserver(grpc::experimental::ServerRpcInfo* info, RpcMetrics* metrics,
               const Gatekeeper* gate, const CallLogOptions& options)
      : info_(info),
        metrics_(metrics),
        gate_(gate),
        options_(options),
        method_(metrics->MethodIndex(info->method())),
        start_ns_(absl::GetCurrentTimeNanos()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finished(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Finished(int code) {
    const absl::Duration latency =
        absl::Nanoseconds(absl::GetCurrentTimeNanos() - start_ns_);
    metrics_->Record(method_, code, latency);
    const std::string& name = metrics_->MethodName(method_);
    const bool slow = latency >= options_.slow_call;
    if (!slow && !IsMutation(name)) return;
    grpc::ServerContextBase* context = info_->server_context();
    std::string request_id;
    if (auto it = context->client_metadata().find(
            CallObserverFactory::kRequestIdHeader);
        it != context->client_metadata().end() &&
        IsSafeRequestId(
            absl::string_view(it->second.data(), it->second.size()))) {
      request_id.assign(it->second.data(), it->second.size());
    } else {
      request_id = NextRequestId();
    }
    const std::string principal = gate_->NameOf(*context);
    const std::string code_name = RpcMetrics::CodeName(code);
    LogCall({.request_id = request_id,
             .principal = principal,
             .rpc = name,
             .code = code_name,
             .latency = latency,
             .mutation = IsMutation(name),
             .slow = slow});
  }

  grpc::experimental::ServerRpcInfo* const info_;
  RpcMetrics* const metrics_;
  const Gatekeeper* const gate_;
  const CallLogOptions& options_;
  const int method_;
  const int64_t start_ns_;
};

}  // namespace

bool IsMutation(absl::string_view method_name) {
  for (absl::string_view read : {"Get", "List", "Search", "Watch"}) {
    if (absl::StartsWith(method_name, read)) return false;
  }
  // "other": health checks and reflection.
  return method_name != "Check" && method_name != "Empty" &&
         method_name != "other";
}

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallObserver(info, metrics_, gate_, options_);
}

}  // namespace creneau::server
