// AdminService's operations: GetStatus and Backup. Administrators only.
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/admin_service.h"
#include "spdlog/spdlog.h"

namespace creneau::server {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp TimestampOf(absl::Time time) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
}

void FillStatus(const ServiceParts& parts, v1::GetStatusResponse* response) {
  const ServerIdentity& identity = *parts.identity;
  const absl::Time now = absl::Now();
  response->set_version(identity.version);
  *response->mutable_started() = TimestampOf(identity.started);
  response->set_uptime_s(absl::ToInt64Seconds(now - identity.started));
  response->set_data_dir(identity.data_dir);
  const storage::Store& store = parts.host->store();
  response->set_data_dir_bytes(static_cast<int64_t>(store.DiskBytes()));
  const storage::StoreStats written = store.stats();
  if (written.last_write != absl::InfinitePast()) {
    *response->mutable_last_commit() = TimestampOf(written.last_write);
  }
  response->set_durable_sequence(written.durable_sequence);
  // Counts need the state loaded; before that they stay 0.
  auto counts = parts.host->Read<EngineStats>(
      [](const Engine& engine, absl::Time) -> absl::StatusOr<EngineStats> {
        return engine.stats();
      });
  if (counts.ok()) {
    response->set_territories(counts->territories);
    response->set_professionals(counts->professionals);
    response->set_slots(counts->slots);
    response->set_active_holds(counts->active_holds);
    response->set_bookings(counts->bookings);
  }
  const absl::Status disk = store.health();
  response->set_serving(parts.host->serving());
  if (!disk.ok()) {
    response->set_health_detail(std::string(disk.message()));
  } else if (!parts.host->serving()) {
    response->set_health_detail("loading the stored state");
  }
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::GetStatus(
    grpc::CallbackServerContext* context, const v1::GetStatusRequest*,
    v1::GetStatusResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kAdminister);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  FillStatus(parts_, response);
  return Finish(reactor, *parts_.gate, principal->name, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminService::Backup(
    grpc::CallbackServerContext* context, const v1::BackupRequest* request,
    v1::BackupResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kAdminister);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  if (!backup_mu_.TryLock()) {
    return Finish(reactor, *parts_.gate, principal->name,
                  absl::FailedPreconditionError(
                      "a backup is running; wait for it to finish"));
  }
  // The checkpoint takes seconds on a national data set; it holds this
  // call's thread, not the engine's lock: searches and bookings go on.
  absl::StatusOr<storage::BackupStats> backup =
      parts_.host->store().Backup(request->directory());
  backup_mu_.Unlock();
  if (backup.ok()) {
    response->set_directory(request->directory());
    response->set_bytes(static_cast<int64_t>(backup->bytes));
    response->set_files(static_cast<int64_t>(backup->files));
    response->set_durable_sequence(backup->durable_sequence);
    *response->mutable_elapsed() = TimeUtil::NanosecondsToDuration(
        absl::ToInt64Nanoseconds(backup->elapsed));
    spdlog::info("backup by {} to {}: {} bytes in {} files, {}",
                 principal->name, request->directory(), backup->bytes,
                 backup->files, absl::FormatDuration(backup->elapsed));
  }
  return Finish(reactor, *parts_.gate, principal->name, backup.status());
}

}  // namespace creneau::server
