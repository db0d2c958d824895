// BenchService: an empty RPC on creneaud's own server, the ceiling that
// load tests compare SearchSlots with (see bench_service.proto). Registered
// only when ServerConfig::bench_service is set; it reads no state and needs
// no credentials.
#ifndef CRENEAU_SERVER_BENCH_SERVICE_H_
#define CRENEAU_SERVER_BENCH_SERVICE_H_

#include "creneau/bench/v1/bench_service.grpc.pb.h"

namespace creneau::server {

class BenchService final
    : public creneau::bench::v1::BenchService::CallbackService {
 public:
  // Finishes the call at once with OK and an empty response.
  grpc::ServerUnaryReactor* Empty(
      grpc::CallbackServerContext* context,
      const creneau::bench::v1::EmptyRequest* request,
      creneau::bench::v1::EmptyResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_BENCH_SERVICE_H_
