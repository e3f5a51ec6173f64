#!/usr/bin/env python3
"""test_partitions.py: bad lines and partitions on a network of namespaces.

Issue 16 item 6. Four hosts, each a network namespace, joined by a fifth
that holds a bridge (the switch), so the machine's own network is never
touched: the township centre (`daiban up`: intake, routing, deadline on
tcp:// with CURVE), two village stations (qingshui, shiqiao: each runs
dbn-net-station, the client's own DbnConnection and SQLite DbnOutbox), and
the county (reads every queue with the committee's key through the CLI).
Every host has its own data folder holding what a real host holds: the same
daiban.conf and keys/registry, and only its own secret key.

The run, with requests taken at both stations all along (one every
REQUEST_MS each):
  1. undisturbed; shiqiao's line slowed with tc tbf for the whole run;
  2. 30 % loss each way on qingshui's line (nftables numgen on its switch
     port) for LOSS_S: qingshui keeps working through its outbox;
  3. everything towards qingshui dropped for DEAF_S: its requests reach
     intake and are applied, their replies are lost, so the outbox resends
     them (same keys) and intake must answer from its idempotency table;
  4. qingshui's line cut (its switch port down) for CUT_S: both stations
     keep taking requests, shiqiao's keep being acknowledged.
After each heal the counters close (no new requests), and the test waits
for the catch-up: every request taken acknowledged exactly once, and every
queue (routing.queue of each station and window, and the area) read from the
county equal to the same queue of an undisturbed system (ipc, in the root
namespace) given the same requests in the order intake numbered them; the
case numbers it hands out must be the same ones, so a lost or duplicated
request shows. The catch-up must come within CATCHUP_MAX_S of the heal.

Prints the catch-up time after each heal, the longest gap between
shiqiao's acknowledgements while qingshui was cut, and the counts sent
(taken into the outbox), acknowledged and applied (rows in the queues).

Why the counters close at a heal: "equal to an undisturbed run of the same
input" needs an input that stops moving; the stations go on taking requests
through every disturbance, and the other station's view of the outage is
measured while it lasts. Why the order intake numbered them: an undisturbed
run of the stations' requests interleaves them differently, and case numbers
follow arrival; given the same order, every row must be identical, case
number and journal seq included (only the clock fields are left out).
Why Python here: this script only runs `ip`, `nft`, `tc` and the programs,
reads their lines and compares JSON; everything of daiban it exercises is
the C code itself (the services, the client's connection and outbox, the CLI).

Exit status: 0 passed, 1 failed. Run by test_partitions.sh, which checks
for root, installs iproute2 and nftables, and removes the namespaces
whatever happens.
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

REQUEST_MS = 500      # one request per station every 0.5 s
UNDISTURBED_S = 6
LOSS_S = int(os.environ.get("DBN_NET_LOSS_S", "20"))
LOSS_PERCENT = 30
DEAF_S = 8
CUT_S = int(os.environ.get("DBN_NET_CUT_S", "60"))  # shorter runs by hand only
CATCHUP_MAX_S = 5.0
GAP_MAX_S = 3.0       # the other station's longest wait for an acknowledgement
SLOW_RATE = "256kbit"  # shiqiao's line
RUN_MAX_S = 240

NET = "10.77.7."
HOSTS = {"centre": NET + "1", "qingshui": NET + "11", "shiqiao": NET + "12", "county": NET + "21"}
STATIONS = ("qingshui", "shiqiao")
QUEUES = (("station", "qingshui"), ("station", "shiqiao"), ("window", "jisheng"),
          ("window", "minzheng"), ("area", "east"))
# Fields of a queue row that are clock readings, not state.
CLOCK_FIELDS = ("updated", "due")

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent():
    """Child setup: the child dies with the test, whatever kills the test."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def log(msg):
    print(msg, flush=True)


