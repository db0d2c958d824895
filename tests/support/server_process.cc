#include "tests/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"

extern char** environ;

namespace creneau::testing {
namespace {

// Runs `fork_and_exec` on a thread that never exits (so that a child's
// PR_SET_PDEATHSIG fires only when the test process ends) and returns its
// result.
pid_t ForkOnLongLivedThread(const std::function<pid_t()>& fork_and_exec) {
  struct Spawner {
    absl::Mutex mu;
    const std::function<pid_t()>* request ABSL_GUARDED_BY(mu) = nullptr;
    pid_t result ABSL_GUARDED_BY(mu) = 0;
    bool done ABSL_GUARDED_BY(mu) = false;
  };
  static Spawner* const spawner = [] {
    auto* s = new Spawner;  // Never deleted: its thread runs until exit.
    std::thread([s] {
      while (true) {
        absl::MutexLock lock(&s->mu);
        s->mu.Await(absl::Condition(
            +[](Spawner* sp) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return sp->request != nullptr;
            },
            s));
        s->result = (*s->request)();
        s->request = nullptr;
        s->done = true;
      }
    }).detach();
    return s;
  }();
  static absl::Mutex one_at_a_time(absl::kConstInit);
  absl::MutexLock serial(&one_at_a_time);
  absl::MutexLock lock(&spawner->mu);
  spawner->request = &fork_and_exec;
  spawner->done = false;
  spawner->mu.Await(absl::Condition(&spawner->done));
  return spawner->result;
}

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
      http_port_file_(data_dir_ + ".http-port"),
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
  unlink(http_port_file_.c_str());
  std::vector<std::string> args = {
      CRENEAUD_PATH,
      absl::StrCat("--listen=127.0.0.1:", keep_port_ ? port_ : 0),
      "--data_dir=" + data_dir_, "--port_file=" + port_file_,
      // Servers of parallel tests must not share the default HTTP port.
      "--http_listen=127.0.0.1:0", "--http_port_file=" + http_port_file_,
      "--communes=" + std::string(CRENEAU_SOURCE_DATA_DIR) + "/communes.csv",
      "--shutdown_grace_s=2"};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // fork and exec rather than posix_spawn, to ask the kernel to kill the
  // server when the test dies (PR_SET_PDEATHSIG): a test killed by a
  // timeout leaves no creneaud behind. The signal follows the thread that
  // forked, so the fork happens on a thread that lives as long as the test
  // process. Only async-signal-safe calls between fork and exec.
  const std::string log_file = log_file_;
  const pid_t child = ForkOnLongLivedThread([&]() -> pid_t {
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid != 0) return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // The test is already gone.
    const int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log < 0 || dup2(log, STDOUT_FILENO) < 0 ||
        dup2(log, STDERR_FILENO) < 0) {
      _exit(126);
    }
    close(log);
    execve(argv[0], argv.data(), environ);
    _exit(127);
  });
  if (child < 0) {
    return absl::InternalError(
        absl::StrCat("cannot start ", argv[0], ": ", strerror(errno)));
  }
  pid_ = child;

  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(
          absl::StrCat("creneaud exited early:\n", Log()));
    }
    std::ifstream port(port_file_);
    if (port >> port_ && port_ > 0 && Health() == "SERVING") {
      std::ifstream(http_port_file_) >> http_port_;
      return absl::OkStatus();
    }
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
