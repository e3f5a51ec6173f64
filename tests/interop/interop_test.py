#!/usr/bin/env python3
"""interop_test.py: daiban's services driven by a client that knows only the docs.

Starts `daiban up` on a fresh data folder with tcp:// endpoints on free ports,
CURVE on and a clock file (DAIBAN_CLOCK_FILE, docs/architecture-notes.md),
makes keys with `daiban keys add`, and talks to intake, routing, deadline, evaluation
and audit through daiban_client.py (pyzmq + msgpack), which decodes every reply and
event strictly against docs/messages.md.

  --part main     submit from a station key, retry with the same key (same
                  answer), every event type of every service (a correction,
                  a committee's spot-check finding among them) received on the permitted topics and decoded strictly, the
                  operator's "" subscription (one copy per topic, same src and
                  seq), sys.sync of the whole journal equal to what was live,
                  and a key reused with another body refused: key-reused.
  --part catchup  a window that was disconnected catches up within its rights:
                  scoped sys.sync {after, topic} until through == newest, and
                  its queue then equals a fresh routing.queue snapshot.
  --part strict   no services: the strict decoder refuses every kind of
                  disagreement with the page (undocumented key, missing key,
                  wrong type, over a limit, other version, trailing bytes).

Exit status 0 passed, 1 failed (the first failed check on stderr).
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import signal
import struct
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import nacl.signing  # noqa: E402  (python3-nacl: the leader's Ed25519 signature, D-AUD-6)
import zmq  # noqa: E402

from daiban_client import (Client, Docs, Identity, ProtocolError, Refused, Subscriber,  # noqa: E402
                           new_key, read_endpoints, unpack, wait_until)

SERVICES = ("intake", "routing", "deadline", "evaluation")
CST = datetime.timezone(datetime.timedelta(hours=8))
# Monday 2 November 2026, 09:00 in China: an ordinary working week.
START_MS = int(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=CST).timestamp() * 1000)
WAIT_S = 30.0

STATION, VILLAGE = "station:qingshui", "qingshui"
WINDOW = "window:jisheng"


def log(text: str) -> None:
    print(f"interop: {text}", flush=True)


def check(cond: bool, text: str) -> None:
    if not cond:
        raise AssertionError(text)


def free_ports(n: int) -> list[int]:
    """n distinct free ports: all held open until all are chosen, so the
    kernel cannot hand one port out twice."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def id_number(n: int) -> str:
    """A valid 18-digit resident ID (GB 11643 check digit)."""
    body = f"11010519900101{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


class Township:
    """`daiban up` on a temporary data folder, and the keys of its people."""

    def __init__(self, build_dir: str):
        self.daiban = os.path.join(build_dir, "bin", "daiban")
        self.dir = tempfile.mkdtemp(prefix="daiban-interop-")
        self.clock = os.path.join(self.dir, "clock")
        self.set_clock(START_MS)
        conf = ["[daiban]", "township = T01"]
        ports = iter(free_ports(10))
        for s in ("intake", "routing", "deadline", "evaluation", "audit"):
            conf += [f"[service:{s}]", f"command = tcp://127.0.0.1:{next(ports)}",
                     f"publish = tcp://127.0.0.1:{next(ports)}"]
        with open(os.path.join(self.dir, "daiban.conf"), "w", encoding="utf-8") as f:
            f.write("\n".join(conf) + "\n")
        # The keys exist before the services start (`daiban up` would make
        # them too, but the operator's file must be there for us to read).
        self.cli("keys", "init")
        env = dict(os.environ, DAIBAN_CLOCK_FILE=self.clock)
        env.pop("DAIBAN_INSECURE_PLAINTEXT", None)
        self.log = open(os.path.join(self.dir, "up.log"), "wb")
        self.up = subprocess.Popen([self.daiban, "up", "--data", self.dir], env=env,
                                   stdout=self.log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.endpoints = read_endpoints(self.dir)
        self.registry = os.path.join(self.dir, "keys", "registry")

    def set_clock(self, ms: int) -> None:
        tmp = self.clock + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{ms}\n")
        os.replace(tmp, self.clock)

    def cli(self, *args: str) -> str:
        r = subprocess.run([self.daiban, "--data", self.dir, *args], capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0, f"daiban {' '.join(args)}: exit {r.returncode}: {r.stderr}")
        return r.stdout

    def key(self, principal: str) -> str:
        """docs/security.md: the first line `keys add` prints is the secret file."""
        path = self.cli("keys", "add", principal).splitlines()[0]
        check(os.path.isfile(path), f"keys add {principal}: {path!r} is no file")
        return path

    def operator_key(self) -> str:
        return os.path.join(self.dir, "keys", "operator.secret")

    def tail_log(self, lines: int = 40) -> None:
        try:
            with open(os.path.join(self.dir, "up.log"), encoding="utf-8", errors="replace") as f:
                text = f.read().splitlines()[-lines:]
        except OSError:
            return
        print("interop: the last lines of daiban up's output:", file=sys.stderr)
        for line in text:
            print(f"  {line}", file=sys.stderr)

    def stop(self, keep: bool) -> None:
        if self.up.poll() is None:
            os.killpg(self.up.pid, signal.SIGTERM)
            try:
                self.up.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.up.pid, signal.SIGKILL)
                self.up.wait()
        self.log.close()
        if keep:
            log(f"data folder kept: {self.dir} (daiban up's output: {self.dir}/up.log)")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class Person:
    """One principal: a command client per service, made on demand."""

    def __init__(self, ctx, docs, town: Township, key_path: str):
        self.ctx, self.docs, self.town = ctx, docs, town
        self.ident = Identity(key_path, town.registry)
        self.clients: dict[str, Client] = {}

    def __getattr__(self, service: str) -> Client:
        if service not in SERVICES + ("audit",):
            raise AttributeError(service)
        if service not in self.clients:
            self.clients[service] = Client(self.ctx, self.docs, self.ident, service,
                                           self.town.endpoints[service][0])
        return self.clients[service]

    def subscribe(self, service: str, topics: list[str]) -> Subscriber:
        return Subscriber(self.ctx, self.docs, self.ident, service,
                          self.town.endpoints[service][1], topics)

    def close(self) -> None:
        for c in self.clients.values():
            c.close()
        self.clients.clear()


