// ChangeFollower: a change-feed client for tests. It follows
// ChangeService.WatchChanges, breaks its own stream at random points (seeded)
// and resumes after the last sequence it was given, reconnects when the
// server goes away, and records every change it received as comparable
// lines; ExpectedChanges turns the stored log into the same lines.
#ifndef CRENEAU_TESTS_SUPPORT_CHANGE_FOLLOWER_H_
#define CRENEAU_TESTS_SUPPORT_CHANGE_FOLLOWER_H_

#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "creneau/v1/change_service.grpc.pb.h"
#include "server/to_proto.h"
#include "storage/store.h"
#include "tests/support/server_process.h"

namespace creneau::testing {

// "#12 slot_held slot s-3 1/0 SLOT_STATE_HELD": one line per object.
inline std::string SlotLine(const std::string& id, int held, int booked,
                            int state) {
  return absl::StrCat("slot ", id, " ", held, "/", booked, " ", state);
}

// "request wr-… 2 s-3 ": its state and slot; "patient!" if the feed leaked
// the patient's reference.
inline std::string RequestLine(const std::string& id, int state,
                               const std::string& slot_id,
                               const std::string& patient_ref) {
  return absl::StrCat("request ", id, " ", state, " ", slot_id, " ",
                      patient_ref.empty() ? "" : "patient!");
}

inline std::string ObjectLine(const v1::ChangedObject& o) {
  switch (o.object_case()) {
    case v1::ChangedObject::kSlot:
      return SlotLine(o.slot().id(), o.slot().places_held(),
                      o.slot().places_booked(), o.slot().state());
    case v1::ChangedObject::kProfessional:
      return absl::StrCat("professional ", o.professional().id());
    case v1::ChangedObject::kBooking:
      return absl::StrCat("booking ", o.booking().id(), " ",
                          o.booking().status(), " ",
                          o.booking().patient_ref().empty() ? "" : "patient!");
    case v1::ChangedObject::kTerritory:
      return absl::StrCat("territory ", o.territory().id());
    case v1::ChangedObject::kRemovedSlotId:
      return absl::StrCat("removed slot ", o.removed_slot_id());
    case v1::ChangedObject::kRemovedBookingId:
      return absl::StrCat("removed booking ", o.removed_booking_id());
    case v1::ChangedObject::kRequest:
      return RequestLine(o.request().id(), o.request().state(),
                         o.request().hold().slot_id(),
                         o.request().patient_ref());
    case v1::ChangedObject::kRemovedRequestId:
      return absl::StrCat("removed request ", o.removed_request_id());
    case v1::ChangedObject::OBJECT_NOT_SET:
      break;
  }
  return "?";
}

// What an administrator's unfiltered feed must have sent of the stored log,
// up to `last_sequence` (the store must be closed by the server first):
// the change feed's, or with `requests` the waitlist's.
inline std::vector<std::string> ExpectedChanges(const storage::Store& store,
                                                uint64_t last_sequence,
                                                bool requests = false) {
  std::vector<std::string> lines;
  uint64_t next = 1;
  while (next <= last_sequence) {
    std::vector<storage::Store::SequencedEvent> events;
    auto read = store.ReadEvents(next, 4096, &events);
    if (!read.ok() || events.empty()) break;
    next = *read;
    for (const auto& [sequence, e] : events) {
      if (sequence > last_sequence) break;
      if (e.states.size() != e.subjects.size()) continue;
      for (size_t i = 0; i < e.states.size(); ++i) {
        const std::string prefix =
            absl::StrCat("#", sequence, " ", server::ActionName(e.type), " ");
        const SubjectState& state = e.states[i];
        if ((e.subjects[i].kind == SubjectKind::kRequest) != requests) continue;
        if (const auto* r = std::get_if<WaitingRequest>(&state)) {
          lines.push_back(prefix + RequestLine(r->id,
                                               static_cast<int>(r->state),
                                               r->slot_id, r->patient_ref));
        } else if (const auto* v = std::get_if<SlotView>(&state)) {
          lines.push_back(prefix + SlotLine(v->slot.id, v->places_held,
                                            v->places_booked,
                                            static_cast<int>(v->state)));
        } else if (const auto* b = std::get_if<Booking>(&state)) {
          lines.push_back(absl::StrCat(prefix, "booking ", b->id, " ",
                                       static_cast<int>(b->status), " "));
        } else if (const auto* p = std::get_if<Professional>(&state)) {
          lines.push_back(absl::StrCat(prefix, "professional ", p->id));
        } else if (const auto* t = std::get_if<Territory>(&state)) {
          lines.push_back(absl::StrCat(prefix, "territory ", t->id));
        } else if (e.subjects[i].kind == SubjectKind::kSlot) {
          lines.push_back(
              absl::StrCat(prefix, "removed slot ", e.subjects[i].id));
        } else if (e.subjects[i].kind == SubjectKind::kBooking) {
          lines.push_back(
              absl::StrCat(prefix, "removed booking ", e.subjects[i].id));
        } else if (e.subjects[i].kind == SubjectKind::kRequest) {
          lines.push_back(
              absl::StrCat(prefix, "removed request ", e.subjects[i].id));
        }
      }
    }
  }
  return lines;
}

class ChangeFollower {
 public:
  // Breaks its stream after a message with probability 1/`break_one_in`
  // (0: never).
  ChangeFollower(const ServerProcess* server, uint64_t seed, int break_one_in)
      : server_(server), rng_(seed), break_one_in_(break_one_in) {}

