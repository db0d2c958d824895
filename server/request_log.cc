#include "server/request_log.h"

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace creneau::server {
namespace {

constexpr char kCallLogger[] = "call";
// The format ConfigureLogging set, for LogCall.
std::atomic<LogFormat> format{LogFormat::kText};

// One JSON object per record: time (UTC, microseconds), level, then either
// the fields of a call record (its payload is already a JSON object) or
// event "log" with the message.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const absl::Time time = absl::FromChrono(msg.time);
    nlohmann::ordered_json head = {
        {"time",
         absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone())},
        {"level", spdlog::level::to_string_view(msg.level).data()}};
    const absl::string_view payload(msg.payload.data(), msg.payload.size());
    std::string line = head.dump();
    line.pop_back();  // The closing brace: fields follow.
    if (msg.logger_name == kCallLogger && payload.size() > 2 &&
        payload.front() == '{') {
      absl::StrAppend(&line, ",", payload.substr(1));
    } else {
      nlohmann::ordered_json message = {{"event", "log"},
                                        {"message", std::string(payload)}};
      absl::StrAppend(&line, ",", message.dump().substr(1));
    }
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--log_format: \"text\" or \"json\", not \"", name, "\""));
}

void ConfigureLogging(LogFormat log_format, absl::string_view level) {
  format.store(log_format, std::memory_order_relaxed);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto main = std::make_shared<spdlog::logger>("creneaud", sink);
  auto calls = std::make_shared<spdlog::logger>(kCallLogger, sink);
  if (log_format == LogFormat::kJson) {
    // One formatter per sink: both loggers share it, and it tells them
    // apart by name.
    sink->set_formatter(std::make_unique<JsonFormatter>());
  }
  for (const auto& logger : {main, calls}) {
    logger->set_level(spdlog::level::from_str(std::string(level)));
  }
  spdlog::drop(kCallLogger);
  spdlog::register_logger(calls);
  spdlog::set_default_logger(main);
}

void LogCall(const CallRecord& call) {
  std::shared_ptr<spdlog::logger> logger = spdlog::get(kCallLogger);
  if (logger == nullptr) logger = spdlog::default_logger();
  const spdlog::level::level_enum level =
      call.slow ? spdlog::level::warn : spdlog::level::info;
  if (!logger->should_log(level)) return;
  const int64_t latency_us = absl::ToInt64Microseconds(call.latency);
  if (format.load(std::memory_order_relaxed) == LogFormat::kText) {
    logger->log(level, "call {} {} {} us principal={} request_id={}{}",
                std::string(call.rpc), std::string(call.code), latency_us,
                std::string(call.principal), std::string(call.request_id),
                call.slow ? " (slow)" : "");
    return;
  }
  nlohmann::ordered_json fields = {{"event", "call"},
                                   {"request_id", std::string(call.request_id)},
                                   {"principal", std::string(call.principal)},
                                   {"rpc", std::string(call.rpc)},
                                   {"code", std::string(call.code)},
                                   {"latency_us", latency_us},
                                   {"slow", call.slow}};
  logger->log(level, "{}", fields.dump());
}

}  // namespace creneau::server
