// ThreadSanitizer and Debian's Abseil: libabsl_synchronization.so is not
// built with TSan, so TSan cannot see absl::Mutex, CondVar or Notification
// ordering memory and reports every guarded access as a race. This file,
// linked only into -DCRENEAU_SANITIZE=thread builds, interposes those entry
// points: each forwards to the real one (dlsym RTLD_NEXT) and tells TSan the
// happens-before edge it creates (release before unlocking or waiting,
// acquire after locking or waking); conditional waits poll (see below). Readers
// are treated like writers, which can only hide races between readers, never
// invent one.
//
// Abseil's deadlock detector is switched off in these builds: Debian builds
// it in (no NDEBUG), and its lock graph is guarded by a spin lock inside the
// uninstrumented library, so TSan reports the graph's own bookkeeping
// (GraphCycles::GetId) as a race between any two threads taking locks.
// Lock-order checking is not what these TSan runs are for.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace {

template <typename F>
F Real(const char* mangled) {
  void* f = dlsym(RTLD_NEXT, mangled);
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_absl_shim: %s not found\n", mangled);
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

// Runs before main and before any test thread exists.
__attribute__((constructor)) void DisableAbseilDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}

bool Mutex::TryLock() {
  static auto real = Real<bool (*)(Mutex*)>("_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::ReaderLock() {
  static auto real =
      Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderUnlock() {
  static auto real =
      Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}

// Conditional waits are re-implemented as a polling loop over Lock and
// Unlock: absl evaluates a waiter's condition inside the library, possibly
// in the unlocking thread, where TSan cannot be told the lock is held. Here
// the waiter evaluates it itself, holding the lock. Slower, and only in
// TSan builds.
void Mutex::Await(const Condition& cond) {
  while (!cond.Eval()) {
    Unlock();
    absl::SleepFor(absl::Microseconds(50));
    Lock();
  }
}

void Mutex::LockWhen(const Condition& cond) {
  Lock();
  Await(cond);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!cond.Eval()) {
    if (absl::Now() >= deadline) return false;
    Unlock();
    absl::SleepFor(absl::Microseconds(50));
    Lock();
  }
  return true;
}

void CondVar::Wait(Mutex* mu) {
  static auto real = Real<void (*)(CondVar*, Mutex*)>(
      "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}

void Notification::Notify() {
  static auto real =
      Real<void (*)(Notification*)>("_ZN4absl7debian312Notification6NotifyEv");
  __tsan_release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real = Real<void (*)(const Notification*)>(
      "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

ABSL_NAMESPACE_END
}  // namespace absl
