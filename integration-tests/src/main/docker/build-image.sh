#!/usr/bin/env bash
# Builds the pipeline service's container image with podman, on a Debian bookworm JRE base image made here with
# debootstrap (no image registry needed). Run as root, after `./mvnw package` made integration-tests/target/quarkus-app
# (.ci/container-prerequisites.sh installs podman, runc and debootstrap):
#
#   integration-tests/src/main/docker/build-image.sh [IMAGE]      # IMAGE: autoftp/autoftp-pipeline:<project version>
#
# The base image: the root filesystem tarball is cached in ~/.cache/autoftp/container/ (AUTOFTP_CONTAINER_CACHE) and
# imported into podman when podman does not have the image yet; debootstrap runs (about 2 minutes) only when neither
# exists. The mirror is the first one apt is configured with (AUTOFTP_DEBIAN_MIRROR overrides it).
# podman runs with --runtime runc: crun refuses this machine's hybrid cgroups.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
app_dir="$(cd "$here/../../.." && pwd)"   # integration-tests/
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$app_dir/pom.xml" | head -1)"
image="${1:-autoftp/autoftp-pipeline:$version}"
base_image="localhost/autoftp/debian-bookworm-jre17:latest"
cache="${AUTOFTP_CONTAINER_CACHE:-$HOME/.cache/autoftp/container}"
rootfs_tar="$cache/debian-bookworm-jre17-rootfs.tar"
podman=(podman --runtime runc)

if [[ ! -f "$app_dir/target/quarkus-app/quarkus-run.jar" ]]; then
  echo "build-image.sh: $app_dir/target/quarkus-app/quarkus-run.jar is missing; run ./mvnw package first" >&2
  exit 1
fi

debian_mirror() {
  if [[ -n "${AUTOFTP_DEBIAN_MIRROR:-}" ]]; then
    echo "$AUTOFTP_DEBIAN_MIRROR"
    return
  fi
  # deb822 sources (URIs: ...) or one-line sources (deb URL suite ...), the main archive rather than security
  local url
  url="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
         | grep -v -- '-security' | head -1 || true)"
  if [[ -z "$url" ]]; then
    url="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
           | sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' \
           | grep -v -- '-security' | head -1 || true)"
  fi
  if [[ -z "$url" ]]; then
    echo "build-image.sh: no Debian mirror in /etc/apt/sources.list*; set AUTOFTP_DEBIAN_MIRROR" >&2
    exit 1
  fi
  echo "$url"
}

if ! "${podman[@]}" image exists "$base_image"; then
  if [[ ! -s "$rootfs_tar" ]]; then
    mirror="$(debian_mirror)"
    rootfs="$(mktemp -d /var/tmp/autoftp-rootfs.XXXXXX)"
    trap 'rm -rf "$rootfs"' EXIT
    echo "build-image.sh: debootstrap bookworm from $mirror (once; cached in $rootfs_tar)"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" "$mirror"
    # what a container never reads: package caches and lists, manuals, translations, logs (licences stay)
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log
    find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    chmod 0755 "$rootfs"
    mkdir -p "$cache"
    tar -C "$rootfs" -cf "$rootfs_tar.tmp" .
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$rootfs"
    trap - EXIT
  fi
  echo "build-image.sh: importing $rootfs_tar as $base_image"
  "${podman[@]}" import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
    "$rootfs_tar" "$base_image" >/dev/null
fi

echo "build-image.sh: building $image on $base_image"
previous="$("${podman[@]}" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
"${podman[@]}" build --quiet --build-arg "BASE_IMAGE=$base_image" -f "$here/Dockerfile.jvm" -t "$image" "$app_dir"
current="$("${podman[@]}" image inspect --format '{{.Id}}' "$image")"
if [[ -n "$previous" && "$previous" != "$current" ]]; then
  # the image this tag named before, now untagged; kept while a container still uses it
  "${podman[@]}" rmi "$previous" >/dev/null 2>&1 || true
fi
"${podman[@]}" image inspect --format '{{.Id}} {{.Size}}' "$image"
