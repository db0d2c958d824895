#include "server/rpc_metrics.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "creneau/v1/orientation_service.pb.h"
#include "engine/check.h"
#include "google/protobuf/descriptor.h"

namespace creneau::server {
namespace {}  // namespace

std::string RpcMetrics::CodeName(int code) {
  // gRPC's codes are absl's, number for number.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(
      code >= 0 && code < kCodes
          ? code
          : static_cast<int>(absl::StatusCode::kUnknown)));
}

namespace {

std::string EmptyReasonName(int reason) {
  const auto* descriptor = v1::EmptyReason_descriptor();
  const auto* value = descriptor->FindValueByNumber(reason);
  return value == nullptr ? absl::StrCat(reason) : value->name();
}

}  // namespace

RpcMetrics::RpcMetrics(const std::vector<std::string>& services) {
  struct Named {
    std::string service, name;
  };
  std::vector<Named> named;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& service : services) {
    const auto* descriptor = pool->FindServiceByName(service);
    CRENEAU_CHECK(descriptor != nullptr);
    for (int i = 0; i < descriptor->method_count(); ++i) {
      named.push_back({service, descriptor->method(i)->name()});
    }
  }
  named.push_back({"", "other"});
  method_count_ = named.size();
  methods_ = std::make_unique<Method[]>(method_count_);
  for (size_t i = 0; i < method_count_; ++i) {
    methods_[i].service = named[i].service;
    methods_[i].name = named[i].name;
    if (!named[i].service.empty()) {
      index_[absl::StrCat("/", named[i].service, "/", named[i].name)] =
          static_cast<int>(i);
    }
  }
}

int RpcMetrics::MethodIndex(absl::string_view full_method) const {
  auto it = index_.find(full_method);
  return it == index_.end() ? static_cast<int>(method_count_ - 1) : it->second;
}

void RpcMetrics::Record(int method, int code, absl::Duration latency) {
  CRENEAU_CHECK(method >= 0 && static_cast<size_t>(method) < method_count_);
  Cell& cell = methods_[method].by_code[std::clamp(code, 0, kCodes - 1)];
  const double seconds = absl::ToDoubleSeconds(latency);
  const size_t bucket = std::lower_bound(kLatencyBoundsS.begin(),
                                         kLatencyBoundsS.end(), seconds) -
                        kLatencyBoundsS.begin();
  cell.calls.fetch_add(1, std::memory_order_relaxed);
  cell.latency_ns.fetch_add(static_cast<uint64_t>(std::max<int64_t>(
                                0, absl::ToInt64Nanoseconds(latency))),
                            std::memory_order_relaxed);
  cell.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
}

void RpcMetrics::CountSearch(int widening_steps, int empty_reason) {
  searches_by_widening_[std::clamp(widening_steps, 0, kMaxWideningStepsCounted)]
      .fetch_add(1, std::memory_order_relaxed);
  if (empty_reason > 0) {
    empty_by_reason_[std::min(empty_reason, kEmptyReasons - 1)].fetch_add(
        1, std::memory_order_relaxed);
  }
}

void RpcMetrics::RenderCalls(http::PrometheusText& out) const {
  out.Family("creneau_rpc_requests_total", "counter",
             "gRPC calls finished, by method and status code.");
  for (size_t m = 0; m < method_count_; ++m) {
    for (int code = 0; code < kCodes; ++code) {
      const uint64_t calls =
          methods_[m].by_code[code].calls.load(std::memory_order_relaxed);
      if (calls == 0) continue;
      out.Sample("creneau_rpc_requests_total",
                 {{"service", methods_[m].service},
                  {"method", methods_[m].name},
                  {"code", CodeName(code)}},
                 calls);
    }
  }
}

void RpcMetrics::RenderLatency(http::PrometheusText& out) const {
  out.Family("creneau_rpc_latency_seconds", "histogram",
             "Time from a call's arrival to its status, by method and code.");
  for (size_t m = 0; m < method_count_; ++m) {
    for (int code = 0; code < kCodes; ++code) {
      const Cell& cell = methods_[m].by_code[code];
      if (cell.calls.load(std::memory_order_relaxed) == 0) continue;
      const std::string code_name = CodeName(code);
      const http::PrometheusText::Labels labels = {
          {"service", methods_[m].service},
          {"method", methods_[m].name},
          {"code", code_name}};
      // Buckets are cumulative; the count is the +Inf bucket's, so that
      // the three agree however the atomics move meanwhile.
      uint64_t cumulative = 0;
      for (size_t b = 0; b < cell.buckets.size(); ++b) {
        cumulative += cell.buckets[b].load(std::memory_order_relaxed);
        const std::string le = b < kLatencyBoundsS.size()
                                   ? absl::StrCat(kLatencyBoundsS[b])
                                   : "+Inf";
        out.Sample("creneau_rpc_latency_seconds_bucket", labels, {"le", le},
                   cumulative);
      }
      out.Sample("creneau_rpc_latency_seconds_sum", labels,
                 cell.latency_ns.load(std::memory_order_relaxed) * 1e-9);
      out.Sample("creneau_rpc_latency_seconds_count", labels, cumulative);
    }
  }
}

void RpcMetrics::Render(http::PrometheusText& out) const {
  RenderCalls(out);
  RenderLatency(out);
  out.Family("creneau_searches_total", "counter",
             "Searches answered, by the widening steps they took.");
  for (int steps = 0; steps <= kMaxWideningStepsCounted; ++steps) {
    out.Sample("creneau_searches_total",
               {{"widening_steps", absl::StrCat(steps)}},
               searches_by_widening_[steps].load(std::memory_order_relaxed));
  }
  out.Family("creneau_searches_empty_total", "counter",
             "Searches answered with no match, by reason.");
  for (int reason = 1; reason < kEmptyReasons; ++reason) {
    if (v1::EmptyReason_descriptor()->FindValueByNumber(reason) == nullptr) {
      continue;
    }
    out.Sample("creneau_searches_empty_total",
               {{"reason", EmptyReasonName(reason)}},
               empty_by_reason_[reason].load(std::memory_order_relaxed));
  }
}

}  // namespace creneau::server
