#!/usr/bin/env bash
# Installs and configures rootful podman so that kind (KIND_EXPERIMENTAL_PROVIDER=podman) can run
# its privileged node containers on a Debian/Ubuntu host like this project's build machines:
# cgroup v1, and a bounding set without CAP_SYS_RESOURCE (see docs/kind-offline-status.md).
#
# Idempotent: a second run changes nothing. Every change to the host is printed on its own line
# starting with "changed:", everything already in place with "ok:". Needs root (or sudo).
#
#   podman            Debian's package, with runc (crun 1.8 refuses hybrid cgroup v1+v2 hosts) and
#                     the CNI dnsname plugin: kind's nodes find each other by container name,
#                     which podman's CNI networks resolve only with it
#   containers.conf   a drop-in: runtime runc, default ulimits a process without CAP_SYS_RESOURCE
#                     may set (podman's 1048576 may not), no pids limit (a node runs many pods)
#   /lib/modules      kind bind-mounts it into every node; podman, unlike docker, does not create
#                     a missing bind source (kernels without loadable modules have none)
set -euo pipefail

DROPIN_DIR=/etc/containers/containers.conf.d
DROPIN="$DROPIN_DIR/50-kruise-conformance.conf"

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo -n "$0" "$@"; fi
  echo "setup-podman: must run as root (or with sudo) to install and configure podman" >&2
  exit 1
fi

changed=0
note_changed() { echo "changed: $*"; changed=1; }
note_ok() { echo "ok: $*"; }

missing=()
for pkg in podman runc iptables golang-github-containernetworking-plugin-dnsname; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-podman: ${missing[*]} not installed and there is no apt-get: install podman (4.3 or newer) and runc with your package manager" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  note_changed "installed ${missing[*]} (apt-get install --no-install-recommends)"
else
  note_ok "podman $(dpkg-query -W -f='${Version}' podman), runc, iptables and the dnsname CNI plugin are installed"
fi

want=$(cat <<'EOF'
# Written by kruise-conformance clusters/kind/node-image/setup-podman.sh; remove it to undo.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
pids_limit = 0

[engine]
runtime = "runc"
EOF
)
if [ -f "$DROPIN" ] && [ "$(cat "$DROPIN")" = "$want" ]; then
  note_ok "$DROPIN is in place"
else
  mkdir -p "$DROPIN_DIR"
  printf '%s\n' "$want" >"$DROPIN"
  note_changed "wrote $DROPIN (runtime runc, default_ulimits nofile/nproc 20000/32768, pids_limit 0)"
fi

if [ -d /lib/modules ]; then
  note_ok "/lib/modules exists"
else
  mkdir -p /lib/modules
  note_changed "created the empty directory /lib/modules (kind mounts it into its nodes)"
fi

runtime=$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || true)
if [ "$runtime" != "runc" ]; then
  echo "setup-podman: podman reports OCI runtime '${runtime:-none}' instead of runc; check $DROPIN and 'podman info'" >&2
  exit 1
fi
echo "setup-podman: podman $(podman version --format '{{.Client.Version}}') ready (runtime $runtime); $([ $changed = 1 ] && echo 'the host was changed as listed above' || echo 'nothing changed')"
