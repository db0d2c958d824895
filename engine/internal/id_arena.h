// IdArena: short strings (slot ids, professionals' ids and names), each
// stored once, in large shared blocks.
//
// A national data set holds millions of slot ids of 20-40 bytes. One heap
// block per id costs the allocator's rounding and a call per id on start-up,
// and an 8-byte pointer in every slot record. Here each id is a length byte
// and its bytes, packed into blocks of kBlockBytes, named by a 4-byte
// handle. The room of a removed id is reused by the next id of the same
// length (agendas publish ids of one shape, so the room is reused as days
// roll over); it is never returned to the allocator.
//
// Strings are 1 to max_length bytes (set at construction, at most 255: the
// length byte). Handles address 2-byte units, so the arena holds up to
// 8 GiB (over 100 million of the longest slot ids); beyond that Add stops
// the process (a CHECK: memory is exhausted long before on a real machine).
// Not thread-safe.
#ifndef CRENEAU_ENGINE_INTERNAL_ID_ARENA_H_
#define CRENEAU_ENGINE_INTERNAL_ID_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/limits.h"

namespace creneau::internal {

class IdArena {
 public:
  using Handle = uint32_t;
  static constexpr Handle kNoId = ~Handle{0};
  static constexpr size_t kBlockBytes = size_t{1} << 20;

  // Strings of 1 to `max_length` bytes (at most 255, checked).
  explicit IdArena(size_t max_length = limits::kMaxIdLength);
  IdArena(const IdArena&) = delete;
  IdArena& operator=(const IdArena&) = delete;

  // Stores a copy of `id` (1 to max_length bytes, checked).
  Handle Add(absl::string_view id);
  // Frees the room of a stored id; the handle must not be used again.
  void Remove(Handle handle);
  // The id stored under `handle` (which must be live); valid until Remove.
  absl::string_view view(Handle handle) const {
    const char* at = Address(handle);
    return absl::string_view(at + 1, static_cast<unsigned char>(at[0]));
  }
  // Starts loading an id's memory (a hint; changes nothing).
  void Prefetch(Handle handle) const { __builtin_prefetch(Address(handle)); }
  // Bytes held in blocks (used, free for reuse, and not yet used).
  size_t bytes_allocated() const { return blocks_.size() * kBlockBytes; }

 private:
  static constexpr size_t kUnitBytes = 2;
  static constexpr size_t kMaxBlocks =
      (size_t{1} << 32) * kUnitBytes / kBlockBytes;

  const char* Address(Handle handle) const {
    const size_t offset = size_t{handle} * kUnitBytes;
    return blocks_[offset / kBlockBytes].get() + offset % kBlockBytes;
  }
  // The room an id of `length` bytes takes, in whole units.
  static size_t RoomBytes(size_t length) {
    return (1 + length + kUnitBytes - 1) / kUnitBytes * kUnitBytes;
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_in_last_block_ = kBlockBytes;  // No block yet.
  const size_t max_length_;
  // Removed ids' handles by length (0 to max_length_), for reuse.
  std::vector<std::vector<Handle>> free_;
};

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_ID_ARENA_H_
