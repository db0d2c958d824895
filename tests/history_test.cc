// Concurrency history check: 64 clients fight over a handful of hot slots
// through EngineHost (engine lock, durable group commit on a real store)
// for at least a million operations, holding a named slot or the best one
// a search finds (MatchAndHold). Every request and answer is recorded
// with its start and end time; the history is then checked against what
// any serial order of the slot's places must satisfy:
// - places surely taken at any instant (acknowledged holds whose release,
//   confirmation's cancellation, ... had not yet been asked) never exceed
//   the capacity: no place given twice;
// - a hold refused as full was refused while the places possibly taken
//   reached the capacity;
// - a match-and-hold that held the slot ranked r held it while the r
//   better ones were possibly full at one instant, and one that found
//   nothing found it while every slot was possibly full at one instant
//   (it is never refused); a read saw a count between the surely and the
//   possibly taken places at some instant of its call;
// - every acknowledged booking is readable afterwards, once, with its
//   cancellation exactly when one was acknowledged, and the final counts
//   equal the acknowledged history.
//
//   history_test --ops=5000000 --seed=3     (CRENEAU_HISTORY_OPS also)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "engine/check.h"
#include "gtest/gtest.h"
#include "storage/clock.h"
#include "storage/engine_host.h"
#include "storage/store.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/history_steps.h"

