#!/bin/sh
# compose/make-base-image.sh [IMAGE]: builds the Debian 12 base image from the
# Debian mirror with mmdebstrap and imports it into podman's image store as
# IMAGE (default localhost/debian:bookworm), for machines that reach a Debian
# mirror but no container registry. With a registry, skip this and build with
# --build-arg BASE=debian:bookworm (docker.io's image) instead.
#
# The mirror is the one this machine's apt uses (DAIBAN_MIRROR overrides it).
# The image holds bookworm, bookworm-updates and bookworm-security, so what
# is installed in it gets the security fixes (mmdebstrap alone gives main only).
set -eu
image=${1:-localhost/debian:bookworm}
mirror=${DAIBAN_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
             grep -v security | head -n 1 || true)
fi
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
security=${DAIBAN_SECURITY_MIRROR:-$(echo "$mirror" | sed 's,/debian/*$,/debian-security,')}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mmdebstrap --quiet --variant=apt bookworm "$tmp/rootfs.tar" \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main"
podman import --quiet "$tmp/rootfs.tar" "$image" >/dev/null
echo "$image"
