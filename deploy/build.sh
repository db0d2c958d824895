#!/usr/bin/env bash
# Configures and builds creneau with CMake and Ninja (at most 2 jobs) into
# ./build. Re-running rebuilds only what changed. Compiles through ccache
# (CRENEAU_CCACHE), so that the container image's build stage
# (tests/deploy/container_image_test.sh) and the benchmarks' regression gate
# reuse the objects of files they share with this build.
#
#   deploy/build.sh [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${CRENEAU_BUILD_JOBS:-2}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} \
  -DCRENEAU_CCACHE=ON "$@" >/dev/null
echo "build: compiling with ${jobs} job(s) (a first build takes a few minutes)"
cmake --build build -j "${jobs}"
