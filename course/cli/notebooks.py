"""Executing notebooks exactly as they must be committed: no widget state, clean metadata,
contiguous execution counts, and an empty, throw-away progress folder so outputs never depend on
whoever ran them."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course.engine.mode import MODE_VARIABLE
from course.engine.progress import DIR_VARIABLE, LEARNER_VARIABLE
from course.figures.cache import CACHE_VARIABLE

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
TIMEOUT_S = 120


@contextlib.contextmanager
def isolated_progress() -> Iterator[Path]:
    """A fresh progress folder, learner name and practice mode for the kernels started inside the block;
    the kernels also store the figures they draw (course.figures.cache), for students' kernels to read."""
    saved = {k: os.environ.get(k) for k in (DIR_VARIABLE, LEARNER_VARIABLE, MODE_VARIABLE, CACHE_VARIABLE)}
    with tempfile.TemporaryDirectory(prefix="cart-progress-") as tmp:
        os.environ[DIR_VARIABLE] = tmp
        os.environ[LEARNER_VARIABLE] = "execute"
        os.environ[MODE_VARIABLE] = "practice"  # committed outputs never depend on an exam setting
        os.environ[CACHE_VARIABLE] = "write"
        try:
            yield Path(tmp)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """As committed: kernelspec and language only, no widget state, no timings, no dead widget views.

    A stored widget view points at a model that no longer exists once the kernel is gone (its id is
    random, too, so every run would change the file). Without it, JupyterLab, nbviewer and GitHub all
    show the static ``text/html`` view until the cell is run again.
    """
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    for cell in nb.cells:
        for key in ("execution", "collapsed", "scrolled", "widgets"):
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


def client_for(nb: nbformat.NotebookNode, path: Path, **kwargs) -> NotebookClient:
    return NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        store_widget_state=False,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
        **kwargs,
    )


@dataclass(frozen=True)
class Executed:
    path: Path
    seconds: float
    changed: bool


def execute(path: Path) -> Executed:
    """Re-execute one notebook in place; ``changed`` says whether the file content changed."""
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    start = time.perf_counter()
    with isolated_progress():
        client_for(nb, path).execute()
    seconds = time.perf_counter() - start
    clean(nb)
    nbformat.validate(nb)
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after, encoding="utf-8")
    return Executed(path, seconds, after != before)


def default_jobs() -> int:
    """Notebooks executed at once: one a core, at most 4 (each kernel is one busy process)."""
    return max(1, min(4, os.cpu_count() or 1))


def execute_all(paths: list[Path], jobs: int | None = None) -> Iterator[Executed]:
    """Re-execute notebooks in place, ``jobs`` at a time, yielding results in the order given.

    Each notebook runs in its own kernel with its own throw-away progress folder (set in the
    worker process's environment), so running them side by side changes no output; on 2 cores
    the whole course takes about half the time of one after the other.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(paths) <= 1:
        yield from map(execute, paths)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        yield from pool.map(execute, paths)
