#include "tests/durability/simulation.h"

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "engine/engine.h"
#include "storage/clock.h"
#include "storage/engine_host.h"
#include "storage/store.h"
#include "storage/testing/fault_injection_fs.h"
#include "storage/testing/manual_clock.h"

namespace creneau::testing {
namespace {

using FakeClock = storage::testing::ManualClock;

const Caller& Regulator() {
  static const Caller c{"sim-regulator",
                        Bit(Visibility::kPublic) | Bit(Visibility::kRegulation),
                        /*may_overbook=*/true, ""};
  return c;
}
const Caller& Feed() {
  static const Caller c{"sim-feed", Bit(Visibility::kPublic), false, ""};
  return c;
}

enum class Kind { kHold, kConfirm, kRelease, kCancel, kPublish, kWithdraw };

struct KnownHold {
  std::string token, slot_id;
  int64_t expire_unix_s = 0;
};
struct KnownBooking {
  std::string id, slot_id;
  bool cancelled = false;       // Cancellation acknowledged.
  bool cancel_unknown = false;  // A cancellation's fate is unknown.
};

// One command of a wave and, once answered, its outcome.
struct Command {
  Kind kind = Kind::kHold;
  KnownHold hold;           // kHold (new), kConfirm, kRelease.
  size_t booking = 0;       // kCancel: index into bookings_.
  std::vector<Slot> slots;  // kPublish.
  std::string slot_id;      // kWithdraw.
  absl::Status status;
  std::optional<Booking> booking_result;
  bool answered = false;
};

class Simulation {
 public:
  Simulation(const SimulationOptions& options, std::string dir)
      : options_(options), dir_(std::move(dir)), rng_(options.seed) {}

  absl::StatusOr<SimulationStats> Run();

 private:
  absl::Status Fail(absl::string_view what) const {
    return absl::InternalError(
        absl::StrCat("seed ", options_.seed, ", wave ", wave_, ": ", what));
  }
  bool Chance(double p) { return std::uniform_real_distribution<>()(rng_) < p; }
  size_t Below(size_t n) { return rng_() % n; }

  absl::Status Open();
  void Close() {
    host_.reset();
    store_.reset();
  }
  absl::Status Restart(bool lose_unsynced);
  std::vector<Slot> NewSlots(int count);
  Command Draw();
  void Submit(Command* command);
  absl::Status Learn(Command& command, bool store_failed);
  absl::Status RunWave();
  absl::Status CheckFailedStore();
  absl::Status Verify();
  absl::Status VerifyHoldsAndWithdrawals(const Engine& e, int64_t now);

  const SimulationOptions options_;
  const std::string dir_;
  std::mt19937_64 rng_;
  storage::testing::FaultInjectionFs fs_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::EngineHost> host_;
  int wave_ = 0;
  int next_slot_ = 0;
  uint64_t next_request_ = 0;
  SimulationStats stats_;

  std::vector<std::string> slots_;          // Acknowledged, not withdrawn.
  std::set<std::string> withdrawn_;         // Withdrawal acknowledged.
  std::set<std::string> withdraw_unknown_;  // Withdrawal fate unknown.
  std::map<std::string, int> capacity_;     // Capacity + overbooking.
  std::vector<std::vector<std::string>> publish_unknown_;
  std::vector<KnownHold> holds_;     // Acknowledged, not yet used.
  std::vector<KnownHold> released_;  // Release acknowledged.
  std::vector<KnownBooking> bookings_;
  std::map<std::string, int> confirm_unknown_;  // Per slot.