namespace creneau::testing {
namespace {

int64_t g_ops = 1'000'000;
uint64_t g_seed = 0;
constexpr int kClients = 64;
constexpr int kHotSlots = 6;
constexpr int kCapacity = 3;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

enum class Op { kHold, kMatch, kConfirm, kRelease, kCancel, kRead };

const char* OpName(Op op) {
  switch (op) {
    case Op::kHold:
      return "hold";
    case Op::kMatch:
      return "match-and-hold";
    case Op::kConfirm:
      return "confirm";
    case Op::kRelease:
      return "release";
    case Op::kCancel:
      return "cancel";
    case Op::kRead:
      return "read";
  }
  return "?";
}

struct Entry {
  Op op;
  int slot;  // kMatch: the slot held, -1 when none.
  int64_t begin_ns, end_ns;
  absl::StatusCode code;
  int64_t place = -1;  // A hold taken: its place id (this entry's index).
  int64_t freed = -1;  // kRelease/kCancel: the place id it frees.
  int observed = -1;   // kRead: places held + booked.
  std::string booking_id;
};

const Caller& Regulator() {
  static const Caller c{"history", Bit(Visibility::kPublic), false, ""};
  return c;
}

template <typename T>
absl::StatusOr<T> Call(
    storage::EngineHost& host,
    absl::FunctionRef<absl::StatusOr<T>(Engine&, absl::Time, Effects*)> apply) {
  absl::Notification done;
  absl::StatusOr<T> result = absl::UnknownError("unanswered");
  host.Mutate<T>(apply, [&](absl::StatusOr<T> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

// MatchAndHold's search: every hot slot (same start, same place), ranked
// by the order's tie key.
SearchQuery HotQuery() {
  SearchQuery query;
  query.point = LatLng{45.6, -1.0};
  query.profession = Profession::kGeneralPractitioner;
  query.radius_m = 1000;
  query.limit = kHotSlots;
  return query;
}

int HotSlotNumber(const std::string& id) {
  int number = -1;
  CRENEAU_CHECK(absl::SimpleAtoi(absl::StripPrefix(id, "hot-"), &number));
  return number;
}

struct Mine {
  std::string token;
  std::string booking_id;
  int slot;
  int64_t place;
};

void Client(storage::EngineHost& host, int client, uint64_t seed, int64_t ops,
            std::vector<Entry>* log) {
  std::mt19937_64 rng(seed);
  std::vector<Mine> holds, bookings;
  const auto place_id = [&](size_t index) {
    return (int64_t{client} << 40) | static_cast<int64_t>(index);
  };
  uint64_t request = 0;
  for (int64_t i = 0; i < ops; ++i) {
    Entry e;
    e.begin_ns = NowNs();
    const int roll = static_cast<int>(rng() % 100);
    const RequestKey key{absl::StrCat("h", client, "-", ++request), request};
    if (roll < 10) {
      e.op = Op::kRead;
      e.slot = static_cast<int>(rng() % kHotSlots);
      auto view = host.Read<SlotView>([&](const Engine& engine, absl::Time) {
        return engine.GetSlot(absl::StrCat("hot-", e.slot));
      });
      e.code = view.status().code();
      if (view.ok()) e.observed = view->places_held + view->places_booked;
    } else if (!holds.empty()) {
      Mine m = holds.back();
      holds.pop_back();
      e.slot = m.slot;
      if (roll < 70) {
        e.op = Op::kConfirm;
        auto booking =
            Call<Booking>(host, [&](Engine& en, absl::Time t, Effects* fx) {
              return en.ConfirmBooking(
                  Regulator(), key,
                  {absl::StrCat("hot-", m.slot), m.token, "p", ""}, t, fx);
            });
        e.code = booking.status().code();
        if (booking.ok()) {
          m.booking_id = e.booking_id = booking->id;
          bookings.push_back(m);
        }
      } else {
        e.op = Op::kRelease;
        auto released = Call<Hold>(host, [&](Engine& en, absl::Time t,
                                             Effects* fx) {
          return en.ReleaseHold(Regulator(), key,
                                {absl::StrCat("hot-", m.slot), m.token}, t, fx);
        });
        e.code = released.status().code();
        if (released.ok()) e.freed = m.place;
      }
    } else if (!bookings.empty() && roll < 40) {
      const size_t pick = rng() % bookings.size();
      const Mine m = bookings[pick];
      bookings.erase(bookings.begin() + pick);
      e.op = Op::kCancel;
      e.slot = m.slot;
      e.booking_id = m.booking_id;
      auto cancelled =
          Call<Booking>(host, [&](Engine& en, absl::Time t, Effects* fx) {
            return en.CancelBooking(
                Regulator(), key, {m.booking_id, CancelReason::kPatientBetter},
                t, fx);
          });
      e.code = cancelled.status().code();
      if (cancelled.ok()) e.freed = m.place;
    } else if (roll % 2 == 0) {
      e.op = Op::kMatch;
      e.slot = -1;
      const std::string token = storage::EngineHost::NewHoldToken();
      auto held = Call<std::optional<Hold>>(
          host, [&](Engine& en, absl::Time t, Effects* fx) {
            SearchResult result;
            return en.MatchAndHold(Regulator(), key, {HotQuery(), token, 900},
                                   t, &result, fx);
          });
      e.code = held.status().code();
      if (held.ok() && held->has_value()) {
        e.slot = HotSlotNumber((*held)->slot_id);
        e.place = place_id(log->size());
        holds.push_back({token, "", e.slot, e.place});
      }
    } else {
      e.op = Op::kHold;
      e.slot = static_cast<int>(rng() % kHotSlots);
      const std::string token = storage::EngineHost::NewHoldToken();
      auto held = Call<Hold>(host, [&](Engine& en, absl::Time t, Effects* fx) {
        return en.HoldSlot(Regulator(), key,
                           {absl::StrCat("hot-", e.slot), token, 900}, t, fx);
      });
      e.code = held.status().code();
      if (held.ok()) {
        e.place = place_id(log->size());
        holds.push_back({token, "", e.slot, e.place});
      }
    }
    e.end_ns = NowNs();
    log->push_back(std::move(e));
  }
  // Leave nothing held: the final counts then need no guessing.
  for (const Mine& m : holds) {
    Entry e{Op::kRelease, m.slot, NowNs(), 0, absl::StatusCode::kOk};
    const RequestKey key{absl::StrCat("h", client, "-", ++request), request};
    auto released =
        Call<Hold>(host, [&](Engine& en, absl::Time t, Effects* fx) {
          return en.ReleaseHold(Regulator(), key,
                                {absl::StrCat("hot-", m.slot), m.token}, t, fx);
        });
    e.code = released.status().code();
    if (released.ok()) e.freed = m.place;
    e.end_ns = NowNs();
    log->push_back(std::move(e));
  }
}

TEST(HistoryTest, HotSlotHistoryIsExplainedBySerialOrder) {
  const uint64_t seed =
      g_seed != 0 ? g_seed
                  : static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  std::printf("seed=%llu ops=%lld clients=%d hot slots=%d capacity=%d\n",
              static_cast<unsigned long long>(seed),
              static_cast<long long>(g_ops), kClients, kHotSlots, kCapacity);
  TempDir dir;
  storage::StoreOptions options;
  options.path = dir.Sub("data");
  auto store = storage::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  storage::MonotonicWallClock clock;
  storage::EngineHost host(std::make_shared<const CommuneTable>(), store->get(),
                           &clock);
  ASSERT_TRUE(host.Load().ok());
  const Caller feed{"feed", Bit(Visibility::kPublic), false, ""};
  Professional pro{
      "gp", Profession::kGeneralPractitioner, {45.6, -1.0}, "", "Europe/Paris"};
  ASSERT_TRUE(
      (Call<BatchCounts>(host, [&](Engine& e, absl::Time t, Effects* fx) {
        return e.UpsertProfessionals(feed, {}, {pro}, t, fx);
      })).ok());
  std::vector<Slot> slots;
  for (int s = 0; s < kHotSlots; ++s) {
    Slot slot;
    slot.id = absl::StrCat("hot-", s);
    slot.professional_id = "gp";
    slot.start_unix_s = absl::ToUnixSeconds(absl::Now()) + 7200;
    slot.duration_s = 900;
    slot.modality = Modality::kInOffice;
    slot.capacity = kCapacity;
    slots.push_back(slot);
  }
  ASSERT_TRUE(
      (Call<BatchCounts>(host, [&](Engine& e, absl::Time t, Effects* fx) {
        return e.PublishSlots(feed, {}, slots, t, fx);
      })).ok());

  // The order MatchAndHold ranks the hot slots in: fixed, as they differ
  // only by id.
  std::vector<int> rank_of(kHotSlots, -1);
  auto ranked = host.Read<int>(
      [&](const Engine& engine, absl::Time now) -> absl::StatusOr<int> {
        SearchResult result;
        const absl::Status status =
            engine.Search(Regulator(), HotQuery(), now, &result);
        if (!status.ok()) return status;
        for (size_t r = 0; r < result.hits.size(); ++r) {
          const SlotView view = engine.ViewSlot(result.hits[r].slot);
          rank_of[HotSlotNumber(view.slot.id)] = static_cast<int>(r);
        }
        return static_cast<int>(result.hits.size());
      });
  ASSERT_TRUE(ranked.ok()) << ranked.status();
  ASSERT_EQ(*ranked, kHotSlots);

  std::vector<std::vector<Entry>> logs(kClients);
  std::vector<std::thread> threads;
  const auto start = absl::Now();
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back(Client, std::ref(host), c, seed * 131 + c,
                         (g_ops + kClients - 1) / kClients, &logs[c]);
  }
  for (std::thread& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // Index the history.
  std::vector<Steps> surely(kHotSlots), possibly(kHotSlots);
  std::map<int64_t, const Entry*> holds_by_place;
  for (const auto& log : logs) {
    for (const Entry& e : log) {
      if (e.place >= 0) holds_by_place[e.place] = &e;
    }
  }
  int64_t total = 0, refused = 0, reads = 0, releases = 0, cancels = 0;
  int64_t matched = 0, matched_worse = 0, matched_none = 0;
  std::set<std::string> booking_ids;
  std::map<int, int> booked, held;
  std::map<std::string, bool> cancelled;
  for (const auto& log : logs) {
    for (const Entry& e : log) {
      ++total;
      const bool ok = e.code == absl::StatusCode::kOk;
      // A client only confirms, releases or cancels its own live hold or
      // booking (900-second holds outlive the run): anything but OK there
      // is a lost place. Only a hold may be refused, as full.
      if (e.op == Op::kHold) {
        ASSERT_TRUE(ok || e.code == absl::StatusCode::kFailedPrecondition)
            << "hold: unexpected answer " << absl::StatusCodeToString(e.code);
      } else if (e.op == Op::kMatch) {
        ASSERT_TRUE(ok) << "match-and-hold refused: "
                        << absl::StatusCodeToString(e.code);
      } else {
        ASSERT_TRUE(ok) << OpName(e.op) << " of the caller's own live "
                        << (e.op == Op::kCancel ? "booking" : "hold")
                        << " refused: " << absl::StatusCodeToString(e.code);
      }
      if (e.op == Op::kRelease) ++releases;
      if (e.op == Op::kCancel) ++cancels;
      if (e.place >= 0) {  // A hold taken, by HoldSlot or MatchAndHold.
        surely[e.slot].Add(e.end_ns, +1, false);
        possibly[e.slot].Add(e.begin_ns, +1, true);
        ++held[e.slot];
      }
      if ((e.op == Op::kRelease || e.op == Op::kCancel) && ok) {
        ASSERT_TRUE(holds_by_place.count(e.freed));
        surely[e.slot].Add(e.begin_ns, -1, true);
        possibly[e.slot].Add(e.end_ns, -1, false);
      }
      if (e.op == Op::kRelease && ok) --held[e.slot];
      if (e.op == Op::kConfirm && ok) {
        ASSERT_TRUE(booking_ids.insert(e.booking_id).second)
            << "booking given twice";
        --held[e.slot];
        ++booked[e.slot];
        cancelled.emplace(e.booking_id, false);
      }
      if (e.op == Op::kCancel && ok) {
        --booked[e.slot];
        cancelled[e.booking_id] = true;
      }
    }
  }
  for (int s = 0; s < kHotSlots; ++s) {
    surely[s].Build();
    possibly[s].Build();
    ASSERT_LE(surely[s].Max(), kCapacity)
        << "hot-" << s << ": a place was given twice";
  }
  // better_full[r]: how many of the r best-ranked slots are possibly full.
  std::vector<Steps> better_full(kHotSlots + 1);
  for (int r = 1; r <= kHotSlots; ++r) {
    for (int s = 0; s < kHotSlots; ++s) {
      if (rank_of[s] < r) {
        possibly[s].AddThresholdCrossings(kCapacity, &better_full[r]);
      }
    }
    better_full[r].Build();
  }
  for (const auto& log : logs) {
    for (const Entry& e : log) {
      if (e.op == Op::kHold &&
          e.code == absl::StatusCode::kFailedPrecondition) {
        ++refused;
        ASSERT_GE(possibly[e.slot].RangeMax(e.begin_ns, e.end_ns), kCapacity)
            << "hot-" << e.slot
            << ": a hold was refused while a place was free";
      }
      if (e.op == Op::kMatch) {
        // Every better slot (every slot when nothing was held) full at one
        // instant of the call: what a serial order of the holds allows.
        const int better = e.slot < 0 ? kHotSlots : rank_of[e.slot];
        matched += e.slot >= 0;
        matched_worse += better > 0 && e.slot >= 0;
        matched_none += e.slot < 0;
        ASSERT_GE(better_full[better].RangeMax(e.begin_ns, e.end_ns), better)
            << (e.slot < 0
                    ? "match-and-hold found nothing while a place was "
                      "free"
                    : "match-and-hold held hot-" + std::to_string(e.slot) +
                          " while a better-ranked slot had a free "
                          "place");
      }
      if (e.op == Op::kRead && e.code == absl::StatusCode::kOk) {
        ++reads;
        ASSERT_GE(e.observed, surely[e.slot].RangeMin(e.begin_ns, e.end_ns));
        ASSERT_LE(e.observed, possibly[e.slot].RangeMax(e.begin_ns, e.end_ns));
      }
    }
  }
  // Final state equals the acknowledged history; every booking readable.
  auto checked = host.Read<int>(
      [&](const Engine& engine, absl::Time) -> absl::StatusOr<int> {
        for (int s = 0; s < kHotSlots; ++s) {
          auto view = engine.GetSlot(absl::StrCat("hot-", s));
          EXPECT_TRUE(view.ok());
          EXPECT_EQ(view->places_booked, booked[s]) << "hot-" << s;
          EXPECT_EQ(view->places_held, held[s]) << "hot-" << s;
        }
        for (const auto& [id, was_cancelled] : cancelled) {
          auto booking = engine.GetBooking(id);
          EXPECT_TRUE(booking.ok()) << id << " lost";
          if (!booking.ok()) continue;
          EXPECT_EQ(booking->status == BookingStatus::kCancelled, was_cancelled)
              << id;
        }
        return 0;
      });
  ASSERT_TRUE(checked.ok());
  std::printf(
      "%lld operations by %d clients in %.1f s (%.0f ops/s): %zu bookings, "
      "%lld releases, %lld cancellations, %lld holds refused as full, %lld "
      "reads, %lld places matched and held (%lld not the best-ranked slot, "
      "taken meanwhile), %lld match-and-holds that found none: explained by "
      "a serial order, no place given twice, nothing lost\n",
      static_cast<long long>(total), kClients, seconds, total / seconds,
      booking_ids.size(), static_cast<long long>(releases),
      static_cast<long long>(cancels), static_cast<long long>(refused),
      static_cast<long long>(reads), static_cast<long long>(matched),
      static_cast<long long>(matched_worse),
      static_cast<long long>(matched_none));
  // Floors on the work done, so that a run that booked, released or
  // cancelled little cannot pass for a check of those paths. With this mix
  // about 5 % of the operations are bookings and 2 % each releases and
  // cancellations; a fifth of that is the floor.
  EXPECT_GE(total, g_ops);
  EXPECT_GT(refused, 0) << "the slots were never contended";
  EXPECT_GE(static_cast<int64_t>(booking_ids.size()), g_ops / 100)
      << "too few bookings";
  EXPECT_GE(releases, g_ops / 250) << "too few releases";
  EXPECT_GE(cancels, g_ops / 250) << "too few cancellations";
  EXPECT_GE(reads, g_ops / 20) << "too few reads";
  // Match-and-hold: places held, some below the best rank (the order was
  // exercised), and empty answers (it met full slots).
  EXPECT_GE(matched, g_ops / 100) << "too few places matched and held";
  EXPECT_GT(matched_worse, 0) << "every match took the best-ranked slot";
  EXPECT_GT(matched_none, 0) << "match-and-hold never met full slots";
}

}  // namespace
}  // namespace creneau::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (const char* env = std::getenv("CRENEAU_HISTORY_OPS")) {
    (void)absl::SimpleAtoi(env, &creneau::testing::g_ops);
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--ops=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(6), &creneau::testing::g_ops)) {
      continue;
    }
    if (arg.rfind("--seed=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(7), &creneau::testing::g_seed)) {
      continue;
    }
    std::fprintf(stderr, "unknown flag %s (--ops=N, --seed=N)\n", arg.c_str());
    return 2;
  }
  return RUN_ALL_TESTS();
}
