#!/bin/sh
# test_partitions.sh BUILD_DIR: the network-of-namespaces test (issue 16
# item 6; test_partitions.py says what it does). This wrapper checks that it
# can run (root, network namespaces), installs iproute2 and nftables when
# missing, and removes whatever the run left, however it ended: the
# namespaces of this run (their processes killed by PID first; their nft
# tables and qdiscs go with them). Exit 77: skipped, with one line saying why.
set -u
BUILD=$1
SRC=${DAIBAN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ "$(id -u)" != 0 ]; then
    echo "SKIP test_partitions: needs root for network namespaces and nftables (CI runs it as root)"
    exit 77
fi
DBN_TOP=$SRC
. "$SRC/scripts/deps.sh"
dbn_install_deps iproute2 nftables || { echo "FAIL test_partitions: cannot install iproute2 nftables"; exit 1; }

PREFIX=dbnp$$
# A run that was SIGKILLed (a ctest timeout) could not clean up: remove the
# namespaces of runs whose wrapper no longer exists.
for ns in $(ip netns list | awk '{ print $1 }' | grep '^dbnp[0-9]*-'); do
    pid=${ns#dbnp}
    pid=${pid%%-*}
    if ! kill -0 "$pid" 2>/dev/null; then
        for p in $(ip netns pids "$ns"); do
            kill -KILL "$p" 2>/dev/null
        done
        ip netns del "$ns"
    fi
done
child=""
cleanup() {
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    for ns in $(ip netns list | awk '{ print $1 }' | grep "^$PREFIX-"); do
        for pid in $(ip netns pids "$ns"); do
            kill -KILL "$pid" 2>/dev/null
        done
        ip netns del "$ns"
    done
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

if ! ip netns add "$PREFIX-probe" 2>/dev/null; then
    echo "SKIP test_partitions: cannot make a network namespace here (ip netns add refused)"
    exit 77
fi
ip netns del "$PREFIX-probe"

python3 "$SRC/tests/net/test_partitions.py" --build "$BUILD" --source "$SRC" --prefix "$PREFIX" &
child=$!
wait "$child"
rc=$?
child=""
exit $rc