  // Starts after `sequence` instead of the oldest event kept.
  void StartAfter(uint64_t sequence) { last_ = last_change_ = sequence; }
  // Follows the waitlist's feed (WatchRequests) instead of WatchChanges.
  void FollowRequests() { requests_ = true; }

  // Follows until a change touches slot `until_slot` or `timeout` passes;
  // false on timeout.
  bool Run(const std::string& until_slot, absl::Duration timeout) {
    return RunUntil(
        [&](const v1::ChangedObject& o) { return o.slot().id() == until_slot; },
        timeout);
  }
  // As Run, until a change sends an object for which `done` is true.
  template <typename Done>
  bool RunUntil(Done done, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(deadline));
      auto stub = v1::ChangeService::NewStub(server_->Channel());
      std::unique_ptr<grpc::ClientReader<v1::WatchChangesResponse>> reader;
      if (requests_) {
        v1::WatchRequestsRequest request;
        request.set_after_sequence(last_);
        reader = stub->WatchRequests(&context, request);
      } else {
        v1::WatchChangesRequest request;
        request.set_after_sequence(last_);
        reader = stub->WatchChanges(&context, request);
      }
      v1::WatchChangesResponse response;
      bool broke = false;
      while (reader->Read(&response)) {
        if (Take(response, done)) {
          context.TryCancel();
          reader->Finish();
          return true;
        }
        if (break_one_in_ > 0 && rng_() % break_one_in_ == 0) {
          broke = true;
          ++resumes_;
          context.TryCancel();
          break;
        }
      }
      const grpc::Status status = reader->Finish();
      if (!broke) {
        ++stream_errors_;
        last_error_ = status.error_message();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    return false;
  }

  const std::vector<std::string>& lines() const { return lines_; }
  uint64_t last_sequence() const { return last_; }
  // Changes whose sequence was not above the one before (never expected).
  int out_of_order() const { return out_of_order_; }
  int resumes() const { return resumes_; }
  int stream_errors() const { return stream_errors_; }
  const std::string& last_error() const { return last_error_; }

 private:
  // Records a message; true once an object `done` accepts appeared.
  template <typename Done>
  bool Take(const v1::WatchChangesResponse& response, Done& done) {
    bool found = false;
    for (const v1::Change& change : response.changes()) {
      if (change.sequence() <= last_change_) ++out_of_order_;
      last_change_ = change.sequence();
      for (const v1::ChangedObject& object : change.objects()) {
        lines_.push_back(absl::StrCat("#", change.sequence(), " ",
                                      change.action(), " ",
                                      ObjectLine(object)));
        found |= done(object);
      }
    }
    last_ = response.last_sequence();
    return found;
  }

  const ServerProcess* server_;
  std::mt19937_64 rng_;
  const int break_one_in_;
  bool requests_ = false;
  uint64_t last_ = 0, last_change_ = 0;
  std::vector<std::string> lines_;
  int out_of_order_ = 0, resumes_ = 0, stream_errors_ = 0;
  std::string last_error_;
};

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_CHANGE_FOLLOWER_H_