def wait_services(op: Person) -> None:
    """Every service answers sys.status (daiban up may still be starting)."""
    end = time.monotonic() + 60
    for s in SERVICES:
        while True:
            try:
                st = getattr(op, s).call("sys.status", timeout_s=2.0)
                check(st["service"] == s, f"sys.status of {s} says {st['service']!r}")
                break
            except TimeoutError:
                check(time.monotonic() < end, f"{s} does not answer sys.status within 60 s")


def wait_subscribed(subs: list[Subscriber]) -> None:
    wait_until(subs, lambda: all(s.heartbeats > 0 for s in subs), WAIT_S,
               "a heartbeat on hb/ on every subscription")


def submit(who: Person, village: str, matter: str, n: int, key: str | None = None,
           materials: list[str] | None = None, **extra) -> dict:
    fields = {"applicant": f"申办人{n}", "id_number": id_number(n), "phone": "13800138000",
              "village": village, "matter": matter, "materials": materials or [],
              "consent": True}
    fields.update(extra)
    return who.intake.call("intake.submit", fields, key=key)


def complete_materials(who: Person, reply: dict) -> None:
    """D-INT-4: the reply told every missing item at once; hand them all in."""
    if reply["missing"]:
        r = who.intake.call("intake.supplement", {"case": reply["case"], "materials": reply["missing"]})
        check(r["missing"] == [], f"{reply['case']}: still missing {r['missing']}")


def submit_complete(who: Person, village: str, matter: str, n: int) -> str:
    r = submit(who, village, matter, n)
    complete_materials(who, r)
    return r["case"]


def seen_types(sub: Subscriber) -> set[str]:
    return {ev["type"] for _, ev in sub.events}


def has(sub: Subscriber, case: str, etype: str) -> bool:
    return any(ev.get("case") == case and ev["type"] == etype for _, ev in sub.events)


def received(sub: Subscriber, case: str) -> bool:
    """Routing follows intake's journal on its own time: a case is ready for
    routing's commands once a routing event shows it received (routed so, or
    resumed when its materials came in)."""
    return any(ev.get("case") == case and ev.get("state") == "received" for _, ev in sub.events)


# ---------------------------------------------------------------- --part main

