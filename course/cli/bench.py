"""Benchmark figures per notebook: execution time after kernel start, kernel peak RSS, file size.

Printed, never asserted: the budgets (3 s, 110 MB, 250 KB = 250,000 bytes per notebook; the whole course within
25 s; nbval over every notebook within 60 s) are for a person to compare against. The machine's
load is printed with the figures: on a shared machine, compare ratios measured back to back.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

from course.cli.notebooks import client_for, isolated_progress

BUDGET_SECONDS = 3.0
BUDGET_RSS_MB = 110.0
BUDGET_FILE_KB = 250.0  # decimal: 250,000 bytes, the ceiling tests/test_notebooks.py enforces
BUDGET_COURSE_SECONDS = 25.0
BUDGET_SUITE_SECONDS = 60.0


@dataclass(frozen=True)
class Row:
    notebook: str
    seconds: float
    peak_rss_mb: float
    file_kb: float
    cpu_seconds: float = 0.0  # the kernel's CPU time for the run: steadier than wall time on a busy machine
    start_seconds: float = 0.0  # kernel start until it answers a first empty cell


def peak_rss_mb(pid: int) -> float:
    """The kernel's peak resident memory (VmHWM on Linux; current RSS elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return psutil.Process(pid).memory_info().rss / 2**20


def measure(path: Path) -> Row:
    nb = nbformat.read(path, as_version=4)
    with isolated_progress():
        client = client_for(nb, path)
        started = time.perf_counter()
        with client.setup_kernel():
            client.execute_cell(nbformat.v4.new_code_cell("pass"), 0)  # the kernel is ready
            start_seconds = time.perf_counter() - started
            kernel = psutil.Process(client.km.provisioner.process.pid)
            cpu_before = sum(kernel.cpu_times()[:2])
            start = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            seconds = time.perf_counter() - start
            cpu = sum(kernel.cpu_times()[:2]) - cpu_before
            rss = peak_rss_mb(kernel.pid)
    return Row(path.stem, seconds, rss, path.stat().st_size / 1000, cpu, start_seconds)


@dataclass(frozen=True)
class RerunRow:
    notebook: str
    runs: int
    models_first: int  # widget models open in the kernel after the first Run All
    models_last: int
    rss_first_mb: float  # the kernel's resident memory then
    rss_last_mb: float


COUNT_MODELS = "from course.engine.views.lifecycle import live_count; print(live_count())"


def measure_reruns(path: Path, runs: int) -> RerunRow:
    """Run All pressed ``runs`` times in one kernel, as a student does: what the kernel holds after the first and
    the last (a view a re-run replaces is closed, so neither figure should grow; see engine/views/lifecycle.py)."""
    nb = nbformat.read(path, as_version=4)
    cells = list(nb.cells)
    probe = nbformat.v4.new_code_cell(COUNT_MODELS)
    nb.cells.append(probe)  # nbclient writes each executed cell back into the notebook at its index
    figures: list[tuple[int, float]] = []
    with isolated_progress():
        client = client_for(nb, path)
        with client.setup_kernel():
            kernel = psutil.Process(client.km.provisioner.process.pid)
            for run in range(runs):
                for index, cell in enumerate(cells):
                    client.execute_cell(cell, index)
                if run in (0, runs - 1):
                    executed = client.execute_cell(probe, len(cells))
                    models = int("".join(o.get("text", "") for o in executed.outputs))
                    figures.append((models, kernel.memory_info().rss / 2**20))
    (models_first, rss_first), (models_last, rss_last) = figures[0], figures[-1]
    return RerunRow(path.stem, runs, models_first, models_last, rss_first, rss_last)


def rerun_table(rows: list[RerunRow]) -> str:
    head = (
        "| notebook | Run All presses | widget models open after the first / the last | kernel RSS after the first / "
        "the last (MB) |\n|---|---|---|---|"
    )
    body = [
        f"| {r.notebook} | {r.runs} | {r.models_first} / {r.models_last} | {r.rss_first_mb:.0f} / {r.rss_last_mb:.0f} |"
        for r in rows
    ]
    return "\n".join([head, *body])


def nbval_suite_seconds() -> float:
    """Wall time of the strict nbval run over every notebook (``pytest notebooks``)."""
    from course.core.paths import ROOT

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-cov", "notebooks"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def table(rows: list[Row]) -> str:
    head = "| notebook | run time (s) | kernel CPU (s) | kernel peak RSS (MB) | file size (KB) |\n|---|---|---|---|---|"
    body = []
    for r in rows:
        flags = []
        if r.seconds > BUDGET_SECONDS:
            flags.append("time over budget")
        if r.peak_rss_mb > BUDGET_RSS_MB:
            flags.append("RSS over budget")
        if r.file_kb > BUDGET_FILE_KB:
            flags.append("file over budget")
        note = f" ({', '.join(flags)})" if flags else ""
        body.append(
            f"| {r.notebook}{note} | {r.seconds:.2f} | {r.cpu_seconds:.2f} | {r.peak_rss_mb:.0f} | {r.file_kb:.1f} |"
        )
    load = ", ".join(f"{x:.1f}" for x in psutil.getloadavg())
    course = sum(r.start_seconds + r.seconds for r in rows)
    total = (
        f"Whole course, one notebook after the other: {course:.1f} s including kernel starts "
        f"({sum(r.start_seconds for r in rows):.1f} s of them; budget {BUDGET_COURSE_SECONDS:g} s), "
        f"kernel CPU {sum(r.cpu_seconds for r in rows):.1f} s."
    )
    budgets = (
        f"Budgets: at most {BUDGET_SECONDS:g} s, {BUDGET_RSS_MB:g} MB RSS and {BUDGET_FILE_KB:g} KB per notebook. "
        f"Load average while measuring: {load} on {psutil.cpu_count()} cores (wall time grows with load; "
        "kernel CPU time does not)."
    )
    return "\n".join([head, *body, "", total, "", budgets])


def harness_flags(browser: bool, hub: bool, hub_load: int | None) -> list[str]:
    """The developer-only flags, passed on to ``tests.harness.bench_extra`` (none: nothing to run)."""
    return [*(["--browser"] if browser else []), *(["--hub"] if hub else []),
            *([f"--hub-load={hub_load}"] if hub_load else [])]


def run_harness_bench(flags: list[str]) -> int:
    """Browser and hub figures come from the test harness, run as its own process: the package never
    imports ``tests``. Needs the repository checkout and the test extras (``python3 run.py test`` installs them)."""
    from course.core.paths import ROOT

    if not (ROOT / "tests" / "harness" / "bench_extra.py").is_file():
        print("bench --browser/--hub need the course repository's tests/harness folder", file=sys.stderr)
        return 2
    return subprocess.run([sys.executable, "-m", "tests.harness.bench_extra", *flags], cwd=ROOT).returncode
