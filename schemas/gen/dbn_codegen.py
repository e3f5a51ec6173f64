#!/usr/bin/env python3
"""dbn_codegen.py: writes daiban's message codec from schemas/messages/*.xml.

One schema file becomes one C file pair, dbn_msg_<stem>.h/.c: the structs and,
per message, _new/_free/_encode/_decode.  The generated C holds a field table
per message and thin functions around the table-driven engine in
common/src/dbn_codec.c (dbn_codec_private.h), so the strict decode logic is
written and tested once instead of being stamped out per field; the tables
stay readable and the functions look like any hand-written constructor.
dbn_msg_registry.c lists every decoder by name (fuzz targets and tests), and
dbn_msg.h includes everything.

A <record> is a group of fields that several messages carry, declared once:
a message says <carries record="..."/> where the fields go, and they are
written into it there (its struct, table and docs, so the wire is what it
would be with the fields typed out).  For a record carried by messages of an
envelope (envelope="event"), the generator writes a strict reader,
dbn_msg_<record>_read(), that takes the record out of any such message
carrying it: the envelope and the record's fields are checked as a decoder
checks them, the message's other keys are ignored.  A consumer that needs
only the record (a queue row) reads it without knowing the event type, and
a field renamed in the schema breaks its build instead of its behaviour.

The output is deterministic: schema files are sorted by name, messages keep
their order in the file, nothing carries a timestamp or an absolute path, and
a file is written only when its bytes change, so ninja rebuilds nothing after
a no-op run.  --doc writes the Markdown protocol reference (docs/messages.md);
--check compares instead of writing, for the ctest that keeps it current.

Usage:
  dbn_codegen.py [--list-outputs] [--list-messages] [--out DIR]
                 [--doc FILE [--check]] schema.xml...
Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
import textwrap
import xml.etree.ElementTree as ET

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GENERATOR = "schemas/gen/dbn_codegen.py"

FIELD_TYPES = ("int", "bool", "string", "bytes", "strings", "bytes_list")
SIZED_TYPES = ("string", "bytes", "strings", "bytes_list")
LIST_TYPES = ("strings", "bytes_list")
PERSONAL_KINDS = ("id", "phone", "address")

# The envelope field that must hold the message's wire name, and the one that
# holds the schema version.  A convention of the protocol, not of one schema.
WIRE_NAME_KEYS = ("type", "cmd")
VERSION_KEY = "v"

# What dbn_msg_<reply>_new() fills in: a reply starts out as a success.
ENVELOPE_DEFAULTS = {
    "reply": (("ok", "TRUE"), ("code", 'g_strdup ("ok")'),
              ("msg_zh", 'g_strdup ("")'), ("msg_en", 'g_strdup ("")')),
}

# Matches DBN_CODEC_MAX_FRAME in dbn_codec.h: no single value may be larger.
MAX_FRAME = 4 * 1024 * 1024
# Matches DBN_CODEC_MAX_FIELDS in dbn_codec_private.h.
MAX_FIELDS = 64

C_KEYWORDS = frozenset("""
    auto break case char const continue default do double else enum extern float
    for goto if inline int long register restrict return short signed sizeof
    static struct switch typedef union unsigned void volatile while _Alignas
    _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert
    _Thread_local bool true false env self
""".split())

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
WIRE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


class SchemaError(Exception):
    """A schema file breaks a rule; the message names the file and element."""


@dataclasses.dataclass
class Field:
    key: str            # map key on the wire
    c_name: str         # struct member
    type: str           # one of FIELD_TYPES
    max: int            # bytes (string, bytes) or items (lists); 0 for int/bool
    item_max: int       # bytes per item for lists
    optional: bool
    personal: str       # "", "id", "phone" or "address"
    doc: str


@dataclasses.dataclass
class Envelope:
    name: str
    doc: str
    fields: list[Field]

    @property
    def c_type(self) -> str:
        return "DbnEnv" + camel(self.name)

    @property
    def prefix(self) -> str:
        return "dbn_env_" + self.name

    @property
    def wire_field(self) -> Field | None:
        return next((f for f in self.fields if f.key in WIRE_NAME_KEYS), None)


@dataclasses.dataclass
class Named:
    """A message or a record: DbnMsg<Name>, dbn_msg_<name>_*."""
    name: str

    @property
    def c_type(self) -> str:
        return "DbnMsg" + camel(self.name)

    @property
    def prefix(self) -> str:
        return "dbn_msg_" + self.name


@dataclasses.dataclass
class Record(Named):
    envelope: Envelope  # the envelope of the messages it is read out of
    doc: str
    fields: list[Field]
    schema: str         # stem of the schema file
    rel: str            # the schema file, relative to the repository
    carriers: list["Message"] = dataclasses.field(default_factory=list)

    @property
    def readable_from(self) -> list["Message"]:
        """The carriers of the record's envelope: those the reader takes."""
        return [m for m in self.carriers if m.envelope is self.envelope]

    @property
    def wires(self) -> list[str]:
        """Wire names of the messages the reader takes, sorted (bsearch)."""
        return sorted(m.wire for m in self.readable_from)


@dataclasses.dataclass
class Message(Named):
    wire: str           # "" for replies
    envelope: Envelope
    doc: str
    fields: list[Field]
    schema: str         # stem of the schema file
    carries: list[str] = dataclasses.field(default_factory=list)  # record names

    @property
    def label(self) -> str:
        """How errors and docs name the message."""
        return self.wire or self.name


@dataclasses.dataclass
class SchemaFile:
    path: str           # as given
    rel: str            # relative to the repository, for headers
    stem: str
    version: int
    envelopes: list[Envelope]
    messages: list[Message]
    records: list[Record] = dataclasses.field(default_factory=list)


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def fail(where: str, text: str) -> None:
    raise SchemaError(f"{where}: {text}")


