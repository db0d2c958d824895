// Idempotent retries through gRPC: booking flows (hold, confirm, one in
// three cancelled, one in five holding and releasing first) whose every
// mutating request is sent 1 to 3 times with the same request id; a tenth
// of the flows replayed after a SIGKILL and restart (cancellations and
// releases included); the second half run while the server is SIGKILLed
// under it three times with requests in flight (clients retry what was
// cut); and every mutating RPC (upsert, publish, withdraw, hold, confirm,
// release, cancel) replayed under a used id with another payload on an
// existing target. Each request must take effect exactly once, every retry
// must get the first answer, and a different payload under a used id must
// be refused (ALREADY_EXISTS) without effect.
//
//   idempotency_test --flows=40000 --seed=7
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_client.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

int g_flows = 45000;  // About 105,000 mutating requests.
uint64_t g_seed = 0;

struct Flow {
  std::string slot_id;
  // Request ids.
  std::string prehold_id, release_id, hold_id, confirm_id, cancel_id;
  bool release_first = false;  // Hold and release once before booking.
  bool cancel = false;
  std::string prehold_token, token, booking_id;  // First answers.
};

struct Counters {
  std::atomic<int64_t> requests{0}, attempts{0}, refused_variants{0},
      retried_after_restart{0}, in_flight{0}, retried_after_kill{0};
};

