#include "bench/grpc_load.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "creneau/bench/v1/bench_service.grpc.pb.h"
#include "creneau/v1/orientation_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace creneau::bench {
namespace {

namespace v1 = ::creneau::v1;
using Steady = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Steady::now().time_since_epoch())
      .count();
}

v1::Profession ToProto(Profession p) {
  return static_cast<v1::Profession>(static_cast<int>(p));
}

// One caller of the closed loop, or one scheduled call of the open loop.
struct Caller {
  std::mt19937_64 rng;
  Workload workload;
  std::vector<std::string> hits;  // Slot ids of the last search.
  std::string held_slot, held_token;
};

enum class Kind { kSearch, kEmpty, kHold, kConfirm, kRelease };

const char* NameOf(Kind k) {
  switch (k) {
    case Kind::kSearch:
      return "search";
    case Kind::kEmpty:
      return "empty";
    case Kind::kHold:
      return "hold";
    case Kind::kConfirm:
      return "confirm";
    case Kind::kRelease:
      return "release";
  }
  return "?";
}

class Load {
 public:
  Load(const GrpcLoadOptions& options, const Workload& workload)
      : options_(options),
        workload_(workload),
        // Request ids are scoped to the caller on the server and kept for a
        // day: a run's own prefix keeps them apart from an earlier run's
        // against the same server (same seed, other calls).
        request_prefix_(absl::StrFormat("load-%08x-", std::random_device{}())) {
    for (int i = 0; i < std::max(options.channels, 1); ++i) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("creneau.load.channel", i);  // A distinct connection each.
      auto channel = grpc::CreateCustomChannel(
          options.server, grpc::InsecureChannelCredentials(), args);
      orientation_.push_back(v1::OrientationService::NewStub(channel));
      bench_.push_back(creneau::bench::v1::BenchService::NewStub(channel));
    }
  }

  // Sends the load for `duration`, adding to the report.
  void Run(absl::Duration duration);
  // The report so far; Reset() starts a new one.
  LoadReport report() {
    absl::MutexLock lock(&mu_);
    return report_;
  }
  void Reset() {
    absl::MutexLock lock(&mu_);
    report_ = LoadReport();
  }

 private:
  struct Call {
    grpc::ClientContext context;
    int64_t start_ns = 0;
    Kind kind = Kind::kSearch;
    Caller* caller = nullptr;
    v1::SearchSlotsRequest search;
    v1::SearchSlotsResponse search_response;
    creneau::bench::v1::EmptyRequest empty;
    creneau::bench::v1::EmptyResponse empty_response;
    v1::HoldSlotRequest hold;
    v1::HoldSlotResponse hold_response;
    v1::ConfirmBookingRequest confirm;
    v1::ConfirmBookingResponse confirm_response;
    v1::ReleaseHoldRequest release;
    v1::ReleaseHoldResponse release_response;
  };

  Kind NextKind(Caller& caller);
  void Start(Caller* caller, int64_t scheduled_ns);
  void Done(Call* call, const grpc::Status& status);
  void Issue(Call* call, size_t channel);

  const GrpcLoadOptions& options_;
  const Workload& workload_;
  const std::string request_prefix_;  // At most 14 of the id's 36 bytes.
  std::vector<std::unique_ptr<v1::OrientationService::Stub>> orientation_;
  std::vector<std::unique_ptr<creneau::bench::v1::BenchService::Stub>> bench_;
  std::atomic<uint64_t> calls_started_{0};
  std::atomic<int64_t> deadline_ns_{0};

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  LoadReport report_ ABSL_GUARDED_BY(mu_);
};

Kind Load::NextKind(Caller& caller) {
  if (options_.call == "empty") return Kind::kEmpty;
  if (options_.call == "book") {
    // Book every hit of a search, one hold and confirm after the other,
    // then search again.
    if (!caller.held_token.empty()) return Kind::kConfirm;
    return caller.hits.empty() ? Kind::kSearch : Kind::kHold;
  }
  if (options_.call != "mix") return Kind::kSearch;
  // After a hold: confirm 8 times in 10, release otherwise. After a search:
  // hold one of its slots 1 time in 8. This gives 80/10/8/2.
  if (!caller.held_token.empty()) {
    return caller.rng() % 10 < 8 ? Kind::kConfirm : Kind::kRelease;
  }
  if (!caller.hits.empty() && caller.rng() % 8 == 0) return Kind::kHold;
  return Kind::kSearch;
}

