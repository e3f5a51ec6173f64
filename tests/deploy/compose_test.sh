#!/usr/bin/env bash
# tests/deploy/compose_test.sh: compose/compose.yaml on podman, end to end
# (issue 16 item 5). Builds the base image from the Debian mirror when the
# image store lacks it, builds the daiban image (compose/Containerfile), runs
# `podman-compose up`, and then, from the station's container, submits a 低保
# case (MZ-DIBAO, escalated) and carries it on a run sheet; from the township
# centre's container (window:minzheng) acknowledges, classifies, assigns it to
# the township agent ts-li (org.ini: he carries 县民政局's matters), starts and
# escalates it; from the county's container (county:minzheng, its only key)
# reads it in its queue and its own feed (c/minzheng/) and answers it with
# `case county-answer`; the centre completes it and the station replies. It
# checks where the case is visible: the centre's timeline (the answer by
# county:minzheng), the station's scoped routing feed, and from the
# committee's own container the audit service (`audit case --json`: every
# entry proven against the newest signed head, intake's, deadline's, the
# escalation and the county's answer by county:minzheng among them; `audit
# verify` covering that head) and the committee's feed of audit/ events; and
# that the station's and the county's keys may not act as a window.
# Each host holds only its own secrets. Then `down`, and the network
# podman-compose 1.0.3 leaves behind.
# Prints the time of each step and the total. DAIBAN_DEPLOY_CLEAN_STORE=1 runs
# it from an empty image store of its own (below). Skips (77) with one line
# when podman is not usable here. ctest: compose_deploy (label deploy).
set -euo pipefail
. "$(dirname "$0")/deploy_lib.sh"

PROJECT=dbntest$$
COMPOSE=(podman-compose -p "$PROJECT" -f "$DBN_TOP/compose/compose.yaml")
KEYS=/var/lib/daiban/keys

# DAIBAN_DEPLOY_CLEAN_STORE=1: `up` from a clean image store, as the issue
# asks for its time: an empty store of this run's own (a temporary graphroot,
# so the machine's store and the images other tests reuse stay untouched),
# hence the base image from the mirror and the whole image build, no layer
# cached. Too slow for every CI run (README: measured by hand); CI reuses the
# machine's store. The store is removed at the end, pass or fail.
STORE=
remove_store() {
    [ -n "$STORE" ] || return 0
    podman rmi -a -f >/dev/null 2>&1 || true
    umount -R "$STORE/graph/overlay" 2>/dev/null || true
    rm -rf "$STORE"
}
if [ "${DAIBAN_DEPLOY_CLEAN_STORE:-0}" = 1 ]; then
    STORE=$(mktemp -d /var/tmp/daiban-store.XXXXXX)
    printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' \
        "$STORE" "$STORE" >"$STORE/storage.conf"
    export CONTAINERS_STORAGE_CONF=$STORE/storage.conf
    trap 'rc=$?; remove_store; exit $rc' EXIT
    echo "a clean image store: $STORE"
fi

dbn_deploy_prepare
dbn_deploy_build_image

cleanup() {
    local rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
        for c in keys intake routing deadline evaluation audit station centre county committee; do
            echo "--- logs of ${PROJECT}_${c}_1:"
            podman logs "${PROJECT}_${c}_1" 2>&1 | tail -n 20 || true
        done
    fi
    "${COMPOSE[@]}" down -t 1 -v >/dev/null 2>&1 || true
    podman network rm -f "${PROJECT}_daiban" >/dev/null 2>&1 || true
    remove_store
    exit "$rc"
}
trap cleanup EXIT

DAIBAN_IMAGE=$IMAGE "${COMPOSE[@]}" up -d >/dev/null 2>&1 ||
    { echo "FAIL: podman-compose up"; DAIBAN_IMAGE=$IMAGE "${COMPOSE[@]}" up -d; exit 1; }
step_done "podman-compose up -d"

