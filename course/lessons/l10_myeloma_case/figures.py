"""Figures of lesson 10 (a second case: myeloma and cilta-cel). The case is fictional: not patient data.

Both are lesson 08's drawings (``course.lessons.l08_patient_case.figures``) applied to this case,
for the path the learner took (``paths``: one of "recognised" or "missed" per decision point; by
default the main path, recognised everywhere):

- ``l10_timeline``: the running timeline up to a chosen day, with the CRS and ICANS grades.
- ``l10_vitals``: the ward chart of the first 12 days.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from course.figures.catalog import Entry
from course.lessons.l08_patient_case import figures as l08
from course.lessons.l10_myeloma_case import model as mm
from course.lessons.l10_myeloma_case.model import path_label


def _case(paths: tuple[str, ...] | None):
    return mm.story().case(paths)


def timeline(day: int = 120, paths: tuple[str, ...] | None = None) -> Figure:
    return l08.case_timeline(day, _case(paths))


def _timeline_alt(day: int = 120, paths: tuple[str, ...] | None = None) -> str:
    return l08._timeline_alt(day, _case(paths)) + _path_words(paths)


def _timeline_caption(day: int = 120, paths: tuple[str, ...] | None = None) -> str:
    return l08._timeline_caption(day, _case(paths)).replace(
        "Fictional case", "Path: " + path_label(paths) + ". Fictional case"
    )


def vitals(day: int = 12, paths: tuple[str, ...] | None = None) -> Figure:
    return l08.vital_signs(day, _case(paths))


def _vitals_alt(day: int = 12, paths: tuple[str, ...] | None = None) -> str:
    return l08._vitals_alt(day, _case(paths)) + _path_words(paths)


def _vitals_caption(day: int = 12, paths: tuple[str, ...] | None = None) -> str:
    return l08._vitals_caption(day, _case(paths)).replace(
        "Fictional case", "Path: " + path_label(paths) + ". Fictional case"
    )


def _path_words(paths: tuple[str, ...] | None) -> str:
    return f" Path shown: {path_label(paths)}."


FIGURES = {
    "l10_timeline": Entry(timeline, _timeline_alt, _timeline_caption),
    "l10_vitals": Entry(vitals, _vitals_alt, _vitals_caption),
}