// Sends `request` until it gets an answer: a refused connection or a call
// cut by a killed server (UNAVAILABLE) is retried under the same request id,
// as a client would; every other status is the answer.
template <typename Request, typename Response, typename Call>
grpc::Status Send(Call call, const Request& request, Response* response,
                  Counters* n = nullptr) {
  for (int attempt = 0;; ++attempt) {
    if (n != nullptr) ++n->in_flight;
    const grpc::Status s =
        call(ClientContext("", absl::Seconds(20)).get(), request, response);
    if (n != nullptr) --n->in_flight;
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == 300)
      return s;
    if (n != nullptr && attempt == 0) ++n->retried_after_kill;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

#define CALL(method) \
  [&](auto* c, auto& q, auto* r) { return api.orientation->method(c, q, r); }

class Driver {
 public:
  v1::HoldSlotRequest HoldRequest(const Flow& f, bool prehold = false) const {
    v1::HoldSlotRequest r;
    r.set_request_id(prehold ? f.prehold_id : f.hold_id);
    r.set_slot_id(f.slot_id);
    r.mutable_ttl()->set_seconds(900);
    return r;
  }
  v1::ReleaseHoldRequest ReleaseRequest(const Flow& f) const {
    v1::ReleaseHoldRequest r;
    r.set_request_id(f.release_id);
    r.set_slot_id(f.slot_id);
    r.set_hold_token(f.prehold_token);
    return r;
  }
  v1::ConfirmBookingRequest ConfirmRequest(const Flow& f) const {
    v1::ConfirmBookingRequest r;
    r.set_request_id(f.confirm_id);
    r.set_slot_id(f.slot_id);
    r.set_hold_token(f.token);
    r.set_patient_ref("patient-" + f.slot_id);
    return r;
  }
  v1::CancelBookingRequest CancelRequest(const Flow& f) const {
    v1::CancelBookingRequest r;
    r.set_request_id(f.cancel_id);
    r.set_booking_id(f.booking_id);
    r.set_reason_code(v1::CANCEL_REASON_PATIENT_BETTER);
    return r;
  }

  // Sends `variant` (a used request id with another payload on an existing
  // target): refused with ALREADY_EXISTS, changing nothing (the final
  // state check would see a change).
  template <typename Request, typename Response, typename Call>
  void ExpectRefusedVariant(Call call, const Request& variant, Counters& n) {
    Response response;
    const grpc::Status s = Send(call, variant, &response, &n);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS)
        << variant.request_id() << ": " << s.error_message();
    ++n.refused_variants;
  }

  // Holds and releases the flow's slot once, each request sent 1 to 3
  // times; one flow in ten replays the release with another token.
  void ReleaseFirst(ApiClient& api, Flow& f, std::mt19937_64& rng,
                    Counters& n) {
    const int hold_sends = 1 + rng() % 3;
    for (int i = 0; i < hold_sends; ++i) {
      v1::HoldSlotResponse response;
      const grpc::Status s =
          Send(CALL(HoldSlot), HoldRequest(f, true), &response, &n);
      ASSERT_TRUE(s.ok()) << f.prehold_id << ": " << s.error_message();
      if (i == 0) f.prehold_token = response.hold().token();
      ASSERT_EQ(response.hold().token(), f.prehold_token)
          << "a retry held again: " << f.prehold_id;
      ++n.attempts;
    }
    ++n.requests;
    const int release_sends = 1 + rng() % 3;
    for (int i = 0; i < release_sends; ++i) {
      v1::ReleaseHoldResponse response;
      const grpc::Status s =
          Send(CALL(ReleaseHold), ReleaseRequest(f), &response, &n);
      ASSERT_TRUE(s.ok()) << f.release_id << ": " << s.error_message();
      ASSERT_EQ(response.hold().token(), f.prehold_token);
      ++n.attempts;
    }
    ++n.requests;
    if (rng() % 10 == 0) {
      v1::ReleaseHoldRequest other = ReleaseRequest(f);
      other.set_hold_token(std::string(32, 'f'));
      ExpectRefusedVariant<v1::ReleaseHoldRequest, v1::ReleaseHoldResponse>(
          CALL(ReleaseHold), other, n);
    }
  }

  // Sends every request of the flow 1 to 3 times; checks each answer. One
  // flow in ten replays each of its request ids with another payload on an
  // existing target (`other_slot` is another flow's slot).
  void RunFlow(ApiClient& api, Flow& f, const std::string& other_slot,
               std::mt19937_64& rng, Counters& n) {
    if (f.release_first) {
      ReleaseFirst(api, f, rng, n);
      if (::testing::Test::HasFatalFailure()) return;
    }
    const int hold_sends = 1 + rng() % 3;
    for (int i = 0; i < hold_sends; ++i) {
      v1::HoldSlotResponse response;
      const grpc::Status s =
          Send(CALL(HoldSlot), HoldRequest(f), &response, &n);
      ASSERT_TRUE(s.ok()) << f.hold_id << ": " << s.error_message();
      if (i == 0) f.token = response.hold().token();
      ASSERT_EQ(response.hold().token(), f.token)
          << "a retry held again: " << f.hold_id;
      ++n.attempts;
    }
    ++n.requests;
    const bool variants = rng() % 10 == 0;
    if (variants) {  // The same id on another existing slot.
      v1::HoldSlotRequest other = HoldRequest(f);
      other.set_slot_id(other_slot);
      ExpectRefusedVariant<v1::HoldSlotRequest, v1::HoldSlotResponse>(
          CALL(HoldSlot), other, n);
    }
    const int confirm_sends = 1 + rng() % 3;
    for (int i = 0; i < confirm_sends; ++i) {
      v1::ConfirmBookingResponse response;
      const grpc::Status s =
          Send(CALL(ConfirmBooking), ConfirmRequest(f), &response, &n);
      ASSERT_TRUE(s.ok()) << f.confirm_id << ": " << s.error_message();
      if (i == 0) f.booking_id = response.booking().id();
      ASSERT_EQ(response.booking().id(), f.booking_id)
          << "a retry booked again";
      ++n.attempts;
    }
    ++n.requests;
    if (variants) {  // The same id for another patient.
      v1::ConfirmBookingRequest other = ConfirmRequest(f);
      other.set_patient_ref("another-patient");
      ExpectRefusedVariant<v1::ConfirmBookingRequest,
                           v1::ConfirmBookingResponse>(CALL(ConfirmBooking),
                                                       other, n);
    }
    if (!f.cancel) return;
    const int cancel_sends = 1 + rng() % 3;
    for (int i = 0; i < cancel_sends; ++i) {
      v1::CancelBookingResponse response;
      const grpc::Status s =
          Send(CALL(CancelBooking), CancelRequest(f), &response, &n);
      ASSERT_TRUE(s.ok()) << f.cancel_id << ": " << s.error_message();
      ASSERT_EQ(response.booking().status(), v1::BOOKING_STATUS_CANCELLED);
      ++n.attempts;
    }
    ++n.requests;
    if (variants) {  // The same id with another reason.
      v1::CancelBookingRequest other = CancelRequest(f);
      other.set_reason_code(v1::CANCEL_REASON_DUPLICATE);
      ExpectRefusedVariant<v1::CancelBookingRequest, v1::CancelBookingResponse>(
          CALL(CancelBooking), other, n);
    }
  }

  // After a restart: the first answers again, from the stored records.
  void Replay(ApiClient& api, const Flow& f, Counters& n) {
    v1::HoldSlotResponse hold;
    ASSERT_TRUE(Send(CALL(HoldSlot), HoldRequest(f), &hold).ok());
    ASSERT_EQ(hold.hold().token(), f.token) << "hold replay after restart";
    v1::ConfirmBookingResponse booking;
    ASSERT_TRUE(Send(CALL(ConfirmBooking), ConfirmRequest(f), &booking).ok());
    ASSERT_EQ(booking.booking().id(), f.booking_id)
        << "confirm replay after restart";
    n.attempts += 2;
    if (f.release_first) {
      v1::ReleaseHoldResponse released;
      ASSERT_TRUE(Send(CALL(ReleaseHold), ReleaseRequest(f), &released).ok());
      ASSERT_EQ(released.hold().token(), f.prehold_token)
          << "release replay after restart";
      ++n.attempts;
    }
    if (f.cancel) {
      v1::CancelBookingResponse cancelled;
      ASSERT_TRUE(Send(CALL(CancelBooking), CancelRequest(f), &cancelled).ok());
      ASSERT_EQ(cancelled.booking().id(), f.booking_id);
      ASSERT_EQ(cancelled.booking().status(), v1::BOOKING_STATUS_CANCELLED)
          << "cancel replay after restart";
      ++n.attempts;
    }
    ++n.retried_after_restart;
  }
};