  absl::Mutex mu_;
  int unanswered_ ABSL_GUARDED_BY(mu_) = 0;
};

absl::Status Simulation::Open() {
  storage::StoreOptions options;
  options.path = dir_;
  options.env = fs_.env();
  auto store = storage::Store::Open(options);
  if (!store.ok())
    return Fail(absl::StrCat("reopen: ", store.status().ToString()));
  store_ = *std::move(store);
  host_ = std::make_unique<storage::EngineHost>(
      std::make_shared<const CommuneTable>(), store_.get(), &clock_);
  auto loaded = host_->Load();
  if (!loaded.ok())
    return Fail(absl::StrCat("reload: ", loaded.status().ToString()));
  return absl::OkStatus();
}

absl::Status Simulation::Restart(bool lose_unsynced) {
  Close();
  if (lose_unsynced) stats_.bytes_dropped += fs_.DropUnsyncedData();
  fs_.SetFaults(0, 0, 0);
  fs_.RestorePower();
  ++stats_.restarts;
  if (absl::Status s = Open(); !s.ok()) return s;
  return Verify();
}

std::vector<Slot> Simulation::NewSlots(int count) {
  std::vector<Slot> slots;
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  for (int i = 0; i < count; ++i) {
    Slot s;
    s.id = absl::StrFormat("s-%06d", next_slot_++);
    s.professional_id = "pro-1";
    s.start_unix_s = now + 3600 + static_cast<int64_t>(Below(48)) * 900;
    s.duration_s = 900;
    s.modality = Modality::kInOffice;
    s.capacity = 1 + static_cast<int32_t>(Below(3));
    s.overbooking_places = static_cast<int32_t>(Below(2));
    s.visibility = Chance(0.8) ? Visibility::kPublic : Visibility::kRegulation;
    slots.push_back(s);
  }
  return slots;
}

Command Simulation::Draw() {
  Command c;
  const int roll = static_cast<int>(Below(100));
  if (roll < 8 || slots_.empty()) {
    c.kind = Kind::kPublish;
    c.slots = NewSlots(1 + static_cast<int>(Below(6)));
  } else if (roll < 40 || (holds_.empty() && bookings_.empty())) {
    c.kind = Kind::kHold;
    c.hold.slot_id = slots_[Below(slots_.size())];
    c.hold.token = absl::StrFormat("%032x", next_request_ + 1);
  } else if (roll < 65 && !holds_.empty()) {
    c.kind = Kind::kConfirm;
  } else if (roll < 75 && !holds_.empty()) {
    c.kind = Kind::kRelease;
  } else if (roll < 95 && !bookings_.empty()) {
    c.kind = Kind::kCancel;
    c.booking = Below(bookings_.size());
  } else {
    c.kind = Kind::kWithdraw;
    c.slot_id = slots_[Below(slots_.size())];
  }
  if ((c.kind == Kind::kConfirm || c.kind == Kind::kRelease)) {
    if (holds_.empty()) {
      c.kind = Kind::kHold;
      c.hold.slot_id = slots_[Below(slots_.size())];
      c.hold.token = absl::StrFormat("%032x", next_request_ + 1);
    } else {
      const size_t i = Below(holds_.size());
      c.hold = holds_[i];
      holds_.erase(holds_.begin() + i);  // Used once.
    }
  }
  return c;
}

void Simulation::Submit(Command* c) {
  {
    absl::MutexLock lock(&mu_);
    ++unanswered_;
  }
  ++stats_.commands;
  const RequestKey key{absl::StrCat("r-", ++next_request_), next_request_};
  auto answer = [this, c](absl::Status status) {
    absl::MutexLock lock(&mu_);
    c->status = std::move(status);
    c->answered = true;
    --unanswered_;
  };
  switch (c->kind) {
    case Kind::kHold: {
      const HoldCommand hold{c->hold.slot_id, c->hold.token,
                             30 + static_cast<int32_t>(Below(271))};
      host_->Mutate<Hold>(
          [&](Engine& e, absl::Time now, Effects* fx) {
            return e.HoldSlot(Regulator(), key, hold, now, fx);
          },
          [c, answer](absl::StatusOr<Hold> r) {
            if (r.ok()) c->hold.expire_unix_s = r->expire_unix_s;
            answer(r.status());
          });
      break;
    }
    case Kind::kConfirm: {
      const ConfirmCommand confirm{c->hold.slot_id, c->hold.token, "patient",
                                   ""};
      host_->Mutate<Booking>(
          [&](Engine& e, absl::Time now, Effects* fx) {
            return e.ConfirmBooking(Regulator(), key, confirm, now, fx);
          },
          [c, answer](absl::StatusOr<Booking> r) {
            if (r.ok()) c->booking_result = *r;
            answer(r.status());
          });
      break;
    }
    case Kind::kRelease: {
      const ReleaseCommand release{c->hold.slot_id, c->hold.token};
      host_->Mutate<Hold>(
          [&](Engine& e, absl::Time now, Effects* fx) {
            return e.ReleaseHold(Regulator(), key, release, now, fx);
          },
          [answer](absl::StatusOr<Hold> r) { answer(r.status()); });
      break;
    }
    case Kind::kCancel: {
      const CancelCommand cancel{bookings_[c->booking].id,
                                 CancelReason::kDuplicate};
      host_->Mutate<Booking>(
          [&](Engine& e, absl::Time now, Effects* fx) {
            return e.CancelBooking(Regulator(), key, cancel, now, fx);
          },
          [answer](absl::StatusOr<Booking> r) { answer(r.status()); });
      break;
    }
    case Kind::kPublish:
      host_->Mutate<BatchCounts>(
          [&](Engine& e, absl::Time now, Effects* fx) {
            return e.PublishSlots(Feed(), key, c->slots, now, fx);
          },
          [answer](absl::StatusOr<BatchCounts> r) { answer(r.status()); });
      break;
    case Kind::kWithdraw:
      host_->Mutate<BatchCounts>(
          [&](Engine& e, absl::Time now, Effects* fx) {
            return e.WithdrawSlots(Feed(), key, {c->slot_id}, now, fx);
          },
          [answer](absl::StatusOr<BatchCounts> r) { answer(r.status()); });
      break;
  }
}

// Records what an answered command tells for sure; `store_failed` says a
// crash or fault happened in its wave, so UNAVAILABLE leaves its fate open.
// In a healthy wave UNAVAILABLE is itself a failure: nothing may refuse a
// write while the disk works.
absl::Status Simulation::Learn(Command& c, bool store_failed) {
  const bool ok = c.status.ok();
  const bool unknown = !ok && absl::IsUnavailable(c.status);
  if (unknown && !store_failed) {
    return Fail(absl::StrCat("a command was refused on a healthy disk: ",
                             c.status.ToString()));
  }
  if (ok) ++stats_.acknowledged;
  switch (c.kind) {
    case Kind::kHold:
      if (ok) holds_.push_back(c.hold);
      break;
    case Kind::kConfirm:
      if (ok) {
        bookings_.push_back({c.booking_result->id, c.hold.slot_id});
      } else if (unknown) {
        ++confirm_unknown_[c.hold.slot_id];
      }
      break;
    case Kind::kRelease:
      if (ok) released_.push_back(c.hold);
      break;
    case Kind::kCancel:
      if (ok) bookings_[c.booking].cancelled = true;
      if (unknown && !bookings_[c.booking].cancelled) {
        bookings_[c.booking].cancel_unknown = true;
      }
      break;
    case Kind::kPublish:
      if (ok) {
        for (const Slot& s : c.slots) {
          slots_.push_back(s.id);
          capacity_[s.id] = s.capacity + s.overbooking_places;
        }
      } else if (unknown) {
        std::vector<std::string> ids;
        for (const Slot& s : c.slots) {
          ids.push_back(s.id);
          capacity_[s.id] = s.capacity + s.overbooking_places;
        }
        publish_unknown_.push_back(ids);
      }
      break;
    case Kind::kWithdraw:
      if (ok || unknown) {
        std::erase(slots_, c.slot_id);
        (ok ? withdrawn_ : withdraw_unknown_).insert(c.slot_id);
      }
      break;
  }
  return absl::OkStatus();
}

absl::Status Simulation::RunWave() {
  const size_t size = 1 + Below(options_.max_wave_size);
  const bool power_cut = Chance(options_.power_cut_p);
  const bool disk_fault = !power_cut && Chance(options_.disk_fault_p);
  const size_t cut_after = Below(size + 1);
  // Half the cuts fall on a log sync, between the write and its sync: the
  // worst moment, which a cut between two calls reaches only by chance.
  const bool cut_at_sync = power_cut && Chance(0.5);
  if (disk_fault) fs_.SetFaults(0.05, 0.2, rng_());
  if (cut_at_sync) fs_.CutPowerAtNextSync();
  std::vector<std::unique_ptr<Command>> commands;
  for (size_t i = 0; i < size; ++i) {
    commands.push_back(std::make_unique<Command>(Draw()));
  }
  for (size_t i = 0; i < size; ++i) {
    if (power_cut && !cut_at_sync && i == cut_after) fs_.CutPower();
    Submit(commands[i].get());
  }
  if (power_cut && !cut_at_sync && cut_after == size) fs_.CutPower();
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &unanswered_));
  }
  const bool failed = !store_->health().ok();
  for (auto& c : commands) {
    if (absl::Status s = Learn(*c, failed || power_cut); !s.ok()) return s;
  }
  if (failed && !power_cut) {
    ++stats_.disk_faults;
    if (absl::Status s = CheckFailedStore(); !s.ok()) return s;
  }
  if (power_cut) {
    ++stats_.power_cuts;
    return Restart(/*lose_unsynced=*/true);
  }
  if (failed) return Restart(/*lose_unsynced=*/true);
  fs_.SetFaults(0, 0, 0);
  clock_.Advance(absl::Seconds(Below(121)));
  return absl::OkStatus();
}

