// ServerProcess: runs the real creneaud binary as a child process on a free
// loopback port, for integration, restart and crash tests.
#ifndef CRENEAU_TESTS_SUPPORT_SERVER_PROCESS_H_
#define CRENEAU_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "creneau/v1/orientation_service.grpc.pb.h"
#include "creneau/v1/slot_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace creneau::testing {

class ServerProcess {
 public:
  // How long Start waits for the server to report SERVING.
  static constexpr absl::Duration kStartTimeout = absl::Seconds(60);

  // `data_dir` persists across Start/Kill cycles; `extra_flags` are passed
  // as they are (e.g. "--principals_file=...").
  ServerProcess(std::string data_dir,
                std::vector<std::string> extra_flags = {});

  // Clients (channels, health checks) connect with TLS, trusting `ca`;
  // with a client certificate and key too when given (mutual TLS). Call
  // before Start.
  void UseTls(std::string ca, std::string client_cert = "",
              std::string client_key = "");
  // The process id while running; for signals.
  pid_t pid() const { return pid_; }
  ~ServerProcess();  // Kills a running server (SIGKILL).

  // Starts creneaud and waits until its health check says SERVING.
  absl::Status Start();
  // Sends `signal` and waits for the process to exit; returns its exit code
  // (or 128 + signal number when killed).
  int Stop(int signal);
  bool running() const { return pid_ > 0; }
  // Later starts listen on the port of the current one, so that clients'
  // channels reach the restarted server (call after a first Start).
  void KeepPortAcrossRestarts() { keep_port_ = port_ > 0; }
  int port() const { return port_; }
  // The HTTP side port (/metrics, /healthz, /readyz) of the last Start.
  int http_port() const { return http_port_; }
  std::string address() const;
  // Its standard error so far (the log), for failure messages.
  std::string Log() const;

  std::shared_ptr<grpc::Channel> Channel() const;
  std::unique_ptr<creneau::v1::SlotService::Stub> Slots() const;
  std::unique_ptr<creneau::v1::OrientationService::Stub> Orientation() const;
  // "SERVING", "NOT_SERVING", or the error.
  std::string Health() const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  std::string port_file_, http_port_file_, log_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  int http_port_ = 0;
  bool keep_port_ = false;
  std::string tls_ca_, tls_cert_, tls_key_;  // PEM text, empty: plaintext.
};

// A client context with a deadline and, when given, a bearer token.
std::unique_ptr<grpc::ClientContext> ClientContext(
    const std::string& token = "", absl::Duration deadline = absl::Seconds(10));

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_SERVER_PROCESS_H_
