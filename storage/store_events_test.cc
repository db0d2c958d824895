// The event log: reading it in pages, finding a time in it, trimming it in
// bounded steps, and sequences that never repeat across restarts.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "storage/testing/temp_dir.h"

namespace creneau::storage {
namespace {

constexpr int64_t kT0 = 1'900'000'000;

class StoreEventsTest : public ::testing::Test {
 protected:
  void Open() {
    StoreOptions options;
    options.path = dir_.Sub("db");
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    Engine engine(nullptr);
    ASSERT_TRUE(store_->LoadInto(&engine).ok());
  }
  // Appends events at kT0 + offsets_s[i] and waits until they are written.
  void Append(const std::vector<int64_t>& offsets_s) {
    Effects effects;
    for (const int64_t offset : offsets_s) {
      Event e;
      e.type = EventType::kBookingRead;
      e.time_unix_s = kT0 + offset;
      e.actor = absl::StrCat("reg-", offset);
      e.Add(SubjectKind::kBooking, "bk-1");
      effects.events.push_back(std::move(e));
    }
    absl::Notification done;
    store_->Commit(std::move(effects), [&](absl::Status s) {
      EXPECT_TRUE(s.ok()) << s;
      done.Notify();
    });
    done.WaitForNotification();
  }
  std::vector<Store::SequencedEvent> All() {
    std::vector<Store::SequencedEvent> events;
    EXPECT_TRUE(store_->ReadEvents(0, 1'000'000, &events).ok());
    return events;
  }
  uint64_t At(int64_t offset_s) {
    return *store_->FirstSequenceAtOrAfter(
        absl::FromUnixSeconds(kT0 + offset_s));
  }

  ::creneau::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

// 2,500 events, ten per second, read 1,000 at a time: every one once, in
// order, with contiguous sequences.
TEST_F(StoreEventsTest, PagesGiveEveryEventOnceInOrder) {
  ASSERT_NO_FATAL_FAILURE(Open());
  std::vector<int64_t> offsets;
  for (int i = 0; i < 2500; ++i) offsets.push_back(i / 10);
  ASSERT_NO_FATAL_FAILURE(Append(offsets));
  std::vector<Store::SequencedEvent> read;
  uint64_t next = 0;
  int pages = 0;
  while (true) {
    const size_t before = read.size();
    absl::StatusOr<uint64_t> after = store_->ReadEvents(next, 1000, &read);
    ASSERT_TRUE(after.ok()) << after.status();
    if (read.size() == before) break;
    ++pages;
    next = *after;
    ASSERT_LE(pages, 3);
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(read.size(), 2500u);
  for (size_t i = 1; i < read.size(); ++i) {
    EXPECT_EQ(read[i].sequence, read[i - 1].sequence + 1);
    EXPECT_EQ(read[i].event.time_unix_s, kT0 + static_cast<int64_t>(i) / 10);
  }
}

TEST_F(StoreEventsTest, FindsTheFirstEventAtOrAfterATime) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(Append({0, 0, 5, 5, 5, 9, 20}));
  const std::vector<Store::SequencedEvent> all = All();
  ASSERT_EQ(all.size(), 7u);
  const uint64_t first = all[0].sequence;
  EXPECT_EQ(At(-100), first);
  EXPECT_EQ(At(0), first);
  EXPECT_EQ(At(1), first + 2);
  EXPECT_EQ(At(5), first + 2);
  EXPECT_EQ(At(6), first + 5);
  EXPECT_EQ(At(20), first + 6);
  EXPECT_EQ(At(21), first + 7) << "one past the last";
}

// Trimming stops at its budget and at the cutoff; what remains is the
// youngest; sequences go on after a restart, even once the log is empty
// (a change-feed reader's position never points at a reused number).
TEST_F(StoreEventsTest, TrimsInBoundedStepsAndNeverReusesSequences) {
  ASSERT_NO_FATAL_FAILURE(Open());
  std::vector<int64_t> offsets;
  for (int i = 0; i < 1000; ++i) offsets.push_back(i);
  ASSERT_NO_FATAL_FAILURE(Append(offsets));
  const uint64_t last = All().back().sequence;
  const absl::Time cutoff = absl::FromUnixSeconds(kT0 + 700);
  EXPECT_EQ(*store_->PurgeEventsBefore(cutoff, 300), 300u);
  EXPECT_EQ(All().size(), 700u);
  EXPECT_EQ(All().front().event.time_unix_s, kT0 + 300);
  EXPECT_EQ(*store_->PurgeEventsBefore(cutoff, 100000), 400u);
  EXPECT_EQ(All().front().event.time_unix_s, kT0 + 700);
  EXPECT_EQ(*store_->PurgeEventsBefore(cutoff, 100000), 0u);
  EXPECT_EQ(*store_->FirstSequence(), last - 299);

  EXPECT_EQ(
      *store_->PurgeEventsBefore(absl::FromUnixSeconds(kT0 + 5000), 100000),
      300u);
  EXPECT_TRUE(All().empty());
  store_.reset();
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_GT(*store_->FirstSequence(), last) << "an empty log restarted at 1";
  ASSERT_NO_FATAL_FAILURE(Append({6000}));
  EXPECT_GT(All().back().sequence, last) << "a sequence was reused";
}

}  // namespace
}  // namespace creneau::storage
