// Interner: numbers for the few distinct strings that many records repeat.
//
// Professionals name a commune, a time zone and a CPTS: some tens of
// thousands of communes, a few hundred zones and about a thousand CPTS for
// hundreds of thousands of professionals. Each distinct string is stored
// once and a record keeps its 4-byte number instead of a 32-byte
// std::string. Number 0 is always the empty string.
//
// Strings are never removed: the set of names only grows, and it is small.
// At most kMaxStrings distinct strings (checked: callers validate names
// before, so the bound is far beyond any real territory). Not thread-safe.
#ifndef CRENEAU_ENGINE_INTERNAL_INTERNER_H_
#define CRENEAU_ENGINE_INTERNAL_INTERNER_H_

#include <cstdint>
#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace creneau::internal {

class Interner {
 public:
  using Number = uint32_t;
  static constexpr Number kEmpty = 0;
  static constexpr size_t kMaxStrings = size_t{1} << 24;

  Interner();
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  // The number of `text`, stored on first sight.
  Number Intern(absl::string_view text);
  // The number of `text` if stored, else kEmpty (also the number of "").
  Number Find(absl::string_view text) const;
  // The string of a number Intern returned; valid as long as the interner.
  absl::string_view view(Number number) const { return strings_[number]; }
  // Distinct strings stored, the empty one included.
  size_t size() const { return strings_.size(); }

 private:
  std::deque<std::string> strings_;  // Never moves its elements.
  absl::flat_hash_map<absl::string_view, Number> numbers_;  // Into strings_.
};

}  // namespace creneau::internal

#endif  // CRENEAU_ENGINE_INTERNAL_INTERNER_H_
