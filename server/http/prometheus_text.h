// PrometheusText: writes metric families in the Prometheus text exposition
// format (version 0.0.4): one HELP and TYPE line per family, then its
// samples, label values escaped.
#ifndef CRENEAU_SERVER_HTTP_PROMETHEUS_TEXT_H_
#define CRENEAU_SERVER_HTTP_PROMETHEUS_TEXT_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace creneau::server::http {

class PrometheusText {
 public:
  using Labels =
      std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

  // Starts a family; `type` is "counter", "gauge" or "histogram". Every
  // sample that follows must belong to it (histograms: name_bucket,
  // name_sum, name_count).
  void Family(absl::string_view name, absl::string_view type,
              absl::string_view help);
  // A family of one unlabelled sample: Family, then Sample(name, {}, value).
  void Single(absl::string_view name, absl::string_view type,
              absl::string_view help, double value);
  // One sample line: name{labels} value.
  void Sample(absl::string_view name, Labels labels, double value);
  // As Sample, with one extra label after `labels` (a histogram's "le").
  void Sample(absl::string_view name, Labels labels,
              std::pair<absl::string_view, absl::string_view> extra,
              double value);

  const std::string& text() const { return text_; }

 private:
  void AppendLabel(absl::string_view key, absl::string_view value, bool* first);

  std::string text_;
};

}  // namespace creneau::server::http

#endif  // CRENEAU_SERVER_HTTP_PROMETHEUS_TEXT_H_
