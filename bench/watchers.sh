#!/usr/bin/env bash
# Durable bookings over gRPC with and without change-feed readers following
# the server: the booking benchmark of bench/run_all.sh (hold and confirm
# every hit of a search, closed loop), run alternately without watchers, with
# WATCHERS readers each following one profession, and with WATCHERS readers
# following every change, ROUNDS times; writes DIR/<date>-watchers.md.
#
#   bench/watchers.sh [--scale 0.1] [--watchers 200] [--rounds 2] [--out DIR]
#
# Needs a build. Starts creneaud on loopback with its own data directory
# under a temporary directory, and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scale=0.1; watchers=200; rounds=2; run_s=10; out=bench/results
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift ;;
    --watchers) watchers="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: bench/watchers.sh [--scale S] [--watchers N] [--rounds R] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
bin=$root/build
work=$(mktemp -d /tmp/creneau-watchers.XXXXXX)
creneaud_pid=""
cleanup() {
  [ -n "$creneaud_pid" ] && kill "$creneaud_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "== $(date +%H:%M:%S) $*" >&2; }
port=50161
serve() {  # serve DATA_DIR [flags...]: starts creneaud and waits until it serves.
  local dir="$1"; shift
  "$bin/server/creneaud" --data_dir "$dir" --listen "127.0.0.1:$port" \
    --http_listen 127.0.0.1:0 --default_weekly_orientation_cap 0 \
    --log_level warn "$@" &
  creneaud_pid=$!
  for _ in $(seq 1 600); do
    "$bin/tools/creneau" --server "127.0.0.1:$port" health >/dev/null 2>&1 && return
    sleep 1
  done
  echo "creneaud not serving after 10 minutes" >&2; exit 1
}
# creneaud's CPU time so far, in seconds (user + system, from /proc).
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$creneaud_pid/stat"; }
stop() { kill "$creneaud_pid"; wait "$creneaud_pid" 2>/dev/null || true; creneaud_pid=""; }
# Every run books from the same state: the data set is made once, and each
# run serves a fresh copy of it (a run books thousands of the slots near
# the workload's origins, which would leave the next one fewer).
step "synthetic France at scale $scale"
serve "$work/seed" --demo_territory France --demo_scale "$scale"
stop
book() {
  "$bin/bench/creneau-load" grpc --server "127.0.0.1:$port" --call book \
    --concurrency 64 --duration_s "$run_s" --seed 1 "$@"
}
rows=""
for round in $(seq 1 "$rounds"); do
  for variant in none profession all; do
    case "$variant" in
      none) args=() ;;
      profession) args=(--watchers "$watchers" --watch_filter profession) ;;
      all) args=(--watchers "$watchers" --watch_filter none) ;;
    esac
    step "round $round: bookings, watchers: $variant"
    rm -rf "$work/run"; cp -a "$work/seed" "$work/run"
    serve "$work/run"
    cpu_before=$(cpu_s)
    book "${args[@]}" --json_out "$work/r$round-$variant.json"
    cpu_after=$(cpu_s)
    stop
    rows+=$(python3 - "$work/r$round-$variant.json" "$round" "$variant" \
      "$cpu_before" "$cpu_after" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["ok_calls"].get("confirm", 0)
# The server's CPU over the whole run (warm-up included) per confirmed
# booking of the measured part, and as cores busy.
cpu = float(sys.argv[5]) - float(sys.argv[4])
busy = cpu / (r["elapsed_s"] + 1)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {r['watchers']} | "
      f"{ok / r['elapsed_s']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
      f"{busy:.2f} | "
      f"{r['watch_objects'] / r['elapsed_s']:,.0f} | {r['watch_ended_behind']} | "
      f"{r['watch_errors']} |")
PY
)$'\n'
  done
done
file="$out/$(date +%Y-%m-%d)-watchers.md"
{
  echo "# Durable bookings with change-feed readers"
  echo
  echo "\`bench/watchers.sh --scale $scale --watchers $watchers --rounds $rounds\`"
  echo "at $(git rev-parse --short HEAD), $(nproc) cores; creneaud and the load"
  echo "generator share the machine. Each run: creneau-load grpc --call book,"
  echo "64 callers, $run_s s, durable (log synced), each on a fresh copy of the"
  echo "same data. Confirmed bookings per second;"
  echo "latency of each call (search, hold, confirm). Watchers follow from the"
  echo "run's start: 'profession' = watcher i follows profession 1 + i % 12,"
  echo "'all' = every change. creneaud cores busy: its CPU seconds (from /proc,"
  echo "over the run and its 1 s warm-up) per second; the rest of the 2 cores"
  echo "went to the load generator and its watchers."
  echo
  echo "| round | watchers | streams | confirmed/s | p50 ms | p99 ms | creneaud cores busy | objects received/s | streams ended behind | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf "%s" "$rows"
} > "$file"
cat "$file"
