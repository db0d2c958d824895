// Recurring availability through the host and a real store: a publication
// survives a restart whole, the days that passed while stopped are
// generated at start-up, and a format 2 store is upgraded to format 3.
#include <string>

#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "engine/availability.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/engine_host.h"
#include "storage/internal/codec.h"
#include "storage/internal/coding.h"
#include "storage/store.h"
#include "storage/testing/manual_clock.h"
#include "storage/testing/raw_database.h"
#include "storage/testing/temp_dir.h"

namespace creneau::storage {
namespace {

using ::creneau::testing::TempDir;
using testing::ManualClock;
using testing::RawDatabase;

const Caller& Feed() {
  static const Caller feed{.name = "feed-1",
                           .visibilities = 0xff,
                           .organisation = "vendor",
                           .scope = Scope{.national = true}};
  return feed;
}

Availability Mornings() {
  Availability a;
  a.professional_id = "gp-1";
  WeeklyTemplate t;
  t.id = "gp1-am";
  t.weekdays = kAllWeekdays;
  t.start_minute = 8 * 60;
  t.end_minute = 9 * 60;
  t.shape.slot_minutes = 20;
  t.first_day = absl::CivilDay(2026, 11, 1);
  a.templates.push_back(t);
  AvailabilityException off;
  off.kind = ExceptionKind::kVacation;
  off.first_day = off.last_day = absl::CivilDay(2026, 11, 28);
  a.exceptions.push_back(off);
  NormalizeAvailability(&a);
  return a;
}

class AvailabilityHostTest : public ::testing::Test {
 protected:
  void Open() {
    StoreOptions options;
    options.path = dir_.Sub("db");
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    host_ = std::make_unique<EngineHost>(nullptr, store_.get(), &clock_);
    ASSERT_TRUE(host_->Load().ok());
  }
  void Close() {
    host_.reset();
    store_.reset();
  }
  template <typename T>
  absl::StatusOr<T> Run(
      absl::FunctionRef<absl::StatusOr<T>(Engine&, absl::Time, Effects*)> f) {
    absl::StatusOr<T> out = absl::UnknownError("not run");
    absl::Notification done;
    host_->Mutate<T>(f, [&](absl::StatusOr<T> result) {
      out = std::move(result);
      done.Notify();
    });
    done.WaitForNotification();
    return out;
  }
  size_t GeneratedSlots() {
    auto page = host_->Read<SlotPage>([](const Engine& e, absl::Time) {
      return e.ListSlots(Feed(), "gp-1", 1000, "", false);
    });
    EXPECT_TRUE(page.ok()) << page.status();
    size_t n = 0;
    for (const SlotView& v : page->slots) n += !v.slot.withdrawn;
    return n;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EngineHost> host_;
};

TEST_F(AvailabilityHostTest, SurvivesARestartAndCatchesUpOnMissedDays) {
  Open();
  Professional p;
  p.id = "gp-1";
  p.profession = Profession::kGeneralPractitioner;
  p.location = {45.6248, -1.0281};
  p.time_zone = "Europe/Paris";
  ASSERT_TRUE(Run<BatchCounts>([&](Engine& e, absl::Time now, Effects* fx) {
                return e.UpsertProfessionals(Feed(), {}, {p}, now, fx);
              }).ok());
  auto counts = Run<BatchCounts>([&](Engine& e, absl::Time now, Effects* fx) {
    return e.PublishAvailability(Feed(), {"r-1", 7}, Mornings(), now, fx);
  });
  ASSERT_TRUE(counts.ok()) << counts.status();
  const size_t before = GeneratedSlots();
  EXPECT_EQ(before, static_cast<size_t>(counts->created));
  EXPECT_GT(before, 30u);  // About 14 days of 3, less the day off.
  Close();

  clock_.Advance(absl::Hours(24 * 3));
  Open();
  auto stored =
      host_->Read<StoredAvailability>([](const Engine& e, absl::Time) {
        return e.GetAvailability(Feed(), "gp-1");
      });
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->availability, Mornings());
  EXPECT_GE(stored->generated_until_unix_s,
            absl::ToUnixSeconds(clock_.Now() + absl::Hours(24 * 14)));
  // Three more days generated at start-up (9 slots), none twice.
  EXPECT_EQ(GeneratedSlots(), before + 9);
  // The idempotency record of format 3 answers a retry the same.
  auto retry = Run<BatchCounts>([&](Engine& e, absl::Time now, Effects* fx) {
    return e.PublishAvailability(Feed(), {"r-1", 7}, Mornings(), now, fx);
  });
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(*retry, *counts);
  Close();
}

TEST_F(AvailabilityHostTest, AFormat2StoreGainsTheAvailabilityFamily) {
  {  // A store as format 2 left it: eight families, version 2.
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name :
         {"default", "professionals", "slots", "holds", "bookings",
          "idempotency", "events", "territories"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(options, dir_.Sub("db"), families, &handles, &db)
            .ok());
    std::string v2;
    internal::PutFixed32(&v2, 2);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "format_version", v2).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  Open();
  Close();
  RawDatabase db(dir_.Sub("db"));
  ASSERT_TRUE(db.ok());
  const std::optional<std::string> version =
      db.Get(rocksdb::kDefaultColumnFamilyName, "format_version");
  ASSERT_TRUE(version.has_value());
  internal::Decoder d(*version);
  uint32_t found = 0;
  ASSERT_TRUE(d.GetFixed32(&found));
  EXPECT_EQ(found, internal::kFormatVersion);
  EXPECT_TRUE(db.Put("availability", "probe", "x")) << "no availability family";
}

}  // namespace
}  // namespace creneau::storage
