#!/usr/bin/env bash
# Fetches Debian's vsftpd, proftpd and pure-ftpd for the real-server tests (io.autoftp.testing.RealFtpServer).
#
# The three packages conflict with each other and their maintainer scripts would start daemons, so they are NOT
# installed: each is `apt-get download`ed and unpacked with `dpkg -x` into its own directory
#
#   ${AUTOFTP_FTP_SERVERS:-$HOME/.cache/autoftp/ftp-servers}/{vsftpd,proftpd,pure-ftpd}
#
# (proftpd's directory also gets proftpd-mod-crypto, which holds mod_tls for the FTPS tests.)
#
# Only the shared libraries they link against are installed (apt-get install), when missing. Needs root (or sudo)
# for that; the tests themselves also need root (they add a system user "autoftp" and run the servers).
# Idempotent: a server whose unpacked version matches the candidate version is left alone.
#
#   .ci/fetch-ftp-servers.sh            fetch what is missing, print where the binaries are
#   .ci/fetch-ftp-servers.sh --force    unpack again even when up to date
set -euo pipefail

DEST="${AUTOFTP_FTP_SERVERS:-$HOME/.cache/autoftp/ftp-servers}"
FORCE=false
[[ "${1:-}" == "--force" ]] && FORCE=true

# name -> Debian packages unpacked into its directory: the binary's package first, then modules it loads.
# proftpd's mod_tls (FTPS, RealFtpServer.Builder#tls) is not in proftpd-core but in proftpd-mod-crypto
# (usr/lib/proftpd/mod_tls.so); vsftpd and pure-ftpd are built with OpenSSL into their one binary.
declare -A PACKAGE=([vsftpd]=vsftpd [proftpd]="proftpd-core proftpd-mod-crypto" [pure-ftpd]=pure-ftpd)
# name -> binaries and modules (relative to the unpacked tree) that must be there and find their libraries
declare -A BINARIES=([vsftpd]="usr/sbin/vsftpd" [proftpd]="usr/sbin/proftpd usr/lib/proftpd/mod_tls.so"
                     [pure-ftpd]="usr/sbin/pure-ftpd usr/bin/pure-pw")
NAMES=(vsftpd proftpd pure-ftpd)

SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "fetch-ftp-servers: not root and no sudo: cannot apt-get install libraries" >&2
  fi
fi
export DEBIAN_FRONTEND=noninteractive

log() { echo "fetch-ftp-servers: $*" >&2; }

# A package list is needed for apt-cache/apt-get download; update once if it does not know our packages.
if ! apt-cache show vsftpd proftpd-core proftpd-mod-crypto pure-ftpd >/dev/null 2>&1; then
  log "apt-get update"
  $SUDO apt-get update -q >&2
fi

candidate() { apt-cache policy "$1" | awk '/Candidate:/ {print $2}'; }

# Lists the shared-library packages a .deb depends on (first alternative of each dependency).
library_deps() {
  dpkg-deb -f "$1" Depends Pre-Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/[[:space:]]//g' \
    | grep -E '^(lib|zlib)' | grep -v -E '^libpam-(runtime|modules)$' || true
}

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

mkdir -p "$DEST"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Downloads package $1 at version $2 into $WORK (refreshing stale package lists once); prints the .deb's path.
download() {
  local pkg="$1" version="$2"
  if ! (cd "$WORK" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2); then
    # stale package lists name a version the mirror no longer has: refresh once and take the new candidate
    log "download failed; apt-get update and retry"
    $SUDO apt-get update -q >&2
    version="$(candidate "$pkg")"
    (cd "$WORK" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2)
  fi
  ls "$WORK"/"${pkg}"_*.deb | head -n1
}

NEED_LIBS=()
for name in "${NAMES[@]}"; do
  packages=(${PACKAGE[$name]})
  wanted=""
  for pkg in "${packages[@]}"; do
    version="$(candidate "$pkg")"
    if [[ -z "$version" || "$version" == "(none)" ]]; then
      log "no candidate for $pkg in the package lists"; exit 1
    fi
    wanted+="${wanted:+ }$pkg $version"
  done
  target="$DEST/$name"
  stamp="$target/.autoftp-version"
  if ! $FORCE && [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    log "$name: $wanted already unpacked in $target"
  else
    rm -rf "$target.tmp" && mkdir -p "$target.tmp"
    for pkg in "${packages[@]}"; do
      version="$(candidate "$pkg")"
      log "$name: downloading $pkg $version"
      deb="$(download "$pkg" "$version")"
      dpkg -x "$deb" "$target.tmp"
      cp "$deb" "$target.tmp/"
    done
    # the versions actually unpacked (a refreshed list may have changed a candidate)
    wanted=""
    for pkg in "${packages[@]}"; do
      deb="$(ls "$target.tmp"/"${pkg}"_*.deb | head -n1)"
      wanted+="${wanted:+ }$pkg $(dpkg-deb -f "$deb" Version)"
    done
    echo "$wanted" >"$target.tmp/.autoftp-version"
    rm -rf "$target" && mv "$target.tmp" "$target"
  fi
  for pkg in "${packages[@]}"; do
    deb="$(ls "$target"/"${pkg}"_*.deb | head -n1)"
    mapfile -t libs < <(library_deps "$deb")
    NEED_LIBS+=("${libs[@]}")
  done
done

# The servers authenticate through PAM (vsftpd) or /etc/shadow (proftpd); those are part of every Debian system,
# but make sure they are there, and install the shared libraries the binaries link against.
mapfile -t MISSING < <(missing_packages $(printf '%s\n' "${NEED_LIBS[@]}" libpam-modules libpam-runtime passwd | sort -u))
if ((${#MISSING[@]})); then
  log "installing libraries: ${MISSING[*]}"
  if ! $SUDO apt-get install -y -q --no-install-recommends "${MISSING[@]}" >&2; then
    $SUDO apt-get update -q >&2 # stale lists
    $SUDO apt-get install -y -q --no-install-recommends "${MISSING[@]}" >&2
  fi
fi

# Check that every binary finds its libraries.
status=0
for name in "${NAMES[@]}"; do
  for bin in ${BINARIES[$name]}; do
    path="$DEST/$name/$bin"
    if [[ ! -f "$path" || ( "$path" != *.so && ! -x "$path" ) ]]; then # modules (*.so) need not be executable
      log "missing $path"; status=1; continue
    fi
    if ldd "$path" | grep -q 'not found'; then
      log "$path: unresolved libraries:"; ldd "$path" | grep 'not found' >&2; status=1
    fi
  done
done

echo "FTP servers in $DEST (set AUTOFTP_FTP_SERVERS to use another directory):"
for name in "${NAMES[@]}"; do
  for bin in ${BINARIES[$name]}; do
    printf '  %-10s %s\n' "$name" "$DEST/$name/$bin"
  done
done
exit $status