void Load::Start(Caller* caller, int64_t scheduled_ns) {
  auto* call = new Call;
  call->caller = caller;
  call->kind = NextKind(*caller);
  call->start_ns = scheduled_ns;
  if (!options_.token.empty()) {
    call->context.AddMetadata("authorization",
                              absl::StrCat("Bearer ", options_.token));
  }
  const uint64_t n = calls_started_.fetch_add(1);
  switch (call->kind) {
    case Kind::kSearch: {
      const SearchAsk ask = caller->workload.Next(caller->rng);
      call->search.set_commune_code(ask.commune->insee);
      call->search.set_profession(ToProto(ask.profession));
      call->search.set_radius_m(ask.radius_m);
      call->search.set_limit(20);
      call->search.set_order(v1::SEARCH_ORDER_SOONEST);
      break;
    }
    case Kind::kHold: {
      call->hold.set_request_id(absl::StrCat(request_prefix_, n));
      const size_t hit = caller->rng() % caller->hits.size();
      call->hold.set_slot_id(caller->hits[hit]);
      if (options_.call == "book") {  // Each hit once.
        caller->hits[hit] = caller->hits.back();
        caller->hits.pop_back();
      }
      break;
    }
    case Kind::kConfirm:
      call->confirm.set_request_id(absl::StrCat(request_prefix_, n));
      call->confirm.set_slot_id(caller->held_slot);
      call->confirm.set_hold_token(caller->held_token);
      call->confirm.set_patient_ref("load-patient");
      break;
    case Kind::kRelease:
      call->release.set_request_id(absl::StrCat(request_prefix_, n));
      call->release.set_slot_id(caller->held_slot);
      call->release.set_hold_token(caller->held_token);
      break;
    case Kind::kEmpty:
      break;
  }
  Issue(call, n % orientation_.size());
}

void Load::Issue(Call* call, size_t channel) {
  auto done = [this, call](grpc::Status status) { Done(call, status); };
  auto* o = orientation_[channel]->async();
  switch (call->kind) {
    case Kind::kSearch:
      o->SearchSlots(&call->context, &call->search, &call->search_response,
                     std::move(done));
      break;
    case Kind::kEmpty:
      bench_[channel]->async()->Empty(&call->context, &call->empty,
                                      &call->empty_response, std::move(done));
      break;
    case Kind::kHold:
      o->HoldSlot(&call->context, &call->hold, &call->hold_response,
                  std::move(done));
      break;
    case Kind::kConfirm:
      o->ConfirmBooking(&call->context, &call->confirm, &call->confirm_response,
                        std::move(done));
      break;
    case Kind::kRelease:
      o->ReleaseHold(&call->context, &call->release, &call->release_response,
                     std::move(done));
      break;
  }
}

void Load::Done(Call* call, const grpc::Status& status) {
  const int64_t end_ns = NowNs();
  Caller* caller = call->caller;
  // Only the caller's own thread of control touches it: the next call of a
  // closed-loop caller starts below, after this update.
  if (status.ok() && !options_.open_loop) {
    if (call->kind == Kind::kSearch) {
      caller->hits.clear();
      for (const auto& m : call->search_response.matches()) {
        // Holds take regular places (overbooking only on request).
        if (!m.overbooking_only()) caller->hits.push_back(m.slot().id());
      }
    } else if (call->kind == Kind::kHold) {
      caller->held_slot = call->hold_response.hold().slot_id();
      caller->held_token = call->hold_response.hold().token();
    }
  }
  if (call->kind == Kind::kConfirm || call->kind == Kind::kRelease) {
    caller->held_token.clear();
  }
  // A slot taken by another caller since the search is expected.
  const bool refused =
      status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
      call->kind == Kind::kHold;
  bool again = false;
  {
    absl::MutexLock lock(&mu_);
    report_.latency.Record(end_ns - call->start_ns);
    ++report_.calls[NameOf(call->kind)];
    if (status.ok()) {
      ++report_.ok;
      ++report_.ok_calls[NameOf(call->kind)];
    } else if (refused) {
      ++report_.refused;
    } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++report_.exhausted;
    } else if (report_.errors++ == 0) {
      report_.first_error =
          absl::StrCat(NameOf(call->kind), ": code ", status.error_code(), " ",
                       status.error_message());
    }
    again = !options_.open_loop && end_ns < deadline_ns_.load();
  }
  // The call is gone before it stops counting as in flight: once the count
  // reaches zero, Run returns and the stubs and callers may be destroyed.
  delete call;
  if (again) {
    Start(caller, NowNs());
    return;
  }
  absl::MutexLock lock(&mu_);
  --in_flight_;
}

