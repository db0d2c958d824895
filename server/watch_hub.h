// WatchHub: the change feed's streams (ChangeService.WatchChanges) and the
// one thread that feeds them.
//
// Each stream has a cursor in the event log. The hub's thread wakes when
// the store's writer appends to the event tail (EventTail's listener only
// signals: the writer never waits for a reader), when a stream's write
// completes, or every kTick; it then gives every stream without a write in
// flight its next message: events after its cursor from the tail (or from
// the store while catching up on older ones), kept to what its caller may
// see (Engine::MayWatch, under the engine's shared lock once per batch).
// A stream holds one message at a time, so a slow reader costs no memory:
// it only falls behind, and once it is kMaxLagEvents behind while following
// live changes, it is ended with RESOURCE_EXHAUSTED and resumes from its
// last sequence (still in the tail, which keeps four times as many).
#ifndef CRENEAU_SERVER_WATCH_HUB_H_
#define CRENEAU_SERVER_WATCH_HUB_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "creneau/v1/change_service.grpc.pb.h"
#include "engine/engine.h"
#include "server/call.h"

namespace creneau::server {

class WatchHub;

// Where a stream starts.
struct WatchStart {
  enum class Mode { kAfterSequence, kSnapshot, kFromNow };
  Mode mode = Mode::kAfterSequence;
  uint64_t after_sequence = 0;
};

// One WatchChanges call. Created by ChangeService, driven by the hub,
// deleted when gRPC is done with it.
class WatchStream final
    : public grpc::ServerWriteReactor<v1::WatchChangesResponse> {
 public:
  WatchStream(WatchHub* hub, std::string principal, Caller caller,
              WatchFilter filter)
      : hub_(hub),
        principal_(std::move(principal)),
        caller_(std::move(caller)),
        filter_(std::move(filter)) {}

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  friend class WatchHub;

  WatchHub* const hub_;
  const std::string principal_;
  const Caller caller_;
  const WatchFilter filter_;
  // The hub thread's own (only it steps a stream).
  uint64_t cursor_ = 0;    // Every event up to here was sent or skipped.
  uint64_t reported_ = 0;  // The last last_sequence sent.
  bool live_ = false;      // Has read from the tail.
  bool snapshot_pending_ = false;
  uint64_t snapshot_sequence_ = 0;
  std::vector<SubjectState> snapshot_;
  size_t snapshot_sent_ = 0;
  absl::Time last_write_ = absl::Now();
  v1::WatchChangesResponse message_;  // The write in flight.
};

class WatchHub {
 public:
  // Streams served at once; more are refused with RESOURCE_EXHAUSTED.
  static constexpr size_t kMaxStreams = 1000;
  // Changes per message, and events a stream examines per step.
  static constexpr int kMaxChangesPerMessage = 256;
  // A message takes no further change once it holds this many objects (a
  // change is never split; the engine's events list at most a few
  // thousand subjects), so that it stays within 4 MiB, gRPC's default
  // limit for what a client receives.
  static constexpr int kMaxObjectsPerMessage = 4096;
  static constexpr size_t kMaxEventsPerStep = 1024;
  // How far behind the last event a stream following live changes may
  // fall (its buffer, counted in events) before it is ended.
  static constexpr uint64_t kMaxLagEvents = 16384;
  // Objects one snapshot may hold.
  static constexpr size_t kMaxSnapshotObjects = 200000;
  // Filter sizes.
  static constexpr int kMaxFilterTerritories = 64;
  static constexpr int kMaxFilterProfessionals = 1000;
  // A stream with nothing to send still reports its position this often.
  static constexpr absl::Duration kProgressInterval = absl::Seconds(5);
  // The longest the hub's thread sleeps.
  static constexpr absl::Duration kTick = absl::Milliseconds(200);

  // `parts.host` must outlive the hub. Starts the thread.
  explicit WatchHub(ServiceParts parts);
  // Ends every stream (UNAVAILABLE) and stops the thread; gRPC calls must
  // be over (the server shut down) before the hub is destroyed.
  ~WatchHub();

  // Starts `stream` at `start`: OUT_OF_RANGE when the sequence is no
  // longer kept or not yet written, RESOURCE_EXHAUSTED beyond kMaxStreams.
  // On error the stream is not taken (the caller finishes it).
  absl::Status Add(WatchStream* stream, WatchStart start);
  // Ends every stream with UNAVAILABLE (the server is stopping) and
  // refuses new ones.
  void Close();
  // Streams open now.
  size_t size() const;

 private:
  friend class WatchStream;
  struct Flags {
    bool writing = false;
    bool cancelled = false;
    bool finished = false;
  };

  void Signal();
  void Loop();
  // One message for `stream` if it has one; returns true when it has
  // more to send at once.
  bool Step(WatchStream* stream);
  bool StepSnapshot(WatchStream* stream);
  // Fills the stream's message with the visible changes of `events`.
  void Select(WatchStream* stream,
              const std::vector<storage::SharedEvent>& events);
  void Write(WatchStream* stream);
  void End(WatchStream* stream, const absl::Status& status);
  void WriteDone(WatchStream* stream, bool ok);
  void Cancelled(WatchStream* stream);
  void Done(WatchStream* stream);

  const ServiceParts parts_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<WatchStream*, Flags> streams_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool signalled_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_WATCH_HUB_H_
