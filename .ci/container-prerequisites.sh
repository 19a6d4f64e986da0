#!/usr/bin/env bash
# Installs what the container tests need (integration-tests/container; the image is built by
# integration-tests/src/main/docker/build-image.sh): podman with the runc runtime, and debootstrap for the base image.
# Podman runs containers as root here; two settings make it work on this kind of machine, written to
# /etc/containers/containers.conf: runc instead of crun (crun refuses hybrid cgroups), and no default ulimits (else
# "setrlimit RLIMIT_NOFILE: Operation not permitted"). Needs root (or sudo). Idempotent.
set -euo pipefail

SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "container-prerequisites: not root and no sudo: cannot apt-get install" >&2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
log() { echo "container-prerequisites: $*" >&2; }

MISSING=()
command -v podman >/dev/null 2>&1 || MISSING+=(podman)
[[ -x /usr/sbin/runc || -x /usr/bin/runc ]] || MISSING+=(runc)
[[ -x /usr/sbin/debootstrap || -x /usr/bin/debootstrap ]] || MISSING+=(debootstrap)
if ((${#MISSING[@]})); then
  log "installing ${MISSING[*]}"
  if ! $SUDO apt-get install -y -q --no-install-recommends "${MISSING[@]}" >&2; then
    $SUDO apt-get update -q >&2 # no or stale package lists
    $SUDO apt-get install -y -q --no-install-recommends "${MISSING[@]}" >&2
  fi
fi

CONF=/etc/containers/containers.conf
if ! grep -qs '^default_ulimits = \[\]' "$CONF"; then
  log "writing $CONF (runtime runc, no default ulimits)"
  $SUDO mkdir -p /etc/containers
  $SUDO tee "$CONF" >/dev/null <<'CONF'
# written by autoftp's .ci/container-prerequisites.sh

[containers]
default_ulimits = []

[engine]
runtime = "runc"
CONF
fi
log "$(podman --version); runc $(runc --version 2>/dev/null | head -1 | awk '{print $3}')"
