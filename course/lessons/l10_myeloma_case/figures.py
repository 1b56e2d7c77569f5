"""Figures of lesson 10 (a second case: myeloma and cilta-cel). The case is fictional: not patient data.

Both are lesson 08's drawings (``course.lessons.l08_patient_case.figures``) applied to this case,
for the path the learner took (``paths``: one of "recognised" or "missed" per decision point; by
default the main path, recognised everywhere):

- ``l10_timeline``: the running timeline up to a chosen day, with the CRS and ICANS grades.
- ``l10_vitals``: the ward chart of the first 12 days.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from course.figures.catalog import Entry
from course.lessons.l08_patient_case import figures as l08
from course.lessons.l10_myeloma_case import model as mm
from course.lessons.l10_myeloma_case.model import path_label


def _case(paths: tuple[str, ...] | None):
    return mm.story().case(paths)


def _path_words(paths: tuple[str, ...] | None) -> str:
    return f" Path shown: {path_label(paths)}."


def _on_this_case(draw: Callable[..., Figure], alt: Callable[..., str], caption: Callable[..., str], last_day: int) -> Entry:
    """A lesson 08 drawing with its alt text and caption, for this case on the path the learner took."""

    def figure(day: int = last_day, paths: tuple[str, ...] | None = None) -> Figure:
        return draw(day, _case(paths))

    def figure_alt(day: int = last_day, paths: tuple[str, ...] | None = None) -> str:
        return alt(day, _case(paths)) + _path_words(paths)

    def figure_caption(day: int = last_day, paths: tuple[str, ...] | None = None) -> str:
        return caption(day, _case(paths)).replace("Fictional case", "Path: " + path_label(paths) + ". Fictional case")

    return Entry(figure, figure_alt, figure_caption)


FIGURES = {
    "l10_timeline": _on_this_case(l08.case_timeline, l08._timeline_alt, l08._timeline_caption, last_day=120),
    "l10_vitals": _on_this_case(l08.vital_signs, l08._vitals_alt, l08._vitals_caption, last_day=12),
}
