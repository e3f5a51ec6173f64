"""daiban_client.py: a second implementation of daiban's client side, in Python.

Written from the documentation alone (docs/interop.md, docs/messages.md,
docs/security.md, docs/errors.md, the README), never from the C: if this
module needs to know something those pages do not say, the pages are wrong.

  Docs         reads docs/messages.md: every message, its envelope and its
               fields (type, limit, optional), and checks a decoded map
               against it STRICTLY: a key the page does not name, a required
               key missing, a wrong type or a value over its limit is an
               error. (daiban's own decoders ignore unknown keys; this client
               does not, so the wire cannot grow beyond its documentation.)
  read_key_file  a GLib key file without interpolation (Z85 contains '%').
  Client       one DEALER with CURVE to one service's command endpoint.
  Subscriber   one SUB with CURVE to one service's publish endpoint.

Python 3.11, pyzmq and msgpack (Debian: python3-zmq, python3-msgpack).
"""

from __future__ import annotations

import configparser
import itertools
import os
import re
import time

import msgpack
import zmq

SCHEMA_VERSION = 1
MAX_FRAME = 4 * 1024 * 1024  # docs/interop.md: no daiban frame is larger


class ProtocolError(AssertionError):
    """The wire disagrees with the documentation."""


# ---------------------------------------------------------------- the docs

class Field:
    def __init__(self, key: str, ftype: str, limit: str, optional: bool):
        self.key = key
        self.type = ftype
        self.optional = optional
        self.max = self.item_max = None
        m = re.match(r"≤ (\d+) bytes$", limit)
        if m:
            self.max = int(m.group(1))
        m = re.match(r"≤ (\d+) items, each ≤ (\d+) bytes$", limit)
        if m:
            self.max, self.item_max = int(m.group(1)), int(m.group(2))
        if ftype not in ("int", "bool", "string", "bytes", "strings", "bytes_list"):
            raise ValueError(f"docs/messages.md: field {key} has unknown type {ftype!r}")


class Message:
    def __init__(self, name: str):
        self.name = name
        self.envelope: str | None = None
        self.wire: str | None = None
        self.doc = ""
        self.fields: dict[str, Field] = {}


