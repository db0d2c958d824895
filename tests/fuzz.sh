#!/usr/bin/env bash
# Builds the fuzz targets with clang, libFuzzer, ASan and UBSan in
# ./build-asan (tests/asan_build.sh: the sanitizer suite's build, so CI
# compiles the tree once for both), then fuzzes each for a bounded time
# starting from the seed corpus in tests/fuzz/corpus (new inputs go to a
# scratch copy, not to the repository). Exits non-zero on the first crash,
# leak or failed check, leaving the reproducer in build-asan/fuzz-artifacts.
#
#   tests/fuzz.sh [--seconds N] [storage_codec|request|principals|slot_file|territory ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=30
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -gt 0 ] || targets=(storage_codec request principals slot_file territory)

./tests/asan_build.sh $(printf '%s_fuzzer ' "${targets[@]}")

mkdir -p build-asan/fuzz-artifacts
for target in "${targets[@]}"; do
  work=build-asan/fuzz-corpus-$target
  rm -rf "$work" && mkdir -p "$work"
  cp tests/fuzz/corpus/"$target"/* "$work"/
  echo "fuzz: $target for ${seconds}s"
  status=0
  ./build-asan/tests/fuzz/"$target"_fuzzer -max_total_time="$seconds" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=build-asan/fuzz-artifacts/"$target"- "$work" \
    > build-asan/fuzz-"$target".log 2>&1 || status=$?
  grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|SUMMARY)" build-asan/fuzz-"$target".log || true
  if [ "$status" -ne 0 ]; then
    tail -40 build-asan/fuzz-"$target".log
    echo "fuzz: $target failed (exit $status); reproducer in build-asan/fuzz-artifacts"
    exit 1
  fi
done
