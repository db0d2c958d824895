#include "server/watch_hub.h"

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "server/to_proto.h"

namespace creneau::server {

void WatchStream::OnWriteDone(bool ok) { hub_->WriteDone(this, ok); }
void WatchStream::OnCancel() { hub_->Cancelled(this); }
void WatchStream::OnDone() { hub_->Done(this); }

WatchHub::WatchHub(ServiceParts parts) : parts_(parts) {
  if (parts_.host == nullptr) return;  // A server without an engine (tests).
  parts_.host->set_change_listener([this] { Signal(); });
  thread_ = std::thread([this] { Loop(); });
}

WatchHub::~WatchHub() {
  if (parts_.host == nullptr) return;
  parts_.host->set_change_listener(nullptr);
  Close();
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    signalled_ = true;
  }
  thread_.join();
}

absl::Status WatchHub::Add(WatchStream* stream, WatchStart start) {
  {
    absl::MutexLock lock(&mu_);
    if (closing_) return absl::UnavailableError("the server is stopping");
    if (streams_.size() >= kMaxStreams) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the server already streams ", kMaxStreams, " change feeds"));
    }
  }
  const storage::Store& store = parts_.host->store();
  const uint64_t last = store.tail().last_sequence();
  switch (start.mode) {
    case WatchStart::Mode::kFromNow:
      stream->cursor_ = last;
      break;
    case WatchStart::Mode::kSnapshot: {
      absl::StatusOr<uint64_t> at = parts_.host->Read<uint64_t>(
          [&](const Engine& engine, absl::Time) -> absl::StatusOr<uint64_t> {
            absl::Status status =
                engine.WatchSnapshot(stream->caller_, stream->filter_,
                                     kMaxSnapshotObjects, &stream->snapshot_);
            if (!status.ok()) return status;
            // The engine's state is that of every event assigned so far.
            return store.stats().last_sequence;
          });
      if (!at.ok()) return at.status();
      stream->snapshot_pending_ = true;
      stream->snapshot_sequence_ = stream->cursor_ = *at;
      break;
    }
    case WatchStart::Mode::kAfterSequence: {
      uint64_t after = start.after_sequence;
      // The store is asked only for a start older than the tail keeps (an
      // iterator over the log costs a sort of its memtable).
      absl::StatusOr<uint64_t> first = store.tail().first_sequence();
      if (after == 0 || after + 1 < *first) first = store.FirstSequence();
      if (!first.ok()) return first.status();
      if (after == 0) after = *first - 1;
      if (after + 1 < *first) {
        return absl::OutOfRangeError(
            absl::StrCat("after_sequence: ", after,
                         " is no longer kept; the oldest "
                         "event kept is ",
                         *first, " (start again from a snapshot)"));
      }
      if (after > last) {
        return absl::OutOfRangeError(absl::StrCat(
            "after_sequence: ", after, " is beyond the last event, ", last));
      }
      stream->cursor_ = after;
      break;
    }
  }
  stream->reported_ = stream->cursor_;
  absl::MutexLock lock(&mu_);
  streams_.emplace(stream, Flags());
  signalled_ = true;
  return absl::OkStatus();
}

void WatchHub::Close() {
  absl::MutexLock lock(&mu_);
  closing_ = true;
  signalled_ = true;
}

size_t WatchHub::size() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

void WatchHub::Signal() {
  absl::MutexLock lock(&mu_);
  signalled_ = true;
}

void WatchHub::Loop() {
  while (true) {
    std::vector<WatchStream*> ready, cancelled, closed;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&signalled_), kTick);
      if (stopping_) return;
      signalled_ = false;
      for (auto& [stream, flags] : streams_) {
        if (flags.finished) continue;
        if (flags.cancelled) {
          cancelled.push_back(stream);
        } else if (closing_) {
          closed.push_back(stream);
        } else if (!flags.writing) {
          ready.push_back(stream);
        }
      }
    }
    for (WatchStream* s : cancelled) End(s, absl::CancelledError("cancelled"));
    for (WatchStream* s : closed) {
      End(s,
          absl::UnavailableError(absl::StrCat(
              "the server is stopping; resume after sequence ", s->reported_)));
    }
    bool more = false;
    for (WatchStream* s : ready) more |= Step(s);
    if (more) Signal();
  }
}

void WatchHub::Write(WatchStream* s) {
  {
    absl::MutexLock lock(&mu_);
    streams_[s].writing = true;
  }
  s->last_write_ = absl::Now();
  s->StartWrite(&s->message_);
}

void WatchHub::End(WatchStream* s, const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    Flags& flags = streams_[s];
    if (flags.finished) return;
    flags.finished = true;
  }
  if (!absl::IsCancelled(status)) parts_.gate->Count(s->principal_, status);
  s->Finish(ToGrpc(status));
}

// A stream the hub never took (Add refused it) has no entry: the service
// finished it.
void WatchHub::WriteDone(WatchStream* s, bool ok) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(s);
  if (it == streams_.end()) return;
  it->second.writing = false;
  if (!ok) it->second.cancelled = true;
  signalled_ = true;
}

void WatchHub::Cancelled(WatchStream* s) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(s);
  if (it == streams_.end()) return;
  it->second.cancelled = true;
  signalled_ = true;
}

void WatchHub::Done(WatchStream* s) {
  {
    absl::MutexLock lock(&mu_);
    streams_.erase(s);
  }
  delete s;
}

}  // namespace creneau::server