class Docs:
    """docs/messages.md, parsed: the envelopes and every message."""

    def __init__(self, path: str):
        self.messages: dict[str, Message] = {}
        self.envelopes: dict[str, dict[str, Field]] = {}
        section = None
        cur: dict[str, Field] | None = None
        msg: Message | None = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith("## "):
                    section = line[3:]
                    continue
                m = re.match(r"^### (\S+)$", line)
                if m:
                    if section == "Envelopes":
                        cur = self.envelopes.setdefault(m.group(1), {})
                        msg = None
                    else:
                        msg = self.messages.setdefault(m.group(1), Message(m.group(1)))
                        cur = msg.fields
                    continue
                m = re.match(r"^Envelope \*\*(\w+)\*\*, (?:wire name `([^`]+)`|no wire name)", line)
                if m and msg is not None:
                    msg.envelope, msg.wire = m.group(1), m.group(2)
                    continue
                if msg is not None and msg.envelope and line and not line.startswith("|"):
                    msg.doc += line + " "
                    continue
                if cur is not None and line.startswith("| `"):
                    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
                    key = cells[0].strip("`")
                    cur[key] = Field(key, cells[2], cells[3], cells[4] == "yes")
        if set(self.envelopes) < {"event", "command", "reply", "record"}:
            raise ValueError(f"{path}: envelopes missing: {sorted(self.envelopes)}")
        self.by_wire = {m.wire: m for m in self.messages.values() if m.wire}

    def event_types(self) -> set[str]:
        return {m.wire for m in self.messages.values() if m.envelope == "event"}

    def fields_of(self, msg: Message) -> dict[str, Field]:
        out = dict(self.envelopes[msg.envelope])
        out.update(msg.fields)
        return out

    def check(self, fields: dict[str, Field], m: object, what: str) -> None:
        if not isinstance(m, dict):
            raise ProtocolError(f"{what}: not a map but {type(m).__name__}")
        for k in m:
            if not isinstance(k, str):
                raise ProtocolError(f"{what}: a key that is not a string: {k!r}")
            if k not in fields:
                raise ProtocolError(f"{what}: key {k!r} is not in docs/messages.md "
                                    f"(documented: {sorted(fields)})")
        for f in fields.values():
            if f.key not in m:
                if not f.optional:
                    raise ProtocolError(f"{what}: documented required key {f.key!r} missing")
                continue
            check_value(f, m[f.key], f"{what}.{f.key}")
        if m.get("v") != SCHEMA_VERSION:
            raise ProtocolError(f"{what}: v is {m.get('v')!r}, not {SCHEMA_VERSION}")

    def check_event(self, m: object, what: str = "event") -> dict:
        if not isinstance(m, dict) or not isinstance(m.get("type"), str):
            raise ProtocolError(f"{what}: no string 'type': {m!r}")
        msg = self.by_wire.get(m["type"])
        if msg is None or msg.envelope != "event":
            raise ProtocolError(f"{what}: type {m['type']!r} is no documented event")
        self.check(self.fields_of(msg), m, f"{what} {m['type']}")
        return m

    def check_reply(self, reply_name: str | None, m: object, what: str) -> dict:
        env = self.envelopes["reply"]
        if not isinstance(m, dict):
            raise ProtocolError(f"{what}: reply is not a map")
        if m.get("ok") is False:
            # docs/interop.md: a refusal carries the envelope only.
            self.check(env, m, f"{what} (refused)")
            return m
        if reply_name is None:
            raise ProtocolError(f"{what}: no documented reply message")
        self.check(self.fields_of(self.messages[reply_name]), m, f"{what} {reply_name}")
        return m

    def check_record(self, record_name: str, data: bytes, what: str) -> dict:
        m = unpack(data, what)
        self.check(self.fields_of(self.messages[record_name]), m, f"{what} {record_name}")
        return m

    def reply_name(self, cmd: str) -> str | None:
        msg = self.by_wire.get(cmd)
        if msg is None or msg.envelope != "command":
            raise ProtocolError(f"{cmd}: no documented command")
        if msg.name + "_reply" in self.messages:
            return msg.name + "_reply"
        m = re.search(r"Answered with (\w+)", msg.doc)
        if m and m.group(1) in self.messages:
            return m.group(1)
        # docs/interop.md: the case.* commands of routing answer routing_case_reply.
        if cmd.startswith("case."):
            return "routing_case_reply"
        return None


def check_value(f: Field, v: object, what: str) -> None:
    def string(x, limit, w):
        if type(x) is not str:
            raise ProtocolError(f"{w}: not a string but {type(x).__name__} ({x!r})")
        if "\0" in x:
            raise ProtocolError(f"{w}: NUL in a string")
        if limit is not None and len(x.encode("utf-8")) > limit:
            raise ProtocolError(f"{w}: {len(x.encode())} bytes, over the documented {limit}")

    def binary(x, limit, w):
        if type(x) is not bytes:
            raise ProtocolError(f"{w}: not bin but {type(x).__name__}")
        if limit is not None and len(x) > limit:
            raise ProtocolError(f"{w}: {len(x)} bytes, over the documented {limit}")

    if f.type == "int":
        if type(v) is not int or not -2**63 <= v < 2**63:
            raise ProtocolError(f"{what}: not an int64 but {v!r}")
    elif f.type == "bool":
        if type(v) is not bool:
            raise ProtocolError(f"{what}: not a bool but {v!r}")
    elif f.type == "string":
        string(v, f.max, what)
    elif f.type == "bytes":
        binary(v, f.max, what)
    else:
        if type(v) is not list:
            raise ProtocolError(f"{what}: not an array but {type(v).__name__}")
        if f.max is not None and len(v) > f.max:
            raise ProtocolError(f"{what}: {len(v)} items, over the documented {f.max}")
        for i, item in enumerate(v):
            (string if f.type == "strings" else binary)(item, f.item_max, f"{what}[{i}]")


