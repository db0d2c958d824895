#!/usr/bin/env bash
# Shows that the regression gate (bench/guard.sh) can fail: the head's own
# search benchmark against itself must pass, and the same with a known
# delay added inside the timed search loop (CRENEAU_BENCH_SEARCH_DELAY_NS,
# read by engine_benchmark only) must fail.
#
#   bench/guard_self_test.sh [BUILD_DIR]   # default ./build
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
# About one search's own time at 1M slots: a slowdown near +100 %.
injected_delay_ns=5000
log=build-guard/self-test.log
mkdir -p build-guard
guard=(./bench/guard.sh --base-build "$build" --head-build "$build" --only EngineSearch)

echo "guard self-test: the search benchmark against itself (must pass)"
if ! "${guard[@]}" self > "$log" 2>&1; then
  cat "$log"; echo "guard self-test: FAILED: the gate refused a build compared with itself"; exit 1
fi
grep '^guard: BM_' "$log" || { cat "$log"; exit 1; }

echo "guard self-test: with ${injected_delay_ns} ns added to every timed search (must fail)"
if "${guard[@]}" --head-env "CRENEAU_BENCH_SEARCH_DELAY_NS=$injected_delay_ns" self > "$log" 2>&1; then
  cat "$log"; echo "guard self-test: FAILED: the gate let a known slowdown through"; exit 1
fi
grep -q '^guard: FAILED: 1 of 1 guarded benchmarks slower' "$log" \
  || { cat "$log"; echo "guard self-test: FAILED: the gate failed for another reason"; exit 1; }
grep '^guard: BM_' "$log" || { cat "$log"; exit 1; }
echo "guard self-test: passed (the gate passes a build against itself and fails on the injected delay)"
