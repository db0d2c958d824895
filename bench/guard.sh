#!/usr/bin/env bash
# The benchmarks' regression gate: builds the engine and storage benchmarks
# at BASE_REV and at the working tree, runs the guarded ones interleaved,
# and compares them with Google Benchmark's compare.py (its Mann-Whitney U
# test, Debian's libbenchmark-tools). Fails on a significant slowdown beyond
# the thresholds of bench/guard_verdict.py.
#
#   bench/guard.sh [options] BASE_REV
#     --base-build DIR   benchmarks of the base already built there (the
#                        self-test passes the head's own build); BASE_REV
#                        then only names it
#     --head-build DIR   build of the working tree to reuse (default: ./build
#                        when it is configured from this tree, else its own)
#     --rounds N         interleaved rounds (default 3), each running every
#                        guarded benchmark 3 times on each side
#     --only REGEX       guard only the benchmarks matching REGEX
#     --head-env VAR=VAL environment for the head's runs only (the self-test
#                        injects a delay with it)
#
# A BASE_REV that does not exist (a clone of one commit) skips the gate
# with a message and exit status 0. Work files: build-guard/.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
base_build="" head_build="" rounds=3 only="" head_env=()
while [ $# -gt 1 ]; do
  case "$1" in
    --base-build) base_build=$(realpath "$2"); shift 2 ;;
    --head-build) head_build=$(realpath "$2"); shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --head-env) head_env+=("$2"); shift 2 ;;
    *) echo "guard: unknown option $1" >&2; exit 2 ;;
  esac
done
base_rev=${1:?usage: bench/guard.sh [options] BASE_REV}
compare=/usr/share/benchmark/compare.py
[ -f "$compare" ] || { echo "guard: $compare missing (deploy/setup.sh installs libbenchmark-tools)" >&2; exit 2; }
# The guarded benchmarks and their thresholds: bench/guard_verdict.py.
# Each process runs each benchmark this many times, after a warm-up.
repetitions_per_round=3
min_time_s=0.2
warmup_s=0.2
jobs=${CRENEAU_BUILD_JOBS:-2}
work=$top/build-guard
mkdir -p "$work"

# With --base-build, BASE_REV only names the base; else it must exist.
if [ -z "$base_build" ]; then
  if ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "guard: not a git clone (an exported tree): nothing to compare with, gate skipped"
    exit 0
  fi
  if ! base_sha=$(git rev-parse --verify --quiet "$base_rev^{commit}"); then
    echo "guard: no revision '$base_rev' in this clone: nothing to compare with, gate skipped"
    exit 0
  fi
  # What the two benchmarks are built from (the CMake tree configures
  # every directory, so all of them, but docs, tests, deploy and the
  # layers above storage, whose code the benchmarks do not link).
  if git diff --quiet "$base_sha" -- CMakeLists.txt proto engine storage territory data \
       bench/CMakeLists.txt; then
    echo "guard: nothing the guarded benchmarks are built from changed since $base_rev: gate skipped"
    exit 0
  fi
fi

# Builds engine_benchmark and store_benchmark of SOURCE into BUILD.
build_benchmarks() {
  local source=$1 build=$2
  cmake -S "$source" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCRENEAU_CCACHE=ON \
    -DCRENEAU_BUILD_TESTS=OFF -DCRENEAU_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" -j "$jobs" --target engine_benchmark store_benchmark \
    | grep -v '^\[' || true
  [ -x "$build/engine/engine_benchmark" ] && [ -x "$build/storage/store_benchmark" ]
}

start=$(date +%s)
if [ -z "$base_build" ]; then
  echo "guard: building the benchmarks at $base_rev (${base_sha:0:12})"
  rm -rf "$work/base-src" && mkdir -p "$work/base-src"
  git archive "$base_sha" | tar -x -C "$work/base-src"
  # The build inside its source tree, as ./build is in this one: ccache
  # then sees the same relative paths and reuses the objects of every file
  # the two revisions share.
  base_build=$work/base-src/build
  build_benchmarks "$work/base-src" "$base_build"
fi
if [ -z "$head_build" ]; then
  if grep -qs "^CMAKE_HOME_DIRECTORY:INTERNAL=$top$" build/CMakeCache.txt \
     && grep -qs '^CMAKE_BUILD_TYPE:STRING=RelWithDebInfo$' build/CMakeCache.txt; then
    head_build=$top/build
    cmake --build build -j "$jobs" --target engine_benchmark store_benchmark | grep -v '^\[' || true
  else
    head_build=$work/head
    build_benchmarks "$top" "$head_build"
  fi
fi
echo "guard: built in $(( $(date +%s) - start )) s; base $base_build, head $head_build"

filter_of() {  # engine|store -> the guarded benchmarks of that binary
  /usr/bin/python3 "$top/bench/guard_verdict.py" filter "$1" "$only"
}

run_side() {  # side round binary-kind
  local side=$1 round=$2 kind=$3 build binary filter env=()
  [ "$side" = base ] && build=$base_build || { build=$head_build; env=("${head_env[@]}"); }
  [ "$kind" = engine ] && binary=$build/engine/engine_benchmark || binary=$build/storage/store_benchmark
  filter=$(filter_of "$kind")
  [ -n "$filter" ] || return 0
  env "${env[@]}" "$binary" --benchmark_filter="$filter" \
    --benchmark_repetitions=$repetitions_per_round --benchmark_min_time=$min_time_s \
    --benchmark_min_warmup_time=$warmup_s --benchmark_enable_random_interleaving=false \
    --benchmark_out="$work/runs/$side-$kind-$round.json" --benchmark_out_format=json \
    >/dev/null 2>"$work/runs/$side-$kind-$round.log" \
    || { echo "guard: $side $kind benchmark failed:"; cat "$work/runs/$side-$kind-$round.log"; exit 1; }
}

rm -rf "$work/runs" && mkdir -p "$work/runs"
for round in $(seq "$rounds"); do
  # Alternate which side goes first, so that a drift of the machine
  # falls on both.
  if [ $((round % 2)) = 1 ]; then order="base head"; else order="head base"; fi
  for kind in engine store; do
    for side in $order; do run_side "$side" "$round" "$kind"; done
  done
  echo "guard: round $round of $rounds done ($(( $(date +%s) - start )) s)"
done

/usr/bin/python3 "$top/bench/guard_verdict.py" merge "$work/runs" base "$work/base.json"
/usr/bin/python3 "$top/bench/guard_verdict.py" merge "$work/runs" head "$work/head.json"
echo "guard: compare.py benchmarks base head (U test over $((rounds * repetitions_per_round)) runs a side)"
/usr/bin/python3 "$compare" --no-color -d "$work/diff.json" benchmarks \
  "$work/base.json" "$work/head.json" | sed 's/^/  /'
guarded=$( { filter_of engine; filter_of store; } | tr '|' '\n' | grep -c .)
/usr/bin/python3 "$top/bench/guard_verdict.py" verdict "$work/diff.json" "$guarded"
