#include "server/http/prometheus_text.h"

#include <limits>

#include "gtest/gtest.h"

namespace creneau::server::http {
namespace {

TEST(PrometheusTextTest, FamiliesSamplesAndEscapedLabels) {
  PrometheusText out;
  out.Family("x_total", "counter", "Things.");
  out.Sample("x_total", {}, 3);
  out.Sample("x_total", {{"who", "a\"b\\c\nd"}, {"code", "OK"}}, 0.25);
  out.Sample("x_bucket", {{"m", "Get"}}, {"le", "+Inf"},
             std::numeric_limits<double>::infinity());
  EXPECT_EQ(out.text(),
            "# HELP x_total Things.\n"
            "# TYPE x_total counter\n"
            "x_total 3\n"
            "x_total{who=\"a\\\"b\\\\c\\nd\",code=\"OK\"} 0.25\n"
            "x_bucket{m=\"Get\",le=\"+Inf\"} +Inf\n");
}

TEST(PrometheusTextTest, LargeAndFractionalValuesKeepTheirDigits) {
  PrometheusText out;
  out.Sample("a", {}, 123456789012.0);
  out.Sample("b", {}, 1.0 / 3);
  EXPECT_EQ(out.text(), "a 123456789012\nb 0.333333333\n");
}

}  // namespace
}  // namespace creneau::server::http
