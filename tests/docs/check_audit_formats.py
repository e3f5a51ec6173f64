#!/usr/bin/env python3
"""check_audit_formats.py: docs/audit.md is enough to check daiban's record.

Everything here is written from docs/audit.md alone, with hashlib, sqlite3
and an Ed25519 library (PyNaCl), and nothing of daiban's code: the entry
encoding, the leaf, node and chain hashes, the tree hash for any size, the
signed head's bytes and signature, the head file, and the RFC 9162
inclusion and consistency proofs that `daiban audit proof` prints. Each
check is also shown to fail on a proof or head that was changed.

    check_audit_formats.py DAIBAN MAKE_RECORD WORKDIR
"""
import hashlib
import json
import os
import sqlite3
import struct
import subprocess
import sys

import nacl.exceptions
import nacl.signing


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def chain_hash(prev, leaf):
    return sha256(b"\x02" + prev + leaf)


def text(s):
    b = s.encode("utf-8")
    return struct.pack(">H", len(b)) + b


def encode_entry(index, producer, seq, time_ms, case_no, actor, type_, event):
    """docs/audit.md, "Entry"."""
    return (b"\x01" + struct.pack(">Q", index) + text(producer) + struct.pack(">QQ", seq, time_ms)
            + text(case_no) + text(actor) + text(type_) + struct.pack(">I", len(event)) + event)


def decode_entry(b):
    """The inverse, for an entry received in a proof."""
    assert b[0] == 1, "version"
    (index,) = struct.unpack_from(">Q", b, 1)
    pos = 9

    def take_text():
        nonlocal pos
        (n,) = struct.unpack_from(">H", b, pos)
        s = b[pos + 2:pos + 2 + n].decode("utf-8")
        pos += 2 + n
        return s

    producer = take_text()
    seq, time_ms = struct.unpack_from(">QQ", b, pos)
    pos += 16
    case_no, actor, type_ = take_text(), take_text(), take_text()
    (n,) = struct.unpack_from(">I", b, pos)
    event = b[pos + 4:pos + 4 + n]
    assert pos + 4 + n == len(b), "trailing bytes"
    return dict(index=index, producer=producer, seq=seq, time_ms=time_ms, case_no=case_no, actor=actor,
                type=type_, event=event)


