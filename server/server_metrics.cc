#include "server/server_metrics.h"

#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/names.h"
#include "server/http/prometheus_text.h"

namespace creneau::server {
namespace {

using http::PrometheusText;

constexpr absl::string_view kStateNames[kSlotCensusStates] = {
    "free", "full", "capped", "withdrawn"};

// Resident memory of this process, from /proc/self/statm; 0 when unknown.
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * sysconf(_SC_PAGESIZE);
}

void RenderEngine(const EngineStats& stats, PrometheusText& out) {
  out.Single("creneau_territories", "gauge", "Territories defined.",
             stats.territories);
  out.Single("creneau_professionals", "gauge", "Professionals known.",
             stats.professionals);
  out.Single("creneau_slots", "gauge", "Slots stored, of any state.",
             stats.slots);
  out.Single("creneau_searchable_slots", "gauge",
             "Slots a search can find now.", stats.searchable_slots);
  out.Single("creneau_active_holds", "gauge",
             "Holds not yet confirmed, released or expired.",
             stats.active_holds);
  out.Single("creneau_bookings", "gauge",
             "Bookings kept (confirmed, not purged).", stats.bookings);
  out.Single("creneau_idempotency_records", "gauge",
             "Answers remembered for retried requests.",
             stats.idempotency_records);
}

void RenderCensus(const SlotCensus& census, PrometheusText& out) {
  out.Family("creneau_slots_by_state", "gauge",
             "Slots by profession and state (free, full, capped, "
             "withdrawn), counted at most every 10 s.");
  for (int p = 1; p < kProfessionCount; ++p) {
    const absl::string_view profession =
        ProfessionName(static_cast<Profession>(p));
    for (int s = 0; s < kSlotCensusStates; ++s) {
      out.Sample("creneau_slots_by_state",
                 {{"profession", profession}, {"state", kStateNames[s]}},
                 static_cast<double>(census.slots[p][s]));
    }
  }
}

void RenderStore(const storage::StoreStats& stats, uint64_t disk_bytes,
                 PrometheusText& out) {
  out.Single("creneau_wal_commits_total", "counter", "Mutations made durable.",
             stats.commits);
  out.Single("creneau_wal_syncs_total", "counter",
             "Group writes to the log, each one sync (group commit).",
             stats.groups);
  out.Single("creneau_wal_sync_seconds_total", "counter",
             "Time spent writing and syncing groups.", stats.write_ns * 1e-9);
  out.Single("creneau_wal_commits_per_sync", "gauge",
             "Mutations per log sync since start.",
             stats.groups == 0 ? 0.0
                               : static_cast<double>(stats.commits) /
                                     static_cast<double>(stats.groups));
  out.Single("creneau_wal_written_bytes_total", "counter",
             "Record bytes written.", stats.bytes_written);
  out.Single("creneau_write_queue_depth", "gauge",
             "Mutations waiting for the disk writer.", stats.queued);
  out.Single("creneau_durable_sequence", "gauge",
             "Sequence of the last durable event.", stats.durable_sequence);
  out.Single("creneau_data_dir_bytes", "gauge",
             "Bytes of the files in the data directory.", disk_bytes);
}

void RenderPrincipals(const Gatekeeper& gate, PrometheusText& out) {
  const auto counts = gate.CallCounts();
  out.Family("creneau_principal_requests_total", "counter",
             "Calls admitted, by principal.");
  for (const auto& [name, calls] : counts) {
    out.Sample("creneau_principal_requests_total", {{"principal", name}},
               calls.admitted);
  }
  out.Family("creneau_principal_refusals_total", "counter",
             "Calls refused (authentication, role, rate, or after "
             "admission), by principal.");
  for (const auto& [name, calls] : counts) {
    out.Sample("creneau_principal_refusals_total", {{"principal", name}},
               calls.refused);
  }
}

}  // namespace

std::optional<SlotCensus> ServerMetrics::Census() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  if (census_.has_value() && now - census_taken_ < kCensusMaxAge) {
    return census_;
  }
  auto census = host_->Read<SlotCensus>(
      [](const Engine& engine, absl::Time) -> absl::StatusOr<SlotCensus> {
        return engine.CountSlots();
      });
  if (!census.ok()) return std::nullopt;
  census_ = *census;
  census_taken_ = now;
  return census_;
}

std::string ServerMetrics::Render() {
  PrometheusText out;
  rpc_->Render(out);
  RenderPrincipals(*gate_, out);
  auto stats = host_->Read<EngineStats>(
      [](const Engine& engine, absl::Time) -> absl::StatusOr<EngineStats> {
        return engine.stats();
      });
  if (stats.ok()) RenderEngine(*stats, out);
  if (std::optional<SlotCensus> census = Census()) RenderCensus(*census, out);
  RenderStore(host_->store_stats(), host_->store().DiskBytes(), out);
  const int64_t resident = ResidentBytes();
  out.Single("creneau_resident_memory_bytes", "gauge",
             "Resident memory of the process.", resident);
  out.Single("creneau_resident_bytes_per_slot", "gauge",
             "Resident memory over the slots stored (0 without slots).",
             stats.ok() && stats->slots > 0
                 ? static_cast<double>(resident) / stats->slots
                 : 0.0);
  out.Single("creneau_up", "gauge",
             "1 when the state is loaded and the disk takes writes.",
             host_->serving() ? 1 : 0);
  absl::MutexLock lock(&mu_);
  out.Single("creneau_reload_seconds", "gauge",
             "Time the stored state took to load at start.",
             absl::ToDoubleSeconds(reload_));
  return out.text();
}

}  // namespace creneau::server
