// EngineHost: retention keeping up with a sustained write rate, and the
// audit records it writes (on its interval and when it stops), over a real
// store and a clock the test moves.
#include "storage/engine_host.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/limits.h"
#include "gtest/gtest.h"
#include "storage/internal/codec.h"
#include "storage/store.h"
#include "storage/testing/manual_clock.h"
#include "storage/testing/temp_dir.h"

namespace creneau::storage {
namespace {

using ::creneau::testing::TempDir;

using testing::ManualClock;

const Caller& Feed() {
  static const Caller feed{.name = "feed-1",
                           .visibilities = 0xff,
                           .organisation = "vendor",
                           .scope = Scope{.national = true}};
  return feed;
}

Professional Doctor() {
  Professional p;
  p.id = "gp-1";
  p.profession = Profession::kGeneralPractitioner;
  p.location = {45.6248, -1.0281};
  p.time_zone = "Europe/Paris";
  return p;
}

class EngineHostTest : public ::testing::Test {
 protected:
  void Open() {
    StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync = false;  // Retention is measured here, not durability.
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

  // `count` upserts of the same professional under fresh request ids, all
  // in flight at once: each leaves one idempotency record.
  void Upserts(int count) {
    absl::BlockingCounter done(count);
    std::atomic<int> failed{0};
    absl::Status first_error;  // Set by the first failure only.
    for (int i = 0; i < count; ++i) {
      const RequestKey key{absl::StrCat("rq-", next_request_++), 1};
      host_->Mutate<BatchCounts>(
          [&](Engine& engine, absl::Time now, Effects* effects) {
            return engine.UpsertProfessionals(Feed(), key, {Doctor()}, now,
                                              effects);
          },
          [&](absl::StatusOr<BatchCounts> result) {
            if (!result.ok() && failed++ == 0) first_error = result.status();
            done.DecrementCount();
          });
    }
    done.Wait();
    ASSERT_EQ(failed.load(), 0) << first_error;
  }
  size_t Records() {
    return *host_->Read<size_t>([](const Engine& engine, absl::Time) {
      return engine.stats().idempotency_records;
    });
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EngineHost> host_;
  int64_t next_request_ = 0;
};

// A day's backlog of request records falls due at once while writes go on
// at 2,000 a second: each wake of the maintenance thread (one a second)
// removes up to kMaxPurgePassesPerWake x kMaxPurgedPerPass of them, so the
// backlog drains in a few seconds and memory stays bounded by the records
// still within their retention.
TEST_F(EngineHostTest, PurgeKeepsUpWithSustainedWrites) {
  ASSERT_NO_FATAL_FAILURE(Open());
  constexpr int kBacklog = 60000;
  constexpr int kWritesPerSecond = 2000;
  ASSERT_NO_FATAL_FAILURE(Upserts(kBacklog));
  ASSERT_EQ(Records(), static_cast<size_t>(kBacklog));
  clock_.Advance(absl::Seconds(limits::kIdempotencyRetentionS + 1));

  constexpr int kPurgeCapacity =
      EngineHost::kMaxPurgePassesPerWake * limits::kMaxPurgedPerPass;
  int wakes = 0;
  int64_t purged_total = 0;
  size_t backlog = kBacklog;
  while (backlog > 0) {
    ASSERT_LT(wakes, 10) << "the backlog does not drain";
    ASSERT_NO_FATAL_FAILURE(Upserts(kWritesPerSecond));
    clock_.Advance(EngineHost::kPurgeInterval);
    const int purged = host_->PurgeOnce();
    ++wakes;
    purged_total += purged;
    // Everything purged is from the backlog: the new records are young.
    backlog = Records() - static_cast<size_t>(wakes) * kWritesPerSecond;
    std::printf("wake %d: %d records purged, %zu of the backlog left\n", wakes,
                purged, backlog);
    if (backlog > 0) {
      EXPECT_EQ(purged, kPurgeCapacity) << "a wake fell short";
    }
  }
  EXPECT_EQ(purged_total, kBacklog);
  EXPECT_EQ(wakes, (kBacklog + kPurgeCapacity - 1) / kPurgeCapacity);
  EXPECT_EQ(Records(), static_cast<size_t>(wakes) * kWritesPerSecond);
  std::printf(
      "purge capacity %d records a second, against %d writes a second\n",
      kPurgeCapacity, kWritesPerSecond);
  // And the purge is durable: the records stay gone across a restart.
  Close();
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_EQ(Records(), static_cast<size_t>(wakes) * kWritesPerSecond);
}

TEST_F(EngineHostTest, AuditRecordsAreWrittenOnTheirIntervalAndAtStop) {
  ASSERT_NO_FATAL_FAILURE(Open());
  std::atomic<int> taken{0};
  host_->set_audit_source([&taken](absl::Time now) {
    Event refused;
    refused.type = EventType::kCallsRefused;
    refused.time_unix_s = absl::ToUnixSeconds(now);
    refused.actor = "flooder";
    refused.detail = absl::StrCat("RESOURCE_EXHAUSTED x", ++taken);
    return std::vector<Event>{refused};
  });
  host_->StartMaintenance();
  // The source is asked on the interval and at stop, and only then: the
  // clock does not move, so the interval never passes here.
  absl::SleepFor(absl::Milliseconds(50));
  Close();
  EXPECT_EQ(taken.load(), 1);
  ASSERT_NO_FATAL_FAILURE(Open());
  std::vector<Store::SequencedEvent> events;
  ASSERT_TRUE(store_->ReadEvents(0, 1000, &events).ok());
  int refusals = 0;
  for (const auto& e : events) {
    if (e.event.type != EventType::kCallsRefused) continue;
    ++refusals;
    EXPECT_EQ(e.event.actor, "flooder");
    EXPECT_EQ(e.event.detail, "RESOURCE_EXHAUSTED x1");
  }
  EXPECT_EQ(refusals, 1);
}

// Events past their retention go in steps of at most
// kMaxEventsPurgedPerWake per wake, and younger ones stay.
TEST_F(EngineHostTest, EventRetentionWorksInBoundedSteps) {
  ASSERT_NO_FATAL_FAILURE(Open());
  const size_t old_events = EngineHost::kMaxEventsPurgedPerWake + 5000;
  Effects old_ones;
  for (size_t i = 0; i < old_events; ++i) {
    Event e;
    e.type = EventType::kBookingRead;
    e.time_unix_s = absl::ToUnixSeconds(clock_.Now());
    e.actor = "reg-1";
    old_ones.events.push_back(std::move(e));
  }
  absl::Notification written;
  store_->Commit(std::move(old_ones), [&](absl::Status s) {
    EXPECT_TRUE(s.ok()) << s;
    written.Notify();
  });
  written.WaitForNotification();
  clock_.Advance(absl::Hours(24 * 366));  // Past the default year.
  // Young: one event per upsert (an audit record even when unchanged).
  ASSERT_NO_FATAL_FAILURE(Upserts(3));
  const size_t young_events = 3;

  const auto count = [&] {
    std::vector<Store::SequencedEvent> events;
    EXPECT_TRUE(store_->ReadEvents(0, old_events + 100, &events).ok());
    return events.size();
  };
  ASSERT_EQ(count(), old_events + young_events);
  host_->PurgeOnce();
  EXPECT_EQ(count(),
            old_events + young_events - EngineHost::kMaxEventsPurgedPerWake);
  host_->PurgeOnce();
  EXPECT_EQ(count(), young_events) << "young events must stay";
}

// Every change event records the state of its subjects right after the
// command (a booking without the patient's references nor its hold token),
// and reaches the in-memory tail once durable, its listener told.
TEST_F(EngineHostTest, ChangeEventsCarryStatesAndReachTheTail) {
  ASSERT_NO_FATAL_FAILURE(Open());
  std::atomic<int> heard{0};
  host_->set_change_listener([&] { ++heard; });
  ASSERT_NO_FATAL_FAILURE(Upserts(1));
  Slot slot;
  slot.id = "gp-1:1";
  slot.professional_id = "gp-1";
  slot.start_unix_s = absl::ToUnixSeconds(clock_.Now()) + 3600;
  slot.duration_s = 900;
  slot.modality = Modality::kInOffice;
  const std::string token(32, 'a');
  auto run = [&](auto apply) {
    absl::Notification done;
    host_->Mutate<bool>(
        [&](Engine& engine, absl::Time now,
            Effects* effects) -> absl::StatusOr<bool> {
          absl::Status status = apply(engine, now, effects);
          if (!status.ok()) return status;
          return true;
        },
        [&](absl::StatusOr<bool> result) {
          EXPECT_TRUE(result.ok()) << result.status();
          done.Notify();
        });
    done.WaitForNotification();
  };
  run([&](Engine& e, absl::Time now, Effects* fx) {
    return e.PublishSlots(Feed(), {"pub", 2}, {slot}, now, fx).status();
  });
  run([&](Engine& e, absl::Time now, Effects* fx) {
    return e.HoldSlot(Feed(), {"hold", 3}, {slot.id, token}, now, fx).status();
  });
  ASSERT_TRUE(store_->Flush().ok());
  const uint64_t bytes_before_confirm = store_->stats().bytes_written;
  run([&](Engine& e, absl::Time now, Effects* fx) {
    return e
        .ConfirmBooking(Feed(), {"confirm", 4},
                        {slot.id, token, "patient-42", "orientation-7"}, now,
                        fx)
        .status();
  });
  std::vector<Store::SequencedEvent> events;
  ASSERT_TRUE(store_->ReadEvents(1, 100, &events).ok());
  ASSERT_EQ(events.size(), 4u);
  const Event& confirmed = events.back().event;
  ASSERT_EQ(confirmed.type, EventType::kBookingConfirmed);
  // What the states cost a booking on disk.
  Event bare = confirmed;
  bare.states.clear();
  std::printf(
      "a confirmation writes %llu bytes; its event %zu bytes with the "
      "states, %zu without\n",
      static_cast<unsigned long long>(store_->stats().bytes_written -
                                      bytes_before_confirm),
      internal::EncodeEvent(confirmed).size(),
      internal::EncodeEvent(bare).size());
  ASSERT_EQ(confirmed.states.size(), confirmed.subjects.size());
  bool saw_booking = false, saw_slot = false;
  for (const SubjectState& state : confirmed.states) {
    if (const auto* b = std::get_if<Booking>(&state)) {
      saw_booking = true;
      EXPECT_EQ(b->slot_id, slot.id);
      EXPECT_EQ(b->status, BookingStatus::kBooked);
      EXPECT_EQ(b->patient_ref, "");
      EXPECT_EQ(b->orientation_ref, "");
      EXPECT_EQ(b->hold_token, "");
    } else if (const auto* v = std::get_if<SlotView>(&state)) {
      saw_slot = true;
      EXPECT_EQ(v->places_booked, 1);
      EXPECT_EQ(v->places_held, 0);
      EXPECT_EQ(v->state, SlotState::kFull);
    }
  }
  EXPECT_TRUE(saw_booking);
  EXPECT_TRUE(saw_slot);
  // The held slot's state was recorded as held.
  const Event& held = events[2].event;
  ASSERT_EQ(held.type, EventType::kSlotHeld);
  ASSERT_EQ(held.states.size(), 1u);
  EXPECT_EQ(std::get<SlotView>(held.states[0]).places_held, 1);

  std::vector<SharedEvent> tail;
  ASSERT_TRUE(store_->tail().ReadAfter(0, 100, &tail));
  ASSERT_EQ(tail.size(), 4u);
  EXPECT_EQ(tail.back()->sequence, events.back().sequence);
  EXPECT_EQ(tail.back()->event, confirmed);
  EXPECT_GE(heard.load(), 4);
  host_->set_change_listener(nullptr);
}

}  // namespace
}  // namespace creneau::storage