def run(*argv, ns=None, input=None, check_rc=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
    p = subprocess.run(cmd, input=input, capture_output=True, text=True)
    if check_rc and p.returncode != 0:
        raise Failure("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p


class Net:
    """The namespaces: PREFIX-sw holds bridge br0; each host has eth0, whose
    peer p-<host> is a port of br0."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.sw = prefix + "-sw"
        self.made = []

    def ns(self, host):
        return "%s-%s" % (self.prefix, host)

    def build(self):
        run("ip", "netns", "add", self.sw)
        self.made.append(self.sw)
        run("ip", "-n", self.sw, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.sw, "link", "set", "br0", "up")
        for host, addr in HOSTS.items():
            ns = self.ns(host)
            run("ip", "netns", "add", ns)
            self.made.append(ns)
            run("ip", "link", "add", "name", "eth0", "netns", ns, "type", "veth",
                "peer", "name", "p-" + host, "netns", self.sw)
            run("ip", "-n", self.sw, "link", "set", "p-" + host, "master", "br0", "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "addr", "add", addr + "/24", "dev", "eth0")
            run("ip", "-n", ns, "link", "set", "eth0", "up")

    def slow(self, host, rate):
        # tbf shapes what leaves a device: the switch port (towards the host)
        # and the host's eth0 (from it).
        for ns, dev in ((self.sw, "p-" + host), (self.ns(host), "eth0")):
            run("tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "tbf", "rate", rate,
                "burst", "1600", "latency", "1s")

    def lose(self, host, percent):
        rules = ("table bridge dbn_loss {\n"
                 " chain forward {\n"
                 "  type filter hook forward priority 0; policy accept;\n"
                 '  iifname "p-%s" numgen random mod 100 < %d drop\n'
                 '  oifname "p-%s" numgen random mod 100 < %d drop\n'
                 " }\n}\n") % (host, percent, host, percent)
        run("nft", "-f", "-", ns=self.sw, input=rules)

    def unlose(self):
        run("nft", "delete", "table", "bridge", "dbn_loss", ns=self.sw)

    def deafen(self, host):
        """Everything towards host dropped, nothing from it: requests arrive,
        their replies are lost."""
        rules = ("table bridge dbn_deaf {\n"
                 " chain forward {\n"
                 "  type filter hook forward priority 0; policy accept;\n"
                 '  oifname "p-%s" drop\n'
                 " }\n}\n") % host
        run("nft", "-f", "-", ns=self.sw, input=rules)

    def undeafen(self):
        run("nft", "delete", "table", "bridge", "dbn_deaf", ns=self.sw)

    def cut(self, host):
        run("ip", "-n", self.sw, "link", "set", "p-" + host, "down")

    def heal(self, host):
        run("ip", "-n", self.sw, "link", "set", "p-" + host, "up")

    def destroy(self):
        for ns in reversed(self.made):
            pids = run("ip", "netns", "pids", ns, check_rc=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            run("ip", "netns", "del", ns, check_rc=False)
        self.made = []


class Station:
    """One dbn-net-station process and what it reported."""

    def __init__(self, name, argv):
        self.name = name
        self.lock = threading.Lock()
        self.taken = {}    # i -> (key, t)
        self.acks = {}     # i -> (key, case, t)
        self.ack_times = []
        self.refused = []
        self.errors = []
        self.pending = 0
        self.ready = threading.Event()
        self.waiter = threading.Condition(self.lock)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, preexec_fn=die_with_parent)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            w = line.split()
            with self.lock:
                if not w:
                    continue
                if w[0] == "ready":
                    self.ready.set()
                elif w[0] == "taken":
                    self.taken[int(w[1])] = (w[2], int(w[3]) / 1e6)
                elif w[0] == "ack":
                    i = int(w[1])
                    if i in self.acks:
                        self.errors.append("acknowledged twice: " + line.strip())
                    self.acks[i] = (w[2], w[3], int(w[4]) / 1e6)
                    self.ack_times.append(int(w[4]) / 1e6)
                elif w[0] == "refused":
                    self.refused.append(line.strip())
                elif w[0] == "pending":
                    self.pending = int(w[1])
                else:
                    self.errors.append(line.strip())
                self.waiter.notify_all()

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def counts(self):
        with self.lock:
            return len(self.taken), len(self.acks), self.pending

    def drained(self):
        with self.lock:
            return len(self.acks) == len(self.taken) and not self.refused

    def wait_ack(self, i, timeout):
        end = time.monotonic() + timeout
        with self.lock:
            while i not in self.acks and not self.refused and time.monotonic() < end:
                self.waiter.wait(0.5)
            return self.acks.get(i)

    def wait_taken(self, n, timeout):
        end = time.monotonic() + timeout
        with self.lock:
            while len(self.taken) < n and time.monotonic() < end:
                self.waiter.wait(0.5)
            return len(self.taken) >= n

    def quit(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
            except (BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def write_conf(folder, endpoint, source):
    """daiban.conf with every service of the set at endpoint(name, port)."""
    ports = {"intake": 47101, "routing": 47111, "deadline": 47121, "evaluation": 47131, "audit": 47141}
    lines = ["[daiban]", "township = T01",
             "catalog = %s/schemas/data/catalog.ini" % source]
    for name, port in ports.items():
        lines += ["[service:%s]" % name, "command = " + endpoint(name, port),
                  "publish = " + endpoint(name, port + 1)]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "daiban.conf"), "w") as f:
        f.write("\n".join(lines) + "\n")


def host_folder(master, folder, secrets):
    """What a host receives: daiban.conf, keys/registry and its own secrets."""
    os.makedirs(os.path.join(folder, "keys"), mode=0o700, exist_ok=True)
    shutil.copy(os.path.join(master, "daiban.conf"), folder)
    shutil.copy(os.path.join(master, "keys", "registry"), os.path.join(folder, "keys"))
    for s in secrets:
        shutil.copy2(os.path.join(master, "keys", s), os.path.join(folder, "keys", s))


class System:
    """One township set: its centre's `daiban up`, its two stations and the
    reader of its queues."""

    def __init__(self, name, build, folder, ns_of=None):
        self.name = name
        self.build = build
        self.folder = folder
        self.ns_of = ns_of or (lambda host: None)
        self.up = None
        self.stations = {}

    def cli(self, host, *args, key=None):
        folder = os.path.join(self.folder, host)
        argv = [os.path.join(self.build, "bin", "daiban"), "--data", folder]
        if key:
            argv += ["--key", os.path.join(folder, "keys", key)]
        ns = self.ns_of(host)
        cmd = (["ip", "netns", "exec", ns] if ns else []) + argv + list(args)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=die_with_parent, env=dict(os.environ, LC_ALL="C.UTF-8"))

    def keys(self):
        centre = os.path.join(self.folder, "centre")
        for args in (("init",), ("add", "station:qingshui"), ("add", "station:shiqiao"), ("add", "committee")):
            p = self.cli("centre", "keys", *args)
            out, err = p.communicate(timeout=30)
            check(p.returncode == 0, "%s: keys %s: %s" % (self.name, " ".join(args), err.strip()))
        for host in STATIONS:
            host_folder(centre, os.path.join(self.folder, host), ["station-%s.secret" % host])
        host_folder(centre, os.path.join(self.folder, "county"), ["committee.secret"])

    def start(self):
        centre = os.path.join(self.folder, "centre")
        argv = [os.path.join(self.build, "bin", "daiban"), "up", "--data", centre]
        ns = self.ns_of("centre")
        self.up = subprocess.Popen((["ip", "netns", "exec", ns] if ns else []) + argv,
                                   stdout=subprocess.PIPE, stderr=open(os.path.join(self.folder, "up.log"), "w"),
                                   text=True, preexec_fn=die_with_parent)
        # Its stdout is read by a thread (a readline here could wait for ever).
        ready = threading.Event()

        def read_up(stream):
            for line in stream:
                if "ready" in line:
                    ready.set()
        threading.Thread(target=read_up, args=(self.up.stdout,), daemon=True).start()
        check(ready.wait(30), "%s: daiban up not ready in 30 s (exit status %s; see its log %s)" % (
            self.name, self.up.poll(), os.path.join(self.folder, "up.log")))
        for n, host in enumerate(STATIONS, 1):
            folder = os.path.join(self.folder, host)
            argv = [os.path.join(self.build, "bin", "dbn-net-station"), "--data", folder,
                    "--key-file", os.path.join(folder, "keys", "station-%s.secret" % host),
                    "--client-dir", os.path.join(folder, "client"), "--station", host, "--number", str(n)]
            ns = self.ns_of(host)
            self.stations[host] = Station(host, (["ip", "netns", "exec", ns] if ns else []) + argv)
        for s in self.stations.values():
            check(s.ready.wait(20), "%s: station %s did not start" % (self.name, s.name))

    def read_queues(self):
        """Every queue as the county reads it: kind id -> rows without clock fields."""
        procs = {q: self.cli("county", "queue", q[0], q[1], "--all", "--json", key="committee.secret")
                 for q in QUEUES}
        queues = {}
        for q, p in procs.items():
            try:
                out, err = p.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                return None, "%s %s: no answer in 30 s" % q
            if p.returncode != 0:
                return None, "%s %s: exit %d: %s" % (q[0], q[1], p.returncode, err.strip())
            rows = json.loads(out)["items"]
            for r in rows:
                for f in CLOCK_FIELDS:
                    r.pop(f, None)
            queues[q] = rows
        return queues, None

    def stop(self):
        """Stops every program; returns what went wrong with them: a station
        that did not exit cleanly (a sanitizer report makes its status
        nonzero), a service that died and was restarted by `daiban up`, or a
        sanitizer report in the services' log."""
        problems = []
        for s in self.stations.values():
            rc = s.quit()
            if rc != 0:
                problems.append("%s: station %s exited with %s" % (self.name, s.name, rc))
        if self.up is not None and self.up.poll() is None:
            self.up.send_signal(signal.SIGTERM)
            try:
                self.up.wait(15)
            except subprocess.TimeoutExpired:
                self.up.kill()
                self.up.wait()
        log_path = os.path.join(self.folder, "up.log")
        if os.path.exists(log_path):
            with open(log_path, errors="replace") as f:
                for line in f:
                    if " died " in line or "Sanitizer" in line or "runtime error:" in line:
                        problems.append("%s: %s" % (self.name, line.strip()))
        return problems


def describe_diff(real, ref):
    for q in QUEUES:
        a, b = real[q], ref[q]
        if a == b:
            continue
        ac = {r["case"]: r for r in a}
        bc = {r["case"]: r for r in b}
        only_a = sorted(set(ac) - set(bc))
        only_b = sorted(set(bc) - set(ac))
        changed = [c for c in sorted(set(ac) & set(bc)) if ac[c] != bc[c]]
        msg = "%s %s: %d rows against %d undisturbed" % (q[0], q[1], len(a), len(b))
        if only_a:
            msg += "; only disturbed: %s" % only_a[:5]
        if only_b:
            msg += "; only undisturbed: %s" % only_b[:5]
        if changed:
            msg += "; differ: %s: %s vs %s" % (changed[0], json.dumps(ac[changed[0]], ensure_ascii=False),
                                               json.dumps(bc[changed[0]], ensure_ascii=False))
        return msg
    return "equal"


class Test:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="daiban-net-")
        self.net = Net(args.prefix)
        ns = self.net.ns
        self.real = System("township", args.build, os.path.join(self.tmp, "net"), ns_of=ns)
        self.ref = System("undisturbed", args.build, os.path.join(self.tmp, "ref"))
        self.replayed = 0  # cases given to the undisturbed system so far

    def setup(self):
        self.net.build()
        centre_ip = HOSTS["centre"]
        write_conf(os.path.join(self.real.folder, "centre"),
                   lambda name, port: "tcp://%s:%d" % (centre_ip, port), self.args.source)
        ref_centre = os.path.join(self.ref.folder, "centre")
        write_conf(ref_centre, lambda name, port: "ipc://%s/%s-%d.ipc" % (ref_centre, name, port),
                   self.args.source)
        for system in (self.real, self.ref):
            system.keys()
            system.start()
        # A village line is thin: shiqiao's all along.
        self.net.slow("shiqiao", SLOW_RATE)

    def stations(self):
        return self.real.stations.values()

    def open_counters(self):
        for s in self.stations():
            s.send("auto %d" % REQUEST_MS)

    def close_counters(self):
        for s in self.stations():
            s.send("pause")
        # A take already on its way is in before the counts are read.
        time.sleep(0.05)

    def replay(self):
        """Gives the undisturbed system every acknowledged request it has not
        had yet, in the order intake numbered them, and checks it numbers
        them the same."""
        order = []
        for s in self.stations():
            with s.lock:
                for i, (key, case, _) in s.acks.items():
                    order.append((case, s.name, i, key))
        order.sort()
        for case, name, i, key in order[self.replayed:]:
            ref = self.ref.stations[name]
            ref.send("take %d %s" % (i, key))
            got = ref.wait_ack(i, 10)
            check(got is not None, "undisturbed system: no answer for %s %d (%s)" % (name, i, ref.refused))
            check(got[1] == case, "undisturbed system numbered %s %d %s, the township %s: "
                  "a request was lost or applied twice" % (name, i, got[1], case))
        self.replayed = len(order)

    def checkpoint(self, what, healed_at):
        """After a heal, counters closed: the time until everything taken is
        acknowledged and the queues equal the undisturbed system's."""
        self.close_counters()
        caught = None
        last = "no read yet"
        end = healed_at + 30
        while time.monotonic() < end:
            if all(s.drained() for s in self.stations()):
                queues, err = self.real.read_queues()
                if queues is not None:
                    acked = {}
                    for s in self.stations():
                        with s.lock:
                            acked[s.name] = sorted(a[1] for a in s.acks.values())
                    if all(sorted(r["case"] for r in queues[("station", n)]) == acked[n] for n in acked):
                        caught = time.monotonic() - healed_at
                        break
                    # Nothing more will be acknowledged: a case no station
                    # was told of was made by a resend, and stays.
                    for n in acked:
                        extra = sorted(set(r["case"] for r in queues[("station", n)]) - set(acked[n]))
                        check(not extra, "%s: %s: cases no request was acknowledged with (a request "
                              "applied twice): %s" % (what, n, extra[:5]))
                    last = "queues not yet complete: " + ", ".join(
                        "%s %d/%d" % (n, len(queues[("station", n)]), len(acked[n])) for n in acked)
                else:
                    last = err
            else:
                last = "outboxes: " + ", ".join("%s %d taken %d acknowledged" % ((s.name,) + s.counts()[:2])
                                                for s in self.stations())
            time.sleep(0.1)
        check(caught is not None, "%s: not caught up 30 s after the heal: %s" % (what, last))
        for s in self.stations():
            check(not s.refused, "%s: refused: %s" % (s.name, s.refused[:3]))
            check(not s.errors, "%s: %s" % (s.name, s.errors[:3]))
        self.replay()
        ref, err = self.ref.read_queues()
        check(ref is not None, "undisturbed system: " + str(err))
        diff = describe_diff(queues, ref)
        check(diff == "equal", "%s: queues differ from the undisturbed run: %s" % (what, diff))
        taken = sum(s.counts()[0] for s in self.stations())
        acked = sum(s.counts()[1] for s in self.stations())
        applied = sum(len(queues[("station", n)]) for n in STATIONS)
        log("# %s: caught up %.2f s after the heal (bound %.0f s): sent %d, acknowledged %d, applied %d; "
            "every queue equal to the undisturbed run (%s)" % (
                what, caught, CATCHUP_MAX_S, taken, acked, applied,
                ", ".join("%s %s %d" % (q[0], q[1], len(queues[q])) for q in QUEUES)))
        check(caught <= CATCHUP_MAX_S, "%s: caught up %.2f s after the heal, more than %.0f s" % (
            what, caught, CATCHUP_MAX_S))
        self.open_counters()

    def phase_loss(self):
        q, s = self.real.stations["qingshui"], self.real.stations["shiqiao"]
        t0, a0 = q.counts()[0], q.counts()[1]
        self.net.lose("qingshui", LOSS_PERCENT)
        log("# %d %% loss each way on qingshui's line for %d s" % (LOSS_PERCENT, LOSS_S))
        time.sleep(LOSS_S)
        t1, a1, pending = q.counts()
        self.net.unlose()
        healed = time.monotonic()
        log("# during the loss qingshui took %d requests, %d acknowledged, %d waiting in its outbox" % (
            t1 - t0, a1 - a0, pending))
        check(t1 - t0 >= LOSS_S * 1000 // REQUEST_MS * 0.8, "qingshui stopped taking requests under loss")
        check(a1 - a0 > 0, "qingshui had nothing acknowledged through a line losing %d %%" % LOSS_PERCENT)
        self.checkpoint("loss", healed)

    def phase_replies_lost(self):
        """The requests reach intake and are applied, the replies never come
        back: the outbox must resend with the same keys, and intake answer
        them from its idempotency table instead of making second cases."""
        q = self.real.stations["qingshui"]
        t0, a0 = q.counts()[:2]
        self.net.deafen("qingshui")
        log("# qingshui's line loses everything towards the station for %d s (replies lost)" % DEAF_S)
        time.sleep(DEAF_S)
        t1, a1 = q.counts()[:2]
        self.net.undeafen()
        healed = time.monotonic()
        log("# meanwhile qingshui took %d requests, %d acknowledged" % (t1 - t0, a1 - a0))
        check(a1 - a0 <= 1, "qingshui had %d requests acknowledged with its replies dropped" % (a1 - a0))
        self.checkpoint("replies lost", healed)

    def phase_cut(self):
        q, s = self.real.stations["qingshui"], self.real.stations["shiqiao"]
        qt0, qa0 = q.counts()[:2]
        st0, sa0 = s.counts()[:2]
        self.net.cut("qingshui")
        cut_at = time.monotonic()
        log("# qingshui's line cut for %d s" % CUT_S)
        time.sleep(CUT_S)
        self.net.heal("qingshui")
        healed = time.monotonic()
        qt1, qa1 = q.counts()[:2]
        st1, sa1 = s.counts()[:2]
        with s.lock:
            times = [cut_at] + [t for t in s.ack_times if cut_at <= t <= healed] + [healed]
        gap = max(b - a for a, b in zip(times, times[1:]))
        log("# during the cut qingshui took %d requests (%d acknowledged), shiqiao took %d and had %d "
            "acknowledged, its longest wait for an acknowledgement %.2f s (bound %.0f s)" % (
                qt1 - qt0, qa1 - qa0, st1 - st0, sa1 - sa0, gap, GAP_MAX_S))
        expected = CUT_S * 1000 // REQUEST_MS
        check(qt1 - qt0 >= expected * 0.8, "qingshui stopped taking requests while cut")
        check(qa1 - qa0 <= 1, "qingshui had %d requests acknowledged through a cut line" % (qa1 - qa0))
        check(st1 - st0 >= expected * 0.8, "shiqiao stopped taking requests while qingshui was cut")
        check(sa1 - sa0 >= expected * 0.8, "shiqiao's requests were not acknowledged while qingshui was cut")
        check(gap <= GAP_MAX_S, "shiqiao noticed: %.2f s without an acknowledgement" % gap)
        self.checkpoint("cut", healed)

    def run(self):
        t0 = time.monotonic()
        self.setup()
        log("# four hosts and a switch in namespaces %s-*, services up, stations ready (%.1f s)" % (
            self.args.prefix, time.monotonic() - t0))
        self.open_counters()
        time.sleep(UNDISTURBED_S)
        self.phase_loss()
        self.phase_replies_lost()
        self.phase_cut()
        self.close_counters()
        for s in self.stations():
            taken, acked, pending = s.counts()
            log("# %s: sent %d, acknowledged %d, pending %d" % (s.name, taken, acked, pending))
        problems = self.real.stop() + self.ref.stop()
        check(not problems, "; ".join(problems[:5]))
        log("# test_partitions passed in %.1f s" % (time.monotonic() - t0))

    def cleanup(self):
        for system in (self.real, self.ref):
            try:
                system.stop()
            except Exception as e:  # noqa: BLE001 - cleanup goes on
                log("# cleanup: %s" % e)
        self.net.destroy()
        if os.environ.get("DAIBAN_KEEP_TEST_DATA"):
            log("# test data kept in %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--prefix", required=True)
    args = ap.parse_args()
    test = Test(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    # The run's own bound, well inside ctest's: it stops and cleans up by
    # itself whatever hangs.
    def overtime(*_):
        raise Failure("still running after %d s: stopped" % RUN_MAX_S)
    signal.signal(signal.SIGALRM, overtime)
    signal.alarm(RUN_MAX_S)
    try:
        test.run()
        return 0
    except Failure as e:
        log("FAIL: %s" % e)
        return 1
    finally:
        signal.alarm(0)
        test.cleanup()


if __name__ == "__main__":
    sys.exit(main())
