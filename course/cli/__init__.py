"""Command line: ``python -m course execute|check|bench [NOTEBOOK...]`` ``python -m course link`` and ``python -m course report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.core.paths import NOTEBOOKS


def _paths(names: list[str]) -> list[Path]:
    if not names:
        return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    paths = []
    for name in names:
        path = Path(name)
        if not path.exists():
            path = NOTEBOOKS / (name if name.endswith(".ipynb") else f"{name}.ipynb")
        if not path.exists():
            sys.exit(f"no such notebook: {name}")
        paths.append(path)
    return paths


def cmd_execute(args: argparse.Namespace) -> int:
    from course.cli.notebooks import execute

    for path in _paths(args.notebooks):
        result = execute(path)
        state = "changed" if result.changed else "unchanged"
        print(f"executed {path.name} in {result.seconds:.1f} s ({state})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from course.cli.checks import check_all

    failures = 0
    for path, problems in check_all(_paths(args.notebooks)).items():
        if problems:
            failures += 1
            print(f"✘ {path.name}")
            for problem in problems:
                print(f"    - {problem}")
        else:
            print(f"✔ {path.name}")
    return 1 if failures else 0


def cmd_cite(args: argparse.Namespace) -> int:
    from course.cli.cite import cite_notebook

    for path in _paths(args.notebooks):
        done = cite_notebook(path, write=not args.dry_run)
        print(f"{path.name}: {done.raw_before} raw citation(s), {done.cells_changed} cell(s) rewritten")
    return 0


def cmd_tidy(args: argparse.Namespace) -> int:
    from course.cli.tidy import tidy

    for lesson, minutes in tidy(_paths(args.notebooks)).items():
        print(f"{lesson}: {minutes} min (measured), inputs hidden, next-lesson link set")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from course.cli.bench import measure, table

    print(table([measure(p) for p in _paths(args.notebooks)]))
    if args.browser:
        from tests.harness.bench_live import lab_table, lab_timings

        print()
        print(lab_table([lab_timings()]))
    if args.suite:
        from tests.harness.bench_live import nbval_suite_seconds

        print(f"\nnbval over every notebook: {nbval_suite_seconds():.1f} s (target: within 60 s)")
    if args.hub:
        from tests.harness.hub import hub_memory_table

        print()
        print(hub_memory_table(students=5))
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from course.cli.links import nbgitpuller_link

    try:
        print(nbgitpuller_link(args.hub, args.repo, args.notebook, args.branch, args.target, args.interface))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    from course.cli.links import links_table

    try:
        print(links_table(args.github, [p.name for p in _paths([])], args.hub))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from course.engine.report import build_report

    paths = []
    for name in args.files:
        path = Path(name)
        paths += sorted(path.glob("*.json")) if path.is_dir() else [path]
    html, problems = build_report(paths)
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    Path(args.out).write_text(html, encoding="utf-8")
    print(f"wrote {args.out} from {len(paths) - len(problems)} of {len(paths)} file(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, text in (
        ("execute", cmd_execute, "re-execute notebooks in place, as they must be committed"),
        ("check", cmd_check, "check the notebook contract and print readable findings"),
        ("bench", cmd_bench, "print run time, kernel peak RSS and file size per notebook"),
        ("cite", cmd_cite, "render [@key] citations in the Markdown as numbered links (idempotent)"),
        ("tidy", cmd_tidy, "measured times, hidden inputs and next-lesson links in every lesson (idempotent)"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("notebooks", nargs="*", help="notebook files or names (default: all)")
        p.set_defaults(func=func)
        if name == "bench":
            p.add_argument("--browser", action="store_true", help="also time JupyterLab in Chromium")
            p.add_argument("--suite", action="store_true", help="also time the nbval run over every notebook")
            p.add_argument("--hub", action="store_true", help="also measure memory per student on a real hub")
        if name == "cite":
            p.add_argument("--dry-run", action="store_true", help="count, do not write")
    link = sub.add_parser("link", help="print the nbgitpuller link that puts the course in every student's home")
    link.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    link.add_argument("--repo", required=True, help="the course repository (URL or path the hub can clone)")
    link.add_argument("--notebook", default="00_start_here.ipynb", help="the notebook to open")
    link.add_argument("--branch", default="main")
    link.add_argument("--target", default=None, help="folder name in each home (default: the repository name)")
    link.add_argument("--interface", default="lab", choices=("lab", "tree"))
    link.set_defaults(func=cmd_link)
    links = sub.add_parser("links", help="print Binder, nbviewer (and hub) links for every notebook")
    links.add_argument("--github", required=True, help="the GitHub repository as OWNER/NAME")
    links.add_argument("--hub", default=None, help="also nbgitpuller links for this hub")
    links.set_defaults(func=cmd_links)
    report = sub.add_parser("report", help="build the class report (HTML) from learners' export files")
    report.add_argument("files", nargs="+", help="export files, or folders of them")
    report.add_argument("--out", default="class-report.html", help="where to write the report")
    report.set_defaults(func=cmd_report)
    args = parser.parse_args(argv)
    return args.func(args)

