#include "server/http/prometheus_text.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace creneau::server::http {

void PrometheusText::Family(absl::string_view name, absl::string_view type,
                            absl::string_view help) {
  // HELP text escapes backslash and newline; ours are plain sentences.
  absl::StrAppend(&text_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ",
                  type, "\n");
}

void PrometheusText::Single(absl::string_view name, absl::string_view type,
                            absl::string_view help, double value) {
  Family(name, type, help);
  Sample(name, {}, value);
}

void PrometheusText::AppendLabel(absl::string_view key, absl::string_view value,
                                 bool* first) {
  text_.push_back(*first ? '{' : ',');
  *first = false;
  absl::StrAppend(&text_, key, "=\"");
  for (char c : value) {
    switch (c) {
      case '\\':
        text_.append("\\\\");
        break;
      case '"':
        text_.append("\\\"");
        break;
      case '\n':
        text_.append("\\n");
        break;
      default:
        text_.push_back(c);
    }
  }
  text_.push_back('"');
}

void PrometheusText::Sample(absl::string_view name, Labels labels,
                            double value) {
  Sample(name, labels, {"", ""}, value);
}

void PrometheusText::Sample(
    absl::string_view name, Labels labels,
    std::pair<absl::string_view, absl::string_view> extra, double value) {
  text_.append(name.data(), name.size());
  bool first = true;
  for (const auto& [key, label_value] : labels) {
    AppendLabel(key, label_value, &first);
  }
  if (!extra.first.empty()) AppendLabel(extra.first, extra.second, &first);
  if (!first) text_.push_back('}');
  text_.push_back(' ');
  if (std::isinf(value)) {
    text_.append(value > 0 ? "+Inf" : "-Inf");
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    absl::StrAppend(&text_, static_cast<int64_t>(value));
  } else {
    absl::StrAppend(&text_, absl::StrFormat("%.9g", value));
  }
  text_.push_back('\n');
}

}  // namespace creneau::server::http
