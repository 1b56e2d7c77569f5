"""Command line: ``python -m course execute|check|bench [NOTEBOOK...]``, ``link``, ``links``, ``report``, ``exam pack`` and ``collect``."""

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
    from course.cli.notebooks import execute_all

    for result in execute_all(_paths(args.notebooks), args.jobs):
        path = result.path
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


def cmd_bench(args: argparse.Namespace) -> int:
    from course.cli.bench import measure, nbval_suite_seconds, table

    print(table([measure(p) for p in _paths(args.notebooks)]))
    if args.browser:
        from tests.harness.bench_live import lab_table, lab_timings

        print()
        print(lab_table([lab_timings()]))
    if args.suite:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, text in (
        ("execute", cmd_execute, "re-execute notebooks in place, as they must be committed"),
        ("check", cmd_check, "check the notebook contract and print readable findings"),
        ("bench", cmd_bench, "print run time, kernel peak RSS and file size per notebook"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("notebooks", nargs="*", help="notebook files or names (default: all)")
        p.set_defaults(func=func)
        if name == "execute":
            p.add_argument(
                "--jobs", type=int, default=None, help="notebooks run at once (default: one a core, at most 4)"
            )
        if name == "bench":
            p.add_argument("--browser", action="store_true", help="also time JupyterLab in Chromium")
            p.add_argument("--suite", action="store_true", help="also time the nbval run over every notebook")
            p.add_argument("--hub", action="store_true", help="also measure memory per student on a real hub")
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
    from course.cli import collect, exam, report

    for module in (report, exam, collect):
        module.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)