def part_main(ctx, docs: Docs, town: Township) -> None:
    op = Person(ctx, docs, town, town.operator_key())
    wait_services(op)
    station = Person(ctx, docs, town, town.key(STATION))
    window = Person(ctx, docs, town, town.key(WINDOW))
    check(station.ident.principal == STATION, f"secret file names {station.ident.principal}")

    # docs/interop.md: the server key is pinned. Holding another service's key
    # for intake, the handshake fails inside libzmq: no answer, ever.
    wrong = Identity(town.key("station:liujia"), town.registry)
    wrong.servers["intake"] = wrong.servers["routing"]
    imposter = Client(ctx, docs, wrong, "intake", town.endpoints["intake"][0])
    try:
        imposter.call("sys.status", timeout_s=1.5)
        raise AssertionError("a client holding the wrong server key got an answer")
    except TimeoutError:
        pass
    imposter.close()
    log("a client holding the wrong server key gets no answer")

    # Subscriptions first (docs/interop.md), each confirmed by a heartbeat.
    st_subs = {s: station.subscribe(s, [f"s/{VILLAGE}/"]) for s in SERVICES}
    win_subs = {s: window.subscribe(s, ["q/jisheng/"]) for s in ("routing", "deadline")}
    # The audit service (issue 14) publishes its own events on audit/: the
    # operator hears them too; its journal is test_audit_service's.
    op_subs = {s: op.subscribe(s, [""]) for s in SERVICES + ("audit",)}
    every = list(st_subs.values()) + list(win_subs.values()) + list(op_subs.values())
    wait_subscribed(every)
    log("subscribed: station s/qingshui/, window q/jisheng/, operator \"\"; heartbeats on hb/")

    # Submit from the station key, then the same key again: the same answer.
    key_a = new_key()
    a = submit(station, VILLAGE, "JS-ZHUNSHENG", 1, key=key_a)
    again = submit(station, VILLAGE, "JS-ZHUNSHENG", 1, key=key_a)
    check(again == a, f"retry with the same key answered {again}, first {a}")
    case_a = a["case"]
    complete_materials(station, a)
    log(f"submitted {case_a} from {STATION}; the retry got the same answer")

    # A county matter with materials missing: awaiting_materials, then resumed.
    b = submit(station, VILLAGE, "MZ-DIBAO", 2)
    check(b["state"] == "awaiting_materials" and b["missing"], f"MZ-DIBAO without materials: {b}")
    case_b = b["case"]
    # A joint matter, and one the station returns.
    c = submit(station, VILLAGE, "MZ-JINGLAOYUAN", 3)
    case_c = c["case"]
    d = submit(station, VILLAGE, "JS-LIUDONG", 4)
    case_d = d["case"]
    # A walk-in at the window (channel left out: walk-in is a window's default).
    e = submit(window, VILLAGE, "JS-LIUDONG", 5)
    case_e = e["case"]
    for r in (b, c, d, e):
        complete_materials(station if r is not e else window, r)
    wait_until(every, lambda: all(received(op_subs["routing"], x)
                                  for x in (case_a, case_b, case_c, case_d, case_e)),
               WAIT_S, "routing to have every case received")
    accepted_e = next(ev for _, ev in op_subs["intake"].events
                      if ev["type"] == "case.accepted" and ev["case"] == case_e)
    check(accepted_e["channel"] == "walk-in", f"a window's default channel is {accepted_e['channel']!r}")

    # Intake's other events: a refusal and a household visit.
    station.intake.call("intake.refuse", {"applicant": "申办人6", "village": VILLAGE,
                                          "request": "办理营业执照", "reason": "不属于代办事项",
                                          "apply_to": "县市场监督管理局"})
    station.intake.call("intake.visit", {"village": VILLAGE, "household": "户主7",
                                         "needs": ["低保咨询", "残疾证办理"]})
    # D-AUD-5: the station corrects B's phone with a reason; intake journals
    # case.corrected (masked) and routing shows it in B's timeline as case.correction.
    fixed = station.intake.call("case.correct", {"case": case_b, "field": "phone", "value": "13900139000",
                                                 "reason": "受理时电话号码录错"})
    check(fixed["case"] == case_b and fixed["field"] == "phone", f"case.correct of {case_b}: {fixed}")

    # Routing, case A through its whole life: run sheet, front desk, window, reply, archive.
    sheet = station.routing.call("runsheet.new", {"station": VILLAGE})
    check(case_a in sheet["cases"], f"{case_a} not on the run sheet {sheet}")
    for x in sheet["cases"]:
        window.routing.call("runsheet.ack", {"sheet": sheet["sheet"], "case": x}) \
            if x in (case_a, case_d) else op.routing.call("runsheet.ack", {"sheet": sheet["sheet"], "case": x})
    window.routing.call("case.classify", {"case": case_a, "kind": "immediate", "reason": "材料齐全，当场办理"})
    window.routing.call("case.assign", {"case": case_a})
    window.routing.call("case.accompany", {"case": case_a, "note": "代办员陪同申办人到窗口"})
    window.routing.call("case.start", {"case": case_a})
    window.routing.call("case.complete", {"case": case_a, "result": "已发证"})
    station.routing.call("case.reply", {"case": case_a, "result": "已发证", "satisfied": True, "confirmed": True})
    station.routing.call("case.archive", {"case": case_a})

    # B: assigned to the county's agent, escalated, answered, handed to a window.
    op.routing.call("case.classify", {"case": case_b, "kind": "escalated", "reason": "需县级审批"})
    op.routing.call("case.assign", {"case": case_b})
    op.routing.call("case.escalate", {"case": case_b, "reason": "需县民政局审批"})
    op.routing.call("case.county_answer", {"case": case_b, "answer": "同意纳入低保", "approved": True})
    op.routing.call("case.handoff", {"case": case_b, "to": "window:minzheng", "reason": "县局批复后由窗口办结"})
    # Deadline follows routing's journal on its own time too.
    wait_until(every, lambda: has(op_subs["deadline"], case_b, "deadline.due_changed"), WAIT_S,
               f"deadline to know {case_b}")
    op.deadline.call("deadline.case.explain", {"case": case_b, "text": "县局审批需入户核查"})
    # D-DL-7 by command: stop and resume the clocks (answered with the clocks).
    stopped = op.deadline.call("deadline.case.suspend", {"case": case_b, "reason": "请补交入户核查材料"})
    check(stopped["suspended"] is True, f"deadline.case.suspend: {stopped}")
    for raw in stopped["clocks"]:
        docs.check_record("deadline_clock", raw, "deadline.case.suspend clock")
    check(op.deadline.call("deadline.case.resume", {"case": case_b})["suspended"] is False,
          "deadline.case.resume left the case suspended")

    # C: the joint case, part by part.
    routed_c = next(ev for _, ev in op_subs["routing"].events
                    if ev["type"] == "case.routed" and ev["case"] == case_c)
    check(len(routed_c["departments"]) >= 2, f"joint case {case_c}: departments {routed_c['departments']}")
    op.routing.call("case.classify", {"case": case_c, "kind": "joint", "reason": "两个部门联办",
                                      "parts": routed_c["departments"]})
    op.routing.call("case.assign", {"case": case_c})
    op.routing.call("case.start", {"case": case_c})
    # D-RTE-4: 敬老院 needs the applicant in person: accompanied first.
    op.routing.call("case.accompany", {"case": case_c, "note": "代办员陪同到乡民政办"})
    for part in routed_c["departments"]:
        op.routing.call("case.complete", {"case": case_c, "part": part, "result": f"{part}已办"})

    # G: a jisheng case handed to another window; jisheng's queue hears it go.
    g = submit(station, VILLAGE, "JS-ZHUNSHENG", 8)
    complete_materials(station, g)
    case_g = g["case"]
    wait_until(every, lambda: received(op_subs["routing"], case_g), WAIT_S, f"{case_g} received")
    window.routing.call("case.classify", {"case": case_g, "kind": "immediate", "reason": "当场办理"})
    window.routing.call("case.handoff", {"case": case_g, "to": "window:minzheng",
                                         "reason": "应由民政窗口办理"})
    wait_until(every, lambda: has(win_subs["routing"], case_g, "case.handed_off"), WAIT_S,
               f"the window jisheng to hear {case_g} handed to minzheng")
    left = [ev for _, ev in win_subs["routing"].events
            if ev.get("case") == case_g and ev["type"] == "case.handed_off"]
    check(left[0]["window"] == "minzheng", f"the handoff's row names window {left[0]['window']!r}")

    # D: returned by its station, with the reason and where to apply.
    station.routing.call("case.return", {"case": case_d, "reason": "不属于本乡办理范围",
                                         "apply_to": "县卫生健康局"})

    # E stays open at the window: move the clock past its centre clock (D-DL-1,
    # 1 working day) and the grace, so deadline warns, goes red and reports.
    wait_until(every, lambda: has(op_subs["deadline"], case_e, "deadline.due_changed"),
               WAIT_S, f"deadline.due_changed of {case_e}")
    town.set_clock(START_MS + 14 * 86400 * 1000)
    wait_until(every, lambda: all(has(op_subs["deadline"], case_e, t) for t in
                                  ("deadline.warning", "deadline.overdue", "deadline.violation")),
               WAIT_S, f"warning, overdue and violation of {case_e}")
    wait_until(every, lambda: has(op_subs["routing"], case_a, "case.archived")
               and has(op_subs["routing"], case_c, "case.completed")
               and has(op_subs["routing"], case_d, "case.returned")
               and has(op_subs["deadline"], case_b, "deadline.explained")
               and {"audit.entry", "audit.head", "audit.violation"} <= seen_types(op_subs["audit"])
               and has(op_subs["intake"], case_b, "case.corrected")
               and has(op_subs["routing"], case_b, "case.correction"),
               WAIT_S, "the last events")
    corrected = next(ev for _, ev in op_subs["intake"].events
                     if ev["type"] == "case.corrected" and ev["case"] == case_b)
    correction = next(ev for _, ev in op_subs["routing"].events
                      if ev["type"] == "case.correction" and ev["case"] == case_b)
    check("13900139000" not in corrected["value"] and corrected["value"] != corrected["previous"],
          f"case.corrected does not mask the phone: {corrected}")
    check(all(correction[k] == corrected[k] for k in ("field", "value", "previous", "reason"))
          and correction["actor"] == STATION, f"routing's case.correction {correction} is not intake's {corrected}")

    # D-AUD-2: the committee records a spot-check finding on A (its one writing
    # command), published on audit/ as audit.finding with A's window and station.
    # The audit service follows routing's journal on its own time: until A is in
    # its record the finding is refused not-found (docs/audit.md).
    committee = Person(ctx, docs, town, town.key("committee"))
    for cmd, fields, service, code in (
            ("audit.spotcheck.record", {"case": "T01-2026-999999", "finding": "ok"}, "audit", "not-found"),
            ("case.correct", {"case": case_b, "field": "applicant", "value": "申办人二", "reason": "更正"},
             "intake", "forbidden")):
        try:
            getattr(committee, service).call(cmd, fields)
            raise AssertionError(f"the committee's {cmd} {fields} was taken")
        except Refused as r:
            check(r.code == code, f"the committee's {cmd}: [{r.code}], want [{code}]")
    end = time.monotonic() + WAIT_S
    while True:
        try:
            found = committee.audit.call("audit.spotcheck.record", {"case": case_a, "finding": "problem",
                                                                   "text": "回复未注明办结时间"})
            break
        except Refused as r:
            check(r.code == "not-found" and time.monotonic() < end, f"audit.spotcheck.record of {case_a}: {r}")
            time.sleep(0.05)
    check(found["case"] == case_a and found["finding"] == "problem", f"audit.spotcheck.record: {found}")
    wait_until(every, lambda: has(op_subs["audit"], case_a, "audit.finding"), WAIT_S, f"audit.finding of {case_a}")
    finding = next(ev for _, ev in op_subs["audit"].events if ev["type"] == "audit.finding")
    check(finding["seq"] == found["seq"] and finding["actor"] == "committee"
          and finding["window"] == "jisheng" and finding["station"] == VILLAGE,
          f"audit.finding {finding}, the reply {found}")
    log(f"{case_b} corrected (case.corrected, case.correction, masked); the committee's finding on "
        f"{case_a}: audit.finding; its finding on no case not-found, its case.correct forbidden")

    # Evaluation (issue 13): the station rates its case A (eval.rated on s/ and
    # audit); in December the operator closes November (eval.report on audit).
    # Evaluation learns of A from routing's journal on its own time: until it
    # has, the rating is refused as eval.unknown-case (no event to wait on).
    end = time.monotonic() + WAIT_S
    while True:
        try:
            station.evaluation.call("eval.rate", {"case": case_a, "stage": "reply", "level": "satisfied"})
            break
        except Refused as r:
            check(r.code == "eval.unknown-case" and time.monotonic() < end, f"eval.rate of {case_a}: {r}")
            time.sleep(0.05)
    try:
        station.evaluation.call("eval.rate", {"case": case_a, "stage": "reply", "level": "basic"})
        raise AssertionError("a second rating of the same case and stage was taken")
    except Refused as r:
        check(r.code == "eval.already-rated", f"the second rating: {r}")
    # D-EV-7: an unsatisfied rating of D opens its follow-up (eval.followup.opened),
    # and recording what was done closes it (eval.followup.recorded).
    end = time.monotonic() + WAIT_S
    while True:
        try:
            station.evaluation.call("eval.rate", {"case": case_d, "stage": "reply", "level": "unsatisfied"})
            break
        except Refused as r:
            check(r.code == "eval.unknown-case" and time.monotonic() < end, f"eval.rate of {case_d}: {r}")
            time.sleep(0.05)
    op.evaluation.call("eval.followup.record", {"case": case_d, "text": "已电话解释改向县卫生健康局申请"})
    # 2 December: past the first working day, so November's return visits are
    # drawn (with or without an audit head after November); one is recorded.
    town.set_clock(int(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=CST).timestamp() * 1000))
    # The service re-reads the clock file every 50 ms: two of its heartbeats
    # (one a second) later it has the new time.
    beats = op_subs["evaluation"].heartbeats
    wait_until(every, lambda: op_subs["evaluation"].heartbeats >= beats + 2, WAIT_S, "two heartbeats of evaluation")
    op.evaluation.call("eval.close", {"month": "2026-11"})
    drawn = op.evaluation.call("eval.sample", {"month": "2026-11"})
    check(len(drawn["cases"]) >= 1, f"November's sample drew nothing from {drawn['population']}")
    op.evaluation.call("eval.callback.record", {"case": drawn["cases"][0], "reached": False})
    wait_until(every, lambda: has(op_subs["evaluation"], case_a, "eval.rated")
               and has(st_subs["evaluation"], case_a, "eval.rated")
               and "eval.report" in seen_types(op_subs["evaluation"])
               and {"eval.followup.opened", "eval.followup.recorded", "eval.callback.recorded"}
               <= seen_types(op_subs["evaluation"]), WAIT_S, "eval.rated, eval.report, the follow-up and callback")

    # Issue 16: a group agent (group:<agent>, docs/county.md) hands two requests
    # to its station: the station accepts one with the applicant's consent (it
    # becomes a case) and sends the other back with the reason.
    group = Person(ctx, docs, town, town.key("group:qs-liu"))
    handed = [group.intake.call("intake.handover", {"applicant": f"申办人{n}", "id_number": id_number(n),
                                                    "phone": "13800138000", "matter": "MZ-WUBAO",
                                                    "materials": []})
              for n in (31, 32)]
    check(all(h["station"] == VILLAGE for h in handed), f"intake.handover went elsewhere: {handed}")
    taken = station.intake.call("intake.handover.accept", {"handover": handed[0]["handover"], "consent": True})
    station.intake.call("intake.handover.return", {"handover": handed[1]["handover"], "reason": "本人已自行办理"})
    wait_until(every, lambda: {"handover.pending", "handover.accepted", "handover.returned"}
               <= seen_types(op_subs["intake"]), WAIT_S, "the handovers' events")
    accepted = next(ev for _, ev in op_subs["intake"].events if ev["type"] == "handover.accepted")
    check(accepted["case"] == taken["case"] and accepted["group_agent"] == "qs-liu",
          f"handover.accepted {accepted}, the reply {taken}")
    log(f"group:qs-liu handed two requests to {VILLAGE}: one became {taken['case']}, one was sent back")

    # D-AUD-6: the audit service drafted each window's working days as they
    # ended (audit.summary on audit/); the duty leader signs one with the
    # Ed25519 key `keys add leader:<id>` wrote beside its CURVE key, over the
    # bytes docs/audit.md lays out ("The signed bytes"), with PyNaCl only.
    wait_until(every, lambda: "audit.summary" in seen_types(op_subs["audit"]), WAIT_S, "a day's audit.summary")
    draft = next(ev for _, ev in op_subs["audit"].events if ev["type"] == "audit.summary")
    leader_key = town.key("leader:zhang")
    sign_file = os.path.join(os.path.dirname(leader_key), "leader-zhang.sign")
    with open(sign_file, encoding="utf-8") as fh:
        secret = bytes.fromhex(next(ln.strip() for ln in fh if ln.strip() and not ln.startswith("#")))
    check(len(secret) == 64, f"{sign_file}: {len(secret)} bytes, want libsodium's 64")

    def text16(x: str) -> bytes:
        return struct.pack(">H", len(x.encode())) + x.encode()
    signed = (b"DAIBAN-DAY-SUMMARY\x01" + text16(draft["window"]) + text16(draft["day"])
              + struct.pack(">9Q", draft["ts"], draft["through"], draft["accepted"], draft["completed"],
                            draft["overdue"], draft["violations"], draft["rated_satisfied"],
                            draft["rated_basic"], draft["rated_unsatisfied"]))
    signature = nacl.signing.SigningKey(secret[:32]).sign(signed).signature.hex()
    leader = Person(ctx, docs, town, leader_key)
    try:
        leader.audit.call("audit.summary.sign", {"window": draft["window"], "day": draft["day"],
                                                 "signature": "00" * 64})
        raise AssertionError("a signature of zeros was taken")
    except Refused as r:
        check(r.code == "forbidden", f"a bad signature: [{r.code}], want [forbidden]")
    got = leader.audit.call("audit.summary.sign", {"window": draft["window"], "day": draft["day"],
                                                   "signature": signature})
    wait_until(every, lambda: "audit.summary.signed" in seen_types(op_subs["audit"]), WAIT_S,
               "audit.summary.signed")
    done = next(ev for _, ev in op_subs["audit"].events if ev["type"] == "audit.summary.signed")
    check(done["seq"] == got["seq"] and done["window"] == draft["window"] and done["day"] == draft["day"],
          f"audit.summary.signed {done}, the reply {got}")
    log(f"leader:zhang signed {draft['window']}'s summary of {draft['day']} from docs/audit.md's bytes "
        f"(a bad signature forbidden)")

    # Every documented event type of every service arrived, each decoded strictly.
    live_types = set().union(*(seen_types(s) for s in op_subs.values())) | {"sys.heartbeat"}
    missing = docs.event_types() - live_types
    check(not missing, f"event types never seen: {sorted(missing)}")
    log(f"all {len(docs.event_types())} documented event types received and decoded strictly")

    # The operator's "": one copy per topic, same src and seq, same map.
    copies: dict[tuple[str, int], list[tuple[str, dict]]] = {}
    escalated = {ev["case"] for _, ev in op_subs["routing"].events if ev["type"] == "case.escalated"}
    for s in op_subs.values():
        for topic, ev in s.events:
            copies.setdefault((ev["src"], ev["seq"]), []).append((topic, ev))
    for (src, seq), got in copies.items():
        topics = [t for t, _ in got]
        check(len(set(topics)) == len(topics), f"{src} seq {seq} twice on one topic: {topics}")
        check(all(ev == got[0][1] for _, ev in got), f"{src} seq {seq}: copies differ")
        ev = got[0][1]
        county_only = all(t.startswith("c/") for t in topics)
        if src == "deadline" and county_only:
            # docs/deadline.md: the department's own clock, on c/<dept>/ only.
            check(ev["type"] == "deadline.due_changed" and ev["case"] in escalated,
                  f"deadline seq {seq} {ev['type']} on {topics} only")
        elif src in ("routing", "deadline") and "station" in ev and not ev["type"].startswith("runsheet."):
            check(f"s/{ev['station']}/" in topics, f"{src} seq {seq} not on its station's topic")
        if src == "routing" and "station" in ev and not ev["type"].startswith("runsheet."):
            # docs/routing.md: the case's three topics, and the window it left.
            want = {f"s/{ev['station']}/"} | ({f"q/{ev['window']}/"} if ev["window"] else set()) \
                | ({f"a/{ev['area']}/"} if ev["area"] else set())
            check(want <= set(topics), f"routing seq {seq} {ev['type']} on {topics}, not all of {want}")
            # docs/interop.md: from case.escalate on, on c/<dept>/ of the county too.
            check(all(t in want or t.startswith("q/") or (t.startswith("c/") and ev["case"] in escalated)
                      for t in topics), f"routing seq {seq} {ev['type']} on {topics}")
    check(any(t.startswith("c/") for t, ev in op_subs["routing"].events if ev.get("case") == case_b),
          f"no event of the escalated {case_b} on its county's c/ topic")
    triple = [k for k, v in copies.items() if k[0] == "routing" and len(v) == 3]
    check(triple, "no routing event came three times to the operator's \"\" subscription")
    quad = [k for k, v in copies.items() if k[0] == "deadline" and len(v) == 4
            and "audit/" in {t for t, _ in v}]
    check(quad, "no deadline event came four times (s/, q/, a/, audit/) to the operator's \"\"")
    log(f"operator \"\": {len(copies)} events, routing's on 3 topics and deadline's on 4, each with one (src, seq)")

    # The station and the window got exactly the copies of their own topics
    # (waiting until the last copies in flight have arrived on both sides).
    views = [(name, s, sub, topic) for name, subs, topic in
             (("station", st_subs, f"s/{VILLAGE}/"), ("window", win_subs, "q/jisheng/"))
             for s, sub in subs.items()]

    def same_view(sub, s, topic):
        mine = [(ev["src"], ev["seq"]) for _, ev in sub.events]
        theirs = [(ev["src"], ev["seq"]) for t, ev in op_subs[s].events if t == topic]
        return mine == theirs
    try:
        wait_until(every, lambda: all(same_view(sub, s, t) for _, s, sub, t in views), WAIT_S,
                   "the station's and window's views to equal the operator's on their topics")
    except AssertionError:
        for name, s, sub, topic in views:
            mine = [(ev["src"], ev["seq"]) for _, ev in sub.events]
            theirs = [(ev["src"], ev["seq"]) for t, ev in op_subs[s].events if t == topic]
            log(f"{name} on {s}: {len(mine)} events; the operator saw {len(theirs)} on {topic}; "
                f"only theirs: {sorted(set(theirs) - set(mine))[:10]}, only mine: {sorted(set(mine) - set(theirs))[:10]}")
        raise
    for name, s, sub, topic in views:
        check(all(t == topic for t, _ in sub.events), f"{name} got {s} events off {topic}")
    log("the station and the window got exactly their topics' events, each once")
    check(has(win_subs["routing"], case_a, "case.archived"), "the window missed its case's archive")
    check(all(ev.get("window") == "jisheng" or ev.get("case") == case_g
              for _, ev in win_subs["routing"].events if ev["type"] != "runsheet.created"),
          "the window jisheng received another window's case event")
    check(not any(unpack(raw, "item")["case"] == case_g for raw in
                  window.routing.call("routing.queue", {"kind": "window", "id": "jisheng"})["items"]),
          f"{case_g} is still in jisheng's snapshot")

    # sys.sync from 0 (operator): the whole journal, equal to what was live.
    for s in SERVICES:
        journal: dict[int, dict] = {}
        after = newest = 0
        while True:
            r = getattr(op, s).call("sys.sync", {"after": after})
            newest = r["newest"]
            for raw in r["events"]:
                ev = docs.check_event(unpack(raw, f"{s} sys.sync item"), f"{s} sys.sync item")
                check(ev["seq"] == after + 1, f"{s} sys.sync: seq {ev['seq']} after {after}")
                journal[ev["seq"]] = ev
                after = ev["seq"]
            if not r["events"] or after >= newest:
                break
        check(after == newest, f"{s}: sys.sync stopped at {after}, newest {newest}")
        wait_until(every, lambda: set(journal) <= {e["seq"] for _, e in op_subs[s].events},
                   WAIT_S, f"every journal event of {s} live")
        live = {e["seq"]: e for _, e in op_subs[s].events if e["seq"] <= newest}
        check(set(live) == set(journal), f"{s}: journal {len(journal)} events, live {len(live)}")
        check(all(live[q] == journal[q] for q in journal), f"{s}: a live event differs from the journal")
    log("sys.sync from 0 returns exactly the live events of every service")

    # Snapshots decode strictly too (records inside bytes_list).
    q = window.routing.call("routing.queue", {"kind": "window", "id": "jisheng"})
    for raw in q["items"]:
        docs.check_record("routing_queue_item", raw, "routing.queue item")
    dq = window.deadline.call("deadline.queue", {"queue": "window", "id": "jisheng"})
    for raw in dq["items"]:
        docs.check_record("deadline_due", raw, "deadline.queue item")
    check(any(unpack(raw, "item")["case"] == case_e for raw in q["items"]), f"{case_e} not in the queue")

    # A key reused with another body is refused, with exactly this code.
    try:
        submit(station, VILLAGE, "JS-LIUDONG", 1, key=key_a)
        raise AssertionError("a key reused with a different body was accepted")
    except Refused as refused:
        check(refused.code == "key-reused", f"a key reused with another body: [{refused.code}], "
                                            f"want [key-reused] (docs/interop.md)")
    log("a key reused with another body: key-reused")
    for s in every:
        s.close()
    for p in (op, station, window, committee):
        p.close()