def rel_path(path: str) -> str:
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, REPO_ROOT)
    if rel.startswith(".."):
        return os.path.basename(absolute)
    return rel.replace(os.sep, "/")


def parse_int(where: str, text: str | None, what: str) -> int:
    if text is None:
        fail(where, f"'{what}' is required for this type")
    if not re.fullmatch(r"[0-9]+", text):
        fail(where, f"'{what}' must be a positive integer, not '{text}'")
    value = int(text)
    if value <= 0 or value > MAX_FRAME:
        fail(where, f"'{what}' must be 1..{MAX_FRAME}, not {value}")
    return value


def parse_field(where: str, el: ET.Element) -> Field:
    key = el.get("name", "")
    where = f"{where} field '{key}'"
    if not IDENT.match(key):
        fail(where, "name must match [a-z][a-z0-9_]*")
    ftype = el.get("type", "")
    if ftype not in FIELD_TYPES:
        fail(where, f"type must be one of {', '.join(FIELD_TYPES)}")
    c_name = el.get("c", key)
    if not IDENT.match(c_name) or c_name in C_KEYWORDS:
        fail(where, f"C name '{c_name}' is a keyword or reserved: give c=\"...\"")
    fmax = parse_int(where, el.get("max"), "max") if ftype in SIZED_TYPES else 0
    item_max = parse_int(where, el.get("item_max"), "item_max") if ftype in LIST_TYPES else 0
    if ftype not in SIZED_TYPES and el.get("max") is not None:
        fail(where, "'max' has no meaning for this type")
    optional = el.get("optional", "no")
    if optional not in ("yes", "no"):
        fail(where, "optional must be yes or no")
    personal = el.get("personal", "")
    if personal and personal not in PERSONAL_KINDS:
        fail(where, f"personal must be one of {', '.join(PERSONAL_KINDS)}")
    return Field(key, c_name, ftype, fmax, item_max, optional == "yes", personal,
                 " ".join(el.get("doc", "").split()))


def check_fields(where: str, fields: list[Field]) -> None:
    keys: set[str] = set()
    members: set[str] = set()
    for f in fields:
        if f.key in keys:
            fail(where, f"key '{f.key}' defined twice")
        keys.add(f.key)
        names = [f.c_name]
        if f.optional and f.type in ("int", "bool"):
            names.append("has_" + f.c_name)
        for n in names:
            if n in members:
                fail(where, f"C member '{n}' defined twice")
            members.add(n)
    if len(fields) > MAX_FIELDS:
        fail(where, f"more than {MAX_FIELDS} fields")


def parse_file(path: str) -> tuple[ET.Element, str]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise SchemaError(f"{path}: {e}") from e
    return root, os.path.splitext(os.path.basename(path))[0]


def claim_name(where: str, name: str, path: str, seen_names: dict[str, str]) -> None:
    """Messages and records share one namespace: each names DbnMsg<Name>."""
    if not IDENT.match(name):
        fail(where, "name must match [a-z][a-z0-9_]*")
    if name in seen_names:
        fail(where, f"name already used in {seen_names[name]}")
    seen_names[name] = path


