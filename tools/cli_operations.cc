// The `creneau` commands of operators: status and backup (admin).
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli.h"

namespace creneau::tools {

namespace v1 = ::creneau::v1;

namespace {

std::string Bytes(int64_t bytes) {
  if (bytes < 10 << 10) return absl::StrCat(bytes, " B");
  if (bytes < 10 << 20) return absl::StrFormat("%.1f kB", bytes / 1e3);
  if (bytes < int64_t{10} << 30) return absl::StrFormat("%.1f MB", bytes / 1e6);
  return absl::StrFormat("%.2f GB", bytes / 1e9);
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string Utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

void PrintStatus(const v1::GetStatusResponse& s, std::ostream& out) {
  out << "version        " << s.version() << "\n"
      << "uptime         " << absl::FormatDuration(absl::Seconds(s.uptime_s()))
      << " (since " << Utc(TimeOf(s.started())) << ")\n"
      << "data dir       " << s.data_dir() << " (" << Bytes(s.data_dir_bytes())
      << ")\n"
      << "health         " << (s.serving() ? "SERVING" : "NOT_SERVING")
      << (s.health_detail().empty() ? "" : ": " + s.health_detail()) << "\n"
      << "territories    " << s.territories() << "\n"
      << "professionals  " << s.professionals() << "\n"
      << "slots          " << s.slots() << "\n"
      << "active holds   " << s.active_holds() << "\n"
      << "bookings       " << s.bookings() << "\n"
      << "last commit    "
      << (s.has_last_commit() ? Utc(TimeOf(s.last_commit()))
                              : std::string("none since start"))
      << "\n"
      << "sequence       " << s.durable_sequence() << "\n";
}

}  // namespace

int Cli::Status() {
  v1::GetStatusRequest request;
  return Call<v1::GetStatusResponse>(
      [&](grpc::ClientContext* context, v1::GetStatusResponse* response) {
        return admin_->GetStatus(context, request, response);
      },
      [&](const v1::GetStatusResponse& response) {
        PrintStatus(response, out_);
      });
}

int Cli::Backup(const std::string& directory) {
  v1::BackupRequest request;
  std::error_code error;
  const std::filesystem::path absolute =
      std::filesystem::absolute(directory, error);
  request.set_directory(error ? directory
                              : absolute.lexically_normal().string());
  return Call<v1::BackupResponse>(
      [&](grpc::ClientContext* context, v1::BackupResponse* response) {
        return admin_->Backup(context, request, response);
      },
      [&](const v1::BackupResponse& response) {
        out_ << "backup in " << response.directory() << ": "
             << Bytes(response.bytes()) << " in " << response.files()
             << " files, up to event " << response.durable_sequence() << ", "
             << absl::FormatDuration(
                    absl::Seconds(response.elapsed().seconds()) +
                    absl::Nanoseconds(response.elapsed().nanos()))
             << "\n"
             << "restore: creneaud --data_dir=" << response.directory()
             << " (or copy it where the server's data directory is)\n";
      });
}

}  // namespace creneau::tools
