# tests/deploy/deploy_lib.sh: what the deploy tests share (sourced).
# dbn_deploy_prepare: podman usable (installing what is missing when root), the
# containers.conf of these machines, the base image (made from the Debian
# mirror when it is not in the image store). Skips (exit 77, one line) when
# podman cannot be made usable here; fails on anything else.
# Environment: DAIBAN_SOURCE_DIR (the checkout), DAIBAN_DEPLOY_BASE (base image,
# default localhost/debian:bookworm), DAIBAN_DEPLOY_IMAGE (default
# localhost/daiban:test).

DBN_TOP=${DAIBAN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BASE=${DAIBAN_DEPLOY_BASE:-localhost/debian:bookworm}
IMAGE=${DAIBAN_DEPLOY_IMAGE:-localhost/daiban:test}
# The ulimits, runc and netavark that work here; a caller's own file wins.
export CONTAINERS_CONF=${CONTAINERS_CONF:-$DBN_TOP/tests/deploy/containers.conf}

skip() { echo "SKIP: $*"; exit 77; }

# Microseconds since the epoch (bash 5's EPOCHREALTIME without its point).
now_us() { echo "${EPOCHREALTIME/./}"; }
t_start=$(now_us)
t_last=$t_start
print_time() { printf '%-56s %4d.%d s\n' "$1" $(($2 / 1000000)) $(($2 % 1000000 / 100000)); }
# step_done NAME: prints the time since the previous step under NAME.
step_done() {
    local now; now=$(now_us)
    print_time "$1" $((now - t_last))
    t_last=$now
}
total_done() { print_time "total" $(($(now_us) - t_start)); }

dbn_deploy_prepare() {
    if ! command -v podman >/dev/null || ! command -v podman-compose >/dev/null ||
       ! command -v mmdebstrap >/dev/null || ! command -v runc >/dev/null ||
       ! command -v iptables >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
        [ "$(id -u)" = 0 ] || skip "podman, podman-compose, mmdebstrap or runc missing and not root to install them"
        command -v apt-get >/dev/null || skip "podman missing and no apt-get to install it"
        . "$DBN_TOP/scripts/deps.sh"
        dbn_install_deps $DBN_DEPLOY_PACKAGES >/dev/null 2>&1 ||
            skip "cannot install the deploy packages (apt-get failed: no mirror?)"
        step_done "install podman and friends"
    fi
    # Containers as root: a rootless store needs subuids set up, which CI lacks.
    [ "$(id -u)" = 0 ] || skip "the deploy tests run podman as root (this is uid $(id -u))"
    # A CNI bridge left from podman's CNI backend holds 10.88.0.0/16, the
    # range netavark's default network wants (research: deploy-testing.md).
    if ip link show cni-podman0 >/dev/null 2>&1; then
        ip link del cni-podman0 || skip "a leftover cni-podman0 bridge cannot be removed"
    fi
    local why
    why=$(podman info --format '{{.Host.NetworkBackend}} {{.Host.OCIRuntime.Name}}' 2>&1) ||
        skip "podman info fails: $(echo "$why" | tail -n 1)"
    case "$why" in
        "netavark runc") ;;
        *) skip "podman runs with '$why', not netavark and runc (CONTAINERS_CONF=$CONTAINERS_CONF)" ;;
    esac
    if ! podman image exists "$BASE"; then
        case "$BASE" in
            localhost/*) ;;
            *) skip "base image $BASE is not in the image store (no registry is reached here)" ;;
        esac
        "$DBN_TOP/compose/make-base-image.sh" "$BASE" >/dev/null ||
            skip "cannot make the base image $BASE with mmdebstrap (is the Debian mirror reachable?)"
        step_done "base image (mmdebstrap + podman import)"
    fi
    # One run proves the runtime, the ulimits and the network work here.
    why=$(podman run --rm "$BASE" true 2>&1) ||
        skip "podman cannot run a container here: $(echo "$why" | tail -n 1)"
}

# dbn_deploy_build_image: the compose image (compose/Containerfile) as $IMAGE.
dbn_deploy_build_image() {
    local log; log=$(mktemp)
    if ! podman build -q --build-arg BASE="$BASE" -t "$IMAGE" -f "$DBN_TOP/compose/Containerfile" \
            "$DBN_TOP" >"$log" 2>&1; then
        tail -n 40 "$log"; rm -f "$log"
        echo "FAIL: podman build"; exit 1
    fi
    rm -f "$log"
    step_done "podman build (builder stage + runtime image)"
}
