"""``python -m course collect PATTERN --out DIR``: gather learners' export files from their homes on a hub.

PATTERN is a folder glob the instructor names, e.g. ``'/home/*/cart-course/notebooks/exports'`` or
``'/home/jupyter-*/exam/exports'``. Each matching folder's ``*.json`` files are copied into
``DIR/<home>/`` (the home is the path part right after the glob's first ``*``), so the report can
show which account each file came from. Links, pipes, folders, oversized and unreadable files are
skipped with a reason; nothing is ever followed or executed.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from pathlib import Path

from course.engine.report import MAX_BYTES, BadExport, display, read_bytes


def account_of(folder: str, pattern: str) -> str:
    """The path part that the pattern's first wildcard matched (the student's home or user name)."""
    parts, pattern_parts = Path(folder).parts, Path(pattern).parts
    for have, want in zip(parts, pattern_parts, strict=False):
        if any(c in want for c in "*?["):
            return have
    return Path(folder).name


def collect(pattern: str, out: Path) -> tuple[list[Path], list[str]]:
    copied, problems = [], []
    folders = sorted(glob.glob(os.path.expanduser(pattern)))
    for folder in folders:
        if os.path.islink(folder) or not os.path.isdir(folder):
            problems.append(f"{display(folder)}: not a folder (or a link); skipped")
            continue
        account = account_of(folder, os.path.expanduser(pattern))
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
        except OSError as exc:
            problems.append(f"{display(folder)}: cannot be listed ({exc.strerror}); skipped")
            continue
        for name in names:
            source = Path(folder) / name
            try:
                data = read_bytes(source)
            except BadExport as exc:
                problems.append(f"{display(str(source))}: {exc}; skipped")
                continue
            safe_account = "".join(c if c.isalnum() or c in "-_." else "_" for c in account).strip(".") or "home"
            target = out / safe_account / display(name, 200).replace("/", "_").replace("\\", "_")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            copied.append(target)
    return copied, problems


def cmd_collect(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        print(f"error: --out {display(str(out))} is a file; give a folder", file=sys.stderr)
        return 2
    copied, problems = collect(args.pattern, out)
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    if not copied:
        print(f"error: no export file found under {display(args.pattern)} (files of at most {MAX_BYTES:,} bytes "
              "named *.json)", file=sys.stderr)
        return 1
    accounts = len({p.parent for p in copied})
    print(f"copied {len(copied)} file(s) from {accounts} home(s) into {display(str(out))}; "
          f"next: python -m course report {display(str(out))}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("collect", help="copy learners' export files from their homes on a hub into one folder")
    p.add_argument("pattern", help="a folder glob in quotes, e.g. '/home/*/cart-course/notebooks/exports'")
    p.add_argument("--out", required=True, help="the folder to copy into (one sub-folder per home)")
    p.set_defaults(func=cmd_collect)
