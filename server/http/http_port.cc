#include "server/http/http_port.h"

#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "httplib.h"

namespace creneau::server::http {
namespace {

constexpr char kPlainText[] = "text/plain; charset=utf-8";
// The content type Prometheus expects of the text format.
constexpr char kMetricsType[] = "text/plain; version=0.0.4; charset=utf-8";

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  HostPort parsed;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(listen).substr(colon + 1),
                        &parsed.port) ||
      parsed.port < 0 || parsed.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_listen: expected host:port, e.g. 127.0.0.1:9464, got \"",
        listen, "\""));
  }
  absl::string_view host = absl::string_view(listen).substr(0, colon);
  // "[::1]:9464" names an IPv6 host in brackets.
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  parsed.host = std::string(host);
  return parsed;
}

void Route(httplib::Server& server, const HttpHandlers& handlers) {
  server.Get("/metrics", [metrics = handlers.metrics](const httplib::Request&,
                                                      httplib::Response& res) {
    res.set_content(metrics(), kMetricsType);
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", kPlainText);
  });
  server.Get("/readyz", [ready = handlers.ready](const httplib::Request&,
                                                 httplib::Response& res) {
    const absl::Status status = ready();
    res.status = status.ok() ? 200 : 503;
    res.set_content(status.ok()
                        ? "ready\n"
                        : absl::StrCat("not ready: ", status.message(), "\n"),
                    kPlainText);
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpPort>> HttpPort::Start(
    const std::string& listen, HttpHandlers handlers) {
  absl::StatusOr<HostPort> address = ParseListen(listen);
  if (!address.ok()) return address.status();
  std::unique_ptr<HttpPort> port(new HttpPort());
  port->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *port->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server.set_payload_max_length(kMaxRequestBytes);
  server.set_read_timeout(kIoTimeoutS, 0);
  server.set_write_timeout(kIoTimeoutS, 0);
  Route(server, handlers);
  if (address->port == 0) {
    port->port_ = server.bind_to_any_port(address->host);
  } else if (server.bind_to_port(address->host, address->port)) {
    port->port_ = address->port;
  }
  if (port->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("--http_listen: cannot listen on ", listen));
  }
  port->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // Until the loop runs, stop() would not reach it: wait for it, so that a
  // port stopped at once still joins.
  for (int waited_ms = 0; !server.is_running() && waited_ms < kStartWaitMs;
       ++waited_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

HttpPort::~HttpPort() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace creneau::server::http
