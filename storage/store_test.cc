#include "storage/store.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "engine/limits.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/internal/codec.h"
#include "storage/internal/coding.h"
#include "storage/testing/raw_database.h"
#include "storage/testing/temp_dir.h"
#include "storage/testing/version1_records.h"

namespace creneau::storage {
namespace {

constexpr int64_t kT0 = 1'900'000'000;

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() {
    caller_.name = "sas-17";
    caller_.visibilities = Bit(Visibility::kPublic);
    caller_.may_overbook = true;
  }

  std::unique_ptr<Store> OpenStore() {
    StoreOptions options;
    options.path = dir_.Sub("db");
    auto store = Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // Applies a command's effects to the store and waits for durability.
  void CommitAndWait(Store& store, Effects effects) {
    absl::Notification done;
    absl::Status result;
    store.Commit(std::move(effects), [&](absl::Status s) {
      result = s;
      done.Notify();
    });
    done.WaitForNotification();
    ASSERT_TRUE(result.ok()) << result;
  }

  void Populate(Engine& engine, Store& store) {
    Professional p;
    p.id = "gp-1";
    p.profession = Profession::kGeneralPractitioner;
    p.location = {45.6248, -1.0281};
    p.time_zone = "Europe/Paris";
    Effects e;
    ASSERT_TRUE(
        engine.UpsertProfessionals(caller_, {"", 0}, {p}, At(kT0), &e).ok());
    CommitAndWait(store, std::move(e));
    std::vector<Slot> slots;
    for (int i = 0; i < 5; ++i) {
      Slot s;
      s.id = absl::StrCat("s", i);
      s.professional_id = "gp-1";
      s.start_unix_s = kT0 + 3600 * (i + 1);
      s.duration_s = 900;
      s.modality = Modality::kInOffice;
      s.visibility = Visibility::kPublic;
      slots.push_back(s);
    }
    e.Clear();
    ASSERT_TRUE(
        engine.PublishSlots(caller_, {"pub", 7}, slots, At(kT0), &e).ok());
    CommitAndWait(store, std::move(e));
    e.Clear();
    ASSERT_TRUE(
        engine.HoldSlot(caller_, {"", 0}, {"s0", Token(1), 600}, At(kT0), &e)
            .ok());
    CommitAndWait(store, std::move(e));
    e.Clear();
    ASSERT_TRUE(engine
                    .ConfirmBooking(caller_, {"c1", 9},
                                    {"s0", Token(1), "p1", ""}, At(kT0 + 10),
                                    &e)
                    .ok());
    CommitAndWait(store, std::move(e));
    e.Clear();
    ASSERT_TRUE(
        engine
            .HoldSlot(caller_, {"", 0}, {"s1", Token(2), 600}, At(kT0 + 20), &e)
            .ok());
    CommitAndWait(store, std::move(e));
  }

  static absl::Time At(int64_t s) { return absl::FromUnixSeconds(s); }
  static std::string Token(int n) { return absl::StrFormat("%032x", n); }

  ::creneau::testing::TempDir dir_;
  Caller caller_;
};

TEST_F(StoreTest, ReloadGivesBackEveryRecord) {
  Engine engine(nullptr);
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    Populate(engine, *store);
    EXPECT_EQ(store->stats().last_sequence, 5u);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Engine reloaded(nullptr);
  auto stats = store->LoadInto(&reloaded);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->professionals, 1u);
  EXPECT_EQ(stats->slots, 5u);
  EXPECT_EQ(stats->holds, 2u);
  EXPECT_EQ(stats->bookings, 1u);
  EXPECT_EQ(stats->idempotency_records, 2u);
  EXPECT_EQ(stats->last_sequence, 5u);
  EXPECT_EQ(stats->clock_unix_s, kT0 + 20);
  EXPECT_EQ(reloaded.GetSlot("s0")->state, SlotState::kFull);
  EXPECT_EQ(reloaded.GetSlot("s1")->state, SlotState::kHeld);
  EXPECT_EQ(reloaded.GetBooking("bk-00000000000000000001")->patient_ref, "p1");
  EXPECT_EQ(reloaded.stats().searchable_slots, engine.stats().searchable_slots);

