// ChunkedVector: a growable array of T stored in fixed-size chunks.
//
// The engine's tables hold millions of records addressed by dense numbers.
// A std::vector doubles its block when it grows: up to half of it is
// allocated and unused (the professionals' table, 323,328 records of 250
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
#include <vector>

namespace creneau::internal {

template <typename T, size_t kChunkElements>
class ChunkedVector {
  static_assert(kChunkElements > 0 &&
                    (kChunkElements & (kChunkElements - 1)) == 0,
                "a power of two, so indexing is a shift and a mask");

 public:
  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ChunkedVector(ChunkedVector&&) noexcept = default;
  ChunkedVector& operator=(ChunkedVector&&) noexcept = default;

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
    if (size_ == chunks_.size() * kChunkElements) {
      chunks_.push_back(std::make_unique<T[]>(kChunkElements));
    }
    return (*this)[size_++];
  }

  // Allocates the chunks for `count` elements in all (a bulk load), so that
  // emplace_back allocates nothing until then.
  void reserve(size_t count) {
    const size_t chunks = (count + kChunkElements - 1) / kChunkElements;
    chunks_.reserve(chunks);
    while (chunks_.size() < chunks) {
      chunks_.push_back(std::make_unique<T[]>(kChunkElements));
    }
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_CHUNKED_VECTOR_H_