def load(paths: list[str]) -> tuple[int, list[SchemaFile]]:
    """Reads every schema file; returns the schema version and the files sorted by stem."""
    parsed = [(p, *parse_file(p)) for p in paths]
    env_files = [x for x in parsed if x[1].tag == "envelopes"]
    if len(env_files) != 1:
        raise SchemaError("exactly one schema file must be <envelopes> (envelope.xml)")
    path, root, stem = env_files[0]
    version = parse_int(path, root.get("version"), "version")
    envelopes: dict[str, Envelope] = {}
    for el in root:
        if el.tag != "envelope":
            fail(path, f"unexpected <{el.tag}>")
        name = el.get("name", "")
        where = f"{path}: envelope '{name}'"
        if not IDENT.match(name) or name in envelopes:
            fail(where, "name missing, malformed or repeated")
        fields = [parse_field(where, f) for f in el if f.tag == "field"]
        check_fields(where, fields)
        if not fields or fields[0].key != VERSION_KEY or fields[0].type != "int":
            fail(where, f"the first field must be the int '{VERSION_KEY}'")
        envelopes[name] = Envelope(name, " ".join(el.get("doc", "").split()), fields)

    files = [SchemaFile(path, rel_path(path), stem, version, list(envelopes.values()), [])]
    seen_names: dict[str, str] = {f"env_{n}": path for n in envelopes}
    seen_wires: dict[str, str] = {}
    stems = {stem}
    # Records first, from every file: a message may carry one declared anywhere.
    records: dict[str, Record] = {}
    for path, root, stem in parsed:
        if root.tag != "schema":
            continue
        for el in root:
            if el.tag != "record":
                continue
            name = el.get("name", "")
            where = f"{path}: record '{name}'"
            claim_name(where, name, path, seen_names)
            env_name = el.get("envelope", "")
            if env_name not in envelopes or envelopes[env_name].wire_field is None:
                fail(where, "envelope must be one whose messages have a wire name "
                     f"({', '.join(n for n, e in envelopes.items() if e.wire_field)})")
            env = envelopes[env_name]
            for child in el:
                if child.tag != "field":
                    fail(where, f"unexpected <{child.tag}> (a record holds fields only)")
            fields = [parse_field(where, f) for f in el]
            if not fields:
                fail(where, "a record needs fields")
            check_fields(where, env.fields + fields)
            records[name] = Record(name, env, " ".join(el.get("doc", "").split()), fields,
                                   stem, rel_path(path))
    for path, root, stem in parsed:
        if root.tag == "envelopes":
            continue
        if root.tag != "schema":
            fail(path, f"root must be <schema> or <envelopes>, not <{root.tag}>")
        if not IDENT.match(stem) or stem in stems:
            fail(path, "file name must be a unique identifier (it names dbn_msg_<name>.h)")
        stems.add(stem)
        if parse_int(path, root.get("version"), "version") != version:
            fail(path, f"version differs from the envelopes' version {version}")
        sf = SchemaFile(path, rel_path(path), stem, version, [], [],
                        [r for r in records.values() if r.schema == stem])
        for el in root:
            if el.tag == "record":
                continue
            if el.tag != "message":
                fail(path, f"unexpected <{el.tag}>")
            name = el.get("name", "")
            where = f"{path}: message '{name}'"
            claim_name(where, name, path, seen_names)
            env_name = el.get("envelope", "")
            if env_name not in envelopes:
                fail(where, f"envelope must be one of {', '.join(envelopes)}")
            env = envelopes[env_name]
            wire = el.get("wire", "")
            if env.wire_field is not None:
                if not WIRE.match(wire):
                    fail(where, f"every {env_name} message needs a wire name like 'case.accepted'")
                if wire in seen_wires:
                    fail(where, f"wire name '{wire}' already used in {seen_wires[wire]}")
                seen_wires[wire] = path
            elif wire:
                fail(where, f"{env_name} messages have no wire name")
            fields: list[Field] = []
            carries: list[str] = []
            for child in el:
                if child.tag == "field":
                    fields.append(parse_field(where, child))
                elif child.tag == "carries":
                    rname = child.get("record", "")
                    if rname not in records:
                        fail(where, f"<carries record=\"{rname}\"/> names no <record>")
                    if rname in carries:
                        fail(where, f"carries '{rname}' twice")
                    carries.append(rname)
                    # In place: the wire order is the order written.
                    fields.extend(records[rname].fields)
                else:
                    fail(where, f"unexpected <{child.tag}>")
            check_fields(where, env.fields + fields)
            msg = Message(name, wire, env, " ".join(el.get("doc", "").split()), fields, stem, carries)
            for rname in carries:
                records[rname].carriers.append(msg)
            sf.messages.append(msg)
        files.append(sf)
    for r in records.values():
        if not r.readable_from:
            fail(f"{r.rel}: record '{r.name}'",
                 f"no {r.envelope.name} message carries it (<carries record=\"{r.name}\"/>)")
    files.sort(key=lambda f: f.stem)
    return version, files


# ---------------------------------------------------------------- C output

def header_line(sf_rel: str) -> str:
    return f"/* GENERATED from {sf_rel} by {GENERATOR}: do not edit. */\n"


def all_sources(files: list[SchemaFile]) -> str:
    return ", ".join(sf.rel for sf in files)


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def comment_text(text: str) -> str:
    return text.replace("*/", "* /")


def member_type(f: Field) -> str:
    return {
        "int": "gint64",
        "bool": "gboolean",
        "string": "char *",
        "bytes": "GBytes *",
        "strings": "char **",
        "bytes_list": "GPtrArray *",
    }[f.type]


def limit_text(f: Field) -> str:
    if f.type in ("string", "bytes"):
        return f"at most {f.max} bytes"
    if f.type in LIST_TYPES:
        return f"at most {f.max} items of at most {f.item_max} bytes"
    return ""


def member_comment(f: Field) -> str:
    parts = []
    if f.personal:
        parts.append(f"personal: {f.personal}.")
    if f.doc:
        parts.append(f.doc)
    extra = []
    if f.type == "strings":
        extra.append("NULL-terminated GStrv")
    elif f.type == "bytes_list":
        extra.append("of GBytes")
    if limit := limit_text(f):
        extra.append(limit)
    if f.optional:
        extra.append("optional, NULL when absent" if f.type not in ("int", "bool")
                     else f"optional, see has_{f.c_name}")
    if f.key != f.c_name:
        extra.append(f"wire key \"{f.key}\"")
    if extra:
        parts.append("(" + "; ".join(extra) + ")")
    return comment_text(" ".join(parts))


def split_type(ctype: str) -> tuple[str, int]:
    """"char **" -> ("char", 2): the base type and how many stars go on the name."""
    base = ctype.rstrip(" *")
    return base, ctype.count("*") - base.count("*")


def aligned(rows: list[tuple[str, str]]) -> list[str]:
    """rows: (type, declarator); base types left-aligned, stars hug the name."""
    split = [split_type(t) for t, _ in rows]
    width = max(len(b) for b, _ in split)
    stars = max(n for _, n in split)
    return [f"{b.ljust(width)} {('*' * n).rjust(stars)}{d}" if stars else f"{b.ljust(width)} {d}"
            for (b, n), (_, d) in zip(split, rows)]


def struct_lines(members: list[tuple[str, str, str]]) -> list[str]:
    """members: (type, name, comment); returns aligned lines of a struct body."""
    decls = ["    " + d + ";" for d in aligned([(t, n) for t, n, _ in members])]
    cwidth = max(len(d) for d in decls)
    return [f"{d.ljust(cwidth)} /* {c} */" if c else d for d, (_, _, c) in zip(decls, members)]


def field_members(fields: list[Field]) -> list[tuple[str, str, str]]:
    out = []
    for f in fields:
        if f.optional and f.type in ("int", "bool"):
            out.append(("gboolean", "has_" + f.c_name, f"TRUE when {f.c_name} is present"))
        out.append((member_type(f), f.c_name, member_comment(f)))
    return out


