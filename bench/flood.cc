#include "bench/flood.h"

#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/grpc_load.h"
#include "creneau/v1/orientation_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace creneau::bench {
namespace {

namespace v1 = ::creneau::v1;
using Steady = std::chrono::steady_clock;

// The flood starts this long before the regulator's measured phase and
// ends this long after it, so that the phase sees the flood at full rate.
constexpr absl::Duration kFloodLead = absl::Seconds(1);
// Regulator cycles run and not measured before the first phase.
constexpr absl::Duration kRegulatorWarmup = absl::Seconds(1);

// The regulator: one synchronous caller on its own connection.
class Regulator {
 public:
  Regulator(const FloodOptions& options, const Workload& workload)
      : options_(options),
        workload_(workload),
        rng_(options.seed),
        request_prefix_(
            absl::StrFormat("flood-%08x-", std::random_device{}())) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    stub_ = v1::OrientationService::NewStub(grpc::CreateCustomChannel(
        options.server, grpc::InsecureChannelCredentials(), args));
  }

  // Runs cycles on schedule for `duration`; returns what they measured.
  RegulatorPhase Run(absl::Duration duration);

 private:
  // One call: latency recorded, outcome counted. Returns its status.
  template <typename Request, typename Response, typename Method>
  grpc::Status Call(const char* name, Method method, const Request& request,
                    Response* response, RegulatorPhase* phase);
  void Cycle(RegulatorPhase* phase);

  const FloodOptions& options_;
  Workload workload_;
  std::mt19937_64 rng_;
  const std::string request_prefix_;
  std::unique_ptr<v1::OrientationService::Stub> stub_;
  int64_t requests_ = 0;
};

template <typename Request, typename Response, typename Method>
grpc::Status Regulator::Call(const char* name, Method method,
                             const Request& request, Response* response,
                             RegulatorPhase* phase) {
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      absl::StrCat("Bearer ", options_.regulator_token));
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  const auto start = Steady::now();
  const grpc::Status status =
      (stub_.get()->*method)(&context, request, response);
  const int64_t latency_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() -
                                                           start)
          .count();
  LoadReport* report = &phase->calls;
  report->latency.Record(latency_ns);
  if (std::string(name) == "search") phase->searches.Record(latency_ns);
  ++report->calls[name];
  // A slot taken since the search is expected; anything else is not.
  const bool taken =
      status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
      std::string(name) == "hold";
  if (status.ok()) {
    ++report->ok;
  } else if (taken) {
    ++report->refused;
  } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    ++report->exhausted;
  } else if (report->errors++ == 0) {
    report->first_error = absl::StrCat(name, ": code ", status.error_code(),
                                       " ", status.error_message());
  }
  return status;
}

void Regulator::Cycle(RegulatorPhase* phase) {
  const SearchAsk ask = workload_.Next(rng_);
  v1::SearchSlotsRequest search;
  search.set_commune_code(ask.commune->insee);
  search.set_profession(
      static_cast<v1::Profession>(static_cast<int>(ask.profession)));
  search.set_radius_m(ask.radius_m);
  search.set_limit(20);
  v1::SearchSlotsResponse found;
  if (!Call("search", &v1::OrientationService::Stub::SearchSlots, search,
            &found, phase)
           .ok()) {
    return;
  }
  const v1::SlotMatch* pick = nullptr;
  for (const v1::SlotMatch& match : found.matches()) {
    // A regular place in scope: overbooking places are asked for
    // explicitly, and the flood's regulator does not.
    if (match.in_scope() && !match.overbooking_only()) {
      pick = &match;
      break;
    }
  }
  if (pick == nullptr) return;
  v1::HoldSlotRequest hold;
  hold.set_request_id(absl::StrCat(request_prefix_, ++requests_));
  hold.set_slot_id(pick->slot().id());
  v1::HoldSlotResponse held;
  if (!Call("hold", &v1::OrientationService::Stub::HoldSlot, hold, &held, phase)
           .ok()) {
    return;
  }
  v1::ConfirmBookingRequest confirm;
  confirm.set_request_id(absl::StrCat(request_prefix_, ++requests_));
  confirm.set_slot_id(held.hold().slot_id());
  confirm.set_hold_token(held.hold().token());
  confirm.set_patient_ref("flood-patient");
  v1::ConfirmBookingResponse booked;
  if (Call("confirm", &v1::OrientationService::Stub::ConfirmBooking, confirm,
           &booked, phase)
          .ok()) {
    ++phase->bookings;
  }
}

RegulatorPhase Regulator::Run(absl::Duration duration) {
  RegulatorPhase phase;
  LoadReport& report = phase.calls;
  report.target = "creneaud";
  report.call = "search+hold+confirm";
  report.mode = "closed";
  report.concurrency = 1;
  const auto start = Steady::now();
  const auto end = start + absl::ToChronoNanoseconds(duration);
  const auto interval = std::chrono::nanoseconds(
      static_cast<int64_t>(1e9 / options_.regulator_cycles_per_s));
  // Cycles start on schedule; one running late starts at once after the
  // previous one (a single caller never overlaps its own calls).
  for (auto next = start; next < end; next += interval) {
    std::this_thread::sleep_until(next);
    Cycle(&phase);
  }
  report.elapsed = absl::FromChrono(Steady::now() - start);
  return phase;
}