# cli HOST KEY ARGS...: the CLI in that host's container as the daiban user.
cli() {
    local host=$1 key=$2; shift 2
    podman exec -u daiban "${PROJECT}_${host}_1" daiban --key "$KEYS/$key.secret" "$@"
}
station() { cli station station-qingshui "$@"; }
centre() { cli centre window-minzheng "$@"; }
county() { cli county county-minzheng "$@"; }
committee() { cli committee committee "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

# Ready when every service answers the centre host by name, over CURVE.
# depends_on does not wait (podman-compose 1.0.3): poll, 60 s at most.
until_us=$(($(now_us) + 60000000))
until centre status >/dev/null 2>&1; do
    [ "$(now_us)" -lt "$until_us" ] || { centre status || true; fail "the services did not answer within 60 s"; }
    sleep 0.2
done
step_done "all five services answer the centre host"

# Each host holds the registry and its own secrets only (docs/security.md).
for want in "intake:registry service-intake.secret" "routing:registry service-routing.secret" \
            "deadline:registry service-deadline.secret" "evaluation:registry service-evaluation.secret" \
            "audit:registry service-audit.secret service-audit.sign" \
            "station:registry station-qingshui.secret" "centre:registry window-minzheng.secret" \
            "county:county-minzheng.secret registry" "committee:committee.secret registry"; do
    host=${want%%:*}
    got=$(podman exec "${PROJECT}_${host}_1" ls /var/lib/daiban/keys | sort | tr '\n' ' ')
    [ "$got" = "${want#*:} " ] || fail "$host holds the keys '$got', not '${want#*:}'"
done

n=$(station case submit --matter MZ-DIBAO --applicant 张三 --id-number 11010519491231002X \
        --phone 13800138000 --village qingshui --materials 申请书,身份证,户口簿,家庭收入证明 \
        --consent --key compose-test-1 | head -n 1)
[[ "$n" =~ ^T01-[0-9]{4}-[0-9]{6}$ ]] || fail "case submit printed '$n', not a case number"
# Routing follows intake's journal: the case reaches the station's queue.
until_us=$(($(now_us) + 20000000))
until station queue station qingshui | grep -q "$n"; do
    [ "$(now_us)" -lt "$until_us" ] || fail "$n did not reach routing within 20 s"
    sleep 0.1
done
sheet=$(station runsheet new qingshui | head -n 1)
step_done "station: submit $n, routed, run sheet"

centre runsheet ack "$sheet" "$n" >/dev/null
centre case classify "$n" --kind escalated --reason 低保须县民政局审批 >/dev/null
centre case assign "$n" --agent ts-li >/dev/null
centre case start "$n" >/dev/null
centre case escalate "$n" | grep -q "state: escalated" || fail "escalate did not leave $n escalated"
step_done "centre: ack, classify, assign to ts-li, start, escalate"

grep -q "$n" <<<"$(county queue county minzheng)" || fail "the county's queue lacks $n"
# The county's own feed (c/minzheng/ through its scoped sys.sync) has the
# escalation: the county host sees the case without any township key.
grep -q "case.escalated .*$n .*window:minzheng" <<<"$(county events routing)" ||
    fail "the county's routing feed lacks the escalation of $n"
county case county-answer "$n" --answer 同意纳入低保 --approved | grep -q "state: county_answered" ||
    fail "county-answer did not leave $n county_answered"
forbidden=$(county case complete "$n" --result x 2>&1 >/dev/null || true)
[[ "$forbidden" == *"[forbidden]"* ]] || fail "the county completed a case: '$forbidden'"
step_done "county: queue, answer as county:minzheng"

centre case complete "$n" --result 低保金按月发放 >/dev/null
step_done "centre: complete"

station case reply "$n" --result 已纳入低保 --confirmed | grep -q "state: replied" ||
    fail "the station's reply did not leave $n replied"
# A station's key may not act as a window (docs/security.md).
forbidden=$(station case classify "$n" --kind immediate --reason x 2>&1 >/dev/null || true)
[[ "$forbidden" == *"[forbidden]"* ]] || fail "a station classified a case: '$forbidden'"
step_done "station: reply; its key refused a window's command"

# Where it is visible: the centre's timeline names the escalation and the
# answer; the station's own feed (s/qingshui/ through its scoped sys.sync)
# holds the answer; the audit service holds the case's entries.
timeline=$(centre case timeline "$n")
for want in case.escalated case.county_answered case.completed case.replied; do
    grep -q "$want" <<<"$timeline" || fail "the centre's timeline of $n lacks $want"
done
# The answer is the county department's own: its key, not the centre's.
grep -q "case.county_answered  *county:minzheng  *county=minzheng  answer=同意纳入低保  approved=yes" \
    <<<"$timeline" || fail "the timeline lacks the county's answer as county:minzheng"
grep -q "case.county_answered .*$n" <<<"$(station events routing)" ||
    fail "the station's routing feed lacks the county's answer"
audit=$(committee events deadline)
grep -q "$n" <<<"$audit" || fail "the committee's audit feed (deadline) lacks $n"
# The committee's feed is audit/ only: routing publishes nothing there.
[ -z "$(committee events routing)" ] || fail "the committee read routing's feed"
# The audit service: every entry of the case, each proven against the newest
# signed head (the CLI checks each inclusion path and the head's signature
# and exits 5 when one fails). It ingests the feeds as they come: poll 20 s
# until the head covers intake's entry, routing's escalation and the county's
# answer (by county:minzheng, with its text) and deadline's entries.
until_us=$(($(now_us) + 20000000))
while :; do
    record=$(committee audit case "$n" --json 2>&1) && missing=$(python3 -c '
import json, sys
r = json.loads(sys.argv[1])
miss = []
if not r.get("head", {}).get("signature_ok"):
    miss.append("a signed head")
es = r["entries"]
if r["included"] != len(es) or any(not e["included"] for e in es):
    miss.append("proofs of every entry")
have = {(e["producer"], e["type"], e["actor"]) for e in es if e["included"]}
for p, t, a in (("routing", "case.escalated", "window:minzheng"),
                ("routing", "case.county_answered", "county:minzheng")):
    if (p, t, a) not in have:
        miss.append(p + " " + t + " by " + a)
answers = [e["event"] for e in es if e["type"] == "case.county_answered"]
if answers and (answers[0].get("answer") != "同意纳入低保" or answers[0].get("approved") is not True):
    miss.append("the answer as given: %r" % answers[0])
for p in ("intake", "deadline"):
    if not any(e["producer"] == p and e["included"] for e in es):
        miss.append(p + " *")
print("; ".join(miss))' "$record" 2>&1) && [ -z "$missing" ] && break
    [ "$(now_us)" -lt "$until_us" ] || fail "audit case $n lacks proven entries: ${missing:-$record}"
    sleep 0.5
done
# What a committee member reads: the county's answer marked ✓ (included).
grep -q "case.county_answered  *county:minzheng  *✓" <<<"$(committee audit case "$n")" ||
    fail "audit case $n does not show the county's answer as included"
# The whole record against the running service: every entry up to the
# newest signed head, which covers the case's entries.
size=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["head"]["size"])' "$record")
verify=$(committee audit verify --json) || { committee audit verify || true; fail "audit verify failed"; }
python3 -c '
import json, sys
v = json.loads(sys.argv[1])
sys.exit(0 if v["ok"] and v["verified_size"] >= int(sys.argv[2]) else 1)' "$verify" "$size" ||
    fail "audit verify did not cover the head of $n ($size): $verify"
step_done "visible: timeline, station feed, audit case + verify, feed"

"${COMPOSE[@]}" down -t 1 -v >/dev/null 2>&1 || fail "podman-compose down"
# podman-compose 1.0.3 leaves the network behind.
podman network rm -f "${PROJECT}_daiban" >/dev/null 2>&1 || true
left=$(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}')
[ -z "$left" ] || fail "containers left after down: $left"
! podman network exists "${PROJECT}_daiban" || fail "network ${PROJECT}_daiban left after down"
step_done "podman-compose down, network removed"
trap - EXIT
total_done
remove_store
echo "PASS: compose: $n submitted at the station, answered from the county host, in the audit feed"
