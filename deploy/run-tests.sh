#!/usr/bin/env bash
# README command 2: installs what is needed, builds, and runs the whole test
# suite with ctest, ending with ctest's summary. .ci/run calls this script.
#
#   deploy/run-tests.sh [ctest options...]   # e.g. -L unit, -R Engine
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh
./deploy/build.sh
cd build
exec ctest --output-on-failure -j "${CRENEAU_TEST_JOBS:-2}" "$@"
