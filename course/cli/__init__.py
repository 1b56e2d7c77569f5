"""The course's command line: links for students, class reports and handouts, and the authors' checks.

Run it with the course's environment, from any folder:  python3 run.py course COMMAND ...
(or, inside that environment and from the repository's folder:  python -m course COMMAND ...)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.cli.errors import CliError
from course.core.paths import NOTEBOOKS

EPILOG = """\
For instructors
  link       the link you send students: it puts the course in their home on the hub and opens a lesson
  links      a table of Binder, nbviewer (and hub) links for every lesson, for a course page
  report     the class report (HTML) and gradebook (CSV), regraded from the export files students hand in
  collect    copy the students' export files from their homes on a hub into one folder
  exam pack  a questions-only exam pack for a graded (summative) exam, from your private bank
  handout    printable PDFs per lesson: a student version, and an instructor version with the answers

For authors and maintainers
  cite       turn [@key] citations in the lessons' text into numbered links to each lesson's references
  tidy       measured reading times, hidden code inputs and next-lesson links in every lesson
  execute    re-run notebooks and store their outputs the way they must be committed
  check      check every notebook has its required parts and clean outputs
  bench      how long each notebook takes and how much memory it needs (also on a real hub)

Examples
  python3 run.py course link --hub https://hub.example.edu --repo https://github.com/ORG/REPO
  python3 run.py course link --hub https://hub.example.edu --repo https://github.com/ORG/REPO --notebook 05
  python3 run.py course report ~/exports/            # writes ~/car-t-course-reports/class-report.html
  python3 run.py course handout 05 --out ~/handouts
  python3 run.py course check
  python3 run.py course bench --hub-load 40          # 40 students at once on a real hub (root, minutes)

