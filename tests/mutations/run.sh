#!/usr/bin/env bash
# Mutation checks: proves that the reliability suites can fail.
#
# Each tests/mutations/NAME.patch breaks one promise of creneau on purpose
# (drop the log sync, let confirm refuse, forget a release at restore, ...)
# and names, on its "Suites:" line, the ctest tests that must catch it. This
# script copies the working tree (tracked files and new ones) to a scratch
# directory, builds it there once, checks that those suites pass on the
# unchanged tree, then for each patch: applies it, rebuilds, runs its suites
# (each should now FAIL), and reverts it. It prints a table mutation x suite
# -> caught / MISSED, and exits 1 when a mutation is caught by none of its
# suites. Nothing in the project's own tree or production code changes.
#
#   tests/mutations/run.sh                   # every patch
#   tests/mutations/run.sh no_wal_sync ...   # some
#   CRENEAU_MUTATION_DIR=/var/tmp/m tests/mutations/run.sh --no-baseline
#
# Slow (a full build, then a rebuild and the suites per mutation: about an
# hour for all of them on 2 cores), so it is not part of the default test
# run; docs/reliability.md keeps the last table.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=${CRENEAU_MUTATION_DIR:-${TMPDIR:-/tmp}/creneau-mutations}
jobs=${CRENEAU_BUILD_JOBS:-2}
# Suite sizes: large enough to catch each mutation, small enough to keep
# a run bounded (each suite also has ctest's timeout below).
export CRENEAU_SIM_SEEDS=${CRENEAU_SIM_SEEDS:-40}
export CRENEAU_CRASH_CYCLES=${CRENEAU_CRASH_CYCLES:-30}
export CRENEAU_IDEMPOTENCY_FLOWS=${CRENEAU_IDEMPOTENCY_FLOWS:-8000}
export CRENEAU_HISTORY_OPS=${CRENEAU_HISTORY_OPS:-300000}
export CRENEAU_MODEL_SEEDS=${CRENEAU_MODEL_SEEDS:-1}
suite_timeout_s=900

baseline=1
names=()
for arg in "$@"; do
  case "$arg" in
    --no-baseline) baseline=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) names+=("$arg") ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for p in "$root"/tests/mutations/*.patch; do names+=("$(basename "$p" .patch)"); done
fi

suites_of() { sed -n 's/^Suites: //p' "$root/tests/mutations/$1.patch"; }
describe() { sed -n 's/^Mutation: //p' "$root/tests/mutations/$1.patch"; }

echo "mutations: copying the tree to $scratch/src"
mkdir -p "$scratch"
rm -rf "$scratch/src" && mkdir -p "$scratch/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  tar --null -T - -cf -) | (cd "$scratch/src" && tar -xf -)
build() {
  cmake -S "$scratch/src" -B "$scratch/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$scratch/build" -j "$jobs" >"$scratch/build.log" 2>&1
}
echo "mutations: building the unchanged tree (a first build takes minutes)"
build || { tail -30 "$scratch/build.log"; echo "mutations: build failed"; exit 2; }

# Runs one ctest test by exact name; prints pass, fail or missing.
run_suite() {
  local suite=$1 log=$2 pattern
  pattern="^${suite//./\\.}\$"
  if (cd "$scratch/build" && ctest -R "$pattern" --timeout "$suite_timeout_s" \
        --output-on-failure >"$log" 2>&1); then
    if grep -q "No tests were found" "$log"; then echo missing; else echo pass; fi
  else
    echo fail
  fi
}

mkdir -p "$scratch/logs"
if [ "$baseline" = 1 ]; then
  declare -A seen=()
  for name in "${names[@]}"; do
    for suite in $(suites_of "$name"); do
      [ -n "${seen[$suite]:-}" ] && continue
      seen[$suite]=1
      echo "mutations: baseline $suite"
      result=$(run_suite "$suite" "$scratch/logs/baseline-$suite.log")
      if [ "$result" != pass ]; then
        echo "mutations: $suite does not pass on the unchanged tree ($result);" \
             "see $scratch/logs/baseline-$suite.log"
        exit 2
      fi
    done
  done
fi

table=()
missed=0
for name in "${names[@]}"; do
  patch_file="$root/tests/mutations/$name.patch"
  [ -f "$patch_file" ] || { echo "mutations: no $patch_file"; exit 2; }
  echo "mutations: $name ($(describe "$name"))"
  (cd "$scratch/src" && patch -s -p1 <"$patch_file")
  caught_by=0
  if build; then
    for suite in $(suites_of "$name"); do
      start=$(date +%s)
      result=$(run_suite "$suite" "$scratch/logs/$name-$suite.log")
      seconds=$(( $(date +%s) - start ))
      case "$result" in
        fail) verdict=caught; caught_by=$((caught_by + 1)) ;;
        pass) verdict=MISSED ;;
        *) verdict="no such test" ;;
      esac
      echo "  $suite: $verdict (${seconds} s)"
      table+=("| \`$name\` | \`$suite\` | $verdict |")
    done
  else
    echo "  the mutated tree does not build; see $scratch/build.log"
    table+=("| \`$name\` | (build) | does not build |")
  fi
  (cd "$scratch/src" && patch -s -R -p1 <"$patch_file")
  [ "$caught_by" -gt 0 ] || missed=$((missed + 1))
done
build || { echo "mutations: the reverted tree does not build"; exit 2; }

echo
echo "| mutation | suite | result |"
echo "| --- | --- | --- |"
printf '%s\n' "${table[@]}"
echo
if [ "$missed" -gt 0 ]; then
  echo "mutations: $missed mutation(s) caught by none of their suites"
  exit 1
fi
echo "mutations: every mutation was caught (logs in $scratch/logs)"
