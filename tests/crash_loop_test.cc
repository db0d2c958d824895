// Crash loop: concurrent clients publish, hold, confirm, release and cancel
// through gRPC while creneaud is killed with SIGKILL at random moments and
// restarted on the same data directory. After every restart:
// - every acknowledged booking is there, booked, or cancelled exactly when
//   its cancellation was acknowledged (a cancellation in flight at the kill
//   may go either way, and is then settled);
// - a publish in flight at the kill is there entirely or not at all;
// - no slot holds more places than its capacity, and its bookings are its
//   acknowledged ones plus at most those whose confirmation was in flight;
// - no hold outlives its expiry (held places are at most the holds that may
//   still be alive).
//
//   crash_loop_test --cycles=1000 --seed=7
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
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

int g_cycles = 100;
uint64_t g_seed = 0;  // 0: from the clock (printed).

bool Unknown(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::CANCELLED ||
         s.error_code() == grpc::StatusCode::UNKNOWN;
}

// What the clients know for sure, and what they cannot know.
class Knowledge {
 public:
  struct KnownBooking {
    std::string id, slot_id;
    bool cancelled = false, cancel_unknown = false;
  };
  struct MaybeHold {
    v1::Hold hold;  // Token empty when the answer was lost.
    std::string slot_id;
    int64_t expire_bound_unix_s = 0;
    bool gone = false;  // Confirmed or released, acknowledged.
  };

  absl::Mutex mu;
  std::vector<std::string> slots ABSL_GUARDED_BY(mu);
  std::map<std::string, int> capacity ABSL_GUARDED_BY(mu);
  std::vector<std::vector<std::string>> publish_unknown ABSL_GUARDED_BY(mu);
  std::vector<MaybeHold> holds ABSL_GUARDED_BY(mu);
  std::vector<KnownBooking> bookings ABSL_GUARDED_BY(mu);
  // Confirmations of this cycle whose answer was lost, per slot; reset at
  // each check, which settles them into `unknown_booked`.
  std::map<std::string, int> confirm_unknown ABSL_GUARDED_BY(mu);
  // Bookings made by confirmations whose answer was lost, per slot, as the
  // check after their cycle found them (nobody knows their ids, so nobody
  // cancels them: they stay).
  std::map<std::string, int> unknown_booked ABSL_GUARDED_BY(mu);
  int64_t acknowledged ABSL_GUARDED_BY(mu) = 0;
  size_t verified_bookings ABSL_GUARDED_BY(mu) = 0;
  int next_slot ABSL_GUARDED_BY(mu) = 0;
};

void ClientLoop(const ServerProcess& server, Knowledge& k, uint64_t seed,
                const std::atomic<bool>& stop) {
  ApiClient api(server);
  std::mt19937_64 rng(seed);
  while (!stop.load()) {
    const int roll = static_cast<int>(rng() % 100);
    if (roll < 10) {  // Publish a small batch.
      v1::PublishSlotsRequest request;
      request.set_request_id(ApiClient::NextId());
      std::vector<std::string> ids;
      {
        absl::MutexLock lock(&k.mu);
        for (int i = 0; i < 1 + static_cast<int>(rng() % 4); ++i) {
          const std::string id = absl::StrCat("crash-slot-", k.next_slot++);
          ids.push_back(id);
          *request.add_slots() =
              ApiSlot(id, "gp-0", 3, 1 + static_cast<int>(rng() % 2));
          k.capacity[id] = request.slots().rbegin()->capacity();
        }
      }
      v1::PublishSlotsResponse response;
      const grpc::Status s = api.slots->PublishSlots(
          ClientContext("", absl::Seconds(2)).get(), request, &response);
      absl::MutexLock lock(&k.mu);
      if (s.ok()) {
        ++k.acknowledged;
        k.slots.insert(k.slots.end(), ids.begin(), ids.end());
      } else if (Unknown(s)) {
        k.publish_unknown.push_back(ids);
      }
      continue;
    }
    std::string slot_id;
    Knowledge::MaybeHold hold;
    Knowledge::KnownBooking booking;
    size_t index = 0;
    int op = 0;  // 0 hold, 1 confirm, 2 release, 3 cancel.
    {
      absl::MutexLock lock(&k.mu);
      if (k.slots.empty()) continue;
      std::vector<size_t> live;
      for (size_t i = 0; i < k.holds.size(); ++i) {
        if (!k.holds[i].gone && !k.holds[i].hold.token().empty())
          live.push_back(i);
      }
      if (roll < 50 || (live.empty() && k.bookings.empty())) {
        slot_id = k.slots[rng() % k.slots.size()];
      } else if (roll < 85 && !live.empty()) {
        index = live[rng() % live.size()];
        hold = k.holds[index];
        k.holds[index].gone = true;  // Nobody else uses it; reset if refused.
        op = roll < 75 ? 1 : 2;
      } else if (!k.bookings.empty()) {
        index = rng() % k.bookings.size();
        booking = k.bookings[index];
        op = 3;
      } else {
        slot_id = k.slots[rng() % k.slots.size()];
      }
    }
    if (op == 0) {
      const int ttl = 10 + static_cast<int>(rng() % 20);
      const int64_t bound = absl::ToUnixSeconds(absl::Now()) + ttl + 1;
      v1::Hold got;
      const grpc::Status s = api.Hold(slot_id, ttl, &got);
      absl::MutexLock lock(&k.mu);
      if (s.ok()) {
        ++k.acknowledged;
        k.holds.push_back({got, slot_id, got.expire_time().seconds()});
      } else if (Unknown(s)) {
        k.holds.push_back({v1::Hold(), slot_id, bound});
      }
    } else if (op == 1) {
      v1::Booking got;
      const grpc::Status s = api.Confirm(hold.hold, &got);
      absl::MutexLock lock(&k.mu);
      if (s.ok()) {
        ++k.acknowledged;
        k.bookings.push_back({got.id(), hold.slot_id});
      } else if (Unknown(s)) {
        ++k.confirm_unknown[hold.slot_id];
        k.holds[index].gone = false;  // It may still hold its place.
        k.holds[index].hold.clear_token();
      } else {
        k.holds[index].gone = true;  // Expired: no longer alive.
      }
    } else if (op == 2) {
      const grpc::Status s = api.Release(hold.hold);
      absl::MutexLock lock(&k.mu);
      if (s.ok()) ++k.acknowledged;
      if (Unknown(s)) {
        k.holds[index].gone = false;
        k.holds[index].hold.clear_token();
      }
    } else {
      const grpc::Status s = api.Cancel(booking.id);
      absl::MutexLock lock(&k.mu);
      if (s.ok()) {
        ++k.acknowledged;
        k.bookings[index].cancelled = true;
      } else if (Unknown(s) && !k.bookings[index].cancelled) {
        k.bookings[index].cancel_unknown = true;
      }
    }
  }
}

