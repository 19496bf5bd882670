#!/usr/bin/env bash
# Makes sure the system programs a make target needs are present, installing the missing ones
# with apt-get (as root, or through passwordless sudo) and saying so. Where it cannot install
# (no apt-get, no root, or KRUISE_CONFORMANCE_NO_SYSTEM_INSTALL=1) it fails with the exact command
# to run. It never skips: a test that needs a program fails loudly rather than passing without it.
#
#   scripts/system-deps.sh chromium java
#
# chromium: headless Chromium for the tests that look at rendered report pages (Debian package
#           chromium; KRUISE_CONFORMANCE_CHROMIUM points at another binary).
# java:     a Java runtime for allure-commandline, which writes the Allure HTML report.
set -euo pipefail

declare -A PACKAGE=([chromium]=chromium [java]=default-jre-headless)
declare -A WHY=(
  [chromium]="the report tests look at rendered pages in headless Chromium"
  [java]="allure-commandline (the Allure HTML report) is a Java program"
)

have() {
  case "$1" in
    chromium) [ -x "${KRUISE_CONFORMANCE_CHROMIUM:-/usr/bin/chromium}" ] ;;
    java) command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1 ;;
    *) echo "system-deps: unknown prerequisite '$1' (known: ${!PACKAGE[*]})" >&2; exit 2 ;;
  esac
}

missing=()
for dep in "$@"; do have "$dep" || missing+=("$dep"); done
[ ${#missing[@]} -eq 0 ] && exit 0

packages=()
for dep in "${missing[@]}"; do packages+=("${PACKAGE[$dep]}"); done
line="apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"

sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo); else sudo=(none); fi
fi

explain() {
  for dep in "${missing[@]}"; do echo "system-deps: missing $dep: ${WHY[$dep]}" >&2; done
  if [[ " ${missing[*]} " == *" chromium "* ]]; then
    echo "system-deps: (or point KRUISE_CONFORMANCE_CHROMIUM at a Chromium binary you have)" >&2
  fi
}

if [ "${KRUISE_CONFORMANCE_NO_SYSTEM_INSTALL:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1 || [ "${sudo[*]}" = none ]; then
  explain
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: this machine has no apt-get; install the equivalent of: ${packages[*]}" >&2
  else
    echo "system-deps: install them with: sudo sh -c '$line'" >&2
  fi
  exit 1
fi

for dep in "${missing[@]}"; do echo "system-deps: installing ${PACKAGE[$dep]} with apt-get: ${WHY[$dep]}"; done
start=$(date +%s)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
for dep in "${missing[@]}"; do
  if ! have "$dep"; then
    echo "system-deps: ${PACKAGE[$dep]} was installed but $dep is still not usable (chromium is looked for at ${KRUISE_CONFORMANCE_CHROMIUM:-/usr/bin/chromium})" >&2
    exit 1
  fi
done
echo "system-deps: installed ${packages[*]} in $(( $(date +%s) - start )) s"
