// RpcMetrics: what every gRPC call did, for /metrics: calls per method and
// status code with their latency histogram, and the searches' outcomes
// (answered empty by reason, widening steps). Recorded by CallObserver (a
// server interceptor) and the search handler with relaxed atomics, so that
// counting costs a call a few increments and takes no lock.
#ifndef CRENEAU_SERVER_RPC_METRICS_H_
#define CRENEAU_SERVER_RPC_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/http/prometheus_text.h"

namespace creneau::server {

class RpcMetrics {
 public:
  // Upper bounds of the latency buckets, seconds; a last +Inf bucket
  // follows.
  static constexpr std::array<double, 14> kLatencyBoundsS = {
      50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3,
      10e-3, 25e-3,  50e-3,  0.1,    0.25, 1,      5};
  // gRPC status codes, OK (0) to UNAUTHENTICATED (16).
  static constexpr int kCodes = 17;
  // Searches' empty reasons counted (creneau.v1.EmptyReason values).
  static constexpr int kEmptyReasons = 8;
  // Widening steps counted one by one; more are counted as this many.
  static constexpr int kMaxWideningStepsCounted = 15;

  // "OK", "NOT_FOUND", ... for a gRPC status code; "UNKNOWN" out of range.
  static std::string CodeName(int code);

  // Counts the methods of the named services ("creneau.v1.SlotService",
  // ...) one by one; any other method (health, reflection) under "other".
  explicit RpcMetrics(const std::vector<std::string>& services);

  // The slot of a full method name ("/creneau.v1.SlotService/GetSlot") for
  // Record; unknown names share the "other" slot.
  int MethodIndex(absl::string_view full_method) const;
  // The method's short name ("GetSlot", or "other").
  const std::string& MethodName(int method) const {
    return methods_[method].name;
  }
  // One finished call.
  void Record(int method, int code, absl::Duration latency);
  // One search answered: its widening steps and, when empty, its reason
  // (creneau.v1.EmptyReason value; 0 when it had matches).
  void CountSearch(int widening_steps, int empty_reason);

  // Appends the families creneau_rpc_* and creneau_search_*.
  void Render(http::PrometheusText& out) const;

 private:
  struct Cell {
    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> latency_ns{0};
    std::array<std::atomic<uint64_t>, kLatencyBoundsS.size() + 1> buckets{};
  };
  struct Method {
    std::string service;
    std::string name;
    std::array<Cell, kCodes> by_code;
  };

  void RenderCalls(http::PrometheusText& out) const;
  void RenderLatency(http::PrometheusText& out) const;

  // Fixed at construction: the last one is "other".
  size_t method_count_ = 0;
  std::unique_ptr<Method[]> methods_;
  absl::flat_hash_map<std::string, int> index_;
  std::array<std::atomic<uint64_t>, kEmptyReasons> empty_by_reason_{};
  std::array<std::atomic<uint64_t>, kMaxWideningStepsCounted + 1>
      searches_by_widening_{};
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_RPC_METRICS_H_
