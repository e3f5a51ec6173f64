#!/usr/bin/env python3
"""dbn_errgen.py: writes daiban's error codes from schemas/errors.xml.

schemas/errors.xml lists every stable error code once: its GError domain,
its C constant, its wire code, its Chinese and English sentences and what it
means.  From it come

  dbn_error_codes.h  the C enums of every domain (the numbers follow the order
                     of the lines, so they never change for a shipped code);
  dbn_error_table.c  the table dbn_error_register_builtin() loads, mapping
                     (domain quark, code) to the wire code and sentences;
  docs/errors.md     (--doc) the reference a client writer reads.

The C enums are generated rather than written by hand beside their module so
that a new code is one line in one file, and cannot reach the wire without
reaching docs/errors.md: the ctest errors_doc_current runs --check.  Domains
are named by their quark string, so the table in libdaiban can register the
codes of intake and routing without including service headers; the same
string is what G_DEFINE_QUARK gives the service's own quark function.

The output is deterministic: domains and codes keep the file's order, nothing
carries a timestamp or an absolute path, and a file is written only when its
bytes change.

Usage:
  dbn_errgen.py [--out DIR [--list-outputs]] [--doc FILE [--check]] errors.xml
Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
import xml.etree.ElementTree as ET

GENERATOR = "schemas/gen/dbn_errgen.py"
SOURCE = "schemas/errors.xml"

WIRE_RE = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?$")
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9_]*_ERROR$")
ENUM_RE = re.compile(r"^[A-Z][A-Za-z0-9]*Error$")
QUARK_RE = re.compile(r"^[a-z][a-z0-9-]*-error-quark$")


class ErrorsError(Exception):
    pass


@dataclasses.dataclass
class Code:
    name: str      # constant without the prefix: MISSING_FIELD
    wire: str      # codec.missing-field
    zh: str
    en: str
    doc: str       # what it means and when it comes
    line: int


@dataclasses.dataclass
class Domain:
    enum: str      # DbnCodecError
    prefix: str    # DBN_CODEC_ERROR
    quark: str     # dbn-codec-error-quark
    header: str    # where the domain's quark macro is declared
    doc: str
    codes: list[Code]

    def constant(self, c: Code) -> str:
        return f"{self.prefix}_{c.name}"


def text_of(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def load(path: str) -> list[Domain]:
    try:
        with open(path, encoding="utf-8") as f:
            data = f.read()
        root = ET.fromstring(data)
    except (OSError, ET.ParseError) as e:
        raise ErrorsError(f"{path}: {e}") from e
    # ElementTree keeps no line numbers; find each <code by its wire attribute.
    lines = {m.group(1): data.count("\n", 0, m.start()) + 1
             for m in re.finditer(r'<code\b[^>]*\bwire="([^"]*)"', data)}
    if root.tag != "errors":
        raise ErrorsError(f"{path}: the root element must be <errors>")
    domains: list[Domain] = []
    wires: dict[str, str] = {}
    seen: dict[str, str] = {}
    for d in root:
        if d.tag != "domain":
            raise ErrorsError(f"{path}: unexpected <{d.tag}> in <errors>")
        attrs = {k: d.get(k, "") for k in ("enum", "prefix", "quark", "header")}
        where = f"{path}: domain {attrs['enum'] or '?'}"
        if not ENUM_RE.match(attrs["enum"]):
            raise ErrorsError(f"{where}: enum must look like DbnThingError")
        if not PREFIX_RE.match(attrs["prefix"]):
            raise ErrorsError(f"{where}: prefix must look like DBN_THING_ERROR")
        if not QUARK_RE.match(attrs["quark"]):
            raise ErrorsError(f"{where}: quark must look like dbn-thing-error-quark")
        if not attrs["header"]:
            raise ErrorsError(f"{where}: header is required")
        for key in ("enum", "prefix", "quark"):
            if attrs[key] in seen:
                raise ErrorsError(f"{where}: {key} {attrs[key]} is used twice")
            seen[attrs[key]] = key
        doc = ""
        codes: list[Code] = []
        for el in d:
            if el.tag == "doc":
                doc = text_of(el)
                continue
            if el.tag != "code":
                raise ErrorsError(f"{where}: unexpected <{el.tag}>")
            c = Code(el.get("name", ""), el.get("wire", ""), el.get("zh", ""), el.get("en", ""),
                     text_of(el), lines.get(el.get("wire", ""), 0))
            at = f"{path}:{c.line}"
            if not NAME_RE.match(c.name):
                raise ErrorsError(f"{at}: name must be upper case with underscores")
            if not WIRE_RE.match(c.wire):
                raise ErrorsError(f"{at}: wire {c.wire!r} must be lower-case words with '-' and at most one '.'")
            if c.wire in wires:
                raise ErrorsError(f"{at}: wire code {c.wire} is also {wires[c.wire]}")
            if not c.zh or not c.en or not c.doc:
                raise ErrorsError(f"{at}: {c.wire} needs zh, en and a meaning")
            if any(ch in s for s in (c.zh, c.en, c.doc) for ch in '\\"\n'):
                raise ErrorsError(f"{at}: {c.wire}: no quotes, backslashes or newlines in the text")
            constant = f"{attrs['prefix']}_{c.name}"
            if constant in seen:
                raise ErrorsError(f"{at}: {constant} is used twice")
            seen[constant] = "code"
            wires[c.wire] = constant
            codes.append(c)
        if not codes:
            raise ErrorsError(f"{where}: no codes")
        domains.append(Domain(attrs["enum"], attrs["prefix"], attrs["quark"], attrs["header"],
                              doc, codes))
    if not domains:
        raise ErrorsError(f"{path}: no domains")
    return domains


# ---------------------------------------------------------------- C output

def header_line() -> str:
    return f"/* GENERATED from {SOURCE} by {GENERATOR}: do not edit. */\n"


def c_string(text: str) -> str:
    return '"' + text + '"'


def comment(text: str) -> str:
    return text.replace("*/", "* /")


def codes_header(domains: list[Domain]) -> str:
    out = [header_line(),
           "/* dbn_error_codes.h: the error codes of every GError domain whose errors\n"
           " * reach a reply or a person.  Stable: a number and its wire code never\n"
           " * change meaning once shipped; docs/errors.md lists them. */\n"
           "#pragma once\n\n#include <glib.h>\n\nG_BEGIN_DECLS\n"]
    for d in domains:
        width = max(len(d.constant(c)) for c in d.codes) + 1
        out.append(f"\n/* {comment(d.doc)} Domain {d.quark} ({d.header}). */\ntypedef enum {{\n")
        for c in d.codes:
            out.append(f"    {(d.constant(c) + ',').ljust(width)} /* {c.wire}: {comment(c.doc)} */\n")
        out.append(f"}} {d.enum};\n")
    out.append("\nG_END_DECLS\n")
    return "".join(out)


def table_source(domains: list[Domain]) -> str:
    out = [header_line(),
           '#include "dbn_error_codes.h"\n#include "dbn_error_private.h"\n\n'
           "const DbnErrorSpec dbn_error_specs[] = {\n"]
    for d in domains:
        for c in d.codes:
            out.append(f"    {{ {c_string(d.quark)}, {d.constant(c)}, {c_string(c.wire)},\n"
                       f"      {c_string(c.zh)},\n      {c_string(c.en)} }},\n")
    out.append("};\n\nconst guint dbn_error_n_specs = G_N_ELEMENTS (dbn_error_specs);\n")
    return "".join(out)


def outputs(domains: list[Domain]) -> dict[str, str]:
    return {"dbn_error_codes.h": codes_header(domains),
            "dbn_error_table.c": table_source(domains)}


# ---------------------------------------------------------------- Markdown output

def md(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(domains: list[Domain]) -> str:
    lines = [
        "# Error codes",
        "",
        f"<!-- GENERATED from {SOURCE} by {GENERATOR} --doc: do not edit. -->",
        "",
        "A reply that is not `ok` carries `code`, one of the stable strings below, and",
        "two sentences for a person: `msg_zh` and `msg_en` (docs/messages.md, envelope",
        "`reply`). A code never changes meaning once shipped; new ones are added. The",
        "sentences are the ones below, followed by `: ` and a detail (which field, which",
        "line, which case) when the service has one, so a client shows them as they come",
        "and decides by `code` alone. A client treats a code it does not know as",
        "`internal`.",
        "",
        "Codes are grouped by where they come from. The `bus.*` codes and some others",
        "appear only at start-up or in the CLI, never in a reply; the meaning says so.",
        "",
        "| domain | codes | what |",
        "|---|---|---|",
    ]
    for d in domains:
        first, last = d.codes[0].wire, d.codes[-1].wire
        span = f"`{first}`" if len(d.codes) == 1 else f"`{first}` … `{last}`"
        lines.append(f"| [{d.enum}](#{d.enum.lower()}) | {span} | {md(d.doc)} |")
    for d in domains:
        lines += ["", f"## {d.enum}", "",
                  f"{md(d.doc)} C constants `{d.prefix}_*`, domain `{d.quark}`.", "",
                  "| code | meaning | 中文 | English |", "|---|---|---|---|"]
        for c in d.codes:
            lines.append(f"| `{c.wire}` | {md(c.doc)} | {md(c.zh)} | {md(c.en)} |")
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
    parser = argparse.ArgumentParser(description="Generate daiban's error codes.")
    parser.add_argument("--out", help="directory for the generated C")
    parser.add_argument("--list-outputs", action="store_true",
                        help="print the absolute paths --out would write, write nothing")
    parser.add_argument("--doc", help="write the Markdown error reference to this file")
    parser.add_argument("--check", action="store_true",
                        help="with --doc: fail if the file differs instead of writing it")
    parser.add_argument("errors", metavar="errors.xml")
    args = parser.parse_args(argv)
    if not (args.out or args.doc):
        parser.error("nothing to do: give --out or --doc")
    if args.list_outputs and not args.out:
        parser.error("--list-outputs needs --out")
    if args.check and not args.doc:
        parser.error("--check needs --doc")

    if args.out and args.list_outputs:
        for name in ("dbn_error_codes.h", "dbn_error_table.c"):
            print(os.path.join(os.path.abspath(args.out), name))
        return 0
    try:
        domains = load(args.errors)
    except ErrorsError as e:
        print(f"dbn_errgen.py: {e}", file=sys.stderr)
        return 1
    if args.out:
        out_dir = os.path.abspath(args.out)
        os.makedirs(out_dir, exist_ok=True)
        for name, content in outputs(domains).items():
            write_if_changed(os.path.join(out_dir, name), content)
    if args.doc:
        text = markdown(domains)
        if args.check:
            try:
                with open(args.doc, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                print(f"dbn_errgen.py: {args.doc} is stale; regenerate it with\n"
                      f"  python3 {GENERATOR} --doc docs/errors.md {SOURCE}", file=sys.stderr)
                return 1
            return 0
        write_if_changed(args.doc, text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
