#include "storage/engine_host.h"

#include "absl/strings/escaping.h"
#include "engine/check.h"
#include "openssl/rand.h"
#include "spdlog/spdlog.h"

namespace creneau::storage {
namespace {

// The state of a subject now, for the change feed (monostate when gone).
SubjectState StateOf(const Engine& engine, const Subject& subject) {
  switch (subject.kind) {
    case SubjectKind::kSlot:
      if (absl::StatusOr<SlotView> v = engine.GetSlot(subject.id); v.ok()) {
        return *std::move(v);
      }
      break;
    case SubjectKind::kBooking:
      if (absl::StatusOr<Booking> b = engine.GetBooking(subject.id); b.ok()) {
        return ForChangeFeed(*std::move(b));
      }
      break;
    case SubjectKind::kProfessional:
      if (auto p = engine.FindProfessional(subject.id)) {
        return p->ToProfessional();
      }
      break;
    case SubjectKind::kTerritory:
      if (absl::StatusOr<Territory> t = engine.GetTerritory(subject.id);
          t.ok()) {
        return *std::move(t);
      }
      break;
    case SubjectKind::kRequest:
      if (absl::StatusOr<WaitingRequest> r = engine.GetRequest(subject.id);
          r.ok()) {
        return ForChangeFeed(*std::move(r));
      }
      break;
  }
  return std::monostate();
}

// Records in each change event the state of its subjects after the command
// (all of a command's events are written together, so each sees the
// command's final state). Audit records change nothing and get none.
void RecordStates(const Engine& engine, Effects* effects) {
  for (Event& event : effects->events) {
    if (event.type == EventType::kBookingRead ||
        event.type == EventType::kCallsRefused) {
      continue;
    }
    event.states.reserve(event.subjects.size());
    for (const Subject& subject : event.subjects) {
      event.states.push_back(StateOf(engine, subject));
    }
  }
}

}  // namespace

EngineHost::EngineHost(std::shared_ptr<const CommuneTable> communes,
                       Store* store, const Clock* clock, HostOptions options)
    : store_(store),
      clock_(clock),
      event_retention_(options.event_retention),
      engine_(std::move(communes), options.engine) {}

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
  // Days that passed while stopped get their generated slots now.
  const int extended = ExtendAvailabilityOnce();
  if (extended > 0) {
    spdlog::info("extended the availability horizon of {} professional(s)",
                 extended);
  }
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
  RecordStates(engine_, &effects);
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

void EngineHost::RecordAudit(std::vector<Event> events) {
  if (events.empty() || !serving_.load()) return;
  Effects effects;
  effects.events = std::move(events);
  // No engine state changes: the order among mutations does not matter, so
  // the engine lock is not needed.
  store_->Commit(std::move(effects), [](absl::Status) {});
}

void EngineHost::MaintenanceLoop() {
  absl::Time last_purge = clock_->Now();
  absl::Time last_audit = last_purge;
  absl::Time last_extension = last_purge;
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
      if (stopping_) break;
    }
    const bool purge = clock_->Now() - last_purge >= kPurgeInterval;
    if (purge) last_purge = clock_->Now();
    const bool audit = clock_->Now() - last_audit >= kAuditInterval;
    if (audit) last_audit = clock_->Now();
    RunMaintenance(purge, audit);
    if (clock_->Now() - last_extension >= kAvailabilityInterval) {
      last_extension = clock_->Now();
      ExtendAvailabilityOnce();
    }
  }
  // The refusals counted since the last record are written on the way out
  // (the store outlives the host and drains its queue when closed).
  if (audit_source_) RecordAudit(audit_source_(clock_->Now()));
}

void EngineHost::RunMaintenance(bool purge, bool audit) {
  if (!serving_.load() || !store_->Admit().ok()) return;
  {
    absl::MutexLock lock(&mu_);
    Effects effects;
    engine_.ExpireHolds(clock_->Now(), &effects);
    if (!effects.empty()) Commit(std::move(effects), [](absl::Status) {});
  }
  if (purge) PurgeOnce();
  if (audit && audit_source_) RecordAudit(audit_source_(clock_->Now()));
}

int EngineHost::PurgePass() {
  if (!serving_.load() || !store_->Admit().ok()) return 0;
  absl::MutexLock lock(&mu_);
  Effects effects;
  const int purged = engine_.Purge(clock_->Now(), &effects);
  if (!effects.empty()) Commit(std::move(effects), [](absl::Status) {});
  return purged;
}

int EngineHost::ExtendAvailabilityOnce() {
  int extended = 0;
  for (int pass = 0; pass < kMaxExtensionPassesPerWake; ++pass) {
    if (!serving_.load() || !store_->Admit().ok()) break;
    absl::MutexLock lock(&mu_);
    Effects effects;
    const int done = engine_.ExtendAvailability(clock_->Now(), &effects);
    if (!effects.empty()) Commit(std::move(effects), [](absl::Status) {});
    extended += done;
    if (done == 0) break;
  }
  return extended;
}

int EngineHost::PurgeOnce() {
  int purged = 0;
  for (int pass = 0; pass < kMaxPurgePassesPerWake; ++pass) {
    const int removed = PurgePass();
    purged += removed;
    if (removed < limits::kMaxPurgedPerPass) break;
  }
  const absl::StatusOr<size_t> events = store_->PurgeEventsBefore(
      clock_->Now() - event_retention_, kMaxEventsPurgedPerWake);
  if (!events.ok()) {
    spdlog::warn("event log trim: {}", events.status().ToString());
  }
  return purged;
}

}  // namespace creneau::storage
