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
step "creneaud with synthetic France at scale $scale"
"$bin/server/creneaud" --data_dir "$work/creneaud" --listen "127.0.0.1:$port" \
  --http_listen 127.0.0.1:0 --demo_territory France --demo_scale "$scale" \
  --default_weekly_orientation_cap 0 --log_level warn &
creneaud_pid=$!
for _ in $(seq 1 600); do
  "$bin/tools/creneau" --server "127.0.0.1:$port" health >/dev/null 2>&1 && break
  sleep 1
done
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
    book "${args[@]}" --json_out "$work/r$round-$variant.json"
    rows+=$(python3 - "$work/r$round-$variant.json" "$round" "$variant" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["ok_calls"].get("confirm", 0)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {r['watchers']} | "
      f"{ok / r['elapsed_s']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
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
  echo "64 callers, $run_s s, durable (log synced). Confirmed bookings per second;"
  echo "latency of each call (search, hold, confirm). Watchers follow from the"
  echo "run's start: 'profession' = watcher i follows profession 1 + i % 12,"
  echo "'all' = every change."
  echo
  echo "| round | watchers | streams | confirmed/s | p50 ms | p99 ms | objects received/s | streams ended behind | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf "%s" "$rows"
} > "$file"
cat "$file"
