#!/usr/bin/env bash
# tests/deploy/deb_test.sh: the daiban Debian package in a clean container
# (issue 16 item 5). Builds the package in the Containerfile's builder stage
# (cpack -G DEB, dependencies from dpkg-shlibdeps), installs it with apt-get in
# a fresh container of the same Debian 12 base (apt fetches libzmq5,
# libsqlite3-0, ... from the mirror), checks the daiban system user, the data
# folder and its keys, the units and the data files, starts the services with
# `daiban up` as the daiban user, waits for `daiban status` to pass, stops
# them, and purges the package. Prints the time of each step. Skips (77) with
# one line when podman is not usable here. ctest: deb_install (label deploy).
set -euo pipefail
. "$(dirname "$0")/deploy_lib.sh"

dbn_deploy_prepare
builder=${IMAGE%:*}-builder:${IMAGE##*:}
log=$(mktemp)
debs=$(mktemp -d)
trap 'rm -rf "$log" "$debs"' EXIT
if ! podman build -q --target builder --build-arg BASE="$BASE" -t "$builder" \
        -f "$DBN_TOP/compose/Containerfile" "$DBN_TOP" >"$log" 2>&1; then
    tail -n 40 "$log"; echo "FAIL: podman build --target builder"; exit 1
fi
ctr=$(podman create "$builder" true)
podman cp "$ctr:/build/." "$debs/" >/dev/null 2>&1 || true
podman rm "$ctr" >/dev/null
deb=$(cd "$debs" && ls daiban_*_amd64.deb 2>/dev/null | head -n 1 || true)
[ -n "$deb" ] || { echo "FAIL: the builder stage made no daiban_*.deb"; exit 1; }
find "$debs" -mindepth 1 -maxdepth 1 ! -name "$deb" -exec rm -rf {} +
step_done "build $deb (builder stage, cpack -G DEB)"

# Everything below runs inside the clean container; each check prints what
# it saw when it fails.
cat > "$debs/inside.sh" <<'INSIDE'
set -eu
fail() { echo "FAIL: $*"; exit 1; }
now_us() { echo "${EPOCHREALTIME/./}"; }
t=$(now_us)
lap() { local n; n=$(now_us); printf '%-56s %4d.%d s\n' "$1" $(((n - t) / 1000000)) $(((n - t) % 1000000 / 100000)); t=$n; }
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends /debs/daiban_*.deb >/tmp/apt.log 2>&1 ||
    { tail -n 20 /tmp/apt.log; fail "apt-get install of the package"; }
lap "apt-get install (the package and its Depends)"
for lib in libzmq5 libsqlite3-0 libmsgpackc2 libglib2.0-0 libjson-glib-1.0-0 libsodium23; do
    dpkg-query -W -f='${Status}' "$lib" | grep -q "install ok installed" || fail "$lib not pulled in"
done
dpkg-query -W -f='${Depends}' daiban | grep -q gtk && fail "the server package depends on GTK"
uid=$(id -u daiban) || fail "no daiban user"
[ "$uid" -lt 1000 ] || fail "daiban is not a system user (uid $uid)"
[ "$(stat -c '%U %a' /var/lib/daiban)" = "daiban 700" ] || fail "/var/lib/daiban is $(stat -c '%U %a' /var/lib/daiban)"
for s in intake routing deadline; do
    f=/var/lib/daiban/keys/service-$s.secret
    [ "$(stat -c '%U %a' "$f")" = "daiban 600" ] || fail "$f: $(stat -c '%U %a' "$f" 2>&1)"
    grep -qx "ExecStart=/usr/bin/daiban-$s --data /var/lib/daiban" /usr/lib/systemd/system/daiban-$s.service ||
        fail "daiban-$s.service: $(grep ExecStart /usr/lib/systemd/system/daiban-$s.service)"
done
[ -f /usr/lib/systemd/system/daiban.target ] || fail "no daiban.target"
for f in catalog.ini calendar.ini org.ini; do [ -s /usr/share/daiban/$f ] || fail "no /usr/share/daiban/$f"; done
[ -s /usr/share/locale/en/LC_MESSAGES/daiban.mo ] || fail "no English catalog"
lap "user, data folder, keys, units, data files"
# The CLI finds org.ini where the package put it (keys add checks the id).
setpriv --reuid=daiban --regid=daiban --init-groups -- daiban keys add station:qingshui --data /var/lib/daiban \
    >/dev/null || fail "keys add station:qingshui"
setpriv --reuid=daiban --regid=daiban --init-groups -- daiban up --data /var/lib/daiban >/tmp/up.log 2>&1 &
up=$!
until_us=$(($(now_us) + 30000000))
until setpriv --reuid=daiban --regid=daiban --init-groups -- daiban status --data /var/lib/daiban >/tmp/status 2>&1; do
    [ "$(now_us)" -lt "$until_us" ] || { cat /tmp/status /tmp/up.log; fail "daiban status did not pass within 30 s"; }
    kill -0 "$up" 2>/dev/null || { cat /tmp/up.log; fail "daiban up exited"; }
    sleep 0.1
done
lap "daiban up as the daiban user, daiban status"
sed 's/^/    /' /tmp/status
n=$(setpriv --reuid=daiban --regid=daiban --init-groups -- daiban --data /var/lib/daiban \
        --key /var/lib/daiban/keys/station-qingshui.secret case submit --matter JS-ZHUNSHENG \
        --applicant 张三 --id-number 11010519491231002X --phone 13800138000 --village qingshui \
        --materials 夫妻双方身份证,户口簿,结婚证 --consent | head -n 1)
case "$n" in T01-*) ;; *) fail "case submit printed '$n'" ;; esac
lap "a station's submit: $n"
# The installed translation (/usr/share/locale, DBN_LOCALE_DIR of a /usr build).
english=$(LANGUAGE=en setpriv --reuid=daiban --regid=daiban --init-groups -- daiban --data /var/lib/daiban \
              case timeline T01-2026-999999 2>&1 >/dev/null || true)
case "$english" in *"[not-found] not found"*) ;; *) fail "no English refusal: $english" ;; esac
echo "    LANGUAGE=en: $english"
kill -TERM "$up"
wait "$up" || true
grep -q "intake stopped" /tmp/up.log || { cat /tmp/up.log; fail "daiban up did not stop its services"; }
lap "daiban up stopped on SIGTERM"
apt-get purge -y -qq daiban >/tmp/apt.log 2>&1 || { tail /tmp/apt.log; fail "purge"; }
! id daiban >/dev/null 2>&1 || fail "the daiban user outlived purge"
[ ! -e /var/lib/daiban ] || fail "/var/lib/daiban outlived purge"
lap "apt-get purge"
INSIDE
out=$(podman run --rm -v "$debs:/debs:ro" "$BASE" bash /debs/inside.sh 2>&1) || {
    echo "$out"; echo "FAIL: the package in a clean container"; exit 1; }
echo "$out"
step_done "in a clean $BASE container"
total_done
echo "PASS: $deb installed in a clean container, services up as the daiban user, purged"
