// Idempotent retries through gRPC: booking flows (hold, confirm, and one in
// three cancelled) whose every mutating request is sent 1 to 3 times with
// the same request id, a share of them retried again after a SIGKILL and
// restart, and one in ten replayed with a different payload. Each request
// must take effect exactly once, every retry must get the first answer, and
// a different payload under a used id must be refused (ALREADY_EXISTS)
// without effect.
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
#include "tests/support/api_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace creneau::testing {
namespace {

int g_flows = 45000;  // About 105,000 mutating requests.
uint64_t g_seed = 0;

struct Flow {
  std::string slot_id;
  std::string hold_id, confirm_id, cancel_id;  // Request ids.
  bool cancel = false;
  std::string token, booking_id;  // First answers.
};

struct Counters {
  std::atomic<int64_t> requests{0}, attempts{0}, refused_variants{0},
      retried_after_restart{0};
};

template <typename Request, typename Response, typename Call>
grpc::Status Send(Call call, const Request& request, Response* response) {
  for (int attempt = 0;; ++attempt) {
    const grpc::Status s =
        call(ClientContext("", absl::Seconds(20)).get(), request, response);
    // A refused connection while the server restarts is retried as a client
    // would; every other answer is the answer.
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == 50)
      return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

class Driver {
 public:
  v1::HoldSlotRequest HoldRequest(const Flow& f) const {
    v1::HoldSlotRequest r;
    r.set_request_id(f.hold_id);
    r.set_slot_id(f.slot_id);
    r.mutable_ttl()->set_seconds(900);
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
    r.set_reason("retry test");
    return r;
  }

  // Sends every request of the flow 1 to 3 times; checks each answer.
  void RunFlow(ApiClient& api, Flow& f, std::mt19937_64& rng, Counters& n) {
    const int hold_sends = 1 + rng() % 3;
    for (int i = 0; i < hold_sends; ++i) {
      v1::HoldSlotResponse response;
      const grpc::Status s =
          Send([&](auto* c, auto& q,
                   auto* r) { return api.orientation->HoldSlot(c, q, r); },
               HoldRequest(f), &response);
      ASSERT_TRUE(s.ok()) << f.hold_id << ": " << s.error_message();
      if (i == 0) f.token = response.hold().token();
      ASSERT_EQ(response.hold().token(), f.token)
          << "a retry held again: " << f.hold_id;
      ++n.attempts;
    }
    ++n.requests;
    if (rng() % 10 == 0) {  // Same id, another slot: refused, no effect.
      v1::HoldSlotRequest other = HoldRequest(f);
      other.set_slot_id(f.slot_id + "-other");
      v1::HoldSlotResponse response;
      const grpc::Status s =
          Send([&](auto* c, auto& q,
                   auto* r) { return api.orientation->HoldSlot(c, q, r); },
               other, &response);
      ASSERT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS)
          << s.error_message();
      ++n.refused_variants;
    }
    const int confirm_sends = 1 + rng() % 3;
    for (int i = 0; i < confirm_sends; ++i) {
      v1::ConfirmBookingResponse response;
      const grpc::Status s = Send(
          [&](auto* c, auto& q, auto* r) {
            return api.orientation->ConfirmBooking(c, q, r);
          },
          ConfirmRequest(f), &response);
      ASSERT_TRUE(s.ok()) << f.confirm_id << ": " << s.error_message();
      if (i == 0) f.booking_id = response.booking().id();
      ASSERT_EQ(response.booking().id(), f.booking_id)
          << "a retry booked again";
      ++n.attempts;
    }
    ++n.requests;
    if (!f.cancel) return;
    const int cancel_sends = 1 + rng() % 3;
    for (int i = 0; i < cancel_sends; ++i) {
      v1::CancelBookingResponse response;
      const grpc::Status s =
          Send([&](auto* c, auto& q,
                   auto* r) { return api.orientation->CancelBooking(c, q, r); },
               CancelRequest(f), &response);
      ASSERT_TRUE(s.ok()) << f.cancel_id << ": " << s.error_message();
      ASSERT_EQ(response.booking().status(), v1::BOOKING_STATUS_CANCELLED);
      ++n.attempts;
    }
    ++n.requests;
  }

  // After a restart: the first answers again, from the stored records.
  void Replay(ApiClient& api, const Flow& f, Counters& n) {
    v1::HoldSlotResponse hold;
    ASSERT_TRUE(
        Send([&](auto* c, auto& q,
                 auto* r) { return api.orientation->HoldSlot(c, q, r); },
             HoldRequest(f), &hold)
            .ok());
    ASSERT_EQ(hold.hold().token(), f.token) << "hold replay after restart";
    v1::ConfirmBookingResponse booking;
    ASSERT_TRUE(
        Send([&](auto* c, auto& q,
                 auto* r) { return api.orientation->ConfirmBooking(c, q, r); },
             ConfirmRequest(f), &booking)
            .ok());
    ASSERT_EQ(booking.booking().id(), f.booking_id)
        << "confirm replay after restart";
    n.attempts += 2;
    ++n.retried_after_restart;
  }
};

void RunFlows(ServerProcess& server, Driver& driver, std::vector<Flow>& flows,
              size_t begin, size_t end, uint64_t seed, Counters& n) {
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ApiClient api(server);
      std::mt19937_64 rng(seed + t);
      for (size_t i = begin + t; i < end; i += kThreads) {
        driver.RunFlow(api, flows[i], rng, n);
        if (::testing::Test::HasFatalFailure()) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

TEST(IdempotencyTest, RetriesTakeEffectOnceAcrossRestarts) {
  const uint64_t seed =
      g_seed != 0 ? g_seed
                  : static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  std::printf("seed=%llu flows=%d\n", static_cast<unsigned long long>(seed),
              g_flows);
  std::mt19937_64 rng(seed);
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--log_level=warn"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
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
    for (int b = 0; b * 1000 < g_flows; ++b) {
      v1::PublishSlotsRequest publish;
      publish.set_request_id(absl::StrCat("idem-publish-", b));
      for (int i = b * 1000; i < std::min(g_flows, (b + 1) * 1000); ++i) {
        Flow& f = flows[i];
        f.slot_id = absl::StrCat("idem-slot-", i);
        f.hold_id = absl::StrCat("hold-", i);
        f.confirm_id = absl::StrCat("confirm-", i);
        f.cancel_id = absl::StrCat("cancel-", i);
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
    }
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
  RunFlows(server, driver, flows, half, flows.size(), rng(), n);
  if (HasFatalFailure()) return;

  server.Stop(SIGKILL);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient api(server);
  int64_t booked = 0;
  for (const Flow& f : flows) {
    const v1::Slot slot = api.GetSlot(f.slot_id);
    ASSERT_EQ(slot.places_held(), 0) << f.slot_id;
    ASSERT_EQ(slot.places_booked(), f.cancel ? 0 : 1) << f.slot_id;
    booked += slot.places_booked();
  }
  std::printf(
      "%lld mutating requests sent %lld times (%lld refused other payloads, "
      "%lld flows replayed after SIGKILL): each took effect once, %lld "
      "places booked\n",
      static_cast<long long>(n.requests.load()),
      static_cast<long long>(n.attempts.load()),
      static_cast<long long>(n.refused_variants.load()),
      static_cast<long long>(n.retried_after_restart.load()),
      static_cast<long long>(booked));
  EXPECT_GE(n.requests.load(), g_flows * 2);
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
