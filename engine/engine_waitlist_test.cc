// Engine's waitlist: requests wait in order, places that appear are held
// for the oldest they can serve, and the queue survives a restore.
#include <string>

#include "engine/engine.h"
#include "engine/testing/engine_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::creneau::testing::At;
using ::creneau::testing::EngineTest;
using ::creneau::testing::kT0;
using ::creneau::testing::Token;

class WaitlistTest : public EngineTest {
 protected:
  WaitlistTest() {
    other_ = regulator_;
    other_.name = "cpts-royan-regulator";
    other_.organisation = "cpts-royan";
  }

  absl::StatusOr<WaitingRequest> Enqueue(int token,
                                         const Caller* caller = nullptr,
                                         int32_t expiry_s = 3600,
                                         const std::string& request_id = "",
                                         uint64_t fingerprint = 1) {
    EnqueueCommand command;
    command.query = RoyanGp();
    command.patient_ref = "patient-" + std::to_string(token);
    command.hold_token = Token(token);
    command.hold_ttl_s = 120;
    command.expiry_s = expiry_s;
    Effects e;
    auto request = engine_->EnqueueRequest(caller ? *caller : regulator_,
                                           Key(request_id, fingerprint),
                                           command, At(now_), &e);
    sink_.Apply(e);
    last_ = e;
    return request;
  }
  WaitingRequest Get(const std::string& id) {
    auto request = engine_->GetRequest(id);
    EXPECT_TRUE(request.ok()) << request.status();
    return request.ok() ? *request : WaitingRequest();
  }
  void Expire() {
    Effects e;
    engine_->ExpireHolds(At(now_), &e);
    sink_.Apply(e);
    last_ = e;
  }

  Caller other_;
  Effects last_;
};

TEST_F(WaitlistTest, AWaitingRequestGetsTheNextPublishedPlace) {
  auto request = Enqueue(1);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->state, RequestState::kWaiting);
  EXPECT_EQ(request->id, "wr-" + Token(1).substr(12));
  EXPECT_EQ(*request->query.window_start_unix_s, kT0 + 1);
  EXPECT_EQ(*request->query.window_end_unix_s, kT0 + 1 + 48 * 3600);
  EXPECT_EQ(engine_->waiting_requests(), 1u);

  Effects e;
  ASSERT_TRUE(engine_
                  ->PublishSlots(feed_, Key(""),
                                 {MakeSlot("s1", "gp-didonne", kT0 + 3600)},
                                 At(now_), &e)
                  .ok());
  sink_.Apply(e);
  const WaitingRequest held = Get(request->id);
  EXPECT_EQ(held.state, RequestState::kHeld);
  EXPECT_EQ(held.slot_id, "s1");
  EXPECT_EQ(held.close_unix_s, kT0);
  EXPECT_EQ(engine_->waiting_requests(), 0u);
  // The hold is the regulator's own, with the request's token and ttl.
  EXPECT_EQ(engine_->GetSlot("s1")->places_held, 1);
  ASSERT_EQ(e.events.size(), 2u);
  EXPECT_EQ(e.events[1].type, EventType::kRequestMatched);
  EXPECT_EQ(e.events[1].actor, regulator_.name);
  EXPECT_THAT(e.events[1].subjects,
              ::testing::ElementsAre(Subject{SubjectKind::kRequest, held.id},
                                     Subject{SubjectKind::kSlot, "s1"}));
  EXPECT_EQ(sink_.holds.at(Token(1)).holder, regulator_.name);
  EXPECT_EQ(sink_.holds.at(Token(1)).expire_unix_s, kT0 + 120);
  EXPECT_EQ(sink_.requests.at(held.id), held);
  auto booking = Confirm("s1", 1);
  ASSERT_TRUE(booking.ok()) << booking.status();
}

TEST_F(WaitlistTest, AFreePlaceIsHeldAtOnce) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 3600)}).ok());
  auto request = Enqueue(1);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->state, RequestState::kHeld);
  EXPECT_EQ(request->slot_id, "s1");
}

TEST_F(WaitlistTest, FirstComeFirstServedAndALapsedHoldGoesToTheNext) {
  ASSERT_TRUE(Enqueue(1).ok());
  now_ += 10;
  ASSERT_TRUE(Enqueue(2, &other_).ok());
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 7200)}).ok());
  const std::string first = "wr-" + Token(1).substr(12);
  const std::string second = "wr-" + Token(2).substr(12);
  EXPECT_EQ(Get(first).state, RequestState::kHeld);
  EXPECT_EQ(Get(second).state, RequestState::kWaiting);
  // The first regulator does not confirm: its hold lapses and the place
  // goes to the next in line in the same step.
  now_ += 121;
  Expire();
  EXPECT_EQ(sink_.holds.at(Token(1)).state, HoldState::kExpired);
  EXPECT_EQ(Get(second).state, RequestState::kHeld);
  EXPECT_EQ(Get(second).slot_id, "s1");
  EXPECT_EQ(sink_.holds.at(Token(2)).holder, other_.name);
}

