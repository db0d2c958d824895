#!/usr/bin/env bash
# Runs every benchmark of creneau and its baselines in one go, on one data
# set, and writes DIR/latest.json (one flat object) and DIR/<date>-<mode>.md
# (the table with ratios). DIR is bench/results unless --out DIR.
#
#   bench/run_all.sh --quick   # ~400k slots, short runs: under 5 minutes
#   bench/run_all.sh           # synthetic France (~4M slots), 10M reload
#
# Needs README command 2's set-up (deploy/setup.sh) and a build. Starts
# creneaud and a private PostgreSQL 15 + PostGIS on loopback, with their own
# data directories under a temporary directory, and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=full
out=bench/results
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --out) out="$2"; shift ;;
    *) echo "usage: bench/run_all.sh [--quick] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ "$mode" = quick ]; then
  scale=0.1; reload_scale=0.25; run_s=3; durable_s=3; searches=50000
  pg_index_s=2
else
  scale=1; reload_scale=2.6; run_s=10; durable_s=10; searches=300000
  pg_index_s=5
fi
concurrency=64
pg_connections=32
seed=1

./deploy/build.sh >/dev/null
bin=$root/build
work=$(mktemp -d /tmp/creneau-bench.XXXXXX)
chmod 755 "$work"
creneaud_pid=""
cleanup() {
  [ -n "$creneaud_pid" ] && kill "$creneaud_pid" 2>/dev/null || true
  if [ -f "$work/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "== $(date +%H:%M:%S) $*" >&2; }
# Waits (up to 10 minutes: synthetic France loads for a while) until the
# creneaud just started answers its health check.
wait_for_creneaud() {
  for _ in $(seq 1 600); do
    "$bin/tools/creneau" --server "127.0.0.1:$port" health >/dev/null 2>&1 && return
    kill -0 "$creneaud_pid" 2>/dev/null || { echo "creneaud died" >&2; exit 1; }
    sleep 1
  done
  echo "creneaud not serving after 10 minutes" >&2; exit 1
}

# ---- 1. In process: engine and storage. ----
step "in-process figures on synthetic France at scale $scale"
"$bin/bench/creneau-bench" --scale "$scale" --searches "$searches" \
  --bookings 100000 --durable_s "$durable_s" --data_dir "$work/inprocess" \
  --json_out "$work/inprocess.json"
step "start-up reload at scale $reload_scale"
"$bin/bench/creneau-bench" --scale "$reload_scale" --searches 1000 \
  --bookings 100 --durable_s 1 --data_dir "$work/reload" \
  --json_out "$work/reload.json"
rm -rf "$work/inprocess" "$work/reload"

# ---- 2. gRPC: creneaud and the empty-RPC ceiling, same server. ----
port=50151
step "creneaud on 127.0.0.1:$port with synthetic France at scale $scale"
# Uncapped, as the in-process figures: the booking runs count bookings, not
# refusals by the weekly cap (whose bookkeeping still runs on every hold).
"$bin/server/creneaud" --data_dir "$work/creneaud" --listen "127.0.0.1:$port" \
  --http_listen 127.0.0.1:0 --demo_territory France --demo_scale "$scale" --demo_seed "$seed" \
  --default_weekly_orientation_cap 0 --bench_service --log_level warn &
creneaud_pid=$!
wait_for_creneaud
load() { "$bin/bench/creneau-load" grpc --server "127.0.0.1:$port" \
  --duration_s "$run_s" --seed "$seed" "$@"; }
step "empty RPC, closed loop, $concurrency callers"
load --call empty --concurrency "$concurrency" --json_out "$work/empty.json"
step "SearchSlots, closed loop, $concurrency callers"
load --call search --concurrency "$concurrency" --json_out "$work/search.json"
rate=$(python3 -c "import json;print(int(0.7*json.load(open('$work/search.json'))['qps']))")
step "SearchSlots, open loop at 70% of peak: $rate/s"
load --call search --open --rate "$rate" --json_out "$work/search_open70.json"
step "SAS mix (80% search, 10% hold, 8% confirm, 2% release), closed loop"
load --call mix --concurrency "$concurrency" --json_out "$work/mix.json"
step "Durable bookings: hold and confirm every hit of a search, closed loop"
load --call book --concurrency "$concurrency" --json_out "$work/book.json"
kill "$creneaud_pid"; wait "$creneaud_pid" 2>/dev/null || true; creneaud_pid=""

# ---- 2b. Fair share: the same data, now with principals and their rate
# limits (100 requests a second, bursts of 200): a regulator alone, then
# while a reader floods at 50 times its rate; 10 s each in both modes, so
# that the p99 rests on 200 searches and 600 calls, not a handful. ----
step "creneaud with principals (same data), flood of 5000 searches/s"
new_token() { "$bin/tools/creneau" token new "$@" --append "$work/principals"; }
regulator_token=$(new_token sas-1 regulator sas-national '*')
flooder_token=$(new_token app-1 reader patient-app '*')
"$bin/server/creneaud" --data_dir "$work/creneaud" --listen "127.0.0.1:$port" \
  --http_listen 127.0.0.1:0 --principals_file "$work/principals" --insecure_transport_behind_mesh \
  --log_level error &
creneaud_pid=$!
wait_for_creneaud
# The check of overbooking that PostgreSQL gets by a query below: this
# start-up restored every booking of the runs above, and a restore refuses
# (DATA_LOSS, creneaud exits, and so does this script) a slot booked beyond
# its places.
echo 0 > "$work/creneau_overbooked.txt"
"$bin/bench/creneau-load" flood --server "127.0.0.1:$port" --seed "$seed" \
  --regulator_token "$regulator_token" --flooder_token "$flooder_token" \
  --regulator_cycles_per_s 20 --flood_rate 5000 --duration_s 10 \
  --json_out "$work/flood.json"
kill "$creneaud_pid"; wait "$creneaud_pid" 2>/dev/null || true; creneaud_pid=""
rm -rf "$work/creneaud"

# ---- 3. PostgreSQL 15 + PostGIS 3 on the same data set. ----
pg_bin=/usr/lib/postgresql/15/bin
pg_port=54329
step "PostgreSQL 15 + PostGIS on 127.0.0.1:$pg_port (fsync on, synchronous_commit on)"
mkdir -p "$work/pg" && chown postgres "$work/pg"
runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg" -A trust -E UTF8 >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$work/pg \
      -c fsync=on -c synchronous_commit=on -c shared_buffers=2GB \
      -c max_connections=100 -c max_wal_size=4GB" start >/dev/null
conninfo="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres postgres "$@"; }
psql -f bench/postgis/schema.sql
"$bin/bench/creneau-load" pg-load --conninfo "$conninfo" --scale "$scale" \
  --seed "$seed" > "$work/pg_load.json"
psql -f bench/postgis/indexes_common.sql
pgload() { "$bin/bench/creneau-load" pg --conninfo "$conninfo" --seed "$seed" "$@"; }
best=""; best_qps=0
for config in a b c; do
  step "PostGIS index configuration $config"
  psql -f "bench/postgis/index_$config.sql"
  pgload --call search --concurrency "$pg_connections" --duration_s "$pg_index_s" \
    --json_out "$work/pg_index_$config.json"
  qps=$(python3 -c "import json;print(int(json.load(open('$work/pg_index_$config.json'))['qps']))")
  if [ "$qps" -gt "$best_qps" ]; then best=$config; best_qps=$qps; fi
done
step "PostGIS search with the best configuration ($best)"
psql -f "bench/postgis/index_$best.sql"
pgload --call search --concurrency "$pg_connections" --duration_s "$run_s" \
  --json_out "$work/pg_search.json"
step "PostGIS durable bookings (hold + confirm, $pg_connections connections)"
pgload --call book --concurrency "$pg_connections" --duration_s "$run_s" \
  --json_out "$work/pg_book.json"
psql -c "SELECT count(*) AS overbooked FROM slot WHERE held + booked > capacity + overbooking_places" -t \
  > "$work/pg_overbooked.txt"

# ---- 4. Report. ----
step "report"
python3 bench/report.py --work "$work" --out "$out" --mode "$mode" \
  --best_pg_index "$best" --git "$(git rev-parse --short HEAD)$(git diff --quiet || echo -dirty)"