def decl_block(rows: list[tuple[str, str, str]]) -> list[str]:
    """Aligns a group of prototypes the way the hand-written headers do."""
    nwidth = max(len(n) for _, n, _ in rows)
    return [d + ";" for d in aligned([(r, f"{n.ljust(nwidth)} ({a})") for r, n, a in rows])]


def envelope_header(version: int, sf: SchemaFile) -> str:
    out = [header_line(sf.rel),
           f"/* dbn_msg_{sf.stem}.h: the envelopes every daiban message starts with.\n"
           " *\n"
           " * An envelope decoder reads only the envelope's keys of a frame and ignores\n"
           " * the body, so a router or a client can look at \"type\", \"cmd\" or \"ok\"\n"
           " * before it picks the message decoder. It is as strict as a message\n"
           " * decoder about everything it reads: root type, version, the envelope's\n"
           " * fields and their limits, and trailing bytes.\n"
           " */\n",
           "#pragma once\n\n#include <glib.h>\n\nG_BEGIN_DECLS\n\n",
           "/* The one schema version this build speaks; a frame with another \"v\" is\n"
           " * refused with DBN_CODEC_ERROR_UNKNOWN_VERSION. */\n",
           f"#define DBN_SCHEMA_VERSION {version}\n"]
    for env in sf.envelopes:
        out.append(f"\n/* {comment_text(env.doc)} */\ntypedef struct {{\n")
        out.append("\n".join(struct_lines(field_members(env.fields))) + "\n")
        out.append(f"}} {env.c_type};\n\n")
        out.append(
            f"/* Decodes the {env.name} envelope of any {env.name} message into *out (which\n"
            f" * is zeroed first) and ignores the body keys. On failure returns FALSE with\n"
            f" * DBN_CODEC_ERROR set and *out left zeroed. Clear *out with {env.prefix}_clear(). */\n")
        out.append(f"gboolean {env.prefix}_decode (const guint8 *data, gsize len, {env.c_type} *out,\n"
                   f"{' ' * len('gboolean ' + env.prefix + '_decode (')}GError **error);\n")
        out.append(
            f"/* Encodes the envelope alone: how an error reply, whose body is absent,\n"
            f" * goes out. Returns a new GBytes, or NULL with DBN_CODEC_ERROR_MISSING_FIELD,\n"
            f" * _WRONG_FIELD_TYPE or _TOO_LARGE when a field breaks the schema. */\n")
        out.append(f"GBytes *{env.prefix}_encode (const {env.c_type} *env, GError **error);\n")
        out.append(f"/* Frees the strings of env and zeroes it; env itself is not freed. */\n")
        out.append(f"void {env.prefix}_clear ({env.c_type} *env);\n")
        out.append(f"G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC ({env.c_type}, {env.prefix}_clear)\n")
    out.append("\nG_END_DECLS\n")
    return "".join(out)


def message_header(sf: SchemaFile, envelope_stem: str) -> str:
    out = [header_line(sf.rel),
           f"/* dbn_msg_{sf.stem}.h: the messages of {sf.rel}.\n"
           " *\n"
           " * Every message comes with _new (envelope filled in), _free (NULL-safe),\n"
           " * _encode and a strict _decode; docs/codec.md describes the checks and\n"
           " * docs/messages.md every field.\n"
           " */\n",
           f"#pragma once\n\n#include \"dbn_msg_{envelope_stem}.h\"\n\nG_BEGIN_DECLS\n"]
    for m in sf.messages:
        env = m.envelope
        macro = f"DBN_MSG_{m.name.upper()}_WIRE"
        out.append("\n")
        if m.wire:
            out.append(f"#define {macro} {c_string(m.wire)}\n\n")
        title = f"{m.label} ({env.name})"
        out.append(f"/* {comment_text(title + (': ' + m.doc if m.doc else '.'))} */\n")
        env_comment = f"envelope; env.{env.wire_field.c_name} is {macro}" if m.wire else "envelope"
        members = [(env.c_type, "env", env_comment)] + field_members(m.fields)
        out.append("typedef struct {\n" + "\n".join(struct_lines(members)) + "\n")
        out.append(f"}} {m.c_type};\n\n")
        if m.wire:
            new_doc = f"env.v and env.{env.wire_field.c_name} set"
        elif env.name in ENVELOPE_DEFAULTS:
            new_doc = "env.v set and env saying success"
        else:
            new_doc = "env.v set"
        out.append(
            f"/* _new: a zeroed message with {new_doc}; the caller owns it.\n"
            f" * _free: frees it and all it holds; NULL is fine.\n"
            f" * _encode: a new GBytes, or NULL with DBN_CODEC_ERROR set.\n"
            f" * _decode: a new message, or NULL with the code of the first failed check. */\n")
        out.extend(line + "\n" for line in decl_block([
            (f"{m.c_type} *", f"{m.prefix}_new", "void"),
            ("void", f"{m.prefix}_free", f"{m.c_type} *self"),
            ("GBytes *", f"{m.prefix}_encode", f"const {m.c_type} *self, GError **error"),
            (f"{m.c_type} *", f"{m.prefix}_decode", "const guint8 *data, gsize len, GError **error"),
        ]))
        out.append(f"G_DEFINE_AUTOPTR_CLEANUP_FUNC ({m.c_type}, {m.prefix}_free)\n")
    for r in sf.records:
        out.append(record_header(r))
    out.append("\nG_END_DECLS\n")
    return "".join(out)


