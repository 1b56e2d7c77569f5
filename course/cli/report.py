"""``python -m course report``: the class report (HTML) and gradebook (CSV) from learners' export files."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from course.core.errors import CourseDataError
from course.core.files import write_atomically
from course.core.paths import RENAMED, ROOT

DEFAULT_OUT = Path("~/car-t-course-reports/class-report.html")
LIST_LIMIT = 5_001  # one more than the report reads, so it can say files were left out


def list_exports(names: list[str]) -> list[tuple[Path, str]]:
    """Files named, ``*.json`` in folders named, and in their sub-folders (one per home, as
    ``collect`` makes them; the sub-folder's name is kept as the account). Links are listed, not
    followed: the report refuses them with a reason."""
    found: list[tuple[Path, str]] = []
    for name in names:
        path = Path(name)
        if not os.path.lexists(path):
            raise FileNotFoundError(f"no such file or folder: {name}")
        if not path.is_dir() or path.is_symlink():
            found.append((path, ""))
            continue
        with os.scandir(path) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False) and not entry.name.endswith(".json"):
                    with contextlib.suppress(OSError), os.scandir(entry.path) as inner:
                        found += [(Path(e.path), entry.name) for e in sorted(inner, key=lambda e: e.name)
                                  if e.name.endswith(".json")][:LIST_LIMIT]
                elif entry.name.endswith(".json"):
                    found.append((Path(entry.path), ""))
                if len(found) >= LIST_LIMIT:
                    return found
    return found


def load_banks(private_paths: list[str]) -> tuple[dict, set[str]]:
    from course.engine.pack import load_private_bank
    from course.engine.questions.model import all_banks

    banks = {b.lesson: b for b in all_banks()}
    private = set()
    for name in private_paths:
        bank = load_private_bank(Path(name).expanduser())
        if bank.lesson in banks or bank.lesson in RENAMED:  # a former id is read as the lesson's new one
            raise CourseDataError(f"{name}: its lesson '{bank.lesson}' is a course lesson; name the exam differently")
        banks[bank.lesson] = bank
        private.add(bank.lesson)
    return banks, private


def cmd_report(args: argparse.Namespace) -> int:
    from course.engine.report import build_report, display

    out = Path(args.out).expanduser()
    if out.is_dir():
        print(f"error: --out {display(str(out))} is a folder; give a file name, e.g. {display(str(out / 'class-report.html'))}",
              file=sys.stderr)
        return 2
    try:
        paths = list_exports(args.files)
        banks, private = load_banks(args.bank)
    except (FileNotFoundError, CourseDataError) as exc:
        print(f"error: {display(str(exc), 300)}", file=sys.stderr)
        return 2
    report = build_report(paths, banks, private)
    for problem in report.problems:
        print(f"skipped {display(problem, 300)}", file=sys.stderr)
    if not report.used:
        print(f"error: no valid export file among the {len(paths)} given; nothing written "
              "(an earlier report, if any, is unchanged)", file=sys.stderr)
        return 1
    csv_path = Path(args.csv).expanduser() if args.csv else out.with_suffix(".csv")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(out, report.html)
        write_atomically(csv_path, report.csv)
    except OSError as exc:
        print(f"error: could not write the report ({exc.strerror}); an earlier report is unchanged", file=sys.stderr)
        return 1
    if ROOT in out.resolve().parents:
        print("note: the report holds student names and is inside the course repository; do not commit it",
              file=sys.stderr)
    print(f"wrote {display(str(out))} and the gradebook {display(str(csv_path))} from {report.used} of "
          f"{len(paths)} file(s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report", help="class report (HTML) and gradebook (CSV) from learners' export files, regraded"
    )
    report.add_argument("files", nargs="+", help="export files, or folders of them (and of collected homes)")
    report.add_argument("--out", default=str(DEFAULT_OUT),
                        help=f"the HTML report (default {DEFAULT_OUT}: outside the repository, it names students)")
    report.add_argument("--csv", default=None, help="the gradebook CSV (default: beside --out, ending .csv)")
    report.add_argument("--bank", action="append", default=[], metavar="PRIVATE.yaml",
                        help="an exam's private bank, to grade its summative hand-ins (repeatable)")
    report.set_defaults(func=cmd_report)
