#!/usr/bin/env bash
# README command 1: installs what is needed, builds, and runs creneaud on its
# embedded RocksDB (./creneau-data) with the demo territory of CPTS Royan
# Atlantique (33 communes, 661 professionals, 14 days of slots) loaded on
# first start. Stop it with Ctrl-C (a graceful shutdown).
#
#   deploy/run-demo.sh           # keeps ./creneau-data between runs
#   deploy/run-demo.sh --fresh   # starts over with a new demo territory
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fresh" ]; then
  rm -rf creneau-data
  shift
fi
./deploy/setup.sh
./deploy/build.sh
cat <<'HELP'

creneaud is starting on 127.0.0.1:50051. In another terminal, from this directory:

  ./build/tools/creneau search --commune 17306 --profession gp        # near Royan
  ./build/tools/creneau hold <slot-id>                                # prints a token
  ./build/tools/creneau confirm <slot-id> <token> --patient p-0001
  ./build/tools/creneau get <booking-id>
  ./build/tools/creneau --help

HELP
exec ./build/server/creneaud --data_dir=creneau-data --listen=127.0.0.1:50051 \
  --demo_territory="CA Royan Atlantique" --demo_professionals=661 "$@"