  // The sequence continues where it stopped.
  Effects e;
  ASSERT_TRUE(
      reloaded.ReleaseHold(caller_, {"", 0}, {"s1", Token(2)}, At(kT0 + 30), &e)
          .ok());
  CommitAndWait(*store, std::move(e));
  EXPECT_EQ(store->stats().last_sequence, 6u);
}

TEST_F(StoreTest, ConcurrentCommitsShareLogSyncs) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8, kPerThread = 200;
  std::atomic<int> acknowledged{0};
  absl::Mutex order_mu;  // Commit must be called in apply order.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Effects e;
        Event event;
        event.type = EventType::kSlotsPublished;
        event.time_unix_s = kT0;
        event.actor = "load";
        event.Add(SubjectKind::kSlot, absl::StrCat("t", t, "-", i));
        e.events.push_back(event);
        absl::Notification done;
        {
          absl::MutexLock lock(&order_mu);
          store->Commit(std::move(e), [&](absl::Status s) {
            if (s.ok()) acknowledged.fetch_add(1);
            done.Notify();
          });
        }
        done.WaitForNotification();
      }
    });
  }
  for (auto& t : threads) t.join();
  const StoreStats stats = store->stats();
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  EXPECT_EQ(stats.durable_sequence, uint64_t{kThreads * kPerThread});
  // With eight writers waiting on each sync, groups hold several commits.
  EXPECT_LT(stats.groups, stats.commits);
  std::printf("%llu commits in %llu synced groups\n",
              static_cast<unsigned long long>(stats.commits),
              static_cast<unsigned long long>(stats.groups));
}

TEST_F(StoreTest, ReplayedCommandsWaitForEarlierWrites) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Effects empty;
  empty.replayed = true;
  absl::Notification done;
  store->Commit(std::move(empty), [&](absl::Status s) {
    EXPECT_TRUE(s.ok());
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->stats().groups, 0u);  // Nothing was written.
}

TEST_F(StoreTest, ASecondOpenOfTheSameDirectoryIsUnavailable) {
  auto first = OpenStore();
  ASSERT_NE(first, nullptr);
  StoreOptions options;
  options.path = dir_.Sub("db");
  auto second = Store::Open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

using testing::RawDatabase;

TEST_F(StoreTest, AnUnknownFormatVersionIsRefused) {
  { ASSERT_NE(OpenStore(), nullptr); }
  {
    RawDatabase db(dir_.Sub("db"));
    ASSERT_TRUE(db.ok());
    std::string v;
    internal::PutFixed32(&v, 99);
    ASSERT_TRUE(db.Put(rocksdb::kDefaultColumnFamilyName, "format_version", v));
  }
  StoreOptions options;
  options.path = dir_.Sub("db");
  auto store = Store::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
}

// A store of format version 1, as the previous release left it, is
// upgraded when opened: its bookings are rewritten without their free-text
// cancel reasons (they could hold health details), and everything loads.
TEST_F(StoreTest, AVersion1StoreIsUpgradedAtOpen) {
  Engine original(nullptr);
  const std::string id = absl::StrCat(
      "bk-", Token(1).substr(Token(1).size() - limits::kBookingIdHexDigits));
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    Populate(original, *store);
    Effects e;
    ASSERT_TRUE(original
                    .CancelBooking(caller_, {"x1", 3},
                                   {id, CancelReason::kPatientBetter},
                                   At(kT0 + 30), &e)
                    .ok());
    CommitAndWait(*store, std::move(e));
  }
  const absl::StatusOr<Booking> cancelled = original.GetBooking(id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  {
    RawDatabase db(dir_.Sub("db"));
    ASSERT_TRUE(db.ok());
    std::string v1;
    internal::PutFixed32(&v1, 1);
    ASSERT_TRUE(
        db.Put(rocksdb::kDefaultColumnFamilyName, "format_version", v1));
    ASSERT_TRUE(db.Put(
        "bookings", id,
        testing::EncodeBookingVersion1(*cancelled, "patient has chest pain")));
  }
  Engine reloaded(nullptr);
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    auto stats = store->LoadInto(&reloaded);
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_EQ(stats->bookings, 1u);
    EXPECT_EQ(stats->slots, 5u);
  }
  const absl::StatusOr<Booking> upgraded = reloaded.GetBooking(id);
  ASSERT_TRUE(upgraded.ok()) << upgraded.status();
  EXPECT_EQ(upgraded->cancel_reason, CancelReason::kOther);
  EXPECT_EQ(upgraded->patient_ref, cancelled->patient_ref);
  EXPECT_EQ(upgraded->status, BookingStatus::kCancelled);
  RawDatabase db(dir_.Sub("db"));
  ASSERT_TRUE(db.ok());
  const std::optional<std::string> version =
      db.Get(rocksdb::kDefaultColumnFamilyName, "format_version");
  ASSERT_TRUE(version.has_value());
  internal::Decoder d(*version);
  uint32_t found = 0;
  ASSERT_TRUE(d.GetFixed32(&found));
  EXPECT_EQ(found, internal::kFormatVersion);
  const std::optional<std::string> bytes = db.Get("bookings", id);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->find("chest"), std::string::npos) << "free text kept";
  EXPECT_EQ((*bytes)[0], internal::kBookingVersion);
}