def record_header(r: Record) -> str:
    env = r.envelope
    wire = env.wire_field.c_name
    title = comment_text(f"{r.name} (a record read out of {env.name}s)" + (f": {r.doc}" if r.doc else "."))
    carried = textwrap.wrap(f"Carried by: {', '.join(r.wires)}.", 74)
    out = [f"\n/* {title}\n" + "".join(f" * {comment_text(line)}\n" for line in carried[:-1])
           + f" * {comment_text(carried[-1])} */\n"]
    members = [(env.c_type, "env", f"envelope of the {env.name} it was read out of")] + field_members(r.fields)
    out.append("typedef struct {\n" + "\n".join(struct_lines(members)) + "\n")
    out.append(f"}} {r.c_type};\n\n")
    out.append(
        f"/* _read: the record out of any {env.name} that carries it, as strictly as a\n"
        f" * decoder reads a message: root type, version, the envelope, the record's\n"
        f" * required keys, types and limits, trailing bytes; the {env.name}'s other keys\n"
        f" * are ignored. TRUE with *out a new record; TRUE with *out NULL when the\n"
        f" * {env.name} does not carry it (a key of the record is missing and env.{wire} is\n"
        f" * none of the types above: another {env.name}, or one newer than this build);\n"
        f" * FALSE with DBN_CODEC_ERROR set when the frame is broken or a carrier's\n"
        f" * record is missing a key or breaks the schema.\n"
        f" * _carried_by: TRUE when messages of that {wire} carry the record.\n"
        f" * _free: frees it and all it holds; NULL is fine. */\n")
    out.extend(line + "\n" for line in decl_block([
        ("gboolean", f"{r.prefix}_read", f"const guint8 *data, gsize len, {r.c_type} **out, GError **error"),
        ("gboolean", f"{r.prefix}_carried_by", f"const char *{wire}"),
        ("void", f"{r.prefix}_free", f"{r.c_type} *self"),
    ]))
    out.append(f"G_DEFINE_AUTOPTR_CLEANUP_FUNC ({r.c_type}, {r.prefix}_free)\n")
    return "".join(out)


FIELD_ENUM = {
    "int": "DBN_FIELD_INT",
    "bool": "DBN_FIELD_BOOL",
    "string": "DBN_FIELD_STRING",
    "bytes": "DBN_FIELD_BYTES",
    "strings": "DBN_FIELD_STRINGS",
    "bytes_list": "DBN_FIELD_BYTES_LIST",
}


def field_entry(f: Field, struct: str, member_prefix: str, is_envelope: bool) -> str:
    parts = [f".key = {c_string(f.key)}", f".type = {FIELD_ENUM[f.type]}"]
    if f.key == VERSION_KEY and is_envelope:
        parts.append(".role = DBN_FIELD_ROLE_VERSION")
    elif f.key in WIRE_NAME_KEYS and is_envelope:
        parts.append(".role = DBN_FIELD_ROLE_WIRE_NAME")
    if f.max:
        parts.append(f".max = {f.max}")
    if f.item_max:
        parts.append(f".item_max = {f.item_max}")
    if f.optional:
        parts.append(".optional = TRUE")
    second = [f".offset = G_STRUCT_OFFSET ({struct}, {member_prefix}{f.c_name})"]
    if f.optional and f.type in ("int", "bool"):
        second.append(f".has_offset = G_STRUCT_OFFSET ({struct}, {member_prefix}has_{f.c_name})")
    return "    { " + ", ".join(parts) + ",\n      " + ",\n      ".join(second) + " },\n"


def field_table(name: str, struct: str, env: Envelope, body: list[Field], env_prefix: str) -> str:
    out = [f"static const DbnCodecField {name}_fields[] = {{\n"]
    for f in env.fields:
        out.append(field_entry(f, struct, env_prefix, True))
    for f in body:
        out.append(field_entry(f, struct, "", False))
    out.append("};\n\n")
    return "".join(out)


def codec_spec(name: str, label: str, wire: str) -> str:
    return (f"static const DbnCodecMessage {name}_codec = {{\n"
            f"    .name = {c_string(label)},\n"
            f"    .wire = {c_string(wire) if wire else 'NULL'},\n"
            f"    .version = DBN_SCHEMA_VERSION,\n"
            f"    .fields = {name}_fields,\n"
            f"    .n_fields = G_N_ELEMENTS ({name}_fields),\n"
            f"}};\n")


def envelope_source(sf: SchemaFile) -> str:
    out = [header_line(sf.rel),
           f"/* dbn_msg_{sf.stem}.c: envelope decoders over the table-driven engine in\n"
           " * dbn_codec.c. The tables list the envelope keys with the offsets of their\n"
           " * members; the engine does the checking, copying and freeing.\n"
           " */\n",
           f"#include \"dbn_msg_{sf.stem}.h\"\n\n#include <string.h>\n\n#include \"dbn_codec_private.h\"\n"]
    for env in sf.envelopes:
        n = f"env_{env.name}"
        out.append(f"\n/* {comment_text(env.doc)} */\n")
        out.append(field_table(n, env.c_type, env, [], ""))
        out.append(codec_spec(n, f"{env.name} envelope", ""))
        out.append(f"\ngboolean\n{env.prefix}_decode (const guint8 *data, gsize len, {env.c_type} *out, GError **error)\n"
                   "{\n"
                   "    g_return_val_if_fail (out != NULL, FALSE);\n"
                   "    memset (out, 0, sizeof *out);\n"
                   f"    return dbn_codec_decode_message (&{n}_codec, data, len, out, error);\n"
                   "}\n")
        out.append(f"\nGBytes *\n{env.prefix}_encode (const {env.c_type} *env, GError **error)\n"
                   "{\n"
                   "    g_return_val_if_fail (env != NULL, NULL);\n"
                   f"    return dbn_codec_encode_message (&{n}_codec, env, error);\n"
                   "}\n")
        out.append(f"\nvoid\n{env.prefix}_clear ({env.c_type} *env)\n"
                   "{\n"
                   "    if (env != NULL)\n"
                   f"        dbn_codec_clear_message (&{n}_codec, env);\n"
                   "}\n")
    return "".join(out)


