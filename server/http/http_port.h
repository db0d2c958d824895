// HttpPort: the HTTP side port beside gRPC, for what operators' tools speak
// plain HTTP to: /metrics (Prometheus text), /healthz (the process is up)
// and /readyz (the state is loaded and the disk takes writes), later the
// JSON gateway and the web console. Served by cpp-httplib on its own small
// thread pool, so that a scrape never takes a gRPC thread.
#ifndef CRENEAU_SERVER_HTTP_HTTP_PORT_H_
#define CRENEAU_SERVER_HTTP_HTTP_PORT_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace creneau::server::http {

// What the port answers with; each callback runs on an HTTP thread and
// must be thread-safe.
struct HttpHandlers {
  // The /metrics body in the Prometheus text format.
  std::function<std::string()> metrics;
  // OK when ready to serve (/readyz answers 200), else the reason (503).
  std::function<absl::Status()> ready;
};

class HttpPort {
 public:
  // Threads answering HTTP requests: scrapes and probes are rare.
  static constexpr int kThreads = 2;
  // Largest request accepted (the routes take no body).
  static constexpr size_t kMaxRequestBytes = 16 << 10;
  // Reading a request and writing an answer each give up after this long.
  static constexpr int kIoTimeoutS = 5;
  // Start waits at most this long for the serving loop to run.
  static constexpr int kStartWaitMs = 5000;

  // Binds `listen` ("host:port", port 0 picks a free one) and serves
  // `handlers` on a thread of its own. INVALID_ARGUMENT for a malformed
  // address, UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpPort>> Start(
      const std::string& listen, HttpHandlers handlers);
  // Stops listening and waits for the serving thread.
  ~HttpPort();

  // The bound port.
  int port() const { return port_; }

 private:
  HttpPort() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace creneau::server::http

#endif  // CRENEAU_SERVER_HTTP_HTTP_PORT_H_