// Every booking is read back one by one every kFullCheckEvery cycles (and
// at the end); in between, the bookings of the last cycle are, and every
// slot's booked count covers the older ones (a lost booking shows as a
// count below the acknowledged ones).
constexpr int kFullCheckEvery = 20;

// All slots of gp-0, by id, through ListSlots pages.
std::map<std::string, v1::Slot> AllSlots(ApiClient& api) {
  std::map<std::string, v1::Slot> slots;
  v1::ListSlotsRequest request;
  request.set_professional_id("gp-0");
  request.set_page_size(1000);
  request.set_include_withdrawn(true);
  while (true) {
    v1::ListSlotsResponse response;
    const grpc::Status s =
        api.slots->ListSlots(ClientContext().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) return slots;
    for (const v1::Slot& slot : response.slots()) slots[slot.id()] = slot;
    if (response.next_page_token().empty()) return slots;
    request.set_page_token(response.next_page_token());
  }
}

// Checks the restarted server against the knowledge; settles what a
// restart made certain.
void Verify(ApiClient& api, Knowledge& k, int cycle, bool full,
            int64_t* bookings_checked) {
  absl::MutexLock lock(&k.mu);
  std::map<std::string, int> booked;
  for (size_t i = 0; i < k.bookings.size(); ++i) {
    Knowledge::KnownBooking& b = k.bookings[i];
    if (!full && i < k.verified_bookings && !b.cancel_unknown) {
      if (!b.cancelled) ++booked[b.slot_id];
      continue;
    }
    v1::Booking got;
    const grpc::Status s = api.GetBooking(b.id, &got);
    ASSERT_TRUE(s.ok()) << "cycle " << cycle << ": acknowledged booking "
                        << b.id << " lost: " << s.error_message();
    ASSERT_EQ(got.slot_id(), b.slot_id) << b.id;
    const bool cancelled = got.status() == v1::BOOKING_STATUS_CANCELLED;
    if (b.cancel_unknown) {
      b.cancelled = cancelled;
      b.cancel_unknown = false;
    }
    ASSERT_EQ(cancelled, b.cancelled) << "cycle " << cycle << ": " << b.id;
    if (!b.cancelled) ++booked[b.slot_id];
    ++*bookings_checked;
  }
  k.verified_bookings = k.bookings.size();
  const std::map<std::string, v1::Slot> all = AllSlots(api);
  for (const auto& ids : k.publish_unknown) {
    size_t present = 0;
    for (const std::string& id : ids) {
      v1::GetSlotRequest request;
      request.set_slot_id(id);
      v1::GetSlotResponse response;
      present +=
          api.slots->GetSlot(ClientContext().get(), request, &response).ok();
    }
    ASSERT_TRUE(present == 0 || present == ids.size())
        << "cycle " << cycle << ": publish half applied, " << present << "/"
        << ids.size();
    if (present == ids.size())
      k.slots.insert(k.slots.end(), ids.begin(), ids.end());
  }
  k.publish_unknown.clear();
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::map<std::string, int> alive;
  for (const Knowledge::MaybeHold& h : k.holds) {
    if (!h.gone && h.expire_bound_unix_s >= now) ++alive[h.slot_id];
  }
  for (const std::string& id : k.slots) {
    ASSERT_TRUE(all.count(id))
        << "cycle " << cycle << ": acknowledged slot " << id << " lost";
    const v1::Slot& slot = all.at(id);
    ASSERT_LE(slot.places_held() + slot.places_booked(),
              slot.capacity() + slot.overbooking_places())
        << "cycle " << cycle << ": " << id;
    const int known = booked[id] + k.unknown_booked[id];
    ASSERT_GE(slot.places_booked(), known)
        << "cycle " << cycle << ": " << id << " lost a booking";
    ASSERT_LE(slot.places_booked(), known + k.confirm_unknown[id])
        << "cycle " << cycle << ": " << id << " has a booking nobody made";
    ASSERT_LE(slot.places_held(), alive[id])
        << "cycle " << cycle << ": " << id << " keeps an expired hold";
    // The lost answers of this cycle are settled: the bound stays tight.
    k.unknown_booked[id] += slot.places_booked() - known;
  }
  k.confirm_unknown.clear();
}

