#!/usr/bin/env bash
# Builds the root filesystem of the kind node image: Debian bookworm from Debian's packages
# (systemd 252, containerd, runc, CNI plugins, iptables), laid out to kind v0.33.0's base-image
# contract. kind's own base files (entrypoint, systemd units, containerd config, helper scripts)
# are read from the kind module in the Go module cache, the same release as the pinned kind
# binary; nothing of kind is kept in this repository.
#
# usage: build-rootfs.sh <kind module dir> <output .tar>
#
# Why bookworm and Debian's packages rather than kind's trixie base with containerd 2: systemd
# 257 (trixie) stalls or refuses on cgroup v1 hosts, systemd 252 boots there; kindest/base
# cannot be pulled on an offline machine. Differences from kind's base are listed in
# docs/kind-offline-status.md. Needs root (debootstrap, chroot); takes about a minute.
set -euo pipefail

KIND_DIR=${1:?usage: build-rootfs.sh <kind module dir> <output .tar>}
OUT=${2:?usage: build-rootfs.sh <kind module dir> <output .tar>}
SUITE=bookworm
MIRROR=${KRUISE_CONFORMANCE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
FILES="$KIND_DIR/images/base/files"
# kind's base package list, less nfs-common, open-iscsi and fuse-overlayfs (no NFS/iSCSI volumes,
# no rootless), plus the runtime pieces kind builds from source and Debian packages.
PACKAGES=(
  systemd systemd-sysv conntrack iptables nftables iproute2 ethtool util-linux mount kmod
  libseccomp2 pigz e2fsprogs bash ca-certificates curl jq procps
  containerd runc containernetworking-plugins
)

[ "$(id -u)" -eq 0 ] || { echo "build-rootfs: must run as root (debootstrap and chroot)" >&2; exit 1; }
[ -f "$FILES/usr/local/bin/entrypoint" ] || { echo "build-rootfs: $FILES has no kind base files (expected sigs.k8s.io/kind's module directory)" >&2; exit 1; }
if ! command -v debootstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  echo "changed: installed debootstrap (apt-get install --no-install-recommends)"
fi

R=$(mktemp -d "${OUT}.rootfs-XXXXXX")
cleanup() {
  for m in dev/pts dev proc sys; do mountpoint -q "$R/$m" && umount -l "$R/$m" || true; done
  rm -rf "$R"
}
trap cleanup EXIT

log() { echo "build-rootfs: $*"; }
log "debootstrap $SUITE (minbase) from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$R" "$MIRROR" >"$R.debootstrap.log" 2>&1 || { tail -20 "$R.debootstrap.log" >&2; rm -f "$R.debootstrap.log"; exit 1; }
rm -f "$R.debootstrap.log"

cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
EOF
cp /etc/resolv.conf "$R/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d" && chmod +x "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"; mount -t sysfs sys "$R/sys"; mount --bind /dev "$R/dev"; mount --bind /dev/pts "$R/dev/pts"

log "installing ${#PACKAGES[@]} packages"
chroot "$R" /bin/bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends ${PACKAGES[*]} >/dev/null"

log "laying out kind v0.33.0's base files"
install -m 0755 "$FILES"/usr/local/bin/* "$R/usr/local/bin/"
mkdir -p "$R/kind/bin" "$R/LICENSES"
cp -r "$FILES/kind/." "$R/kind/"; chmod 0755 "$R/kind" "$R/kind/bin" "$R"/kind/bin/*
install -m 0644 "$FILES"/LICENSES/* "$R/LICENSES/"
install -m 0644 "$FILES/etc/crictl.yaml" "$R/etc/crictl.yaml"
install -m 0644 -D "$FILES/etc/containerd/config.toml" "$R/etc/containerd/config.toml"
install -m 0644 -D "$FILES/etc/default/kubelet" "$R/etc/default/kubelet"
install -m 0644 "$FILES"/etc/sysctl.d/* "$R/etc/sysctl.d/"
install -m 0644 "$FILES"/etc/systemd/system/*.service "$FILES"/etc/systemd/system/*.slice "$R/etc/systemd/system/"
mkdir -p "$R/etc/systemd/system/kubelet.service.d"
install -m 0644 "$FILES"/etc/systemd/system/kubelet.service.d/* "$R/etc/systemd/system/kubelet.service.d/"

# kind's units and config name the paths of its own builds; Debian installs elsewhere.
ln -sf /usr/bin/containerd "$R/usr/local/bin/containerd"
mkdir -p "$R/opt/cni"; rm -rf "$R/opt/cni/bin"; ln -s /usr/lib/cni "$R/opt/cni/bin"

chroot "$R" /bin/bash -ec '
  find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete
  rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/*
  rm -f /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev*
  rm -f /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >> /etc/systemd/journald.conf
  systemctl enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
  systemctl mask systemd-binfmt.service >/dev/null 2>&1
  systemctl set-default multi-user.target >/dev/null 2>&1
  mkdir -p /etc/kubernetes/manifests
  # the base runtime spec, as kind makes it: containerd default spec, product_uuid hook, no rlimits
  ctr oci spec \
    | jq ".hooks.createContainer[.hooks.createContainer | length] |= . + {\"path\": \"/kind/bin/mount-product-files.sh\"}" \
    | jq "del(.process.rlimits)" > /etc/containerd/cri-base.json
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/*.log /var/log/apt/*
'
for m in dev/pts dev proc sys; do umount "$R/$m"; done
rm -f "$R/usr/sbin/policy-rc.d"
: >"$R/etc/machine-id"
: >"$R/etc/resolv.conf"
echo kind >"$R/etc/hostname"

{
  echo "# kruise-conformance kind node rootfs ($SUITE), built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  chroot "$R" dpkg-query -W -f '${Package} ${Version}\n' systemd containerd runc containernetworking-plugins iptables
} >"$R/kind/rootfs-packages"

tar -C "$R" --numeric-owner --xattrs -cf "$OUT.partial" .
mv "$OUT.partial" "$OUT"
log "wrote $OUT ($(du -h "$OUT" | cut -f1)); $(tail -n +2 "$R/kind/rootfs-packages" | tr '\n' ';')"
