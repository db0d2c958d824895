// WatcherPool: change-feed readers running beside a load, as dashboards and
// standby copies would follow a busy server: each follows
// ChangeService.WatchChanges from now, resumes after its last sequence when
// the server ends its stream (RESOURCE_EXHAUSTED for a reader that fell
// behind), and counts what it received.
#ifndef CRENEAU_BENCH_WATCH_LOAD_H_
#define CRENEAU_BENCH_WATCH_LOAD_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "grpcpp/grpcpp.h"

namespace creneau::bench {

struct WatchOptions {
  std::string server = "127.0.0.1:50051";  // Loopback only.
  std::string token;
  int watchers = 0;
  // "none": every change; "profession": watcher i follows profession
  // 1 + i % 12 (a dashboard of one kind of care).
  std::string filter = "profession";
  int channels = 4;  // TCP connections shared by the watchers.
};

struct WatchCounts {
  int64_t objects = 0;       // Changed objects received.
  int64_t messages = 0;      // Stream messages.
  int64_t ended_behind = 0;  // Streams ended RESOURCE_EXHAUSTED (resumed).
  int64_t errors = 0;        // Streams ended otherwise before Stop.
};

class WatcherPool {
 public:
  // The most watchers a pool runs (a thread each).
  static constexpr int kMaxWatchers = 1000;

  explicit WatcherPool(WatchOptions options);
  ~WatcherPool();  // Stops.
  // Opens every stream and waits until each has its first message or 10 s.
  void Start();
  // Cancels every stream and joins; returns what was received.
  WatchCounts Stop();

 private:
  struct Watcher;
  void Follow(Watcher* watcher, int index);

  const WatchOptions options_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<Watcher>> watchers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> started_{0};
};

}  // namespace creneau::bench

#endif  // CRENEAU_BENCH_WATCH_LOAD_H_
