#!/usr/bin/env bash
# Installs what the network namespace tests need (io.autoftp.testing.NetworkLab, io.autoftp.network.FirewallMatrixTest):
# iproute2 (ip netns, veth) and nftables (nft), and loads the conntrack FTP helper where the kernel has it as a module.
# Needs root (or sudo); the tests need root too. Idempotent.
#
#   .ci/network-prerequisites.sh      install what is missing, then say what the kernel offers
set -euo pipefail

SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "network-prerequisites: not root and no sudo: cannot apt-get install" >&2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
log() { echo "network-prerequisites: $*" >&2; }

have() { [[ -x "/usr/sbin/$1" || -x "/sbin/$1" || -x "/usr/bin/$1" || -x "/bin/$1" ]]; }

MISSING=()
have ip || MISSING+=(iproute2)
have nft || MISSING+=(nftables)
if ((${#MISSING[@]})); then
  log "installing ${MISSING[*]}"
  if ! $SUDO apt-get install -y -q --no-install-recommends "${MISSING[@]}" >&2; then
    $SUDO apt-get update -q >&2 # no or stale package lists
    $SUDO apt-get install -y -q --no-install-recommends "${MISSING[@]}" >&2
  fi
fi

# Debian's kernels ship nf_conntrack_ftp / nf_nat_ftp as modules; others build them in (and may have no modprobe).
kernel_config() {
  if [[ -r /proc/config.gz ]]; then zcat /proc/config.gz; elif [[ -r "/boot/config-$(uname -r)" ]]; then
    cat "/boot/config-$(uname -r)"; fi
}
declare -A OPTION=([nf_conntrack_ftp]=CONFIG_NF_CONNTRACK_FTP [nf_nat_ftp]=CONFIG_NF_NAT_FTP)
for module in nf_conntrack_ftp nf_nat_ftp; do
  if [[ -d "/sys/module/$module" ]] || kernel_config | grep -q "^${OPTION[$module]}=y"; then
    log "$module: present (built in or loaded)"
  elif command -v modprobe >/dev/null 2>&1 && $SUDO modprobe "$module" 2>/dev/null; then
    log "$module: loaded"
  else
    log "$module: not present and not loadable; the FTP helper scenario will say so (it skips outside CI)"
  fi
done
log "kernel $(uname -r); $(/usr/sbin/nft --version 2>/dev/null || nft --version)"
