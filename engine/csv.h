// A reader for RFC 4180 CSV text: comma-separated, fields optionally quoted
// with '"', quotes inside quoted fields doubled, rows ended by LF or CRLF.
// Used for the commune file and for slot files given to the CLI.
#ifndef CRENEAU_ENGINE_CSV_H_
#define CRENEAU_ENGINE_CSV_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace creneau {

class CsvReader {
 public:
  // Longest field accepted; a longer one is a malformed file, not data.
  static constexpr size_t kMaxFieldBytes = 4096;
  // Most fields accepted in one row.
  static constexpr size_t kMaxFieldsPerRow = 256;

  // `text` must outlive the reader.
  explicit CsvReader(absl::string_view text) : text_(text) {}

  // Reads the next row into `fields`. Returns false at the end of the text or
  // on a malformed row; status() tells which. Blank lines are skipped.
  bool Next(std::vector<std::string>* fields);

  // OK, or INVALID_ARGUMENT naming the line of the first malformed row.
  const absl::Status& status() const { return status_; }
  // 1-based line number of the row last returned.
  int line() const { return row_line_; }

 private:
  bool Fail(absl::string_view what);

  absl::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int row_line_ = 0;
  absl::Status status_;
};

}  // namespace creneau

#endif  // CRENEAU_ENGINE_CSV_H_
