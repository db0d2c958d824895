#include "engine/internal/interner.h"

#include "engine/check.h"

namespace creneau::internal {

Interner::Interner() {
  strings_.emplace_back();
  numbers_.emplace(absl::string_view(strings_.back()), kEmpty);
}

Interner::Number Interner::Intern(absl::string_view text) {
  auto it = numbers_.find(text);
  if (it != numbers_.end()) return it->second;
  CRENEAU_CHECK(strings_.size() < kMaxStrings);
  const Number number = static_cast<Number>(strings_.size());
  strings_.emplace_back(text);
  numbers_.emplace(absl::string_view(strings_.back()), number);
  return number;
}

Interner::Number Interner::Find(absl::string_view text) const {
  auto it = numbers_.find(text);
  return it == numbers_.end() ? kEmpty : it->second;
}

}  // namespace creneau::internal
