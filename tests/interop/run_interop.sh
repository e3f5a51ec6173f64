#!/bin/sh
# run_interop.sh PART: runs interop_test.py --part PART with a Python 3 that
# has pyzmq (with CURVE), msgpack and PyNaCl (the leader's Ed25519 signature). Tries $DBN_PYTHON (CMake's), then
# Debian's /usr/bin/python3 (where python3-zmq and python3-msgpack install);
# when neither has them, installs those two packages as scripts/deps.sh
# does. Exits 77 (ctest SKIP_RETURN_CODE) with one line saying why only when
# they cannot be installed (no root or sudo, no network): never a silent pass.
set -u
part=${1:?usage: run_interop.sh main|catchup|strict}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

find_python() {
    for py in ${DBN_PYTHON:-} /usr/bin/python3 python3; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys, zmq, msgpack, nacl.signing; sys.exit(0 if sys.version_info >= (3, 11) and zmq.has("curve") else 1)' \
                >/dev/null 2>&1; then
            echo "$py"
            return 0
        fi
    done
    return 1
}

py=$(find_python)
if [ -z "$py" ]; then
    DBN_TOP=$top
    . "$top/scripts/deps.sh"
    # Only the three this test needs; scripts/test installs the rest.
    DBN_BUILD_PACKAGES="" dbn_install_deps python3-zmq python3-msgpack python3-nacl >&2
    py=$(find_python)
fi
if [ -z "$py" ]; then
    echo "SKIP: no Python 3.11 with pyzmq (CURVE), msgpack and PyNaCl, and installing python3-zmq python3-msgpack python3-nacl here failed or did not give one"
    exit 77
fi
exec "$py" "$here/interop_test.py" --part "$part"
