// ServerMetrics: the /metrics page of creneaud. Beside the calls
// (RpcMetrics) it reports the engine's state (slots by profession and
// state, holds, bookings), the disk (log writes and syncs, commits per
// sync, queue depth, data directory), start-up (reload time), memory
// (resident bytes, bytes per slot) and calls per principal (bounded by
// Gatekeeper::kMaxPrincipalSeries).
#ifndef CRENEAU_SERVER_SERVER_METRICS_H_
#define CRENEAU_SERVER_SERVER_METRICS_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/engine_types.h"
#include "server/gatekeeper.h"
#include "server/rpc_metrics.h"
#include "storage/engine_host.h"

namespace creneau::server {

class ServerMetrics {
 public:
  // The census of slots walks every slot under the shared lock (millions
  // nationally); scrapes closer together than this reuse the last.
  static constexpr absl::Duration kCensusMaxAge = absl::Seconds(10);

  // All must outlive this object.
  ServerMetrics(const RpcMetrics* rpc, const storage::EngineHost* host,
                const Gatekeeper* gate)
      : rpc_(rpc), host_(host), gate_(gate) {}

  // How long the stored state took to load (set once loaded).
  void set_reload_time(absl::Duration reload) {
    absl::MutexLock lock(&mu_);
    reload_ = reload;
  }

  // The page, in the Prometheus text format.
  std::string Render();

 private:
  // The census, recounted when older than kCensusMaxAge; nullopt before
  // the state is loaded.
  std::optional<SlotCensus> Census();

  const RpcMetrics* const rpc_;
  const storage::EngineHost* const host_;
  const Gatekeeper* const gate_;
  absl::Mutex mu_;
  absl::Duration reload_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  std::optional<SlotCensus> census_ ABSL_GUARDED_BY(mu_);
  absl::Time census_taken_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_SERVER_METRICS_H_
