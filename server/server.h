// CreneauServer: the gRPC server with creneau's services, the standard health
// service and reflection, and every transport limit set explicitly.
#ifndef CRENEAU_SERVER_SERVER_H_
#define CRENEAU_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/admin_service.h"
#include "server/bench_service.h"
#include "server/call_observer.h"
#include "server/change_service.h"
#include "server/gatekeeper.h"
#include "server/orientation_service.h"
#include "server/slot_service.h"
#include "server/territory_service.h"
#include "storage/engine_host.h"

namespace creneau::server {

struct ServerConfig {
  // host:port; port 0 picks a free one (see CreneauServer::port()).
  std::string listen = "127.0.0.1:50051";
  // Largest request or response; a batch of 1,000 slots is about 150 kB.
  int max_message_bytes = 4 << 20;
  // Concurrent calls per connection.
  int max_concurrent_streams = 256;
  // Threads gRPC may use for calls, at most.
  int max_threads = 64;
  // Keepalive pings from the server, and the least interval accepted from
  // clients.
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  // PEM files. With cert and key: TLS. With a client CA too: mutual TLS
  // (clients must present a certificate it signed, unexpired). The files
  // are re-read every tls_reload_interval, so that a renewed certificate
  // serves new connections without a restart.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  absl::Duration tls_reload_interval = absl::Seconds(5);
  // Also serve creneau.bench.v1.BenchService (an empty RPC, the ceiling
  // for load tests). Off in production.
  bool bench_service = false;
  // Counts every call and logs mutations and slow calls (CallObserver)
  // when set; must outlive the server.
  RpcMetrics* metrics = nullptr;
  CallLogOptions call_log;
  // What GetStatus reports of the server.
  ServerIdentity identity;
  // host:port of a plaintext gRPC listener serving grpc.health.v1 only,
  // for probes that cannot speak TLS (the kubelet's); empty: none. It
  // carries no token and no data: every other service answers
  // UNIMPLEMENTED there.
  std::string health_listen;
};

class CreneauServer {
 public:
  // The services creneaud serves (and counts in RpcMetrics).
  static const std::vector<std::string>& ServiceNames();

  // Builds and starts the server; health reports NOT_SERVING until
  // SetServing(true). UNAVAILABLE when the address cannot be bound,
  // INVALID_ARGUMENT for unreadable TLS files. `host` and `gate` must
  // outlive the server.
  static absl::StatusOr<std::unique_ptr<CreneauServer>> Start(
      const ServerConfig& config, storage::EngineHost* host, Gatekeeper* gate);

  // The bound port.
  int port() const { return port_; }
  // The bound port of the health-only listener (0 without one).
  int health_port() const { return health_port_; }
  // What grpc.health.v1 reports, for the whole server and each service.
  void SetServing(bool serving);
  // Stops accepting calls, lets running ones finish within `grace`, then
  // cancels the rest.
  void Shutdown(absl::Duration grace);

 private:
  CreneauServer(ServerIdentity identity, ServiceParts parts)
      : identity_(std::move(identity)),
        slots_(WithIdentity(parts)),
        orientation_(WithIdentity(parts)),
        territories_(WithIdentity(parts)),
        admin_(WithIdentity(parts)),
        changes_(WithIdentity(parts)) {}
  ServiceParts WithIdentity(ServiceParts parts) const {
    parts.identity = &identity_;
    return parts;
  }

  const ServerIdentity identity_;
  SlotService slots_;
  OrientationService orientation_;
  TerritoryService territories_;
  AdminService admin_;
  ChangeService changes_;
  BenchService bench_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> health_server_;
  int health_port_ = 0;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_SERVER_H_
