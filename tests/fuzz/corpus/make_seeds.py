#!/usr/bin/env python3
"""make_seeds.py: writes the seed corpus of the decoder fuzz targets.

For every registry entry of schemas/gen/dbn_codegen.py (each message and each
envelope decoder) it writes valid encodings into OUT/<name>/:

  valid-full.mpk     every field, optional ones included
  valid-minimal.mpk  optional fields left out, lists empty
  valid-limits.mpk   every string at its byte limit, string lists at their
                     item and byte limits, ints at INT64_MIN (bytes_list capped
                     at 3 items of 1 KiB so seeds stay small)

An envelope decoder gets the full encoding of every message of its envelope
(valid-<message>.mpk) and the bare envelope. OUT/hostile/ holds frames no
decoder may accept (the 5-byte allocation bombs, a depth bomb, truncations),
and OUT/daiban.dict is a libFuzzer dictionary of every key and wire name.

The seeds are written by the small MessagePack writer below, independent of
msgpack-c, and fuzz_replay fails when a decoder refuses a valid-* seed, so
the two implementations check each other. Deterministic; stdlib only.

Usage: make_seeds.py --out DIR schema.xml...
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "schemas", "gen"))
import dbn_codegen as gen  # noqa: E402


def pack(value) -> bytes:
    """MessagePack for None, bool, int, str, bytes, list and dict (in order)."""
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value <= 0x7F:
            return bytes([value])
        if -32 <= value < 0:
            return struct.pack(">b", value)
        if value >= 0:
            return b"\xcf" + struct.pack(">Q", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        n = len(raw)
        if n <= 31:
            return bytes([0xA0 | n]) + raw
        if n <= 0xFF:
            return b"\xd9" + bytes([n]) + raw
        if n <= 0xFFFF:
            return b"\xda" + struct.pack(">H", n) + raw
        return b"\xdb" + struct.pack(">I", n) + raw
    if isinstance(value, bytes):
        n = len(value)
        if n <= 0xFF:
            return b"\xc4" + bytes([n]) + value
        if n <= 0xFFFF:
            return b"\xc5" + struct.pack(">H", n) + value
        return b"\xc6" + struct.pack(">I", n) + value
    if isinstance(value, list):
        n = len(value)
        head = bytes([0x90 | n]) if n <= 15 else b"\xdc" + struct.pack(">H", n)
        return head + b"".join(pack(v) for v in value)
    if isinstance(value, dict):
        n = len(value)
        head = bytes([0x80 | n]) if n <= 15 else b"\xde" + struct.pack(">H", n)
        return head + b"".join(pack(k) + pack(v) for k, v in value.items())
    raise TypeError(type(value))


def cut_utf8(text: str, limit: int) -> str:
    raw = text.encode("utf-8")[:limit]
    return raw.decode("utf-8", errors="ignore")


def sample(f: gen.Field, mode: str):
    """A value of field f: 'full' (typical), 'minimal' or 'limits'."""
    if f.type == "int":
        return {"full": 1735689600000, "minimal": 0, "limits": -(2 ** 63)}[mode]
    if f.type == "bool":
        return mode != "minimal"
    if f.type == "string":
        if mode == "limits":
            return "x" * f.max
        return "" if mode == "minimal" else cut_utf8(f"样本-{f.key}", f.max)
    if f.type == "bytes":
        return bytes(range(256))[: f.max] if mode != "minimal" else b""
    if f.type == "strings":
        if mode == "minimal":
            return []
        if mode == "limits":
            return ["y" * f.item_max] * f.max
        return [cut_utf8("户口本", f.item_max), cut_utf8("身份证", f.item_max)]
    if f.type == "bytes_list":
        if mode == "minimal":
            return []
        count = min(f.max, 3 if mode == "limits" else 2)
        size = min(f.item_max, 1024 if mode == "limits" else 8)
        return [bytes([i]) * size for i in range(count)]
    raise ValueError(f.type)


def encode(env: gen.Envelope, wire: str, body: list[gen.Field], version: int, mode: str) -> bytes:
    frame = {}
    for f in env.fields + body:
        if f.optional and mode == "minimal":
            continue
        if f.key == gen.VERSION_KEY:
            frame[f.key] = version
        elif f.key in gen.WIRE_NAME_KEYS:
            frame[f.key] = wire or "x.unknown"
        elif env.name == "reply" and f.key == "ok":
            frame[f.key] = True
        else:
            frame[f.key] = sample(f, mode)
    return pack(frame)


HOSTILE = {
    "array32-bomb": b"\xdd\xff\xff\xff\xff",
    "map32-bomb": b"\xdf\xff\xff\xff\xff",
    "map32-128m": b"\xdf\x08\x00\x00\x00",
    "array32-64m": b"\xdd\x04\x00\x00\x00",
    "str32-bomb": b"\xdb\xff\xff\xff\xff",
    "depth-bomb": b"\x91" * 64 + b"\xc0",
    "reserved": b"\x81\xa1v\xc1",
    "empty": b"",
}


def write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Write the decoder fuzz seed corpus.")
    parser.add_argument("--out", required=True)
    parser.add_argument("schemas", nargs="+")
    args = parser.parse_args(argv)
    version, files = gen.load(args.schemas)

    # Start clean so a renamed message leaves no stale folder behind.
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)

    envelopes = [e for sf in files for e in sf.envelopes]
    messages = [m for sf in files for m in sf.messages]
    for m in messages:
        folder = os.path.join(args.out, m.name)
        os.makedirs(folder)
        for mode in ("full", "minimal", "limits"):
            write(os.path.join(folder, f"valid-{mode}.mpk"),
                  encode(m.envelope, m.wire, m.fields, version, mode))
    for env in envelopes:
        folder = os.path.join(args.out, f"env_{env.name}")
        os.makedirs(folder)
        write(os.path.join(folder, "valid-envelope-only.mpk"), encode(env, "", [], version, "full"))
        write(os.path.join(folder, "valid-minimal.mpk"), encode(env, "", [], version, "minimal"))
        for m in messages:
            if m.envelope is env:
                write(os.path.join(folder, f"valid-{m.name}.mpk"),
                      encode(env, m.wire, m.fields, version, "full"))

    hostile = os.path.join(args.out, "hostile")
    os.makedirs(hostile)
    for name, data in HOSTILE.items():
        write(os.path.join(hostile, name), data)
    # Every strict prefix of one full message: truncation is always malformed.
    full = encode(messages[0].envelope, messages[0].wire, messages[0].fields, version, "full")
    for n in range(0, len(full), max(1, len(full) // 16)):
        write(os.path.join(hostile, f"truncated-{n:04d}"), full[:n])

    words = sorted({f.key for e in envelopes for f in e.fields} |
                   {f.key for m in messages for f in m.fields} |
                   {m.wire for m in messages if m.wire})
    with open(os.path.join(args.out, "daiban.dict"), "w", encoding="ascii") as f:
        for i, word in enumerate(words):
            escaped = "".join(f"\\x{b:02x}" for b in pack(word))
            f.write(f'k{i}="{escaped}"\n')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
