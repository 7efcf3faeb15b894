#!/usr/bin/env bash
# Makes the two local base images the Dockerfile's FROM lines can be pointed at, on a machine without Docker Hub:
#
#   localhost/inventory-base-runtime:bookworm   debootstrap --variant=minbase bookworm (stands in for debian:bookworm-slim)
#   localhost/inventory-base-jdk:25             the same plus curl, unzip, binutils and this machine's JDK 25
#                                               in /opt/java/openjdk (stands in for eclipse-temurin:25-jdk)
#
# Both go into podman's/buildah's local storage (vfs driver, the one container/build-and-smoke.sh uses) and are
# kept there: later runs find them and return at once (--force rebuilds). Needs root and, when buildah, podman or
# debootstrap are missing, apt (it installs them). Debian packages come from the mirror apt uses here.
set -euo pipefail

force=false
[[ "${1:-}" == "--force" ]] && force=true

RUNTIME_BASE=localhost/inventory-base-runtime:bookworm
JDK_BASE=localhost/inventory-base-jdk:25
JDK="${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
STORE=(--storage-driver vfs)

die() { echo "prepare-base-images: $*" >&2; exit 1; }
[[ "$(id -u)" == 0 ]] || die "must run as root (debootstrap and rootful podman with the vfs driver)"

missing=()
for tool in buildah podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if (( ${#missing[@]} )); then
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    echo "prepare-base-images: apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
# the smoke test runs the container against a PostgreSQL server on the host
if ! find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -name initdb 2>/dev/null | grep -q .; then
    command -v apt-get >/dev/null || die "no PostgreSQL server binaries and no apt-get to install them"
    echo "prepare-base-images: apt-get install postgresql"
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi
[[ -x "$JDK/bin/java" && -x "$JDK/bin/jlink" ]] || die "no JDK 25 at $JDK (set JDK25_HOME)"

# the Debian mirror apt uses (deb822 sources or the classic list)
mirror="$(grep -hoE '^URIs: *http[^ ]*/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 \
          | sed -E 's/^URIs: *//' || true)"
[[ -n "$mirror" ]] || mirror="$(grep -hoE '^deb +http[^ ]*/debian/? ' /etc/apt/sources.list 2>/dev/null | head -n 1 \
                                | awk '{print $2}' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

have() { podman "${STORE[@]}" image exists "$1"; }

work="$(mktemp -d /var/tmp/inventory-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if $force || ! have "$RUNTIME_BASE" || ! have "$JDK_BASE"; then
    echo "prepare-base-images: debootstrap bookworm from $mirror"
    root="$work/rootfs"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" \
        > "$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    # This machine's own CAs (e.g. a TLS-intercepting egress proxy it trusts), so curl and Maven in the build reach
    # Maven Central the way they do here; a Docker Hub image trusts the public CAs only, which suffices elsewhere.
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
        chroot "$root" update-ca-certificates >/dev/null 2>&1
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" --numeric-owner -cf "$work/runtime.tar" .
    podman "${STORE[@]}" import --change 'CMD ["/bin/bash"]' "$work/runtime.tar" "$RUNTIME_BASE" >/dev/null
    rm -f "$work/runtime.tar"

    # what eclipse-temurin:25-jdk has besides the JDK and the build needs: curl and unzip for the Maven wrapper,
    # binutils for jlink --strip-debug (objcopy)
    chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
        'apt-get update -q && apt-get install -y -q --no-install-recommends curl unzip binutils' \
        > "$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; die "apt-get in the build base failed"; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" --numeric-owner -cf "$work/jdk-base.tar" .

    # the build base: the system with curl and unzip, and the JDK
    mkdir -p "$work/jdk/opt/java"
    cp -a "$JDK" "$work/jdk/opt/java/openjdk"
    # Debian's JDK packages link cacerts to /etc/ssl/certs/java/cacerts (ca-certificates-java): copy the file
    if [[ -L "$work/jdk/opt/java/openjdk/lib/security/cacerts" ]]; then
        cp --remove-destination -L "$JDK/lib/security/cacerts" "$work/jdk/opt/java/openjdk/lib/security/cacerts"
    fi
    tar -C "$work/jdk" --numeric-owner -rf "$work/jdk-base.tar" ./opt/java
    podman "${STORE[@]}" import \
        --change 'ENV JAVA_HOME=/opt/java/openjdk' \
        --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["/bin/bash"]' \
        "$work/jdk-base.tar" "$JDK_BASE" >/dev/null
fi
podman "${STORE[@]}" images --filter reference='localhost/inventory-base-*'
