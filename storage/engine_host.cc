#include "storage/engine_host.h"

#include "absl/strings/escaping.h"
#include "engine/check.h"
#include "openssl/rand.h"
#include "spdlog/spdlog.h"

namespace creneau::storage {

EngineHost::EngineHost(std::shared_ptr<const CommuneTable> communes,
                       Store* store, const Clock* clock, EngineOptions options)
    : store_(store), clock_(clock), engine_(std::move(communes), options) {}

EngineHost::~EngineHost() {
  {
    absl::MutexLock lock(&stop_mu_);
    stopping_ = true;
  }
  if (maintenance_.joinable()) maintenance_.join();
}

absl::StatusOr<LoadStats> EngineHost::Load() {
  CRENEAU_CHECK(!loaded_.load());
  absl::StatusOr<LoadStats> stats;
  {
    absl::MutexLock lock(&mu_);
    stats = store_->LoadInto(&engine_);
    if (!stats.ok()) return stats;
    // Holds that lapsed while the server was down expire now, persisted
    // before anything else is served.
    Effects effects;
    const int expired = engine_.ExpireHolds(clock_->Now(), &effects);
    if (expired > 0)
      spdlog::info("expired {} hold(s) that lapsed while stopped", expired);
    Commit(std::move(effects), [](absl::Status) {});
  }
  absl::Status flushed = store_->Flush();
  if (!flushed.ok()) return flushed;
  loaded_.store(true);
  serving_.store(true);
  return stats;
}

absl::Status EngineHost::Admit() const {
  if (!loaded_.load()) {
    return absl::UnavailableError(
        "starting: the stored state is still loading");
  }
  return store_->Admit();
}

void EngineHost::Commit(Effects effects, CommitCallback done) {
  store_->Commit(std::move(effects), [this, done = std::move(done)](
                                         absl::Status status) mutable {
    if (!status.ok() && serving_.exchange(false)) {
      spdlog::error("write failed, refusing writes until restarted: {}",
                    status.ToString());
      if (on_unhealthy_) on_unhealthy_();
    }
    std::move(done)(std::move(status));
  });
}

std::string EngineHost::NewHoldToken() {
  unsigned char bytes[16];
  CRENEAU_CHECK(RAND_bytes(bytes, sizeof bytes) == 1);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

void EngineHost::StartMaintenance() {
  CRENEAU_CHECK(!maintenance_.joinable());
  maintenance_ = std::thread([this] { MaintenanceLoop(); });
}

void EngineHost::MaintenanceLoop() {
  absl::Time last_purge = clock_->Now();
  while (true) {
    absl::Time wake = clock_->Now() + kMaxMaintenanceSleep;
    {
      absl::ReaderMutexLock lock(&mu_);
      if (auto next = engine_.NextHoldExpiryUnixS()) {
        wake = std::min(wake, absl::FromUnixSeconds(*next));
      }
    }
    {
      absl::MutexLock lock(&stop_mu_);
      // A wall clock step does not matter here: the next pass re-reads it.
      stop_mu_.AwaitWithTimeout(
          absl::Condition(&stopping_),
          std::max(absl::ZeroDuration(), wake - clock_->Now()));
      if (stopping_) return;
    }
    const bool purge = clock_->Now() - last_purge >= kPurgeInterval;
    if (purge) last_purge = clock_->Now();
    RunMaintenance(purge);
  }
}

void EngineHost::RunMaintenance(bool purge) {
  if (!serving_.load() || !store_->Admit().ok()) return;
  absl::MutexLock lock(&mu_);
  Effects effects;
  const absl::Time now = clock_->Now();
  engine_.ExpireHolds(now, &effects);
  if (purge) engine_.Purge(now, &effects);
  if (effects.empty()) return;
  Commit(std::move(effects), [](absl::Status) {});
}

}  // namespace creneau::storage
