#!/usr/bin/env bash
# Configures and builds ./build-asan, the one clang build that serves three
# checks, so that CI compiles the tree once for all of them:
#   - AddressSanitizer + UndefinedBehaviorSanitizer (tests/sanitize.sh asan);
#   - libFuzzer: every library carries the fuzzer's coverage and the fuzz
#     targets are built beside the tests (tests/fuzz.sh);
#   - clang's thread-safety analysis as errors over every source compiled,
#     tests and benchmarks included (GCC ignores ABSL_GUARDED_BY).
#
#   tests/asan_build.sh [TARGET...]   # no target: everything
set -euo pipefail
cd "$(dirname "$0")/.."
# A directory configured by an earlier GCC sanitizer build is started over:
# CMake cannot switch compilers in place.
if [ -f build-asan/CMakeCache.txt ] &&
   ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' build-asan/CMakeCache.txt; then
  rm -rf build-asan
fi
# -O1 with line tables: the sanitizers' usual setting, and a build about a
# third shorter than -O2 -g on two cores.
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCRENEAU_SANITIZE=address -DCRENEAU_FUZZ=ON -DCRENEAU_THREAD_SAFETY=ON \
  >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build-asan -j "${CRENEAU_BUILD_JOBS:-2}" "${targets[@]}"