#undef CALL

void RunFlows(ServerProcess& server, Driver& driver, std::vector<Flow>& flows,
              size_t begin, size_t end, uint64_t seed, Counters& n) {
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ApiClient api(server);
      std::mt19937_64 rng(seed + t);
      for (size_t i = begin + t; i < end; i += kThreads) {
        const std::string& other = flows[(i + 1) % flows.size()].slot_id;
        driver.RunFlow(api, flows[i], other, rng, n);
        if (::testing::Test::HasFatalFailure()) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

// SIGKILLs the server `kills` times while flows run, each at a random
// moment while requests are in flight, and restarts it on the same port.
// Returns the requests in flight at each kill.
std::vector<int64_t> KillWhileRunning(ServerProcess& server, int kills,
                                      uint64_t seed, Counters& n,
                                      const std::atomic<bool>& done) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> in_flight;
  for (int k = 0; k < kills && !done.load(); ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
    if (done.load()) break;
    in_flight.push_back(n.in_flight.load());
    server.Stop(SIGKILL);
    EXPECT_TRUE(server.Start().ok()) << server.Log();
  }
  return in_flight;
}

// Writes whose request ids are replayed with another payload once: a
// professionals batch, a slots batch and a withdrawal, on existing targets.
void CheckSetupVariants(ApiClient& api,
                        const v1::UpsertProfessionalsRequest& professionals,
                        const v1::PublishSlotsRequest& publish, Counters& n) {
  v1::UpsertProfessionalsRequest moved = professionals;
  moved.mutable_professionals(0)->set_profession(v1::PROFESSION_NURSE);
  v1::UpsertProfessionalsResponse upserted;
  ASSERT_EQ(
      api.slots->UpsertProfessionals(ClientContext().get(), moved, &upserted)
          .error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  v1::PublishSlotsRequest bigger = publish;
  bigger.mutable_slots(0)->set_capacity(2);
  v1::PublishSlotsResponse published;
  ASSERT_EQ(api.slots->PublishSlots(ClientContext().get(), bigger, &published)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // Withdraw two spare slots, twice under one id; then the same id for two
  // other spare slots.
  v1::WithdrawSlotsRequest withdraw;
  withdraw.set_request_id("idem-withdraw");
  withdraw.add_slot_ids("idem-spare-0");
  withdraw.add_slot_ids("idem-spare-1");
  for (int k = 0; k < 2; ++k) {
    v1::WithdrawSlotsResponse response;
    ASSERT_TRUE(
        api.slots->WithdrawSlots(ClientContext().get(), withdraw, &response)
            .ok());
    ASSERT_EQ(response.withdrawn_count(), 2) << "retry " << k;
  }
  v1::WithdrawSlotsRequest others = withdraw;
  others.set_slot_ids(0, "idem-spare-2");
  others.set_slot_ids(1, "idem-spare-3");
  v1::WithdrawSlotsResponse refused;
  ASSERT_EQ(api.slots->WithdrawSlots(ClientContext().get(), others, &refused)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  n.refused_variants += 3;
  n.attempts += 5;
  n.requests += 1;
}

// The setup variants changed nothing: first answers stand, after restarts.
void CheckSetupState(ApiClient& api, const std::string& first_slot) {
  const v1::Slot slot = api.GetSlot(first_slot);
  EXPECT_EQ(slot.capacity(), 1) << "a refused publish changed a slot";
  EXPECT_EQ(slot.profession(), v1::PROFESSION_GENERAL_PRACTITIONER)
      << "a refused upsert changed a professional";
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(api.GetSlot(absl::StrCat("idem-spare-", i)).state() ==
                  v1::SLOT_STATE_WITHDRAWN,
              i < 2)
        << "idem-spare-" << i;
  }
}

TEST(IdempotencyTest, RetriesTakeEffectOnceAcrossRestarts) {
  const uint64_t seed =
      g_seed != 0 ? g_seed
                  : static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  std::printf("seed=%llu flows=%d\n", static_cast<unsigned long long>(seed),
              g_flows);
  std::mt19937_64 rng(seed);
  TempDir dir;
  // Books far more than a week's cap allows: uncapped (the cap has its own
  // tests).
  ServerProcess server(dir.Sub("data"), {"--log_level=warn",
                                         "--default_weekly_orientation_cap=0"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  server.KeepPortAcrossRestarts();
  Counters n;
  std::vector<Flow> flows(g_flows);
  {
    ApiClient api(server);
    v1::UpsertProfessionalsRequest pros;
    pros.set_request_id("idem-professionals");
    // A professional publishes at most 20,000 slots: spread the flows.
    for (int p = 0; p * 10000 < g_flows; ++p) {
      *pros.add_professionals() = ApiProfessional(absl::StrCat("gp-", p));
    }
    v1::UpsertProfessionalsResponse upserted;
    ASSERT_TRUE(
        api.slots->UpsertProfessionals(ClientContext().get(), pros, &upserted)
            .ok());
    v1::PublishSlotsRequest first_batch;
    for (int b = 0; b * 1000 < g_flows; ++b) {
      v1::PublishSlotsRequest publish;
      publish.set_request_id(absl::StrCat("idem-publish-", b));
      for (int i = b * 1000; i < std::min(g_flows, (b + 1) * 1000); ++i) {
        Flow& f = flows[i];
        f.slot_id = absl::StrCat("idem-slot-", i);
        f.prehold_id = absl::StrCat("prehold-", i);
        f.release_id = absl::StrCat("release-", i);
        f.hold_id = absl::StrCat("hold-", i);
        f.confirm_id = absl::StrCat("confirm-", i);
        f.cancel_id = absl::StrCat("cancel-", i);
        f.release_first = rng() % 5 == 0;
        f.cancel = rng() % 3 == 0;
        *publish.add_slots() =
            ApiSlot(f.slot_id, absl::StrCat("gp-", i / 10000), 4 + i * 1e-4);
      }
      const int sends = 1 + rng() % 2;
      for (int k = 0; k < sends; ++k) {
        v1::PublishSlotsResponse response;
        ASSERT_TRUE(
            api.slots->PublishSlots(ClientContext().get(), publish, &response)
                .ok());
        ASSERT_EQ(response.created_count(), publish.slots_size())
            << "retry " << k;
        ++n.attempts;
      }
      ++n.requests;
      if (b == 0) first_batch = publish;
    }
    v1::PublishSlotsRequest spares;
    spares.set_request_id("idem-spares");
    for (int i = 0; i < 4; ++i) {
      *spares.add_slots() = ApiSlot(absl::StrCat("idem-spare-", i), "gp-0", 3);
    }
    v1::PublishSlotsResponse published;
    ASSERT_TRUE(
        api.slots->PublishSlots(ClientContext().get(), spares, &published)
            .ok());
    CheckSetupVariants(api, pros, first_batch, n);
    if (HasFatalFailure()) return;
  }
  Driver driver;
  const size_t half = flows.size() / 2;
  RunFlows(server, driver, flows, 0, half, rng(), n);
  if (HasFatalFailure()) return;

  server.Stop(SIGKILL);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  {
    ApiClient api(server);
    for (size_t i = 0; i < half; i += 10) {
      driver.Replay(api, flows[i], n);
      if (HasFatalFailure()) return;
    }
  }
  // The second half runs while the server is killed under it, requests in
  // flight, and restarted on the same port; clients retry what was cut.
  std::atomic<bool> flows_done{false};
  std::vector<int64_t> in_flight_at_kills;
  std::thread killer([&, killer_seed = rng()] {
    in_flight_at_kills =
        KillWhileRunning(server, 3, killer_seed, n, flows_done);
  });
  RunFlows(server, driver, flows, half, flows.size(), rng(), n);
  flows_done.store(true);
  killer.join();
  if (HasFatalFailure()) return;

  // Every flow's slot is booked once, or free again after its cancellation:
  // in the running server's memory, then again after a restart reloads it
  // from disk.
  const auto check_slots = [&](ApiClient& api, const char* when) {
    int64_t booked = 0;
    for (const Flow& f : flows) {
      const v1::Slot slot = api.GetSlot(f.slot_id);
      EXPECT_EQ(slot.places_held(), 0) << f.slot_id << " " << when;
      EXPECT_EQ(slot.places_booked(), f.cancel ? 0 : 1)
          << f.slot_id << " " << when;
      if (HasFailure()) break;
      booked += slot.places_booked();
    }
    return booked;
  };
  {
    ApiClient api(server);
    check_slots(api, "before the last restart");
    if (HasFailure()) return;
  }
  server.Stop(SIGKILL);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient api(server);
  for (size_t i = half; i < flows.size(); i += 10) {
    driver.Replay(api, flows[i], n);
    if (HasFatalFailure()) return;
  }
  CheckSetupState(api, flows[0].slot_id);
  const int64_t booked = check_slots(api, "after the last restart");
  int64_t cut = 0;
  for (int64_t k : in_flight_at_kills) cut += k;
  std::printf(
      "%lld mutating requests sent %lld times (%lld refused other payloads, "
      "%lld flows replayed after SIGKILL, %zu kills under load with %lld "
      "requests in flight, %lld requests retried after a cut): each took "
      "effect once, %lld places booked\n",
      static_cast<long long>(n.requests.load()),
      static_cast<long long>(n.attempts.load()),
      static_cast<long long>(n.refused_variants.load()),
      static_cast<long long>(n.retried_after_restart.load()),
      in_flight_at_kills.size(), static_cast<long long>(cut),
      static_cast<long long>(n.retried_after_kill.load()),
      static_cast<long long>(booked));
  EXPECT_GE(n.requests.load(), g_flows * 2);
  EXPECT_GE(n.refused_variants.load(), g_flows / 20);
  // The kills landed on traffic: requests were cut and retried.
  EXPECT_GE(in_flight_at_kills.size(), 1u);
  EXPECT_GT(cut, 0) << "no request was in flight at any kill";
  EXPECT_GT(n.retried_after_kill.load(), 0);
}

}  // namespace
}  // namespace creneau::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Sanitizer builds run fewer flows (tests/sanitize.sh sets it).
  if (const char* env = std::getenv("CRENEAU_IDEMPOTENCY_FLOWS")) {
    (void)absl::SimpleAtoi(env, &creneau::testing::g_flows);
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--flows=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(8), &creneau::testing::g_flows)) {
      continue;
    }
    if (arg.rfind("--seed=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(7), &creneau::testing::g_seed)) {
      continue;
    }
    std::fprintf(stderr, "unknown flag %s (--flows=N, --seed=N)\n",
                 arg.c_str());
    return 2;
  }
  return RUN_ALL_TESTS();
}