def unpack(data: bytes, what: str) -> object:
    try:
        # raw=False: str is UTF-8 text, bin is bytes; trailing bytes raise ExtraData.
        return msgpack.unpackb(data, raw=False, strict_map_key=True)
    except Exception as e:  # noqa: BLE001 — any failure is the wire's fault
        raise ProtocolError(f"{what}: not one MessagePack object: {e}") from e


def pack(m: dict) -> bytes:
    return msgpack.packb(m, use_bin_type=True)


# ---------------------------------------------------------------- key files

def read_key_file(path: str) -> configparser.RawConfigParser:
    """A GLib key file: no interpolation ('%' is in Z85), '=' the only
    delimiter, whole-line '#' comments, case-sensitive keys (docs/interop.md)."""
    p = configparser.RawConfigParser(interpolation=None, delimiters=("=",),
                                     comment_prefixes=("#",), inline_comment_prefixes=None,
                                     strict=True, empty_lines_in_values=False)
    p.optionxform = str
    with open(path, encoding="utf-8") as f:
        p.read_file(f)
    return p


class Identity:
    """A client's key pair from its secret file, and the pinned server keys."""

    def __init__(self, secret_path: str, registry_path: str):
        me = read_key_file(secret_path)
        self.principal = me["curve"]["principal"]
        self.public = me["curve"]["public-key"].encode("ascii")
        self.secret = me["curve"]["secret-key"].encode("ascii")
        reg = read_key_file(registry_path)
        self.servers = {}
        for section in reg.sections():
            if section.startswith("service:") and reg[section].get("revoked") == "false":
                self.servers[section[len("service:"):]] = reg[section]["public-key"].encode("ascii")

    def secure(self, sock: zmq.Socket, service: str) -> None:
        if service not in self.servers:
            raise ProtocolError(f"no unrevoked key of service:{service} in the registry")
        for key in (self.servers[service], self.public, self.secret):
            if len(key) != 40:
                raise ProtocolError(f"a Z85 key of {len(key)} characters, not 40")
        sock.curve_serverkey = self.servers[service]
        sock.curve_publickey = self.public
        sock.curve_secretkey = self.secret
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)


def read_endpoints(data_dir: str) -> dict[str, tuple[str, str]]:
    conf = read_key_file(os.path.join(data_dir, "daiban.conf"))
    return {s[len("service:"):]: (conf[s]["command"], conf[s]["publish"])
            for s in conf.sections() if s.startswith("service:")}


# ---------------------------------------------------------------- sockets

class Refused(Exception):
    def __init__(self, cmd: str, reply: dict):
        super().__init__(f"{cmd}: [{reply.get('code')}] {reply.get('msg_en')} / {reply.get('msg_zh')}")
        self.code = reply.get("code")
        self.reply = reply


