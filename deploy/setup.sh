#!/usr/bin/env bash
# Installs every Debian 12 package creneau needs to build, test, run and benchmark.
# Idempotent: packages already present are left alone. Run as root (or with sudo).
#
#   deploy/setup.sh            # everything: build, tests, benchmarks, peer database
#
# This file is the single list of the project's system dependencies.
set -euo pipefail

packages=(
  # Toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates clang-format ccache
  clang libclang-rt-14-dev
  # Contract and RPC
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev libgrpc-dev
  # Libraries
  libabsl-dev librocksdb-dev libs2-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev
  libgoogle-perftools-dev libcpp-httplib-dev nlohmann-json3-dev
  tzdata
  # Tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # The regression gate (bench/guard.sh): compare.py and its U test
  libbenchmark-tools python3-scipy
  python3 python3-grpcio python3-protobuf
  # Operations checks: /metrics format (promtool), the systemd unit
  # (systemd-analyze), the Kubernetes manifests (yamllint, and the API's
  # models in python3-kubernetes)
  prometheus yamllint systemd python3-kubernetes python3-yaml
  # The container image test: podman builds deploy/Dockerfile on a base
  # imported from debootstrap
  podman debootstrap
  # Peer comparison (PostgreSQL + PostGIS side by side)
  postgresql-15 postgresql-15-postgis-3 libpq-dev
  # Process tools used by tests and scripts
  procps psmisc patch openssl
)

if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E "$0" "$@"
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
else
  echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: done"
