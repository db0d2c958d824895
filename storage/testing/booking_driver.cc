#include "storage/testing/booking_driver.h"

#include <atomic>
#include <deque>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/check.h"
#include "engine/testing/workload.h"

namespace creneau::storage::testing {
namespace {

struct Client {
  std::string slot_id;
  std::string token;
};

// One driver thread and the clients it owns.
class Worker {
 public:
  // `run` numbers the runs of this process: request ids stay unique when
  // the same host serves several runs (a benchmark's iterations).
  Worker(EngineHost* host, const std::vector<std::string>* slot_ids,
         uint64_t run, int index, int clients, uint64_t seed)
      : host_(host),
        slot_ids_(slot_ids),
        run_(run),
        index_(index),
        clients_(clients),
        rng_(seed) {}

  void Run(absl::Time deadline, BookingRun* run) {
    for (size_t c = 0; c < clients_.size(); ++c) StartHold(c);
    size_t in_flight = clients_.size();
    std::vector<Done> batch;
    while (in_flight > 0) {
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](std::deque<Done>* q) { return !q->empty(); }, &done_));
        batch.assign(done_.begin(), done_.end());
        done_.clear();
      }
      const bool more = absl::Now() < deadline;
      for (const Done& d : batch) {
        --in_flight;
        if (d.step == Step::kHold) {
          if (d.status.ok()) {
            StartConfirm(d.client);  // Finish what was started, even past time.
            ++in_flight;
            continue;
          }
          if (absl::IsFailedPrecondition(d.status)) {
            ++run->refused_holds;
          } else {
            Error(d.status, run);
          }
        } else if (d.status.ok()) {
          ++run->bookings;
        } else {
          Error(d.status, run);
        }
        if (more) {
          StartHold(d.client);
          ++in_flight;
        }
      }
    }
  }

 private:
  enum class Step { kHold, kConfirm };
  struct Done {
    size_t client;
    Step step;
    absl::Status status;
  };

  static void Error(const absl::Status& status, BookingRun* run) {
    if (run->errors++ == 0) run->first_error = status;
  }

  void Finish(size_t client, Step step, absl::Status status) {
    absl::MutexLock lock(&mu_);
    done_.push_back({client, step, std::move(status)});
  }

  std::string NextRequestId() {
    return absl::StrCat("bench-", run_, "-", index_, "-", ++requests_);
  }

  void StartHold(size_t c) {
    Client& client = clients_[c];
    client.slot_id = (*slot_ids_)[rng_() % slot_ids_->size()];
    client.token = EngineHost::NewHoldToken();
    const RequestKey key{NextRequestId(), 1};
    const HoldCommand command{client.slot_id, client.token,
                              limits::kDefaultHoldTtlS};
    host_->Mutate<creneau::Hold>(
        [&](Engine& engine, absl::Time now, Effects* effects) {
          return engine.HoldSlot(::creneau::testing::BenchRegulator(), key,
                                 command, now, effects);
        },
        [this, c](absl::StatusOr<creneau::Hold> r) {
          Finish(c, Step::kHold, r.status());
        });
  }

  void StartConfirm(size_t c) {
    const Client& client = clients_[c];
    const RequestKey key{NextRequestId(), 2};
    const ConfirmCommand command{client.slot_id, client.token, "bench-patient",
                                 ""};
    host_->Mutate<Booking>(
        [&](Engine& engine, absl::Time now, Effects* effects) {
          return engine.ConfirmBooking(::creneau::testing::BenchRegulator(),
                                       key, command, now, effects);
        },
        [this, c](absl::StatusOr<Booking> r) {
          Finish(c, Step::kConfirm, r.status());
        });
  }

  EngineHost* const host_;
  const std::vector<std::string>* const slot_ids_;
  const uint64_t run_;
  const int index_;
  std::vector<Client> clients_;
  std::mt19937_64 rng_;
  uint64_t requests_ = 0;
  absl::Mutex mu_;
  std::deque<Done> done_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

BookingRun RunDurableBookings(EngineHost& host,
                              const std::vector<std::string>& slot_ids,
                              const BookingDriverOptions& options) {
  CRENEAU_CHECK(!slot_ids.empty());
  CRENEAU_CHECK(options.workers > 0 && options.clients >= options.workers);
  static std::atomic<uint64_t> runs_started{0};
  const uint64_t run_number = runs_started.fetch_add(1);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int w = 0; w < options.workers; ++w) {
    workers.push_back(std::make_unique<Worker>(
        &host, &slot_ids, run_number, w, options.clients / options.workers,
        options.seed * 1000 + w));
  }
  std::vector<BookingRun> runs(workers.size());
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + options.duration;
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers.size(); ++w) {
    threads.emplace_back([&, w] { workers[w]->Run(deadline, &runs[w]); });
  }
  for (std::thread& t : threads) t.join();
  BookingRun total;
  total.elapsed = absl::Now() - start;
  for (const BookingRun& r : runs) {
    total.bookings += r.bookings;
    total.refused_holds += r.refused_holds;
    if (total.errors == 0 && r.errors != 0) total.first_error = r.first_error;
    total.errors += r.errors;
  }
  return total;
}

}  // namespace creneau::storage::testing
