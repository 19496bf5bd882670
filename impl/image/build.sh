#!/usr/bin/env bash
# make image: builds the kruise-ref manager image with podman, from a base built here.
#
#   impl/image/build.sh [--check-only] [--base-only]
#
#   --base-only  stop once the base exists (podman set up, base debootstrapped if missing): the
#                in-cluster OpenKruise images (harness/install/openkruise-image.ts) build on it too
#
#   IMAGE        tag to build (default localhost/kruise-ref:<package.json version>; fully qualified,
#                because kind's podman provider and containerd resolve short names differently)
#   BASE_IMAGE   base to build on. Default localhost/kruise-ref-base:bookworm, which this script
#                makes once from `debootstrap --variant=minbase bookworm` and `podman import`
#                (nothing is pulled). With registry access: BASE_IMAGE=docker.io/library/debian:bookworm-slim
#   KRUISE_CONFORMANCE_DEBIAN_MIRROR   debootstrap mirror (default http://deb.debian.org/debian)
#
# podman is installed and configured where missing by the shared
# clusters/kind/node-image/setup-podman.sh (runc, ulimits this VM allows). Needs root for that and
# for debootstrap. Every step prints its wall time; the last line is the smoke check
# (`podman run --rm IMAGE --help` must list the manager and helm-hook commands).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json | head -n1)
IMAGE=${IMAGE:-localhost/kruise-ref:$VERSION}
DEFAULT_BASE=localhost/kruise-ref-base:bookworm
BASE_IMAGE=${BASE_IMAGE:-$DEFAULT_BASE}
MIRROR=${KRUISE_CONFORMANCE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
NODE_BIN=$ROOT/node_modules/node/bin/node
ESBUILD=$ROOT/node_modules/.bin/esbuild

log() { echo "image: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
T0=$(now)

# 1. podman, configured for this VM (the shared script of the kind node image).
SETUP=$ROOT/clusters/kind/node-image/setup-podman.sh
t=$(now)
if [ -x "$SETUP" ]; then
  "$SETUP" | sed 's/^/image: podman: /'
elif ! command -v podman >/dev/null 2>&1; then
  echo "image: podman is not installed and $SETUP is missing; install podman (4.3+) with runc" >&2
  exit 1
fi
log "podman ready ($(since "$t"))"

[ -x "$NODE_BIN" ] || { echo "image: no pinned Node.js at $NODE_BIN (run: npm ci)" >&2; exit 1; }
[ -x "$ESBUILD" ] || { echo "image: no esbuild at $ESBUILD (it comes with tsx; run: npm ci)" >&2; exit 1; }

# 2. The base: a minimal Debian rootfs, made once and kept as a podman image.
if [ "$BASE_IMAGE" = "$DEFAULT_BASE" ] && ! podman image exists "$BASE_IMAGE"; then
  [ "$(id -u)" -eq 0 ] || { echo "image: building the base $BASE_IMAGE needs root (debootstrap); or pass BASE_IMAGE=<a glibc image>" >&2; exit 1; }
  t=$(now)
  if ! command -v debootstrap >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    log "changed: installed debootstrap (apt-get install --no-install-recommends)"
  fi
  R=$(mktemp -d /var/tmp/kruise-ref-rootfs-XXXXXX)
  trap 'rm -rf "$R" "$R.log"' EXIT
  log "debootstrap --variant=minbase bookworm from $MIRROR"
  debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$R.log" 2>&1 || { tail -20 "$R.log" >&2; exit 1; }
  # Nothing at run time installs packages: drop apt's lists and caches, docs, man pages, locales.
  rm -rf "$R"/var/cache/apt/* "$R"/var/lib/apt/lists/* "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/usr/share/locale/* "$R"/var/log/*
  : >"$R/etc/machine-id"
  tar --numeric-owner -C "$R" -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$R" "$R.log"
  trap - EXIT
  log "base $BASE_IMAGE built ($(since "$t"), $(podman image inspect --format '{{.Size}}' "$BASE_IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
else
  log "base $BASE_IMAGE: $(podman image exists "$BASE_IMAGE" && echo present || echo 'will be pulled by podman build')"
fi

if [ "${1:-}" = "--base-only" ]; then log "base ready in $(since "$T0"): $BASE_IMAGE"; exit 0; fi

# 3. The context: pinned node + one bundle of impl/ (esbuild resolves node_modules at build time).
t=$(now)
CTX=$(mktemp -d /var/tmp/kruise-ref-context-XXXXXX)
trap 'rm -rf "$CTX"' EXIT
"$ESBUILD" impl/cmd/kruise-ref.ts --bundle --platform=node --format=esm --target=node24 --log-level=warning \
  --banner:js="import { createRequire as __kruiseRefRequire } from 'node:module'; const require = __kruiseRefRequire(import.meta.url);" \
  --outfile="$CTX/kruise-ref.mjs"
cp "$NODE_BIN" "$CTX/node"
cp impl/image/Containerfile "$CTX/Containerfile"
log "context: node $("$NODE_BIN" --version), bundle $(du -h "$CTX/kruise-ref.mjs" | cut -f1) ($(since "$t"))"

# 4. The image.
t=$(now)
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
podman build --quiet --network=none --pull=never --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$CTX/Containerfile" -t "$IMAGE" "$CTX" >/dev/null \
  || { [ "$BASE_IMAGE" != "$DEFAULT_BASE" ] && podman build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$CTX/Containerfile" -t "$IMAGE" "$CTX" >/dev/null; }
current=$(podman image inspect --format '{{.Id}}' "$IMAGE")
# The image this build replaced would linger untagged: remove it (only it, never other images).
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then podman rmi "$previous" >/dev/null 2>&1 || true; fi
log "built $IMAGE ($(since "$t"), $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"

# 5. Smoke check: the image starts and prints the CLI's help.
t=$(now)
help=$(podman run --rm --network=none "$IMAGE" --help 2>&1) || { echo "image: podman run --rm $IMAGE --help failed:" >&2; echo "$help" >&2; exit 1; }
for cmd in manager helm-hook; do
  grep -q "^  $cmd" <<<"$help" || { echo "image: the help of $IMAGE lists no '$cmd' command:" >&2; echo "$help" >&2; exit 1; }
done
log "podman run --rm $IMAGE --help lists manager and helm-hook ($(since "$t"))"
log "done in $(since "$T0"): $IMAGE"