# ---------------------------------------------------------------- --part catchup

def sync_topic(who: Person, service: str, topic: str, after: int, docs: Docs) -> list[dict]:
    """docs/interop.md: sys.sync {after, topic} until through == newest."""
    out = []
    for _ in range(10000):
        r = getattr(who, service).call("sys.sync", {"after": after, "topic": topic})
        check(r["through"] >= after, f"sys.sync through {r['through']} below after {after}")
        for raw in r["events"]:
            ev = docs.check_event(unpack(raw, "sys.sync item"), f"{service} sys.sync item")
            check(after < ev["seq"] <= r["through"], f"seq {ev['seq']} outside ({after}, {r['through']}]")
            out.append(ev)
        if r["through"] == r["newest"]:
            return out
        check(r["through"] > after, f"sys.sync made no progress at {after}")
        after = r["through"]
    raise AssertionError("sys.sync never reached newest")


def apply(queue: dict[str, dict], ev: dict, window: str) -> None:
    """A window's queue from routing's events: the row every case event carries."""
    if ev["type"] in ("runsheet.created", "runsheet.acknowledged") or "case" not in ev:
        return
    if ev["type"] == "case.archived" or ev.get("window") != window:
        queue.pop(ev["case"], None)
    else:
        queue[ev["case"]] = {"state": ev["state"], "seq": ev["seq"]}


