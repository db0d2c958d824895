// ArenaMessageAllocator: request and response of a callback unary method
// allocated on one protobuf Arena per call.
//
// A search answer carries up to 100 matches, each a slot and a professional
// with a dozen strings; allocated one by one and freed one by one, these
// cost more than the search itself. On an arena they are carved from one
// block that lives inside the call's holder and freed all at once when gRPC
// releases the call.
//
// Thread-safe (no shared state); must outlive the server it is registered
// with (gRPC keeps a pointer).
#ifndef CRENEAU_SERVER_ARENA_ALLOCATOR_H_
#define CRENEAU_SERVER_ARENA_ALLOCATOR_H_

#include <cstddef>

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace creneau::server {

template <typename Request, typename Response>
class ArenaMessageAllocator final
    : public grpc::MessageAllocator<Request, Response> {
 public:
  // Bytes of the first arena block, inside the holder: enough for a default
  // 20-match search answer, so a typical call allocates only its holder.
  static constexpr size_t kInitialBlockBytes = 32 * 1024;

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder();
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options(initial_block_)) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options(char* block) {
      google::protobuf::ArenaOptions options;
      options.initial_block = block;
      options.initial_block_size = kInitialBlockBytes;
      return options;
    }

    // Declared first: the arena's first block, alive until after the arena.
    alignas(std::max_align_t) char initial_block_[kInitialBlockBytes];
    google::protobuf::Arena arena_;
  };
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_ARENA_ALLOCATOR_H_
