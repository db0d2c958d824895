#include "server/server.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace creneau::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view flag) {
  std::ifstream in(path);
  if (!in)
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerConfig& config) {
  if (config.tls_cert_file.empty() && config.tls_key_file.empty()) {
    if (!config.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca needs --tls_cert and --tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  // Read once here so that a missing file is an error at start rather
  // than a failed handshake later.
  auto cert = ReadFile(config.tls_cert_file, "--tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(config.tls_key_file, "--tls_key");
  if (!key.ok()) return key.status();
  if (!config.tls_client_ca_file.empty()) {
    auto ca = ReadFile(config.tls_client_ca_file, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
  }
  // gRPC's file watcher re-reads the files every reload interval: a renewed
  // certificate (or CA) takes effect for new connections without a restart.
  const auto interval = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(config.tls_reload_interval)));
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          config.tls_key_file, config.tls_cert_file, config.tls_client_ca_file,
          interval);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!config.tls_client_ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

// Threads of the health-only listener: probes come every few seconds.
constexpr int kHealthThreads = 2;

int Millis(absl::Duration d) {
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CreneauServer>> CreneauServer::Start(
    const ServerConfig& config, storage::EngineHost* host, Gatekeeper* gate) {
  auto credentials = Credentials(config);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<CreneauServer> server(new CreneauServer(
      config.identity, ServiceParts{host, gate, config.metrics}));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, *credentials, &server->port_);
  builder.RegisterService(&server->slots_);
  builder.RegisterService(&server->orientation_);
  builder.RegisterService(&server->territories_);
  builder.RegisterService(&server->admin_);
  builder.RegisterService(&server->changes_);
  if (config.bench_service) builder.RegisterService(&server->bench_);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             config.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             Millis(config.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             Millis(config.keepalive_timeout));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      Millis(config.min_client_ping_interval));
  if (config.metrics != nullptr) {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        observers;
    observers.push_back(std::make_unique<CallObserverFactory>(
        config.metrics, gate, config.call_log));
    builder.experimental().SetInterceptorCreators(std::move(observers));
  }
  grpc::ResourceQuota quota("creneau");
  quota.SetMaxThreads(config.max_threads);
  builder.SetResourceQuota(quota);

  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen));
  }
  if (!config.health_listen.empty()) {
    // A server of its own with no service: gRPC adds only its default
    // health service, so that a plaintext port exposes nothing else.
    grpc::ServerBuilder health;
    health.AddListeningPort(config.health_listen,
                            grpc::InsecureServerCredentials(),
                            &server->health_port_);
    grpc::ResourceQuota health_quota("creneau-health");
    health_quota.SetMaxThreads(kHealthThreads);
    health.SetResourceQuota(health_quota);
    server->health_server_ = health.BuildAndStart();
    if (server->health_server_ == nullptr || server->health_port_ == 0) {
      return absl::UnavailableError(absl::StrCat(
          "--health_listen: cannot listen on ", config.health_listen));
    }
  }
  server->SetServing(false);
  return server;
}

const std::vector<std::string>& CreneauServer::ServiceNames() {
  static const auto* names = new std::vector<std::string>{
      "creneau.v1.SlotService",      "creneau.v1.OrientationService",
      "creneau.v1.TerritoryService", "creneau.v1.AdminService",
      "creneau.v1.ChangeService",    "creneau.bench.v1.BenchService"};
  return *names;
}

void CreneauServer::SetServing(bool serving) {
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server == nullptr) continue;
    grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
    health->SetServingStatus(serving);
    for (const std::string& service : ServiceNames()) {
      if (absl::StrContains(service, ".bench.")) continue;
      health->SetServingStatus(service, serving);
    }
  }
}

void CreneauServer::Shutdown(absl::Duration grace) {
  SetServing(false);
  // Change feeds never end by themselves: end them now, each with the
  // sequence to resume from, rather than at the grace period's end.
  changes_.Close();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoSeconds(grace));
  server_->Wait();
  if (health_server_ != nullptr) {
    health_server_->Shutdown();
    health_server_->Wait();
  }
}

}  // namespace creneau::server
