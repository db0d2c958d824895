#!/usr/bin/env bash
# Shows that the thread-safety flags of the clang build (tests/asan_build.sh,
# CRENEAU_THREAD_SAFETY) catch what they are there for: a member read
# without its lock must fail to compile, the same read under the lock must
# compile. Without this, a flag that stopped working would pass in silence.
#
#   tests/thread_safety_self_test.sh "FLAGS"
set -euo pipefail
flags=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write() {  # write FILE LOCK_LINE
  cat > "$1" <<CC
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
class Counter {
 public:
  int Read() {
    $2
    return value_;
  }
 private:
  absl::Mutex mu_;
  int value_ ABSL_GUARDED_BY(mu_) = 0;
};
int main() { return Counter().Read(); }
CC
}
write "$work/locked.cc" "absl::MutexLock lock(&mu_);"
write "$work/unlocked.cc" ""
# shellcheck disable=SC2086
if ! clang++ -std=c++20 -fsyntax-only $flags "$work/locked.cc" 2>"$work/locked.err"; then
  cat "$work/locked.err"
  echo "thread-safety self-test: a correctly locked read was refused"
  exit 1
fi
# shellcheck disable=SC2086
if clang++ -std=c++20 -fsyntax-only $flags "$work/unlocked.cc" 2>"$work/unlocked.err"; then
  echo "thread-safety self-test: a read without its lock compiled"
  exit 1
fi
if ! grep -q "requires holding mutex 'mu_'" "$work/unlocked.err"; then
  cat "$work/unlocked.err"
  echo "thread-safety self-test: refused, but not for the missing lock"
  exit 1
fi
echo "thread-safety self-test: the unlocked read is an error, the locked one compiles"