def mth(leaves):
    """RFC 9162 2.1.1, from the definition."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def head_message(size, time_ms, root, chain):
    """docs/audit.md, "Signed tree head": 97 bytes."""
    return b"DAIBAN-AUDIT-STH" + b"\x01" + struct.pack(">QQ", size, time_ms) + root + chain


def verify_inclusion(index, size, leaf, path, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, path):
    """RFC 9162 2.1.4.2 (first == 0 and first == second as docs/audit.md says)."""
    if first == 0:
        return not path
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def signature_ok(key, message, signature):
    try:
        nacl.signing.VerifyKey(key).verify(message, signature)
        return True
    except nacl.exceptions.BadSignatureError:
        return False


def run(daiban, *args):
    out = subprocess.run([daiban, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    daiban, maker, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, "audit.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    subprocess.run([maker, db, "1000", "100"], check=True)

    # The whole record, recomputed from its columns.
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    (key,) = con.execute("SELECT value FROM audit_meta WHERE name = 'public_key'").fetchone()
    leaves, chain, chains = [], bytes(32), []
    for row in con.execute("SELECT idx, producer, seq, time_ms, case_no, actor, type, event, leaf, chain"
                           " FROM audit_entry ORDER BY idx"):
        idx, producer, seq, time_ms, case_no, actor, type_, event, stored_leaf, stored_chain = row
        assert idx == len(leaves)
        leaf = leaf_hash(encode_entry(idx, producer, seq, time_ms, case_no, actor, type_, event))
        assert leaf == stored_leaf, f"leaf {idx}"
        chain = chain_hash(chain, leaf)
        assert chain == stored_chain, f"chain {idx}"
        leaves.append(leaf)
        chains.append(chain)
    heads = con.execute("SELECT size, time_ms, root, chain, signature FROM audit_head ORDER BY size").fetchall()
    assert [h[0] for h in heads] == list(range(100, 1001, 100)), [h[0] for h in heads]
    for size, time_ms, root, hchain, signature in heads:
        assert root == mth(leaves[:size]), f"root at {size}"
        assert hchain == chains[size - 1], f"chain at {size}"
        assert signature_ok(key, head_message(size, time_ms, root, hchain), signature), f"signature at {size}"
        forged = head_message(size, time_ms + 1, root, hchain)
        assert not signature_ok(key, forged, signature)
    print(f"recomputed 1000 entries and {len(heads)} signed heads from docs/audit.md")

    # The head file.
    head_files = {}
    for size in (300, 1000):
        h = run(daiban, "audit", "head", "--db", db, "--size", str(size))
        assert h["format"] == "daiban-audit-head-1" and h["size"] == size
        assert bytes.fromhex(h["public_key"]) == key
        root, hchain = bytes.fromhex(h["root"]), bytes.fromhex(h["chain"])
        assert root == mth(leaves[:size])
        assert signature_ok(key, head_message(size, h["time_ms"], root, hchain), bytes.fromhex(h["signature"]))
        head_files[size] = h
    print("head files: roots and signatures check")

    # Inclusion proofs, against the signed heads' roots.
    checked = 0
    for index, size in ((0, 1000), (1, 300), (255, 1000), (256, 1000), (299, 300), (777, 1000), (999, 1000)):
        p = run(daiban, "audit", "proof", "--db", db, "--index", str(index), "--size", str(size))
        assert p["format"] == "daiban-audit-inclusion-1" and p["index"] == index and p["size"] == size
        entry = bytes.fromhex(p["entry"])
        fields = decode_entry(entry)
        assert fields["index"] == index
        leaf = leaf_hash(entry)
        assert leaf == bytes.fromhex(p["leaf_hash"]) == leaves[index]
        path = [bytes.fromhex(x) for x in p["path"]]
        root = bytes.fromhex(head_files[size]["root"])
        assert verify_inclusion(index, size, leaf, path, root), (index, size)
        assert not verify_inclusion(index, size, leaf_hash(entry + b"x"), path, root)
        if path:
            bad = list(path)
            bad[-1] = bytes([bad[-1][0] ^ 1]) + bad[-1][1:]
            assert not verify_inclusion(index, size, leaf, bad, root)
        checked += 1
    print(f"inclusion proofs: {checked} verify, and fail when changed")

    # Consistency proofs: between the two signed heads, and for other sizes
    # against roots computed here.
    sizes = [(300, 1000), (256, 1000), (1, 1000), (999, 1000), (0, 1000), (1000, 1000), (513, 700)]
    for first, second in sizes:
        p = run(daiban, "audit", "proof", "--db", db, "--first", str(first), "--second", str(second))
        assert p["format"] == "daiban-audit-consistency-1" and p["first"] == first and p["second"] == second
        path = [bytes.fromhex(x) for x in p["path"]]
        r1, r2 = mth(leaves[:first]), mth(leaves[:second])
        if (first, second) == (300, 1000):
            assert r1 == bytes.fromhex(head_files[300]["root"]) and r2 == bytes.fromhex(head_files[1000]["root"])
        assert verify_consistency(first, second, r1, r2, path), (first, second)
        if 0 < first < second:
            assert not verify_consistency(first, second, sha256(b"rewritten"), r2, path)
            bad = list(path)
            bad[0] = bytes([bad[0][0] ^ 1]) + bad[0][1:]
            assert not verify_consistency(first, second, r1, r2, bad)
    print(f"consistency proofs: {len(sizes)} verify, and fail when changed")
    print("docs/audit.md formats: OK")


if __name__ == "__main__":
    main()
