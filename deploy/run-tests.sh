#!/usr/bin/env bash
# README command 2: installs what is needed, builds, and runs the whole test
# suite, ending with ctest's summary. .ci/run calls this script.
#
#   deploy/run-tests.sh                      # the whole suite: the benchmarks'
#                                            # regression gate, then ctest
#   deploy/run-tests.sh [ctest options...]   # ctest only, e.g. -L unit, -R Engine
#
# The gate (bench/guard_self_test.sh, then bench/guard.sh HEAD~1) runs first,
# on an idle machine; when it fails, the suite still runs and the script
# then exits with the gate's status.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh
./deploy/build.sh
gate=0
if [ $# = 0 ]; then
  { ./bench/guard_self_test.sh && ./bench/guard.sh HEAD~1; } || gate=$?
  [ "$gate" = 0 ] || echo "run-tests: the regression gate FAILED (status $gate); the suite runs, then this exits with it"
fi
cd build
tests=0
ctest --output-on-failure -j "${CRENEAU_TEST_JOBS:-2}" "$@" || tests=$?
[ "$tests" = 0 ] || exit "$tests"
exit "$gate"
