#include "bench/load_report.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/fixtures.h"

namespace creneau::bench {

std::string LoadReport::Text() const {
  std::string calls_text;
  for (const auto& [name, count] : calls) {
    absl::StrAppend(&calls_text, " ", name, "=", count);
  }
  return absl::StrFormat(
             "%s %s (%s loop, concurrency %d%s): %.0f req/s over %.1f s, ok=%d "
             "refused=%d exhausted=%d errors=%d%s\n  latency %s\n  calls:%s\n",
             target, call, mode, concurrency,
             mode == "open"
                 ? absl::StrFormat(", offered %.0f/s", offered_rate_per_s)
                 : "",
             qps(), absl::ToDoubleSeconds(elapsed), ok, refused, exhausted,
             errors,
             first_error.empty() ? ""
                                 : absl::StrCat(" (first: ", first_error, ")"),
             latency.Summary(), calls_text) +
         (watchers == 0
              ? ""
              : absl::StrFormat(
                    "  watchers %d: %d objects received (%.0f/s), %d streams "
                    "ended behind and resumed, %d errors\n",
                    watchers, watch_objects,
                    watch_objects /
                        std::max(absl::ToDoubleSeconds(elapsed), 1e-9),
                    watch_ended_behind, watch_errors));
}

std::string LoadReport::Json() const {
  const auto ms = [this](double p) {
    return JsonNumber(latency.PercentileNs(p) / 1e6);
  };
  std::vector<std::string> fields = {
      absl::StrCat("\"target\": \"", target, "\""),
      absl::StrCat("\"call\": \"", call, "\""),
      absl::StrCat("\"mode\": \"", mode, "\""),
      absl::StrCat("\"concurrency\": ", concurrency),
      absl::StrCat("\"offered_rate_per_s\": ", JsonNumber(offered_rate_per_s)),
      absl::StrCat("\"elapsed_s\": ",
                   JsonNumber(absl::ToDoubleSeconds(elapsed))),
      absl::StrCat("\"qps\": ", JsonNumber(qps())),
      absl::StrCat(
          "\"ok_per_s\": ",
          JsonNumber(ok / std::max(absl::ToDoubleSeconds(elapsed), 1e-9))),
      absl::StrCat("\"ok\": ", ok),
      absl::StrCat("\"refused\": ", refused),
      absl::StrCat("\"exhausted\": ", exhausted),
      absl::StrCat("\"errors\": ", errors),
      absl::StrCat("\"p50_ms\": ", ms(50)),
      absl::StrCat("\"p90_ms\": ", ms(90)),
      absl::StrCat("\"p99_ms\": ", ms(99)),
      absl::StrCat("\"p999_ms\": ", ms(99.9)),
      absl::StrCat("\"max_ms\": ", JsonNumber(latency.max_ns() / 1e6)),
      absl::StrCat("\"watchers\": ", watchers),
      absl::StrCat("\"watch_objects\": ", watch_objects),
      absl::StrCat("\"watch_ended_behind\": ", watch_ended_behind),
      absl::StrCat("\"watch_errors\": ", watch_errors),
  };
  std::vector<std::string> counts;
  for (const auto& [name, count] : calls) {
    counts.push_back(absl::StrCat("\"", name, "\": ", count));
  }
  fields.push_back(
      absl::StrCat("\"calls\": {", absl::StrJoin(counts, ", "), "}"));
  counts.clear();
  for (const auto& [name, count] : ok_calls) {
    counts.push_back(absl::StrCat("\"", name, "\": ", count));
  }
  fields.push_back(
      absl::StrCat("\"ok_calls\": {", absl::StrJoin(counts, ", "), "}"));
  return absl::StrCat("{", absl::StrJoin(fields, ", "), "}\n");
}

}  // namespace creneau::bench
