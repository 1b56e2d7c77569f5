"""Every course figure by name, with its alt text and caption kept beside the drawing function.

Notebooks call ``show("five_steps")``; the alt text then cannot drift away from the figure.
Lesson modules in this package (``course/figures/lessonNN.py``) add their own entries through a
``FIGURES`` dict, found automatically, so no lesson has to edit this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from . import diagrams
from .render import FigureView


@dataclass(frozen=True)
class Entry:
    draw: Callable[..., Figure]
    alt: Callable[..., str]
    caption: Callable[..., str]


CATALOG: dict[str, Entry] = {
    "five_steps": Entry(
        diagrams.five_steps_diagram,
        lambda: (
            "Diagram of the five steps of CAR-T therapy as a loop. Top band, at the treating hospital: "
            "step 1 leukapheresis, where T cells are collected from the patient's blood. An arrow leads down "
            "to the bottom band, the manufacturing site: step 2 engineering, where a viral vector adds the CAR "
            "gene, then step 3 expansion, where the CAR-T cells are grown to a full dose. An arrow leads back up "
            "to the hospital: step 4 lymphodepleting chemotherapy, then step 5, one intravenous infusion."
        ),
        lambda: (
            "**The five steps of CAR-T therapy.** The patient's own T cells travel from the hospital to the "
            "manufacturing site and back. Conceptual illustration, not patient data."
        ),
    ),
}


def catalog() -> dict[str, Entry]:
    """Every figure: the ones above plus each lesson module's ``FIGURES``; names must be unique."""
    import importlib
    import pkgutil

    from .. import figures

    entries = dict(CATALOG)
    for module in pkgutil.iter_modules(figures.__path__):
        if module.name.startswith("lesson"):
            extra = getattr(importlib.import_module(f"{figures.__name__}.{module.name}"), "FIGURES", {})
            clash = set(extra) & set(entries)
            if clash:
                raise ValueError(f"figure name(s) {sorted(clash)} defined twice (in {module.name})")
            entries.update(extra)
    return entries


def _lookup(name: str) -> Entry:
    """A figure by name, importing only its own lesson module (``l05_...`` lives in ``lesson05``)."""
    import importlib
    import re

    if name in CATALOG:
        return CATALOG[name]
    match = re.match(r"^l(\d\d)_", name)
    if match:
        try:
            module = importlib.import_module(f"{__package__}.lesson{match.group(1)}")
        except ModuleNotFoundError:
            module = None
        figures = getattr(module, "FIGURES", {})
        if name in figures:
            return figures[name]
    return catalog()[name]


def show(name: str, **options: Any) -> FigureView:
    """Draw a catalogued figure and wrap it with its alt text and caption."""
    try:
        entry = _lookup(name)
    except KeyError:
        raise KeyError(f"no figure '{name}'; the catalogue has {', '.join(sorted(catalog()))}") from None
    return FigureView(entry.draw(**options), entry.alt(**options), entry.caption(**options))