def part_catchup(ctx, docs: Docs, town: Township) -> None:
    op = Person(ctx, docs, town, town.operator_key())
    wait_services(op)
    station = Person(ctx, docs, town, town.key(STATION))
    window = Person(ctx, docs, town, town.key(WINDOW))
    topic = "q/jisheng/"

    sub = window.subscribe("routing", [topic])
    watch = op.subscribe("routing", [""])   # the operator's view: when routing is done
    wait_subscribed([sub, watch])
    snap = window.routing.call("routing.queue", {"kind": "window", "id": "jisheng"})
    queue: dict[str, dict] = {}
    last = snap["seq"]
    made = [submit_complete(station, VILLAGE, "JS-ZHUNSHENG", 100 + i) for i in range(3)]
    wait_until([sub], lambda: all(has(sub, c, "case.resumed") for c in made), WAIT_S,
               "the first cases routed and resumed live")
    for _, ev in sub.events:
        if ev["seq"] > last:
            apply(queue, ev, "jisheng")
            last = ev["seq"]
    log(f"live: {len(queue)} cases in the window's queue, last seq {last}")

    # A forced disconnect: the SUB goes away; the township carries on without it.
    sub.close()
    made += [submit_complete(station, VILLAGE, "JS-ZHUNSHENG", 200 + i) for i in range(5)]
    made += [submit_complete(station, VILLAGE, "MZ-LINSHI", 300 + i) for i in range(3)]  # minzheng's
    op.routing.call("case.classify", {"case": made[0], "kind": "immediate", "reason": "当场办理"})
    op.routing.call("case.classify", {"case": made[1], "kind": "immediate", "reason": "当场办理"})
    op.routing.call("case.handoff", {"case": made[1], "to": "window:minzheng", "reason": "应由民政窗口办理"})
    wait_until([watch], lambda: all(has(watch, c, "case.resumed") for c in made)
               and has(watch, made[1], "case.handed_off"), WAIT_S,
               "routing to route the cases made while the window was away")

    # Reconnect: subscribe first, then sync from the last seq seen, own topic only.
    sub = window.subscribe("routing", [topic])
    wait_subscribed([sub])
    missed = sync_topic(window, "routing", topic, last, docs)
    for ev in missed:
        check(ev.get("window") == "jisheng" or ev["type"] in ("case.handed_off",),
              f"sys.sync for {topic} returned {ev['type']} of window {ev.get('window')!r}")
        apply(queue, ev, "jisheng")
        last = max(last, ev["seq"])
    sub.pump()
    for _, ev in sub.events:
        if ev["seq"] > last:
            apply(queue, ev, "jisheng")
    log(f"caught up: {len(missed)} events by sys.sync on {topic}")

    # Nothing missing: the queue equals a fresh snapshot.
    fresh = window.routing.call("routing.queue", {"kind": "window", "id": "jisheng"})
    rows = {}
    for raw in fresh["items"]:
        row = docs.check_record("routing_queue_item", raw, "routing.queue item")
        rows[row["case"]] = row["state"]
    check(set(rows) == set(queue), f"after catching up the window has {sorted(queue)}, "
                                   f"a fresh snapshot {sorted(rows)}")
    check(all(queue[c]["state"] == rows[c] for c in rows), "a state differs from the snapshot")
    jisheng_made = [c for c in made[:8] if c != made[1]]
    check(all(c in queue for c in jisheng_made), "a case made while away is missing")
    check(made[1] not in queue, "the case handed to minzheng is still in jisheng's queue")
    log(f"the window's queue equals a fresh snapshot: {len(rows)} cases")

    # A station may not sync another station's topic.
    try:
        station.routing.call("sys.sync", {"after": 0, "topic": "s/liujia/"})
        raise AssertionError("station:qingshui synced s/liujia/")
    except Refused as refused:
        check(refused.code == "forbidden", f"sys.sync of another's topic: [{refused.code}]")
    sub.close()
    watch.close()
    for p in (op, station, window):
        p.close()