TEST_F(WaitlistTest, ACancelledBookingOrAReleaseServesTheQueue) {
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 7200)}).ok());
  ASSERT_TRUE(HoldOn("s1", 9).ok());
  auto booking = Confirm("s1", 9);
  ASSERT_TRUE(booking.ok());
  auto request = Enqueue(1);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->state, RequestState::kWaiting);
  Effects e;
  ASSERT_TRUE(engine_
                  ->CancelBooking(regulator_, Key(""),
                                  CancelCommand{booking->id}, At(now_), &e)
                  .ok());
  sink_.Apply(e);
  EXPECT_EQ(Get(request->id).state, RequestState::kHeld);
  // Released, the place goes to the next waiting request.
  ASSERT_TRUE(Enqueue(2).ok());
  e.Clear();
  ASSERT_TRUE(engine_
                  ->ReleaseHold(regulator_, Key(""),
                                ReleaseCommand{"s1", Token(1)}, At(now_), &e)
                  .ok());
  EXPECT_EQ(Get("wr-" + Token(2).substr(12)).state, RequestState::kHeld);
}

TEST_F(WaitlistTest, OnlyCompatiblePlacesServeARequest) {
  ASSERT_TRUE(Enqueue(1).ok());
  // Beyond the window (48 h), and a nurse: neither serves a GP request.
  Professional nurse = Gp("nurse-royan", {45.6248, -1.0281});
  nurse.profession = Profession::kNurse;
  Upsert({nurse});
  ASSERT_TRUE(Publish({MakeSlot("late", "gp-royan", kT0 + 72 * 3600),
                       MakeSlot("nurse", "nurse-royan", kT0 + 3600)})
                  .ok());
  EXPECT_EQ(Get("wr-" + Token(1).substr(12)).state, RequestState::kWaiting);
}

TEST_F(WaitlistTest, CancelExpiryAndOrganisations) {
  auto request = Enqueue(1);
  ASSERT_TRUE(request.ok());
  Effects e;
  // Another organisation cannot see it, nor cancel it.
  EXPECT_EQ(engine_->GetRequest(other_, request->id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->CancelRequest(other_, Key(""), request->id, At(now_), &e)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  auto cancelled =
      engine_->CancelRequest(regulator_, Key(""), request->id, At(now_), &e);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state, RequestState::kCancelled);
  // Again: the same answer, nothing more written.
  Effects again;
  EXPECT_EQ(
      engine_->CancelRequest(regulator_, Key(""), request->id, At(now_), &again)
          ->state,
      RequestState::kCancelled);
  EXPECT_TRUE(again.empty());

  // Expiry: at its time, by the engine.
  auto expiring = Enqueue(2, nullptr, 60);
  ASSERT_TRUE(expiring.ok());
  EXPECT_EQ(engine_->NextHoldExpiryUnixS(), kT0 + 60);
  now_ += 60;
  Expire();
  EXPECT_EQ(Get(expiring->id).state, RequestState::kExpired);
  ASSERT_EQ(last_.events.size(), 1u);
  EXPECT_EQ(last_.events[0].type, EventType::kRequestsExpired);
  EXPECT_EQ(
      engine_->CancelRequest(regulator_, Key(""), expiring->id, At(now_), &e)
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);

  // Lists: waiting only, or all kept, per organisation.
  ASSERT_TRUE(Enqueue(3, &other_).ok());
  EXPECT_EQ(engine_->ListRequests(regulator_, false, 0, "")->requests.size(),
            0u);
  EXPECT_EQ(engine_->ListRequests(regulator_, true, 0, "")->requests.size(),
            2u);
  EXPECT_EQ(engine_->ListRequests(other_, true, 0, "")->requests.size(), 1u);
  auto page = engine_->ListRequests(regulator_, true, 1, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->requests.size(), 1u);
  EXPECT_EQ(page->requests[0].id, request->id);
  page = engine_->ListRequests(regulator_, true, 1, page->next_page_token);
  ASSERT_EQ(page->requests.size(), 1u);
  EXPECT_EQ(page->requests[0].id, expiring->id);

  // Closed requests are purged after their retention.
  now_ += limits::kClosedRequestRetentionS;
  e.Clear();
  engine_->Purge(At(now_), &e);
  sink_.Apply(e);
  EXPECT_EQ(engine_->GetRequest(request->id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(sink_.requests.count(request->id), 0u);
}

TEST_F(WaitlistTest, RetriesLimitsAndValidation) {
  auto first = Enqueue(1, nullptr, 3600, "req-1", 7);
  ASSERT_TRUE(first.ok());
  auto retry = Enqueue(2, nullptr, 3600, "req-1", 7);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->id, first->id);
  EXPECT_TRUE(last_.replayed);
  EXPECT_EQ(Enqueue(3, nullptr, 3600, "req-1", 8).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Enqueue(4, nullptr, 10).status().message(),
            "expiry_s: must be from 60 to 86400 seconds (1 day)");
  for (int i = 1; i < limits::kMaxWaitingRequestsPerOrganisation; ++i) {
    ASSERT_TRUE(Enqueue(100 + i).ok()) << i;
  }
  auto refused = Enqueue(99);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Enqueue(98, &other_).ok());
}

// Enqueueing and cancelling in a loop cannot grow what is kept beyond the
// organisation's bound until retention purges the closed requests.
TEST_F(WaitlistTest, ClosedRequestsCountUntilPurged) {
  for (int i = 0; i < limits::kMaxKeptRequestsPerOrganisation; ++i) {
    auto request = Enqueue(1000 + i);
    ASSERT_TRUE(request.ok()) << i << ": " << request.status();
    Effects e;
    ASSERT_TRUE(
        engine_->CancelRequest(regulator_, Key(""), request->id, At(now_), &e)
            .ok());
    sink_.Apply(e);
  }
  EXPECT_EQ(engine_->waiting_requests(), 0u);
  auto refused = Enqueue(1);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().message(),
            "this organisation has 20000 requests kept (waiting, or closed "
            "within 25 hours; at most 20000); retry later");
  EXPECT_TRUE(Enqueue(2, &other_).ok());
  now_ += limits::kClosedRequestRetentionS;
  Effects e;
  engine_->Purge(At(now_), &e);
  sink_.Apply(e);
  EXPECT_TRUE(Enqueue(3).ok());
}