def message_source(sf: SchemaFile) -> str:
    out = [header_line(sf.rel),
           f"/* dbn_msg_{sf.stem}.c: the messages of {sf.rel}.\n"
           " *\n"
           " * Each table lists the envelope's keys, then the message's own, in wire\n"
           " * order, with the offsets of their members; the table-driven engine in\n"
           " * dbn_codec.c does the checking, copying and freeing.\n"
           " */\n",
           f"#include \"dbn_msg_{sf.stem}.h\"\n\n"
           + ("#include <stdlib.h>\n#include <string.h>\n\n" if sf.records else "")
           + "#include \"dbn_codec_private.h\"\n"]
    for m in sf.messages:
        env = m.envelope
        out.append(f"\n/* {comment_text(m.label + (': ' + m.doc if m.doc else ''))} */\n")
        out.append(field_table(m.name, m.c_type, env, m.fields, "env."))
        out.append(codec_spec(m.name, m.label, m.wire))
        inits = ["    self->env.v = DBN_SCHEMA_VERSION;\n"]
        if m.wire:
            inits.append(f"    self->env.{env.wire_field.c_name} = g_strdup (DBN_MSG_{m.name.upper()}_WIRE);\n")
        for member, value in ENVELOPE_DEFAULTS.get(env.name, ()):
            inits.append(f"    self->env.{member} = {value};\n")
        out.append(f"\n{m.c_type} *\n{m.prefix}_new (void)\n"
                   "{\n"
                   f"    {m.c_type} *self = g_new0 ({m.c_type}, 1);\n\n"
                   + "".join(inits) +
                   "    return self;\n"
                   "}\n")
        out.append(f"\nvoid\n{m.prefix}_free ({m.c_type} *self)\n"
                   "{\n"
                   "    if (self == NULL)\n"
                   "        return;\n"
                   f"    dbn_codec_clear_message (&{m.name}_codec, self);\n"
                   "    g_free (self);\n"
                   "}\n")
        out.append(f"\nGBytes *\n{m.prefix}_encode (const {m.c_type} *self, GError **error)\n"
                   "{\n"
                   "    g_return_val_if_fail (self != NULL, NULL);\n"
                   f"    return dbn_codec_encode_message (&{m.name}_codec, self, error);\n"
                   "}\n")
        out.append(f"\n{m.c_type} *\n{m.prefix}_decode (const guint8 *data, gsize len, GError **error)\n"
                   "{\n"
                   f"    {m.c_type} *self = g_new0 ({m.c_type}, 1);\n\n"
                   "    /* The engine writes into self only after every check passed. */\n"
                   f"    if (!dbn_codec_decode_message (&{m.name}_codec, data, len, self, error)) {{\n"
                   "        g_free (self);\n"
                   "        return NULL;\n"
                   "    }\n"
                   "    return self;\n"
                   "}\n")
    for r in sf.records:
        out.append(record_source(r))
    return "".join(out)


def record_source(r: Record) -> str:
    env = r.envelope
    wire = env.wire_field.c_name
    n = r.name
    doc = textwrap.wrap(comment_text(r.name + (": " + r.doc if r.doc else "")), 74)
    out = ["\n/* " + "\n * ".join(doc) + " */\n"
           f"/* The {env.name} envelope and the record's keys, nothing of a carrier's own:\n"
           f" * any {env.name} that carries the record passes, whatever its {wire}. */\n"]
    out.append(field_table(n, r.c_type, env, r.fields, "env."))
    out.append(codec_spec(n, n, ""))
    out.append(f"\n/* The {wire}s that declare the record, sorted for bsearch(). */\n"
               f"static const char *const {n}_carriers[] = {{\n")
    for w in r.wires:
        out.append(f"    {c_string(w)},\n")
    out.append("};\n")
    out.append(f"\nstatic int\n{n}_compare (const void *key, const void *item)\n"
               "{\n"
               "    return strcmp (key, *(const char *const *) item);\n"
               "}\n")
    out.append(f"\ngboolean\n{r.prefix}_carried_by (const char *{wire})\n"
               "{\n"
               f"    return {wire} != NULL && bsearch ({wire}, {n}_carriers, G_N_ELEMENTS ({n}_carriers),\n"
               f"{' ' * len(f'    return {wire} != NULL && bsearch (')}sizeof {n}_carriers[0], {n}_compare) != NULL;\n"
               "}\n")
    out.append(f"\ngboolean\n{r.prefix}_read (const guint8 *data, gsize len, {r.c_type} **out, GError **error)\n"
               "{\n"
               "    g_return_val_if_fail (out != NULL, FALSE);\n"
               "    *out = NULL;\n"
               f"    {r.c_type} *self = g_new0 ({r.c_type}, 1);\n"
               "    GError *local = NULL;\n\n"
               "    /* The engine writes into self only after every check passed. */\n"
               f"    if (dbn_codec_decode_message (&{n}_codec, data, len, self, &local)) {{\n"
               "        *out = self;\n"
               "        return TRUE;\n"
               "    }\n"
               "    g_free (self);\n"
               "    /* A missing key (checked before types and limits) is an error only in\n"
               f"     * a carrier: the envelope is read again to tell, on this path only\n"
               f"     * ({env.name}s without the record). */\n"
               "    if (g_error_matches (local, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD)) {\n"
               f"        g_auto ({env.c_type}) env = {{ 0 }};\n"
               f"        if ({env.prefix}_decode (data, len, &env, NULL) && !{r.prefix}_carried_by (env.{wire})) {{\n"
               "            g_error_free (local);\n"
               "            return TRUE;\n"
               "        }\n"
               "    }\n"
               "    g_propagate_error (error, local);\n"
               "    return FALSE;\n"
               "}\n")
    out.append(f"\nvoid\n{r.prefix}_free ({r.c_type} *self)\n"
               "{\n"
               "    if (self == NULL)\n"
               "        return;\n"
               f"    dbn_codec_clear_message (&{n}_codec, self);\n"
               "    g_free (self);\n"
               "}\n")
    return "".join(out)


