"""``python -m course cite``: raw ``[@key]`` citations in the lessons' Markdown become numbered links.

Authors keep writing ``[@key]``; this command rewrites every run of citations (raw or already
rendered) as ``[1, 3]`` superscript links to the lesson's reference list, numbered in the order the
reference list uses (``Lesson.cited_keys``). It is idempotent: run it again after any edit and the
numbers follow the text. Only Markdown cell sources change; cell ids and outputs are kept, but the
reference list output changes with the numbering, so re-execute the notebook afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.core.references import CITATION_PATTERN, render_citations
from course.engine.lesson import Lesson


@dataclass
class Cited:
    path: Path
    raw_before: int
    cells_changed: int


def cite_notebook(path: Path, write: bool = True) -> Cited:
    """Render the citations of one lesson notebook in place (Markdown cells only)."""
    nb = nbformat.read(path, as_version=4)
    raw = sum(len(CITATION_PATTERN.findall(c.source)) for c in nb.cells if c.cell_type == "markdown")
    numbering = {k: n for n, k in enumerate(Lesson(path.stem).cited_keys(), start=1)}
    changed = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        new = render_citations(cell.source, numbering)
        if new != cell.source:
            cell.source = new
            changed += 1
    if write and changed:
        nbformat.write(nb, path)
    return Cited(path, raw, changed)


def raw_citations(path: Path) -> list[str]:
    """Raw ``[@key]`` left in a notebook's Markdown: what a reader must never see."""
    nb = nbformat.read(path, as_version=4)
    return [k for c in nb.cells if c.cell_type == "markdown" for k in CITATION_PATTERN.findall(c.source)]