class Client:
    """Commands to one service: [request id][map] both ways (docs/interop.md)."""

    _ids = itertools.count(1)

    def __init__(self, ctx: zmq.Context, docs: Docs, ident: Identity, service: str, endpoint: str):
        self.docs = docs
        self.service = service
        self.principal = ident.principal
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        ident.secure(self.sock, service)
        self.sock.connect(endpoint)

    def close(self) -> None:
        self.sock.close(0)

    def send(self, cmd: str, fields: dict, key: str) -> bytes:
        rid = f"py-{next(self._ids)}".encode()
        body = {"v": SCHEMA_VERSION, "cmd": cmd, "key": key}
        body.update(fields)
        # Check what we send against the page too: the client is held to it.
        msg = self.docs.by_wire[cmd]
        self.docs.check(self.docs.fields_of(msg), body, f"our own {cmd}")
        self.sock.send_multipart([rid, pack(body)])
        return rid

    def receive(self, rid: bytes, cmd: str, timeout_s: float) -> dict:
        end = time.monotonic() + timeout_s
        while True:
            left = end - time.monotonic()
            if left <= 0 or not self.sock.poll(int(left * 1000) + 1):
                raise TimeoutError(f"{self.principal} → {self.service}: no answer to {cmd} in {timeout_s} s")
            frames = self.sock.recv_multipart()
            if len(frames) != 2:
                raise ProtocolError(f"{cmd}: a reply of {len(frames)} frames, not [request id][map]")
            if frames[0] != rid:
                continue  # the answer to an earlier request that timed out
            return self.docs.check_reply(self.docs.reply_name(cmd), unpack(frames[1], cmd),
                                         f"reply to {cmd}")

    def call_raw(self, cmd: str, fields: dict, key: str | None = None, timeout_s: float = 10.0) -> dict:
        key = key if key is not None else new_key()
        return self.receive(self.send(cmd, fields, key), cmd, timeout_s)

    def call(self, cmd: str, fields: dict | None = None, key: str | None = None,
             timeout_s: float = 10.0) -> dict:
        reply = self.call_raw(cmd, fields or {}, key, timeout_s)
        if reply.get("ok") is not True:
            raise Refused(cmd, reply)
        return reply


_keys = itertools.count(1)


def new_key() -> str:
    return f"py-{os.getpid()}-{time.time_ns()}-{next(_keys)}"


class Subscriber:
    """Events of one service: [topic][map], every topic ending in '/'."""

    def __init__(self, ctx: zmq.Context, docs: Docs, ident: Identity, service: str, endpoint: str,
                 topics: list[str]):
        self.docs = docs
        self.service = service
        self.principal = ident.principal
        self.sock = ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        ident.secure(self.sock, service)
        self.sock.connect(endpoint)
        for t in topics:
            self.sock.setsockopt(zmq.SUBSCRIBE, t.encode())
        # Heartbeats last: once one arrives, the subscriptions sent before it
        # on the same connection have been read by the service too.
        self.sock.setsockopt(zmq.SUBSCRIBE, b"hb/")
        self.events: list[tuple[str, dict]] = []   # (topic, event), case events only
        self.heartbeats = 0
        self.last_hb_seq = 0

    def close(self) -> None:
        self.sock.close(0)

    def pump(self) -> int:
        """Reads what is queued, without waiting. Returns how many frames pairs."""
        n = 0
        while self.sock.poll(0):
            frames = self.sock.recv_multipart()
            if len(frames) != 2:
                raise ProtocolError(f"{self.service}: an event of {len(frames)} frames")
            topic = frames[0].decode("utf-8")
            if not topic.endswith("/"):
                raise ProtocolError(f"{self.service}: topic {topic!r} does not end in '/'")
            ev = self.docs.check_event(unpack(frames[1], f"{self.service} {topic}"),
                                       f"{self.service} event on {topic}")
            if ev["src"] != self.service:
                raise ProtocolError(f"{self.service}: an event with src {ev['src']!r}")
            if ev["type"] == "sys.heartbeat":
                if topic != "hb/":
                    raise ProtocolError(f"a heartbeat on {topic!r}, not hb/")
                self.heartbeats += 1
                self.last_hb_seq = ev["seq"]
            else:
                self.events.append((topic, ev))
            n += 1
        return n


def wait_until(subs: list[Subscriber], pred, timeout_s: float, what: str) -> None:
    """Pumps every subscriber until pred() holds; fails after timeout_s."""
    poller = zmq.Poller()
    for s in subs:
        poller.register(s.sock, zmq.POLLIN)
    end = time.monotonic() + timeout_s
    while True:
        for s in subs:
            s.pump()
        if pred():
            return
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        poller.poll(min(int(left * 1000) + 1, 200))