TEST(CrashLoopTest, SigkillAtRandomMomentsLosesNothingAndDoublesNothing) {
  const uint64_t seed =
      g_seed != 0 ? g_seed
                  : static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  std::printf("seed=%llu cycles=%d (replay: crash_loop_test --seed=%llu)\n",
              static_cast<unsigned long long>(seed), g_cycles,
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  TempDir dir;
  // Books far more than a week's cap allows: uncapped (the cap has its own
  // tests).
  ServerProcess server(dir.Sub("data"), {"--log_level=warn",
                                         "--default_weekly_orientation_cap=0"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Knowledge k;
  {
    ApiClient api(server);
    v1::UpsertProfessionalsRequest request;
    request.set_request_id("crash-professionals");
    *request.add_professionals() = ApiProfessional("gp-0");
    v1::UpsertProfessionalsResponse response;
    ASSERT_TRUE(
        api.slots
            ->UpsertProfessionals(ClientContext().get(), request, &response)
            .ok());
  }
  int64_t bookings_checked = 0;
  int cycles_with_bookings = 0;
  for (int cycle = 1; cycle <= g_cycles; ++cycle) {
    if (!server.running()) {
      ASSERT_TRUE(server.Start().ok()) << server.Log();
    }
    ApiClient api(server);
    Verify(api, k, cycle, cycle % kFullCheckEvery == 0, &bookings_checked);
    if (::testing::Test::HasFatalFailure()) return;
    size_t bookings_before = 0;
    {
      absl::MutexLock lock(&k.mu);
      bookings_before = k.bookings.size();
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back(ClientLoop, std::cref(server), std::ref(k), rng(),
                           std::cref(stop));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 300));
    stop.store(true);
    server.Stop(SIGKILL);
    for (std::thread& t : clients) t.join();
    absl::MutexLock lock(&k.mu);
    cycles_with_bookings += k.bookings.size() > bookings_before;
  }
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient api(server);
  Verify(api, k, g_cycles + 1, /*full=*/true, &bookings_checked);
  absl::MutexLock lock(&k.mu);
  int unknown_booked = 0;
  for (const auto& [id, n] : k.unknown_booked) unknown_booked += n;
  std::printf(
      "%d SIGKILL cycles survived: %lld acknowledged writes, %zu bookings "
      "(%d cycles with at least one), %d bookings whose answer was lost, "
      "%lld booking checks; nothing lost, nothing doubled\n",
      g_cycles, static_cast<long long>(k.acknowledged), k.bookings.size(),
      cycles_with_bookings, unknown_booked,
      static_cast<long long>(bookings_checked));
  // Floors on the work done: a cycle lasts 20 to 320 ms and a client books
  // every few milliseconds, so most cycles acknowledge bookings (about 40
  // per cycle here); every acknowledged booking is read back at least once.
  EXPECT_GE(static_cast<int>(k.bookings.size()), 3 * g_cycles)
      << "too few acknowledged bookings per cycle";
  EXPECT_GE(cycles_with_bookings, g_cycles / 2)
      << "too few cycles acknowledged a booking";
  EXPECT_GE(bookings_checked, static_cast<int64_t>(k.bookings.size()))
      << "some acknowledged bookings were never read back";
}

}  // namespace
}  // namespace creneau::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Sanitizer builds run fewer cycles (tests/sanitize.sh sets it).
  if (const char* env = std::getenv("CRENEAU_CRASH_CYCLES")) {
    (void)absl::SimpleAtoi(env, &creneau::testing::g_cycles);
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--cycles=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(9), &creneau::testing::g_cycles)) {
      continue;
    }
    if (arg.rfind("--seed=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(7), &creneau::testing::g_seed)) {
      continue;
    }
    std::fprintf(stderr, "unknown flag %s (--cycles=N, --seed=N)\n",
                 arg.c_str());
    return 2;
  }
  return RUN_ALL_TESTS();
}