void Load::Run(absl::Duration duration) {
  const int64_t start_ns = NowNs();
  deadline_ns_ = start_ns + absl::ToInt64Nanoseconds(duration);
  std::vector<std::unique_ptr<Caller>> callers;
  const auto new_caller = [&](uint64_t i) {
    callers.push_back(std::make_unique<Caller>(Caller{
        std::mt19937_64(options_.seed * 7919 + i), workload_, {}, {}, {}}));
    return callers.back().get();
  };
  if (!options_.open_loop) {
    {
      absl::MutexLock lock(&mu_);
      in_flight_ = options_.concurrency;
    }
    for (int i = 0; i < options_.concurrency; ++i)
      Start(new_caller(i), NowNs());
  } else {
    // Callers are stateless in the open loop (search or empty only): a small
    // pool whose draws only this thread makes.
    const int pool = 256;
    for (int i = 0; i < pool; ++i) new_caller(i);
    // The pacer wakes every kPacerTickNs and starts every call whose time
    // has come (as wrk2 does): no spinning that would steal a core from
    // the server, and a late start still counts from its scheduled time.
    constexpr int64_t kPacerTickNs = 250'000;
    const double interval_ns = 1e9 / options_.rate_per_s;
    const auto scheduled_at = [&](uint64_t k) {
      return start_ns + static_cast<int64_t>(k * interval_ns);
    };
    uint64_t k = 0;
    while (scheduled_at(k) < deadline_ns_) {
      const int64_t now = NowNs();
      for (; scheduled_at(k) <= now && scheduled_at(k) < deadline_ns_; ++k) {
        {
          absl::MutexLock lock(&mu_);
          mu_.Await(absl::Condition(
              +[](Load* l) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return l->in_flight_ < l->options_.max_in_flight;
              },
              this));
          ++in_flight_;
        }
        // Only this thread draws from the pool; answers never touch it.
        Start(callers[k % pool].get(), scheduled_at(k));
      }
      std::this_thread::sleep_for(std::chrono::nanoseconds(kPacerTickNs));
    }
  }
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](Load* l)
           ABSL_NO_THREAD_SAFETY_ANALYSIS { return l->in_flight_ == 0; },
      this));
  report_.elapsed = absl::Nanoseconds(NowNs() - start_ns);
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  return absl::StartsWith(address, "127.") ||
         absl::StartsWith(address, "[::1]:") ||
         absl::StartsWith(address, "localhost:");
}

absl::StatusOr<LoadReport> RunGrpcLoad(const GrpcLoadOptions& options,
                                       const Workload& workload) {
  if (!IsLoopbackAddress(options.server)) {
    return absl::InvalidArgumentError(
        "--server: load is only sent to a loopback address");
  }
  if (options.call != "search" && options.call != "empty" &&
      options.call != "mix" && options.call != "book") {
    return absl::InvalidArgumentError("--call: search, empty, mix or book");
  }
  const bool stateless = options.call == "search" || options.call == "empty";
  if (options.open_loop && (options.rate_per_s <= 0 || !stateless)) {
    return absl::InvalidArgumentError(
        "--rate: the open loop needs a rate > 0 and a search or empty call");
  }
  if (!options.open_loop &&
      (options.concurrency < 1 || options.concurrency > 100000)) {
    return absl::InvalidArgumentError("--concurrency: within [1, 100000]");
  }
  if (options.duration <= absl::ZeroDuration() ||
      options.duration > absl::Minutes(30)) {
    return absl::InvalidArgumentError("--duration_s: within (0, 1800]");
  }
  if (options.warmup < absl::ZeroDuration() ||
      options.warmup > absl::Minutes(1)) {
    return absl::InvalidArgumentError("--warmup_s: within [0, 60]");
  }
  Load load(options, workload);
  if (options.warmup > absl::ZeroDuration()) {
    load.Run(options.warmup);
    load.Reset();
  }
  load.Run(options.duration);
  LoadReport report = load.report();
  report.target = options.call == "empty" ? "empty-rpc" : "creneaud";
  report.call = options.call;
  report.mode = options.open_loop ? "open" : "closed";
  report.concurrency =
      options.open_loop ? options.channels : options.concurrency;
  report.offered_rate_per_s = options.open_loop ? options.rate_per_s : 0;
  if (report.ok + report.refused == 0) {
    return absl::UnavailableError(absl::StrCat(
        "no call to ", options.server, " succeeded: ", report.first_error));
  }
  return report;
}

}  // namespace creneau::bench
