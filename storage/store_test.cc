#include "storage/store.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/internal/codec.h"
#include "storage/internal/coding.h"
#include "storage/testing/temp_dir.h"

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

  testing::TempDir dir_;
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

// The store's database opened directly with RocksDB, bypassing the store,
// to write what the store never would.
class RawDatabase {
 public:
  explicit RawDatabase(const std::string& path) {
    std::vector<std::string> names;
    ok_ =
        rocksdb::DB::ListColumnFamilies(rocksdb::Options(), path, &names).ok();
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) {
      families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    ok_ = ok_ &&
          rocksdb::DB::Open(rocksdb::Options(), path, families, &handles_, &db_)
              .ok();
    names_ = std::move(names);
  }
  ~RawDatabase() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    delete db_;
  }
  bool ok() const { return ok_; }
  // Writes key → value into column family `family`.
  bool Put(const std::string& family, const std::string& key,
           const std::string& value) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == family) {
        return db_->Put(rocksdb::WriteOptions(), handles_[i], key, value).ok();
      }
    }
    return false;
  }

 private:
  bool ok_ = false;
  rocksdb::DB* db_ = nullptr;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

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