// A failed store: writes refused, not serving, reads still answered.
absl::Status Simulation::CheckFailedStore() {
  if (host_->serving()) return Fail("still serving after a disk fault");
  absl::Status refused;
  host_->Mutate<BatchCounts>(
      [&](Engine& e, absl::Time now, Effects* fx) {
        return e.PublishSlots(Feed(), {}, NewSlots(1), now, fx);
      },
      [&](absl::StatusOr<BatchCounts> r) { refused = r.status(); });
  if (!absl::IsUnavailable(refused)) {
    return Fail(
        absl::StrCat("a write after a disk fault got ", refused.ToString()));
  }
  if (!slots_.empty()) {
    auto slot = host_->Read<SlotView>(
        [&](const Engine& e, absl::Time) { return e.GetSlot(slots_.front()); });
    if (!slot.ok()) {
      return Fail(absl::StrCat("reads stopped after a disk fault: ",
                               slot.status().ToString()));
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::Verify() {
  return host_
      ->Read<bool>([&](const Engine& e,
                       absl::Time now) -> absl::StatusOr<bool> {
        std::map<std::string, int> booked_known;
        for (KnownBooking& b : bookings_) {
          ++stats_.bookings_checked;
          auto got = e.GetBooking(b.id);
          if (!got.ok())
            return Fail(absl::StrCat("acknowledged booking ", b.id, " lost"));
          if (got->slot_id != b.slot_id)
            return Fail(absl::StrCat(b.id, " moved slot"));
          const bool cancelled = got->status == BookingStatus::kCancelled;
          if (b.cancel_unknown) {
            b.cancelled = cancelled;  // Its fate is settled now.
            b.cancel_unknown = false;
          } else if (cancelled != b.cancelled) {
            return Fail(absl::StrCat(
                b.id, cancelled ? " cancelled without an acknowledged cancel"
                                : " lost its acknowledged cancellation"));
          }
          if (!b.cancelled) ++booked_known[b.slot_id];
        }
        for (const std::string& id : slots_) {
          if (!e.GetSlot(id).ok())
            return Fail(absl::StrCat("acknowledged slot ", id, " lost"));
        }
        for (const auto& ids : publish_unknown_) {
          size_t present = 0;
          for (const std::string& id : ids) present += e.GetSlot(id).ok();
          if (present != 0 && present != ids.size()) {
            return Fail(absl::StrCat("a publish is half applied: ", present,
                                     " of ", ids.size()));
          }
          if (present == ids.size())
            slots_.insert(slots_.end(), ids.begin(), ids.end());
        }
        publish_unknown_.clear();
        for (const auto& [id, places] : capacity_) {
          auto view = e.GetSlot(id);
          if (!view.ok()) continue;
          const int taken = view->places_held + view->places_booked;
          if (taken > places)
            return Fail(
                absl::StrCat(id, ": ", taken, " places taken of ", places));
          const int known = booked_known[id];
          const int maybe = confirm_unknown_[id];
          if (view->places_booked < known ||
              view->places_booked > known + maybe) {
            return Fail(
                absl::StrFormat("%s: %d booked, acknowledged %d (+%d unknown)",
                                id, view->places_booked, known, maybe));
          }
        }
        if (absl::Status s =
                VerifyHoldsAndWithdrawals(e, absl::ToUnixSeconds(now));
            !s.ok()) {
          return s;
        }
        return true;
      })
      .status();
}

// Every acknowledged hold that has not been used is still active while
// its expiry is ahead (and holds its place) and expired after; every
// acknowledged release stays released; every acknowledged withdrawal stays
// withdrawn. A withdrawal whose answer was lost is settled here.
absl::Status Simulation::VerifyHoldsAndWithdrawals(const Engine& e,
                                                   int64_t now) {
  std::map<std::string, int> alive;
  for (const KnownHold& h : holds_) {
    ++stats_.holds_checked;
    const Hold* hold = e.FindHold(h.token);
    if (hold == nullptr) {
      return Fail(absl::StrCat("acknowledged hold ", h.token, " lost"));
    }
    const HoldState expected =
        h.expire_unix_s > now ? HoldState::kActive : HoldState::kExpired;
    if (hold->state != expected) {
      return Fail(absl::StrCat("acknowledged hold ", h.token, " is in state ",
                               static_cast<int>(hold->state), ", expected ",
                               static_cast<int>(expected)));
    }
    if (expected == HoldState::kActive) ++alive[h.slot_id];
  }
  for (const auto& [slot_id, count] : alive) {
    auto view = e.GetSlot(slot_id);
    if (!view.ok() || view->places_held < count) {
      return Fail(absl::StrCat(slot_id, ": ", count,
                               " acknowledged holds alive, fewer places held"));
    }
  }
  for (const KnownHold& h : released_) {
    ++stats_.releases_checked;
    const Hold* hold = e.FindHold(h.token);
    if (hold == nullptr || hold->state != HoldState::kReleased) {
      return Fail(
          absl::StrCat("acknowledged release of ", h.token, " came back"));
    }
  }
  for (const std::string& id : withdrawn_) {
    ++stats_.withdrawals_checked;
    auto view = e.GetSlot(id);
    if (!view.ok() || !view->slot.withdrawn) {
      return Fail(
          absl::StrCat("acknowledged withdrawal of ", id, " came back"));
    }
  }
  for (const std::string& id : withdraw_unknown_) {
    auto view = e.GetSlot(id);
    if (!view.ok()) return Fail(absl::StrCat("slot ", id, " lost"));
    if (view->slot.withdrawn) {
      withdrawn_.insert(id);
    } else {
      slots_.push_back(id);
    }
  }
  withdraw_unknown_.clear();
  return absl::OkStatus();
}

absl::StatusOr<SimulationStats> Simulation::Run() {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  if (absl::Status s = Open(); !s.ok()) return s;
  Professional pro;
  pro.id = "pro-1";
  pro.profession = Profession::kGeneralPractitioner;
  pro.location = {45.62, -1.03};
  pro.time_zone = "Europe/Paris";
  absl::Status setup;
  host_->Mutate<BatchCounts>(
      [&](Engine& e, absl::Time now, Effects* fx) {
        return e.UpsertProfessionals(Feed(), {}, {pro}, now, fx);
      },
      [&](absl::StatusOr<BatchCounts> r) { setup = r.status(); });
  if (absl::Status s = store_->Flush(); !s.ok() || !setup.ok())
    return Fail("setup");
  Command publish;
  publish.kind = Kind::kPublish;
  publish.slots = NewSlots(options_.slots);
  Submit(&publish);
  if (absl::Status s = store_->Flush(); !s.ok()) return Fail("setup");
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &unanswered_));
  }
  if (absl::Status s = Learn(publish, false); !s.ok()) return s;
  for (wave_ = 1; wave_ <= options_.waves; ++wave_) {
    if (absl::Status s = RunWave(); !s.ok()) return s;
  }
  if (absl::Status s = Restart(/*lose_unsynced=*/false); !s.ok()) return s;
  Close();
  return stats_;
}

}  // namespace

absl::StatusOr<SimulationStats> RunSimulation(const SimulationOptions& options,
                                              const std::string& dir) {
  Simulation simulation(options, dir);
  return simulation.Run();
}

}  // namespace creneau::testing
