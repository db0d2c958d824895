// Little-endian fixed-width and varint encoding, in the manner of leveldb's
// util/coding.h, with a bounds-checked decoder: every Get* returns false
// instead of reading past the end, so corrupt or hostile bytes never crash.
#ifndef CRENEAU_STORAGE_INTERNAL_CODING_H_
#define CRENEAU_STORAGE_INTERNAL_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace creneau::storage::internal {

// Longest string a record may hold; longer is corruption, never data.
inline constexpr uint32_t kMaxEncodedStringBytes = 1 << 16;

inline void PutU8(std::string* out, uint8_t v) {
  out->push_back(static_cast<char>(v));
}

inline void PutFixed32(std::string* out, uint32_t v) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out->append(buf, 4);
}

inline void PutFixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out->append(buf, 8);
}

inline void PutVarint32(std::string* out, uint32_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void PutDouble(std::string* out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  PutFixed64(out, bits);
}

// A varint32 length, then the bytes.
inline void PutString(std::string* out, absl::string_view s) {
  PutVarint32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

// Big-endian, so that keys sort by number.
inline std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (56 - 8 * i));
  return out;
}

inline bool ParseBigEndian64(absl::string_view in, uint64_t* v) {
  if (in.size() != 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) *v = (*v << 8) | static_cast<uint8_t>(in[i]);
  return true;
}

class Decoder {
 public:
  explicit Decoder(absl::string_view in) : in_(in) {}

  bool GetU8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool GetFixed32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 3; i >= 0; --i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool GetFixed64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = 0;
    for (int i = 7; i >= 0; --i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool GetInt64(int64_t* v) {
    uint64_t u;
    if (!GetFixed64(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool GetVarint32(uint32_t* v) {
    uint32_t result = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      uint8_t byte;
      if (!GetU8(&byte)) return false;
      if (shift == 28 && byte > 0x0F) return false;  // Overflows 32 bits.
      result |= uint32_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool GetDouble(double* v) {
    uint64_t bits;
    if (!GetFixed64(&bits)) return false;
    std::memcpy(v, &bits, sizeof bits);
    return true;
  }
  bool GetString(std::string* s) {
    uint32_t size;
    if (!GetVarint32(&size) || size > kMaxEncodedStringBytes ||
        size > in_.size()) {
      return false;
    }
    s->assign(in_.data(), size);
    in_.remove_prefix(size);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

}  // namespace creneau::storage::internal

#endif  // CRENEAU_STORAGE_INTERNAL_CODING_H_