// Start-up reads on a second thread in batches: many batches load whole,
// and an error on either side (a value that does not decode, a record the
// engine refuses while batches wait in the queue) stops the load with
// DATA_LOSS instead of hanging or loading half.
class StoreLoadTest : public StoreTest {
 protected:
  // Populates `original_` through a store, then writes `count` slots
  // ("x00000", "x00001", ...) of `professional_id` straight into the
  // database (the one numbered `corrupt_at`, if any, with a value no
  // decoder accepts), and loads everything into `reloaded_`.
  absl::StatusOr<LoadStats> ReloadWithRawSlots(
      int count, const std::string& professional_id, int corrupt_at = -1) {
    {
      auto store = OpenStore();
      if (store == nullptr) return absl::InternalError("no store");
      Populate(original_, *store);
    }
    {
      RawDatabase db(dir_.Sub("db"));
      if (!db.ok()) return absl::InternalError("raw open failed");
      for (int i = 0; i < count; ++i) {
        Slot s;
        s.id = absl::StrFormat("x%05d", i);
        s.professional_id = professional_id;
        s.start_unix_s = kT0 + 3600 + 60 * i;
        s.duration_s = 900;
        s.modality = Modality::kInOffice;
        s.visibility = Visibility::kPublic;
        const std::string value = i == corrupt_at ? std::string("\x07garbage")
                                                  : internal::EncodeSlot(s);
        if (!db.Put("slots", s.id, value)) {
          return absl::InternalError("raw put failed");
        }
      }
    }
    auto store = OpenStore();
    if (store == nullptr) return absl::InternalError("no store");
    return store->LoadInto(&reloaded_);
  }

  Engine original_{nullptr};
  Engine reloaded_{nullptr};
};

TEST_F(StoreLoadTest, ManyBatchesLoadWhole) {
  auto stats = ReloadWithRawSlots(20000, "gp-1");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->slots, 20005u);
  EXPECT_EQ(reloaded_.GetSlot("x19999")->state, SlotState::kFree);
  EXPECT_EQ(reloaded_.stats().searchable_slots,
            original_.stats().searchable_slots + 20000);
}

TEST_F(StoreLoadTest, AnUndecodableRecordStopsTheLoad) {
  auto stats = ReloadWithRawSlots(20000, "gp-1", /*corrupt_at=*/12345);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kDataLoss)
      << stats.status();
}

TEST_F(StoreLoadTest, ARefusedRecordStopsTheLoadWhileBatchesWait) {
  // 20,000 slots of an unknown professional: the first is refused while
  // the reader has more batches than the queue holds.
  auto stats = ReloadWithRawSlots(20000, "nobody");
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kDataLoss)
      << stats.status();
  EXPECT_NE(stats.status().message().find("unknown professional 'nobody'"),
            std::string::npos)
      << stats.status();
}

TEST_F(StoreTest, AnEmptyPathIsRefused) {
  EXPECT_EQ(Store::Open(StoreOptions()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace creneau::storage
