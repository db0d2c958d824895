#include "tests/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"

extern char** environ;

namespace creneau::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ServerProcess::ServerProcess(std::string data_dir,
                             std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)),
      extra_flags_(std::move(extra_flags)),
      port_file_(data_dir_ + ".port"),
      log_file_(data_dir_ + ".log") {}

ServerProcess::~ServerProcess() {
  if (running()) Stop(SIGKILL);
}

std::string ServerProcess::address() const {
  // With TLS the certificate names localhost (and 127.0.0.1).
  return absl::StrCat(tls_ca_.empty() ? "127.0.0.1:" : "localhost:", port_);
}

std::string ServerProcess::Log() const { return ReadAll(log_file_); }

absl::Status ServerProcess::Start() {
  if (running()) return absl::FailedPreconditionError("already running");
  unlink(port_file_.c_str());
  std::vector<std::string> args = {
      CRENEAUD_PATH,
      absl::StrCat("--listen=127.0.0.1:", keep_port_ ? port_ : 0),
      "--data_dir=" + data_dir_,
      "--port_file=" + port_file_,
      "--communes=" + std::string(CRENEAU_SOURCE_DATA_DIR) + "/communes.csv",
      "--shutdown_grace_s=2"};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_file_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int error =
      posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    pid_ = -1;
    return absl::InternalError(
        absl::StrCat("cannot start ", argv[0], ": ", strerror(error)));
  }

  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(
          absl::StrCat("creneaud exited early:\n", Log()));
    }
    std::ifstream port(port_file_);
    if (port >> port_ && port_ > 0 && Health() == "SERVING")
      return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("creneaud not serving after ",
                   absl::FormatDuration(kStartTimeout), ":\n", Log()));
}

int ServerProcess::Stop(int signal) {
  if (!running()) return -1;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::shared_ptr<grpc::Channel> ServerProcess::Channel() const {
  // Reconnect quickly after a restart on the same port (the default backoff
  // grows to minutes; tests kill and restart servers on purpose).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (!tls_ca_.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = tls_ca_;
    ssl.pem_cert_chain = tls_cert_;
    ssl.pem_private_key = tls_key_;
    credentials = grpc::SslCredentials(ssl);
  }
  return grpc::CreateCustomChannel(address(), credentials, args);
}

void ServerProcess::UseTls(std::string ca, std::string client_cert,
                           std::string client_key) {
  tls_ca_ = ReadAll(ca);
  tls_cert_ = client_cert.empty() ? "" : ReadAll(client_cert);
  tls_key_ = client_key.empty() ? "" : ReadAll(client_key);
}

std::unique_ptr<creneau::v1::SlotService::Stub> ServerProcess::Slots() const {
  return creneau::v1::SlotService::NewStub(Channel());
}

std::unique_ptr<creneau::v1::OrientationService::Stub>
ServerProcess::Orientation() const {
  return creneau::v1::OrientationService::NewStub(Channel());
}

std::string ServerProcess::Health() const {
  auto stub = grpc::health::v1::Health::NewStub(Channel());
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  auto context = ClientContext("", absl::Seconds(2));
  const grpc::Status status = stub->Check(context.get(), request, &response);
  if (!status.ok()) return status.error_message();
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
      response.status());
}

std::unique_ptr<grpc::ClientContext> ClientContext(const std::string& token,
                                                   absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(deadline));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

}  // namespace creneau::testing
