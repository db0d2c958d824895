// ChunkedVector: a growable array of T stored in fixed-size chunks.
//
// The engine's tables hold millions of records addressed by dense numbers.
// A std::vector doubles its block when it grows: up to half of it is
// allocated and unused (the professionals' table, 323,328 records of 256
// bytes, sat in a block for 524,288), and every growth copies all records.
// Here growth adds one chunk of kChunkElements, so the unused room is below
// one chunk, nothing is copied, and an element's address never changes
// while it exists. Indexing costs one more load (the chunk pointer, from a
// small array that stays in cache).
//
// Not thread-safe. Elements are default-constructed by emplace_back() and
// destroyed with the vector.
#ifndef CRENEAU_ENGINE_INTERNAL_CHUNKED_VECTOR_H_
#define CRENEAU_ENGINE_INTERNAL_CHUNKED_VECTOR_H_

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace creneau::internal {

template <typename T, size_t kChunkElements>
class ChunkedVector {
  static_assert(kChunkElements > 0 &&
                    (kChunkElements & (kChunkElements - 1)) == 0,
                "a power of two, so indexing is a shift and a mask");

 public:
  ChunkedVector() = default;
  ~ChunkedVector() { Clear(); }
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ChunkedVector(ChunkedVector&& other) noexcept
      : chunks_(std::exchange(other.chunks_, {})),
        size_(std::exchange(other.size_, 0)) {}
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    if (this != &other) {
      Clear();
      chunks_ = std::exchange(other.chunks_, {});
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // `i` must be below size() (not checked, as std::vector's).
  T& operator[](size_t i) {
    return chunks_[i / kChunkElements][i % kChunkElements];
  }
  const T& operator[](size_t i) const {
    return chunks_[i / kChunkElements][i % kChunkElements];
  }

  // Appends a default-constructed element and returns it.
  T& emplace_back() {
    if (size_ == chunks_.size() * kChunkElements) AddChunk();
    T* at = &chunks_[size_ / kChunkElements][size_ % kChunkElements];
    std::construct_at(at);
    ++size_;
    return *at;
  }

  // Allocates the chunks for `count` elements in all (a bulk load), so that
  // emplace_back allocates nothing until then. The room is not written
  // (elements are constructed by emplace_back), so an over-estimate costs
  // address space rather than resident memory.
  void reserve(size_t count) {
    const size_t chunks = (count + kChunkElements - 1) / kChunkElements;
    chunks_.reserve(chunks);
    while (chunks_.size() < chunks) AddChunk();
  }

 private:
  void AddChunk() {
    chunks_.push_back(std::allocator<T>().allocate(kChunkElements));
  }
  void Clear() {
    for (size_t i = 0; i < size_; ++i) std::destroy_at(&(*this)[i]);
    for (T* chunk : chunks_) {
      std::allocator<T>().deallocate(chunk, kChunkElements);
    }
    chunks_.clear();
    size_ = 0;
  }

  std::vector<T*> chunks_;  // Each of kChunkElements, constructed below size_.
  size_t size_ = 0;
};

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_CHUNKED_VECTOR_H_
