#!/usr/bin/env bash
# Assembles the kind node image the way `kind build node-image` does, with podman and without a
# registry: start a build container from the base rootfs, copy in the node binaries, write
# /kind/version, import every image archive into the node's containerd store (namespace k8s.io,
# pinned, not unpacked, as kind's image importer does), and commit with kind's entrypoint.
#
# usage: assemble-node.sh <rootfs .tar> <base image tag> <stage dir> <kubernetes version> <node image tag>
#   <stage dir>/files/  laid out as the node's root (usr/bin/kubelet, ...), copied over /
#   <stage dir>/images/ docker-archive .tar files, one image each
# The base image is imported once from the rootfs tarball and reused while it exists.
set -euo pipefail

ROOTFS=${1:?usage}; BASE=${2:?usage}; STAGE=${3:?usage}; VERSION=${4:?usage}; TAG=${5:?usage}
log() { echo "assemble-node: $*"; }

if ! podman image exists "$BASE"; then
  log "importing the base rootfs as $BASE"
  podman import --quiet \
    --change 'ENV container=docker' \
    --change 'STOPSIGNAL SIGRTMIN+3' \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
    "$ROOTFS" "$BASE" >/dev/null
fi

NAME="kruise-conformance-kind-build-$$"
cleanup() { podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# As kind's build container: not an init, just a shell to run commands in.
podman run -d --name "$NAME" --privileged --entrypoint=sleep "$BASE" infinity >/dev/null

log "copying the node binaries"
tar -C "$STAGE/files" -cf - . | podman exec -i "$NAME" tar -C / -xf - --no-same-owner
podman exec "$NAME" bash -c "chmod 0755 /usr/bin/kubelet /usr/bin/kubeadm /usr/bin/kubectl /usr/local/bin/crictl && printf '%s' '$VERSION' > /kind/version"

log "importing $(ls "$STAGE/images" | wc -l) images into the node's containerd store"
podman exec "$NAME" mkdir -p /kind/import
tar -C "$STAGE/images" -cf - . | podman exec -i "$NAME" tar -C /kind/import -xf -
podman exec "$NAME" bash -ec '
  containerd >/var/log/containerd-build.log 2>&1 &
  pid=$!
  for i in $(seq 1 100); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
  ctr version >/dev/null || { cat /var/log/containerd-build.log >&2; exit 1; }
  for f in /kind/import/*.tar; do
    ctr -n k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests - <"$f" >/dev/null
  done
  ctr -n k8s.io images ls -q | grep -v "sha256:" | sort
  kill "$pid"; wait "$pid" || true
  rm -rf /kind/import /var/log/containerd-build.log /tmp/* /run/containerd
'

log "committing $TAG"
podman commit --quiet \
  --change 'ENV container=docker' \
  --change 'STOPSIGNAL SIGRTMIN+3' \
  --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
  --change 'CMD []' \
  "$NAME" "$TAG" >/dev/null
log "done: $TAG ($(podman image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
