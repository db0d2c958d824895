#include "engine/csv.h"

#include "absl/strings/str_cat.h"

namespace creneau {

bool CsvReader::Fail(absl::string_view what) {
  status_ =
      absl::InvalidArgumentError(absl::StrCat("line ", line_, ": ", what));
  return false;
}

bool CsvReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  if (!status_.ok()) return false;
  // Skip blank lines.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  row_line_ = line_;

  std::string field;
  bool quoted = false;
  bool after_quote = false;
  while (true) {
    if (pos_ >= text_.size()) {
      if (quoted) return Fail("unterminated quoted field");
      fields->push_back(std::move(field));
      return true;
    }
    const char c = text_[pos_++];
    if (quoted) {
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(c);
      }
    } else if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
      after_quote = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      fields->push_back(std::move(field));
      return true;
    } else if (c == '"' && field.empty() && !after_quote) {
      quoted = true;
    } else if (after_quote) {
      return Fail("text after a closing quote");
    } else {
      field.push_back(c);
    }
    if (field.size() > kMaxFieldBytes) return Fail("field too long");
    if (fields->size() >= kMaxFieldsPerRow) return Fail("too many fields");
  }
}

}  // namespace creneau