@dataclasses.dataclass
class Entry:
    name: str
    wire: str
    envelope: str
    check: str          # body of the check function


def registry_entries(files: list[SchemaFile]) -> list[Entry]:
    entries = []
    for sf in files:
        for env in sf.envelopes:
            entries.append(Entry(f"env_{env.name}", "", env.name,
                                 f"    g_auto ({env.c_type}) env = {{ 0 }};\n\n"
                                 f"    return {env.prefix}_decode (data, len, &env, error);\n"))
        for m in sf.messages:
            entries.append(Entry(m.name, m.wire, m.envelope.name,
                                 f"    g_autoptr ({m.c_type}) msg = {m.prefix}_decode (data, len, error);\n\n"
                                 "    return msg != NULL;\n"))
    return sorted(entries, key=lambda e: e.name)


def umbrella_header(files: list[SchemaFile]) -> str:
    out = [header_line(all_sources(files)),
           "/* dbn_msg.h: every generated message, and the registry of decoders by name.\n"
           " *\n"
           " * The registry serves tools that handle any message: the fuzz targets, the\n"
           " * tests and `daiban events`. Services call the typed functions directly.\n"
           " */\n",
           "#pragma once\n\n"]
    for sf in files:
        out.append(f"#include \"dbn_msg_{sf.stem}.h\"\n")
    out.append("\nG_BEGIN_DECLS\n\n"
               "/* One decoder: a message, or an envelope read on its own (\"env_event\"). */\n"
               "typedef struct {\n"
               "    const char *name;     /* schema name, e.g. case_accepted or env_event */\n"
               "    const char *wire;     /* wire name (type or cmd), NULL for replies and envelopes */\n"
               "    const char *envelope; /* event, command or reply */\n"
               "    /* Decodes data and frees the result: TRUE when it is a valid message. */\n"
               "    gboolean  (*check) (const guint8 *data, gsize len, GError **error);\n"
               "} DbnMsgInfo;\n\n"
               "/* Every decoder, sorted by name. */\n"
               "extern const DbnMsgInfo dbn_msg_infos[];\n"
               "extern const gsize      dbn_msg_n_infos;\n\n"
               "/* The decoder called name, or NULL. The result is static. */\n"
               "const DbnMsgInfo *dbn_msg_info_lookup (const char *name);\n\n"
               "G_END_DECLS\n")
    return "".join(out)


def registry_source(files: list[SchemaFile]) -> str:
    entries = registry_entries(files)
    out = [header_line(all_sources(files)),
           "/* dbn_msg_registry.c: the decoders by name. Each check decodes a frame\n"
           " * into its struct and frees it again: all a fuzz target or a validator needs.\n"
           " * The table is small and sorted; a linear lookup is fast enough.\n"
           " */\n",
           "#include \"dbn_msg.h\"\n\n#include <string.h>\n"]
    for e in entries:
        out.append(f"\nstatic gboolean\ncheck_{e.name} (const guint8 *data, gsize len, GError **error)\n"
                   "{\n" + e.check + "}\n")
    out.append("\nconst DbnMsgInfo dbn_msg_infos[] = {\n")
    for e in entries:
        wire = c_string(e.wire) if e.wire else "NULL"
        out.append(f"    {{ {c_string(e.name)}, {wire}, {c_string(e.envelope)}, check_{e.name} }},\n")
    out.append("};\n\n"
               "const gsize dbn_msg_n_infos = G_N_ELEMENTS (dbn_msg_infos);\n\n"
               "const DbnMsgInfo *\n"
               "dbn_msg_info_lookup (const char *name)\n"
               "{\n"
               "    g_return_val_if_fail (name != NULL, NULL);\n"
               "    for (gsize i = 0; i < dbn_msg_n_infos; i++) {\n"
               "        if (strcmp (dbn_msg_infos[i].name, name) == 0)\n"
               "            return &dbn_msg_infos[i];\n"
               "    }\n"
               "    return NULL;\n"
               "}\n")
    return "".join(out)


def outputs(files: list[SchemaFile]) -> dict[str, str]:
    """File name -> content of everything --out writes."""
    env_file = next(sf for sf in files if sf.envelopes)
    result = {"dbn_msg.h": umbrella_header(files), "dbn_msg_registry.c": registry_source(files)}
    for sf in files:
        if sf.envelopes:
            result[f"dbn_msg_{sf.stem}.h"] = envelope_header(sf.version, sf)
            result[f"dbn_msg_{sf.stem}.c"] = envelope_source(sf)
        else:
            result[f"dbn_msg_{sf.stem}.h"] = message_header(sf, env_file.stem)
            result[f"dbn_msg_{sf.stem}.c"] = message_source(sf)
    return dict(sorted(result.items()))


# ---------------------------------------------------------------- Markdown output

