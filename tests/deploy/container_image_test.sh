#!/usr/bin/env bash
# Builds creneaud's container image from deploy/Dockerfile with podman and
# runs it. No registry is reachable and `podman run` is refused here, so:
#   1. the Debian 12 base image is imported from a debootstrap root (made
#      once, kept in $CRENEAU_IMAGE_CACHE);
#   2. `podman build --isolation chroot` builds both stages for real;
#   3. the built image is mounted (`podman image mount`), copied, and
#      creneaud started from it in a chroot as the image's user (10001);
#      the image's own health check command must answer SERVING, and a
#      search must find the demo territory's slots.
# Prints the image size. Needs root, podman and debootstrap (setup.sh).
#
#   tests/deploy/container_image_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$(cd "${1:?usage: container_image_test.sh SOURCE_DIR}" && pwd)
# In a chroot whose root is a plain directory (CI's fresh Debian), podman
# cannot unpack a layer: it makes "/" private, and the kernel refuses that
# on a directory that is not a mount point ("remount /, flags: 0x44000:
# invalid argument"). Start again in a mount namespace of our own whose
# root is a bind mount of "/" (removed with the namespace at exit).
if ! mountpoint -q / && [ -z "${CRENEAU_IMAGE_TEST_REBOUND:-}" ]; then
  echo "== / is not a mount point: rerunning under a bind mount of /"
  rebind=$(mktemp -d /var/tmp/creneau-rootbind.XXXXXX)
  export CRENEAU_IMAGE_TEST_REBOUND=1
  unshare --mount --propagation unchanged -- /bin/bash -c \
    'mount --rbind / "$1" && exec chroot "$1" /bin/bash "$2" "$3"' \
    rebind "$rebind" "$(readlink -f "$0")" "$source_dir" && status=0 || status=$?
  rmdir "$rebind" 2>/dev/null || true
  exit "$status"
fi
cache=${CRENEAU_IMAGE_CACHE:-/var/tmp/creneau-image-cache}
base=localhost/creneau-base:debian12
image=localhost/creneau:test
# Bounds of the run.
start_timeout_s=120
work=$(mktemp -d)
root="$work/root"
mounted=""
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    { kill -9 "$server_pid"; wait "$server_pid"; } 2>/dev/null || true
  fi
  for m in "$root/proc" "$root/dev"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m"
  done
  [ -n "$mounted" ] && podman image unmount "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! podman image exists "$base"; then
  if [ ! -x "$cache/debian12-root/usr/bin/apt-get" ]; then
    echo "== debootstrap Debian 12 (minbase) into $cache (once)"
    rm -rf "$cache/debian12-root"
    mkdir -p "$cache"
    debootstrap --variant=minbase bookworm "$cache/debian12-root" \
      http://deb.debian.org/debian > "$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log"; exit 1; }
  fi
  echo "== importing the base image (without apt's caches, manuals, locales)"
  tar -C "$cache/debian12-root" \
    --exclude='./var/cache/apt/*' --exclude='./var/lib/apt/lists/*' \
    --exclude='./usr/share/man/*' --exclude='./usr/share/locale/*' \
    -c . | podman import - "$base" >/dev/null
fi

echo "== podman build (two stages)"
start=$(date +%s)
# The build stage compiles through this machine's ccache (mounted at
# /ccache, see the Dockerfile): the objects deploy/build.sh compiled from
# the same sources with the same compiler are reused, the rest compiled.
# Its counters are read before and after, not zeroed: they are the user's.
ccache_counts() {  # Prints "reused compiled" since the cache was created.
  ccache --print-stats | awk -F'\t' \
    '$1=="direct_cache_hit"||$1=="preprocessed_cache_hit"{h+=$2}
     $1=="cache_miss"{m=$2} END{printf "%d %d", h, m}'
}
ccache_volume=()
if command -v ccache >/dev/null; then
  ccache_dir=$(ccache -k cache_dir)
  mkdir -p "$ccache_dir"
  read -r reused_before compiled_before <<< "$(ccache_counts)"
  ccache_volume=(--volume "$ccache_dir:/ccache")
fi
# Docker format: OCI images have no HEALTHCHECK.
podman build --isolation chroot --format docker --build-arg "BASE=$base" \
  "${ccache_volume[@]}" -f "$source_dir/deploy/Dockerfile" -t "$image" \
  "$source_dir" > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image built in $(( $(date +%s) - start )) s: $(( size / 1000000 )) MB ($size bytes)"
if [ ${#ccache_volume[@]} -gt 0 ]; then
  read -r reused compiled <<< "$(ccache_counts)"
  echo "  compiled through ccache: $((reused - reused_before)) objects reused," \
    "$((compiled - compiled_before)) compiled"
fi
for field in User Healthcheck ExposedPorts Volumes Entrypoint Cmd; do
  echo "  $field: $(podman image inspect --format "{{json .Config.$field}}" "$image")"
done
[ "$(podman image inspect --format '{{.Config.User}}' "$image")" = "10001:10001" ]
podman image inspect --format '{{json .Config.Healthcheck}}' "$image" \
  | grep -q 'bin/creneau","--timeout=4s","health"' \
  || { echo "no health check in the image"; exit 1; }

echo "== creneaud from the image, in a chroot"
mounted=$(podman image mount "$image")
mkdir -p "$root"
cp -a "$mounted/." "$root/"
podman image unmount "$image" >/dev/null && mounted=""
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
chroot --userspec=10001:10001 "$root" /usr/local/bin/creneaud \
  --data_dir=/var/lib/creneau --listen=127.0.0.1:0 \
  --port_file=/var/lib/creneau/port --http_listen=127.0.0.1:0 \
  --demo_territory="CA Royan Atlantique" > "$work/creneaud.log" 2>&1 &
server_pid=$!
health=""
for _ in $(seq "$start_timeout_s"); do
  if [ -s "$root/var/lib/creneau/port" ]; then
    port=$(cat "$root/var/lib/creneau/port")
    # The image's HEALTHCHECK command, with the port of this run.
    health=$(chroot --userspec=10001:10001 "$root" /usr/bin/env \
      CRENEAU_SERVER="127.0.0.1:$port" /usr/local/bin/creneau --timeout=4s \
      health 2>&1 || true)
    [ "$health" = "SERVING" ] && break
  fi
  sleep 1
done
if [ "$health" != "SERVING" ]; then
  echo "health: '$health'"; cat "$work/creneaud.log"; exit 1
fi
echo "health: $health"
matches=$(chroot --userspec=10001:10001 "$root" /usr/local/bin/creneau \
  --server="127.0.0.1:$port" search --commune 17306 --profession gp \
  --within 7d | grep -c " km " || true)
echo "search from the image: $matches matches"
[ "$matches" -gt 0 ] || { cat "$work/creneaud.log"; exit 1; }
echo "container image: all checks passed"
