# scripts/deps.sh: installs the Debian packages daiban needs, only when missing.
# Sourced by scripts/run and scripts/test. Usage: dbn_install_deps [extra packages...]

DBN_BUILD_PACKAGES="gcc make cmake ninja-build pkg-config python3 libglib2.0-dev libglib2.0-bin
 libzmq3-dev libsodium-dev nettle-dev libmsgpack-dev libsqlite3-dev sqlite3 libjson-glib-dev python3-nacl
 libgtk-4-dev librsvg2-common libgl1-mesa-dri xvfb xauth fonts-noto-cjk gettext desktop-file-utils appstream libxml2-utils
 python3-zmq python3-msgpack clang libclang-rt-14-dev iproute2 nftables poppler-utils chromium"
# chromium: test_board renders the exported public board headless (issue 16).

# What the deploy tests (tests/deploy/, ctest label deploy) need: podman and
# podman-compose from Debian, the base image made from the mirror with
# mmdebstrap, runc (crun refuses hybrid cgroups), netavark + aardvark-dns
# (service names resolve; netavark drives iptables), and dpkg-dev and file for
# cpack's dpkg-shlibdeps. /work/shared/research/deploy-testing.md.
DBN_DEPLOY_PACKAGES="podman podman-compose mmdebstrap uidmap slirp4netns fuse-overlayfs runc
 netavark aardvark-dns nftables iptables dpkg-dev file"

dbn_install_deps() {
    local wanted="$DBN_BUILD_PACKAGES $*" missing="" p
    for p in $wanted; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "daiban: installing Debian packages:$missing" >&2
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { echo "daiban: need root (or sudo) to install:$missing" >&2; return 1; }
        sudo=sudo
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# dbn_build DIR [cmake options...]: configure once, then build with ninja.
dbn_build() {
    local dir=$1; shift
    cmake -S "$DBN_TOP" -B "$dir" -G Ninja "$@" >/dev/null &&
        ninja -C "$dir" -j"$(nproc)"
}

# dbn_print_versions: the machine and the versions of the libraries the tests
# lean on most (GTK, Mesa, libzmq, SQLite, msgpack, GLib), one line each.
dbn_print_versions() {
    echo "== machine: $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB"
    local p
    for p in libgtk-4-1 libgl1-mesa-dri libegl-mesa0 libzmq5 libsodium23 libsqlite3-0 \
             libmsgpackc2 libglib2.0-0 xvfb gcc; do
        printf '   %-18s %s\n' "$p" \
            "$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null | sed -n 's/^install ok installed //p' || true)"
    done
}
