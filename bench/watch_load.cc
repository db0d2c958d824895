#include "bench/watch_load.h"

#include <algorithm>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "creneau/v1/change_service.grpc.pb.h"

namespace creneau::bench {

namespace v1 = ::creneau::v1;

struct WatcherPool::Watcher {
  absl::Mutex mu;
  grpc::ClientContext* context ABSL_GUARDED_BY(mu) = nullptr;
  WatchCounts counts;  // Written by its thread only; read after join.
};

WatcherPool::WatcherPool(WatchOptions options) : options_(std::move(options)) {
  grpc::ChannelArguments args;
  for (int c = 0; c < std::max(1, options_.channels); ++c) {
    args.SetInt("creneau.watch_channel", c);  // Distinct connections.
    channels_.push_back(grpc::CreateCustomChannel(
        options_.server, grpc::InsecureChannelCredentials(), args));
  }
}

WatcherPool::~WatcherPool() { Stop(); }

void WatcherPool::Start() {
  const int n = std::min(options_.watchers, kMaxWatchers);
  for (int i = 0; i < n; ++i) watchers_.push_back(std::make_unique<Watcher>());
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this, i] { Follow(watchers_[i].get(), i); });
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (started_.load() < n && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
}

void WatcherPool::Follow(Watcher* watcher, int index) {
  auto stub = v1::ChangeService::NewStub(channels_[index % channels_.size()]);
  v1::WatchChangesRequest request;
  request.set_from_now(true);
  if (options_.filter == "profession") {
    request.mutable_filter()->add_professions(
        static_cast<v1::Profession>(1 + index % 12));
  }
  bool first = true;
  while (!stopping_.load()) {
    grpc::ClientContext context;
    if (!options_.token.empty()) {
      context.AddMetadata("authorization", "Bearer " + options_.token);
    }
    {
      absl::MutexLock lock(&watcher->mu);
      watcher->context = &context;
    }
    if (stopping_.load()) context.TryCancel();
    auto reader = stub->WatchChanges(&context, request);
    // The stream is open once its initial metadata arrived.
    reader->WaitForInitialMetadata();
    if (first) {
      first = false;
      ++started_;
    }
    v1::WatchChangesResponse response;
    while (reader->Read(&response)) {
      ++watcher->counts.messages;
      for (const v1::Change& change : response.changes()) {
        watcher->counts.objects += change.objects_size();
      }
      request.set_from_now(false);
      request.set_after_sequence(response.last_sequence());
    }
    const grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&watcher->mu);
      watcher->context = nullptr;
    }
    if (stopping_.load()) break;
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++watcher->counts.ended_behind;
    } else {
      ++watcher->counts.errors;
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
}

WatchCounts WatcherPool::Stop() {
  stopping_ = true;
  for (auto& watcher : watchers_) {
    absl::MutexLock lock(&watcher->mu);
    if (watcher->context != nullptr) watcher->context->TryCancel();
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  WatchCounts total;
  for (auto& watcher : watchers_) {
    total.objects += watcher->counts.objects;
    total.messages += watcher->counts.messages;
    total.ended_behind += watcher->counts.ended_behind;
    total.errors += watcher->counts.errors;
  }
  watchers_.clear();
  return total;
}

}  // namespace creneau::bench