def part_strict(docs: Docs) -> int:
    """The strict decoder can fail: each way the wire may disagree with the
    page is refused (without this, a pass of --part main would prove little)."""
    good = {"v": 1, "type": "case.refused", "src": "intake", "seq": 7, "ts": START_MS,
            "actor": STATION}
    for f in docs.by_wire["case.refused"].fields.values():
        if not f.optional:
            good[f.key] = {"int": 1, "bool": True, "string": "x", "bytes": b"x",
                           "strings": ["x"], "bytes_list": [b"x"]}[f.type]
    docs.check_event(dict(good))
    some = next(f for f in docs.by_wire["case.refused"].fields.values()
                if not f.optional and f.type == "string" and f.max)
    bad = {
        "an undocumented key": dict(good, extra="x"),
        "a documented required key missing": {k: v for k, v in good.items() if k != some.key},
        "a string where an int is documented": dict(good, seq="7"),
        "a bool where an int is documented": dict(good, seq=True),
        "bin where a string is documented": dict(good, src=b"intake"),
        "a string over its documented limit": dict(good, **{some.key: "x" * (some.max + 1)}),
        "another schema version": dict(good, v=2),
        "an undocumented type": dict(good, type="case.nonesuch"),
    }
    for what, m in bad.items():
        try:
            docs.check_event(m)
        except ProtocolError:
            continue
        print(f"interop: FAILED: the strict decoder accepted {what}", file=sys.stderr)
        return 1
    try:
        unpack(pack_two(), "two objects")
        print("interop: FAILED: trailing bytes accepted", file=sys.stderr)
        return 1
    except ProtocolError:
        pass
    log(f"--part strict: {len(bad) + 1} kinds of disagreement refused; {len(docs.event_types())} "
        f"event types documented")
    return 0


def pack_two() -> bytes:
    import msgpack
    return msgpack.packb({"v": 1}) + msgpack.packb({"v": 1})


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("main", "catchup", "strict"), required=True)
    parser.add_argument("--build", default=os.environ.get("DAIBAN_BUILD_DIR"))
    parser.add_argument("--source", default=os.environ.get("DAIBAN_SOURCE_DIR",
                                                           os.path.join(HERE, "..", "..")))
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args(argv)
    if not args.build:
        parser.error("--build (or DAIBAN_BUILD_DIR) is required")
    docs = Docs(os.path.join(args.source, "docs", "messages.md"))
    if args.part == "strict":
        return part_strict(docs)
    ctx = zmq.Context()
    town = Township(args.build)
    ok = False
    try:
        (part_main if args.part == "main" else part_catchup)(ctx, docs, town)
        ok = True
    except Exception as e:  # noqa: BLE001 — every failure is reported the same way
        traceback.print_exc()
        print(f"interop: FAILED: {e}", file=sys.stderr)
    finally:
        ctx.destroy(0)
        if not ok:
            town.tail_log()
        town.stop(keep=args.keep)
    if ok:
        log(f"--part {args.part}: passed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