TEST_F(WaitlistTest, TheQueueSurvivesARestore) {
  ASSERT_TRUE(Enqueue(1).ok());
  now_ += 5;
  ASSERT_TRUE(Enqueue(2, &other_).ok());
  ASSERT_TRUE(Publish({MakeSlot("s1", "gp-royan", kT0 + 7200)}).ok());
  ASSERT_TRUE(Enqueue(3).ok());

  Engine restored(communes_);
  for (const auto& [id, p] : sink_.professionals)
    ASSERT_TRUE(restored.RestoreProfessional(p).ok());
  for (const auto& [id, s] : sink_.slots)
    ASSERT_TRUE(restored.RestoreSlot(s).ok());
  for (const auto& [id, h] : sink_.holds)
    ASSERT_TRUE(restored.RestoreHold(h).ok());
  for (const auto& [id, r] : sink_.requests)
    ASSERT_TRUE(restored.RestoreRequest(r).ok());
  ASSERT_TRUE(restored.FinishRestore(sink_.clock).ok());
  EXPECT_EQ(restored.waiting_requests(), 2u);
  for (const auto& [id, r] : sink_.requests) {
    EXPECT_EQ(*restored.GetRequest(id), r);
  }
  // The queue's order is kept: the older waiting request is served first.
  Effects e;
  ASSERT_TRUE(restored
                  .PublishSlots(feed_, Key(""),
                                {MakeSlot("s2", "gp-royan", kT0 + 7300)},
                                At(now_), &e)
                  .ok());
  EXPECT_EQ(restored.GetRequest("wr-" + Token(2).substr(12))->state,
            RequestState::kHeld);
  EXPECT_EQ(restored.GetRequest("wr-" + Token(3).substr(12))->state,
            RequestState::kWaiting);
  // A request is restored once only.
  EXPECT_EQ(restored.RestoreRequest(sink_.requests.begin()->second).code(),
            absl::StatusCode::kDataLoss);
}

// Many holds lapsing at once (a restart after a long stop) make several
// events of at most limits::kMaxSystemEventSubjects, so that each stays
// within one change feed message.
TEST_F(WaitlistTest, ExpiriesOfManyHoldsSplitIntoBoundedEvents) {
  EngineOptions uncapped;
  uncapped.default_weekly_orientation_cap = 0;
  engine_ = std::make_unique<Engine>(communes_, uncapped);
  Upsert({Gp("gp-royan", {45.6248, -1.0281})});
  std::vector<Slot> slots;
  for (int i = 0; i < 50; ++i) {
    slots.push_back(
        MakeSlot("big-" + std::to_string(i), "gp-royan", kT0 + 7200, 100));
  }
  ASSERT_TRUE(Publish(slots).ok());
  constexpr int kHolds = 5000;
  for (int i = 0; i < kHolds; ++i) {
    ASSERT_TRUE(HoldOn("big-" + std::to_string(i % 50), 1000 + i).ok()) << i;
  }
  now_ += 181;
  Expire();
  size_t subjects = 0;
  ASSERT_EQ(last_.events.size(), 2u);
  for (const Event& e : last_.events) {
    EXPECT_EQ(e.type, EventType::kHoldsExpired);
    EXPECT_LE(e.subjects.size(), limits::kMaxSystemEventSubjects);
    subjects += e.subjects.size();
  }
  EXPECT_EQ(subjects, static_cast<size_t>(kHolds));
}

}  // namespace
}  // namespace creneau