Each command has its own help:  python3 run.py course link --help
"""


def notebook_names() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def resolve_notebook(name: str) -> Path:
    """A lesson by file, file name, name without .ipynb, or its number ("05"); CliError lists the lessons."""
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path
    stem = path.name.removesuffix(".ipynb")
    matches = [n for n in notebook_names() if n.removesuffix(".ipynb") == stem]
    if not matches and stem.isdigit():
        matches = [n for n in notebook_names() if n.split("_", 1)[0] == stem.zfill(2)]
    if len(matches) == 1:
        return NOTEBOOKS / matches[0]
    raise CliError(f"no lesson called {name!r}; the lessons are: "
                   + ", ".join(n.removesuffix(".ipynb") for n in notebook_names()))


def _paths(names: list[str]) -> list[Path]:
    if not names:
        return [NOTEBOOKS / n for n in notebook_names()]
    return [resolve_notebook(name) for name in names]


def cmd_execute(args: argparse.Namespace) -> int:
    import time

    from course.cli.notebooks import execute_all
    from course.figures import cache

    started = time.time()
    for result in execute_all(_paths(args.notebooks), args.jobs):
        path = result.path
        state = "changed" if result.changed else "unchanged"
        print(f"executed {path.name} in {result.seconds:.1f} s ({state})")
    if not args.notebooks:  # every notebook ran: what none of them showed is no longer needed
        removed = cache.prune(started - 1)
        kept = len(cache.entries())
        print(f"figure cache: {kept} figures current, {len(removed)} removed ({cache.CACHE_DIR})")
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
    from course.cli.bench import (
        harness_flags,
        measure,
        measure_reruns,
        nbval_suite_seconds,
        rerun_table,
        run_harness_bench,
        table,
    )

    if args.hub_load is not None and args.hub_load < 1:
        raise CliError("--hub-load needs a number of students, 1 or more")
    if args.reruns is not None:
        if args.reruns < 2:
            raise CliError("--reruns needs a number of Run All presses, 2 or more")
        print(rerun_table([measure_reruns(p, args.reruns) for p in _paths(args.notebooks)]))
        return 0
    print(table([measure(p) for p in _paths(args.notebooks)]))
    if args.suite:
        print(f"\nnbval over every notebook: {nbval_suite_seconds():.1f} s (target: within 60 s)")
    flags = harness_flags(args.browser, args.hub, args.hub_load)
    if flags:
        print(flush=True)
        return run_harness_bench(flags)
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from course.cli.links import nbgitpuller_link

    notebook = resolve_notebook(args.notebook).name
    try:
        print(nbgitpuller_link(args.hub, args.repo, notebook, args.branch, args.target, args.interface))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    from course.cli.links import links_table

    try:
        print(links_table(args.github, notebook_names(), args.hub))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    from course.cli.handout import write_handouts

    for written in write_handouts(_paths(args.lessons), Path(args.out).expanduser()):
        print(f"wrote {written}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course", description=__doc__, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    link = sub.add_parser("link", help="the link that puts the course in every student's home on a hub",
                          description="Print the nbgitpuller link for one lesson. The first click copies the "
                          "course into the student's home; later clicks bring your updates and keep their work.")
    link.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    link.add_argument("--repo", required=True, help="the course repository (a URL or path the hub can clone)")
    link.add_argument("--notebook", default="00_start_here",
                      help="the lesson to open: its name or number, e.g. 05 (default: 00_start_here)")
    link.add_argument("--branch", default="main", help="the repository's branch to pull (default: main)")
    link.add_argument("--target", default=None,
                      help="the folder name in each home (default: the repository's name); keep it the same "
                           "in every link of the course, or students get two copies")
    link.add_argument("--interface", default="lab", choices=("lab", "tree"),
                      help="lab: JupyterLab (default); tree: the simpler Notebook 7 page")
    link.set_defaults(func=cmd_link)

    links = sub.add_parser("links", help="Binder, nbviewer (and hub) links for every lesson, as a table",
                           description="Print a Markdown table of launch links for every lesson.")
    links.add_argument("--github", required=True, help="the GitHub repository as OWNER/NAME")
    links.add_argument("--hub", default=None, help="also the nbgitpuller links for this hub")
    links.set_defaults(func=cmd_links)

    handout = sub.add_parser("handout", help="printable PDFs per lesson, for students and for the instructor",
                             description="Write two PDFs per lesson: LESSON-student.pdf (figures and questions, "
                             "no answers) and LESSON-instructor.pdf (with every answer and explanation). "
                             "Needs Chromium (Debian: apt-get install chromium).")
    handout.add_argument("lessons", nargs="*", help="lesson names or numbers (default: every lesson)")
    handout.add_argument("--out", default="handouts", help="the folder to write into (default: ./handouts)")
    handout.set_defaults(func=cmd_handout)

    from course.cli import collect, exam, report

    for module in (report, exam, collect):
        module.register(sub)

    for name, func, text in (
        ("execute", cmd_execute, "re-run notebooks and store their outputs as they must be committed"),
        ("check", cmd_check, "check every notebook has its required parts and clean outputs"),
        ("bench", cmd_bench, "time and memory per notebook; with --hub or --hub-load, on a real hub"),
        ("cite", cmd_cite, "render [@key] citations in the Markdown as numbered links (safe to re-run)"),
        ("tidy", cmd_tidy, "measured times, hidden inputs and next-lesson links in every lesson (safe to re-run)"),
    ):
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("notebooks", nargs="*", help="lesson names, numbers or files (default: every lesson)")
        p.set_defaults(func=func)
        if name == "execute":
            p.add_argument(
                "--jobs", type=int, default=None, help="notebooks run at once (default: one a core, at most 4)"
            )
        if name == "bench":
            p.add_argument("--browser", action="store_true", help="also time JupyterLab in Chromium")
            p.add_argument("--suite", action="store_true", help="also time the nbval run over every notebook")
            p.add_argument("--reruns", type=int, metavar="N", default=None,
                           help="instead: press Run All N times in one kernel; widget models and memory after the "
                                "first and the last")
            p.add_argument("--hub", action="store_true",
                           help="also memory per student: 5 students on the shipped hub configuration (root)")
            p.add_argument("--hub-load", type=int, metavar="N", default=None,
                           help="also a class of N students logging in at once on the shipped hub (root): "
                                "time to the first question, memory, answers kept")
        if name == "cite":
            p.add_argument("--dry-run", action="store_true", help="count, do not write")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        print(f"error: the package {exc.name!r} is missing: run the course's commands with its environment, "
              "e.g. python3 run.py course " + " ".join(sys.argv[1:] if argv is None else argv), file=sys.stderr)
        return 2
