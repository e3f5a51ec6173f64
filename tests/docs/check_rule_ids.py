#!/usr/bin/env python3
"""Every rule id cited in the tree (D-INT-3, D-DL-5, ...) is a rule of docs/domain.md.

A test named for a rule that the repository's own copy of the rules does not
define cites nothing a reader can look up; this fails the build's tests then.
"""
import pathlib
import re
import sys

top = pathlib.Path(sys.argv[1])
rule = re.compile(r"\bD-(CAT|INT|RTE|DL|RPL|EV|AUD)-(\d+)")
defined = {m.group(0) for m in re.finditer(r"\*\*(D-[A-Z]+-\d+)\*\*", (top / "docs/domain.md").read_text())}
defined = {d.strip("*") for d in defined}
if len(defined) < 40:
    sys.exit(f"docs/domain.md defines only {len(defined)} rules")
missing = {}
for folder in ("common", "services", "client", "tests", "schemas", "docs", "README.md"):
    for path in ([top / folder] if folder.endswith(".md") else (top / folder).rglob("*")):
        if not path.is_file() or path.suffix not in (".c", ".h", ".md", ".xml", ".ui", ".py", ".ini", ".sql"):
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for m in rule.finditer(line):
                if m.group(0) not in defined:
                    missing.setdefault(m.group(0), f"{path.relative_to(top)}:{n}")
for rid, where in sorted(missing.items()):
    print(f"{where}: {rid} is not a rule of docs/domain.md")
print(f"{len(defined)} rules defined, {len(missing)} cited but undefined")
sys.exit(1 if missing else 0)
