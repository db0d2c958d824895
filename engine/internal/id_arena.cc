#include "engine/internal/id_arena.h"

#include <cstring>

#include "engine/check.h"

namespace creneau::internal {

IdArena::IdArena(size_t max_length)
    : max_length_(max_length), free_(max_length + 1) {
  CRENEAU_CHECK(max_length >= 1 && max_length <= 255);
}

IdArena::Handle IdArena::Add(absl::string_view id) {
  CRENEAU_CHECK(!id.empty() && id.size() <= max_length_);
  std::vector<Handle>& reusable = free_[id.size()];
  Handle handle;
  if (!reusable.empty()) {
    handle = reusable.back();
    reusable.pop_back();
  } else {
    const size_t room = RoomBytes(id.size());
    if (used_in_last_block_ + room > kBlockBytes) {
      CRENEAU_CHECK(blocks_.size() < kMaxBlocks);
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
      used_in_last_block_ = 0;
    }
    const size_t offset =
        (blocks_.size() - 1) * kBlockBytes + used_in_last_block_;
    used_in_last_block_ += room;
    handle = static_cast<Handle>(offset / kUnitBytes);
  }
  char* at = const_cast<char*>(Address(handle));
  at[0] = static_cast<char>(id.size());
  std::memcpy(at + 1, id.data(), id.size());
  return handle;
}

void IdArena::Remove(Handle handle) {
  char* at = const_cast<char*>(Address(handle));
  const size_t length = static_cast<unsigned char>(at[0]);
  // A length of 0 marks removed room: a second Remove would hand the same
  // room to two ids.
  CRENEAU_CHECK(length >= 1 && length <= max_length_);
  at[0] = 0;
  free_[length].push_back(handle);
}

}  // namespace creneau::internal
