// Text tables for terminals: columns padded to their widest cell, widths
// counted in characters (UTF-8 aware), a rule under the header.
#ifndef CRENEAU_TOOLS_TABLE_H_
#define CRENEAU_TOOLS_TABLE_H_

#include <string>
#include <vector>

namespace creneau::tools {

class Table {
 public:
  explicit Table(std::vector<std::string> header)
      : header_(std::move(header)) {}
  // A row with as many cells as the header (missing cells print empty).
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const;
  size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Characters (code points) in UTF-8 text.
size_t DisplayWidth(const std::string& text);

}  // namespace creneau::tools

#endif  // CRENEAU_TOOLS_TABLE_H_