absl::Status Check(const FloodOptions& options) {
  if (!IsLoopbackAddress(options.server)) {
    return absl::InvalidArgumentError(
        "--server: load is only sent to a loopback address");
  }
  if (options.regulator_token.empty() || options.flooder_token.empty()) {
    return absl::InvalidArgumentError(
        "--regulator_token and --flooder_token: both are required");
  }
  if (!(options.regulator_cycles_per_s > 0 &&
        options.regulator_cycles_per_s <= 1000)) {
    return absl::InvalidArgumentError(
        "--regulator_cycles_per_s: within (0, 1000]");
  }
  if (!(options.flood_rate_per_s > 0 && options.flood_rate_per_s <= 1e6)) {
    return absl::InvalidArgumentError("--flood_rate: within (0, 1000000]");
  }
  if (options.phase <= absl::ZeroDuration() ||
      options.phase > absl::Minutes(10)) {
    return absl::InvalidArgumentError("--duration_s: within (0, 600]");
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

double P99Ratio(const LatencyHistogram& alone,
                const LatencyHistogram& flooded) {
  const int64_t base = alone.PercentileNs(99);
  return base > 0 ? static_cast<double>(flooded.PercentileNs(99)) / base : 0;
}

std::string PhaseText(const char* name, const RegulatorPhase& phase) {
  return absl::StrCat("regulator ", name, ": ", phase.bookings, " bookings\n  ",
                      phase.calls.Text(),
                      "  searches only: ", phase.searches.Summary(), "\n");
}

std::string PhaseJson(const RegulatorPhase& phase) {
  std::string calls = phase.calls.Json();
  while (!calls.empty() && calls.back() == '\n') calls.pop_back();
  return absl::StrCat("{\"calls\": ", calls, ", \"bookings\": ", phase.bookings,
                      ", \"search_p50_ms\": ",
                      JsonNumber(phase.searches.PercentileNs(50) / 1e6),
                      ", \"search_p99_ms\": ",
                      JsonNumber(phase.searches.PercentileNs(99) / 1e6), "}");
}

}  // namespace

double FloodReport::p99_ratio() const {
  return P99Ratio(alone.calls.latency, flooded.calls.latency);
}

double FloodReport::search_p99_ratio() const {
  return P99Ratio(alone.searches, flooded.searches);
}

std::string FloodReport::Text() const {
  return absl::StrCat(
      PhaseText("alone", alone), PhaseText("under the flood", flooded),
      "flooder:\n  ", flooder.Text(),
      absl::StrFormat("regulator p99 under the flood / alone: %.2f (searches "
                      "only: %.2f)\n",
                      p99_ratio(), search_p99_ratio()));
}

std::string FloodReport::Json() const {
  std::string flood = flooder.Json();
  while (!flood.empty() && flood.back() == '\n') flood.pop_back();
  return absl::StrCat(
      "{\"regulator_alone\": ", PhaseJson(alone),
      ", \"regulator_flooded\": ", PhaseJson(flooded), ", \"flooder\": ", flood,
      ", \"p99_ratio\": ", JsonNumber(p99_ratio()),
      ", \"search_p99_ratio\": ", JsonNumber(search_p99_ratio()), "}\n");
}

absl::StatusOr<FloodReport> RunFlood(const FloodOptions& options,
                                     const Workload& workload) {
  if (absl::Status s = Check(options); !s.ok()) return s;
  Regulator regulator(options, workload);
  const RegulatorPhase warmup = regulator.Run(kRegulatorWarmup);
  if (warmup.calls.ok == 0) {
    return absl::UnavailableError(
        absl::StrCat("the regulator's calls to ", options.server,
                     " all failed: ", warmup.calls.first_error));
  }
  FloodReport report;
  report.alone = regulator.Run(options.phase);

  GrpcLoadOptions flood;
  flood.server = options.server;
  flood.token = options.flooder_token;
  flood.call = "search";
  flood.open_loop = true;
  flood.rate_per_s = options.flood_rate_per_s;
  flood.channels = options.flood_channels;
  flood.duration = options.phase + 2 * kFloodLead;
  flood.warmup = absl::ZeroDuration();
  flood.seed = options.seed + 1;
  absl::StatusOr<LoadReport> flooder;
  std::thread flooding([&] { flooder = RunGrpcLoad(flood, workload); });
  absl::SleepFor(kFloodLead);
  report.flooded = regulator.Run(options.phase);
  flooding.join();
  if (!flooder.ok()) return flooder.status();
  report.flooder = *std::move(flooder);
  return report;
}

}  // namespace creneau::bench