def md(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|"))


def md_limit(f: Field) -> str:
    if f.type in ("string", "bytes"):
        return f"≤ {f.max} bytes"
    if f.type in LIST_TYPES:
        return f"≤ {f.max} items, each ≤ {f.item_max} bytes"
    return ""


def md_table(fields: list[Field], header: str) -> list[str]:
    lines = [f"| {header} | C member | type | limit | optional | personal | description |",
             "|---|---|---|---|---|---|---|"]
    for f in fields:
        lines.append(f"| `{f.key}` | `{f.c_name}` | {f.type} | {md_limit(f)} | "
                     f"{'yes' if f.optional else ''} | {f.personal} | {md(f.doc)} |")
    return lines


def markdown(version: int, files: list[SchemaFile]) -> str:
    env_file = next(sf for sf in files if sf.envelopes)
    lines = [
        "# Message reference",
        "",
        f"<!-- GENERATED from schemas/messages/*.xml by {GENERATOR} --doc: do not edit. -->",
        "",
        "Every daiban message is one MessagePack map: its envelope's keys, then its own.",
        f"Schema version: **{version}** (the `v` key). Types: `int` is any MessagePack",
        "integer that fits in int64; `string` is a MessagePack str of valid UTF-8 without",
        "NUL, its limit in bytes; `bytes` is a MessagePack bin; `strings` and `bytes_list`",
        "are arrays of those, the limit counting items and `item_max` the bytes of each.",
        "Keys a decoder does not know are ignored; everything else is checked strictly",
        "(docs/codec.md). `personal` marks data that is masked in every event leaving",
        "intake and routing.",
        "",
        "## Envelopes",
        "",
        f"Defined in `{env_file.rel}`.",
    ]
    for env in env_file.envelopes:
        lines += ["", f"### {env.name}", "", md(env.doc), ""] + md_table(env.fields, "key")
    records = [r for sf in files for r in sf.records]
    if records:
        lines += ["", "## Records", "",
                  "A record is a group of fields declared once (`<record>`) and carried by several",
                  "messages (`<carries record=\"...\"/>`): each carrier has the record's keys where it",
                  "says so, and its table below lists them with its own, so the wire is the same.",
                  "`dbn_msg_<record>_read()` takes the record out of any message of the record's",
                  "envelope that carries it, checked as strictly as a decoder checks a message,",
                  "whatever its type."]
        for r in records:
            carriers = ", ".join(f"[`{m.name}`](#{m.name})" for m in r.carriers)
            lines += ["", f"### {r.name}", "",
                      f"Read out of **{r.envelope.name}** messages by `{r.prefix}_read()`; C type "
                      f"`{r.c_type}`; defined in `{r.rel}`.", ""]
            if r.doc:
                lines += [md(r.doc), ""]
            lines += [f"Carried by {carriers}.", ""] + md_table(r.fields, "key")
    lines += ["", "## Messages", ""]
    lines += ["| message | wire name | envelope | schema |", "|---|---|---|---|"]
    for sf in files:
        for m in sf.messages:
            lines.append(f"| [`{m.name}`](#{m.name}) | {('`' + m.wire + '`') if m.wire else '—'} | "
                         f"{m.envelope.name} | `{sf.rel}` |")
    for sf in files:
        for m in sf.messages:
            wire = f"wire name `{m.wire}`" if m.wire else "no wire name (the answer to its command)"
            lines += ["", f"### {m.name}", "",
                      f"Envelope **{m.envelope.name}**, {wire}; C type `{m.c_type}`.", ""]
            if m.doc:
                lines += [md(m.doc), ""]
            for rname in m.carries:
                lines += [f"Carries the record [`{rname}`](#{rname}).", ""]
            if m.fields:
                lines += md_table(m.fields, "key")
            else:
                lines.append("No fields beyond the envelope.")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- driver

def write_if_changed(path: str, content: str) -> None:
    data = content.encode("utf-8")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Generate daiban's message codec.")
    parser.add_argument("--out", help="directory for the generated C")
    parser.add_argument("--list-outputs", action="store_true",
                        help="print the absolute paths --out would write, write nothing")
    parser.add_argument("--list-messages", action="store_true",
                        help="print the registry names (messages and env_*), write nothing")
    parser.add_argument("--doc", help="write the Markdown message reference to this file")
    parser.add_argument("--check", action="store_true",
                        help="with --doc: fail if the file differs instead of writing it")
    parser.add_argument("schemas", nargs="+", metavar="schema.xml")
    args = parser.parse_args(argv)
    if not (args.out or args.doc or args.list_messages):
        parser.error("nothing to do: give --out, --doc or --list-messages")
    if args.list_outputs and not args.out:
        parser.error("--list-outputs needs --out")
    if args.check and not args.doc:
        parser.error("--check needs --doc")

    try:
        version, files = load(args.schemas)
    except SchemaError as e:
        print(f"dbn_codegen.py: {e}", file=sys.stderr)
        return 1

    if args.list_messages:
        for e in registry_entries(files):
            print(e.name)
        return 0
    if args.out:
        generated = outputs(files)
        out_dir = os.path.abspath(args.out)
        if args.list_outputs:
            for name in generated:
                print(os.path.join(out_dir, name))
            return 0
        os.makedirs(out_dir, exist_ok=True)
        for name, content in generated.items():
            write_if_changed(os.path.join(out_dir, name), content)
    if args.doc:
        text = markdown(version, files)
        if args.check:
            try:
                with open(args.doc, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                print(f"dbn_codegen.py: {args.doc} is stale; regenerate it with\n"
                      f"  python3 {GENERATOR} --doc docs/messages.md schemas/messages/*.xml",
                      file=sys.stderr)
                return 1
            return 0
        write_if_changed(args.doc, text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
