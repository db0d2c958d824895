// WatchHub: what each stream is sent next (its step), from the tail, the
// store or its snapshot, kept to what its caller may see.
#include "absl/strings/str_cat.h"
#include "server/to_proto.h"
#include "server/waitlist_proto.h"
#include "server/watch_hub.h"

namespace creneau::server {
namespace {

bool IsAudit(EventType type) {
  return type == EventType::kBookingRead || type == EventType::kCallsRefused;
}

// Fills `out` with a state the caller may see, slots and bookings with
// their professional's time zone; false when there is nothing to send (a
// professional or territory cannot be removed).
bool ToChangedObject(const Engine& engine, const Subject& subject,
                     const SubjectState& state, v1::ChangedObject* out) {
  if (const auto* slot = std::get_if<SlotView>(&state)) {
    ToProto(*slot, out->mutable_slot());
    out->mutable_slot()->set_time_zone(
        TimeZoneOf(engine, slot->slot.professional_id));
  } else if (const auto* p = std::get_if<Professional>(&state)) {
    ToProto(*p, out->mutable_professional());
  } else if (const auto* booking = std::get_if<Booking>(&state)) {
    ToProto(*booking, out->mutable_booking());
    out->mutable_booking()->set_time_zone(
        TimeZoneOf(engine, booking->professional_id));
  } else if (const auto* territory = std::get_if<Territory>(&state)) {
    ToProto(*territory, out->mutable_territory());
  } else if (const auto* request = std::get_if<WaitingRequest>(&state)) {
    ToProto(*request, out->mutable_request());
  } else if (subject.kind == SubjectKind::kSlot) {
    out->set_removed_slot_id(subject.id);
  } else if (subject.kind == SubjectKind::kBooking) {
    out->set_removed_booking_id(subject.id);
  } else if (subject.kind == SubjectKind::kRequest) {
    out->set_removed_request_id(subject.id);
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool WatchHub::Step(WatchStream* s) {
  const storage::Store& store = parts_.host->store();
  if (s->snapshot_pending_) return StepSnapshot(s);
  std::vector<storage::SharedEvent> events;
  const bool in_tail =
      store.tail().ReadAfter(s->cursor_, kMaxEventsPerStep, &events);
  const uint64_t last = store.tail().last_sequence();
  const uint64_t lag = last > s->cursor_ ? last - s->cursor_ : 0;
  if (s->live_ && (!in_tail || lag > kMaxLagEvents)) {
    End(s, absl::ResourceExhaustedError(absl::StrCat(
               "the client reads too slowly: more than ", kMaxLagEvents,
               " events behind; resume after sequence ", s->reported_)));
    return false;
  }
  if (in_tail) {
    s->live_ = true;
  } else {
    // Catching up on events older than the tail keeps.
    std::vector<storage::SequencedEvent> read;
    absl::StatusOr<uint64_t> next =
        store.ReadEvents(s->cursor_ + 1, kMaxEventsPerStep, &read);
    if (next.ok() && !read.empty() && read.front().sequence != s->cursor_ + 1) {
      next = absl::OutOfRangeError(
          absl::StrCat("the log's retention removed the events after ",
                       s->cursor_, "; start again from a snapshot"));
    }
    if (!next.ok()) {
      End(s, next.status());
      return false;
    }
    for (storage::SequencedEvent& e : read) {
      events.push_back(
          std::make_shared<const storage::SequencedEvent>(std::move(e)));
    }
  }
  Select(s, events);
  const bool progress = s->cursor_ != s->reported_ &&
                        absl::Now() - s->last_write_ >= kProgressInterval;
  if (s->message_.changes_size() > 0 || progress) {
    s->message_.set_last_sequence(s->cursor_);
    s->reported_ = s->cursor_;
    Write(s);
  }
  return events.size() == kMaxEventsPerStep ||
         (!events.empty() && events.back()->sequence != s->cursor_);
}

bool WatchHub::StepSnapshot(WatchStream* s) {
  // Sent once every event it reflects is durable.
  if (parts_.host->store().tail().last_sequence() < s->snapshot_sequence_) {
    return false;
  }
  s->message_.Clear();
  s->message_.set_last_sequence(s->snapshot_sequence_);
  if (s->snapshot_sent_ < s->snapshot_.size()) {
    s->message_.set_snapshot(true);
    v1::Change* change = s->message_.add_changes();
    change->set_sequence(s->snapshot_sequence_);
    change->set_action("snapshot");
    (void)parts_.host->Read<bool>([&](const Engine& engine, absl::Time) {
      for (int n = 0;
           n < kMaxChangesPerMessage && s->snapshot_sent_ < s->snapshot_.size();
           ++n, ++s->snapshot_sent_) {
        ToChangedObject(engine, Subject(), s->snapshot_[s->snapshot_sent_],
                        change->add_objects());
      }
      return true;
    });
  } else {
    // The end of the snapshot: a message without changes nor the mark.
    s->snapshot_pending_ = false;
    std::vector<SubjectState>().swap(s->snapshot_);
  }
  s->reported_ = s->snapshot_sequence_;
  Write(s);
  return false;
}

void WatchHub::Select(WatchStream* s,
                      const std::vector<storage::SharedEvent>& events) {
  s->message_.Clear();
  (void)parts_.host->Read<bool>([&](const Engine& engine, absl::Time) {
    int objects = 0;
    for (const storage::SharedEvent& sequenced : events) {
      if (s->message_.changes_size() >= kMaxChangesPerMessage ||
          objects >= kMaxObjectsPerMessage) {
        break;
      }
      const Event& e = sequenced->event;
      // Audit records change nothing; events written before states were
      // recorded (format version 2) have none to send.
      if (!IsAudit(e.type) && e.states.size() == e.subjects.size()) {
        v1::Change* change = nullptr;
        for (size_t i = 0; i < e.subjects.size(); ++i) {
          // The waitlist's feed and the change feed share the log, not
          // their subjects.
          if ((e.subjects[i].kind == SubjectKind::kRequest) !=
                  s->filter_.requests ||
              !engine.MayWatch(s->caller_, s->filter_, e.states[i])) {
            continue;
          }
          if (change == nullptr) {
            change = s->message_.add_changes();
            change->set_sequence(sequenced->sequence);
            change->mutable_time()->set_seconds(e.time_unix_s);
            change->set_action(ActionName(e.type));
          }
          if (!ToChangedObject(engine, e.subjects[i], e.states[i],
                               change->add_objects())) {
            change->mutable_objects()->RemoveLast();
          } else {
            ++objects;
          }
        }
      }
      s->cursor_ = sequenced->sequence;
    }
    return true;
  });
}

}  // namespace creneau::server
