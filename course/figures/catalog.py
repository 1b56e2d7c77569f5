"""Every course figure by name, with its alt text and caption kept beside the drawing function.

Notebooks call ``show("five_steps")``; the alt text then cannot drift away from the figure.
Each lesson's ``course/lessons/lNN_name/figures.py`` adds its own entries through a ``FIGURES``
dict, found automatically, so no lesson has to edit this file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from course.figures import cache
from course.figures.render import FigureView, raise_small_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Entry:
    """A figure's drawing function with its alt text and caption.

    ``draw`` returns the figure exactly as the notebook shows it: text that would end up smaller than
    12 CSS px at the displayed width is raised to that size (course.figures.render.raise_small_text),
    and text other than bold is hinted, not smoothed (course.figures.shapes.crisp_text): as sharp on
    screen and a third smaller as PNG (698 KB to 468 KB over the 32 figures), which keeps the
    notebooks light for a hub."""

    draw: Callable[..., Figure]
    alt: Callable[..., str]
    caption: Callable[..., str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "draw", _legible(self.draw))


def _legible(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    if getattr(draw, "legible", False):
        return draw

    @functools.wraps(draw)
    def drawn(*args: Any, **options: Any) -> Figure:
        from course.figures.shapes import crisp_text  # Matplotlib only when drawing

        return crisp_text(raise_small_text(draw(*args, **options)), keep_bold=True)

    drawn.legible = True  # type: ignore[attr-defined]
    return drawn


def _five_steps() -> Figure:
    from course.figures.diagrams import five_steps_diagram  # Matplotlib only when drawing

    return five_steps_diagram()


CATALOG: dict[str, Entry] = {
    "five_steps": Entry(
        _five_steps,
        lambda: (
            "Diagram of the five steps of CAR-T therapy as a loop. Top band, at the treating hospital: "
            "step 1 leukapheresis, where T cells are collected from the patient's blood. An arrow leads down "
            "to the bottom band, the manufacturing site: step 2 engineering, where a viral vector adds the CAR "
            "gene, then step 3 expansion, where the CAR-T cells are grown to a full dose. An arrow leads back up "
            "to the hospital: step 4 lymphodepleting chemotherapy, then step 5, the intravenous infusion, usually in one session (Aucatzyl: two doses about 9 days apart)."
        ),
        lambda: (
            "**The five steps of CAR-T therapy.** The patient's own T cells travel from the hospital to the "
            "manufacturing site and back. Conceptual illustration, not patient data."
        ),
    ),
}


def catalog() -> dict[str, Entry]:
    """Every figure: the ones above plus each lesson's ``figures.FIGURES``; names must be unique."""
    from course import lessons

    entries = dict(CATALOG)
    for number, folder in sorted(lessons.folders().items()):
        extra = getattr(lessons.module(number, "figures"), "FIGURES", {})
        clash = set(extra) & set(entries)
        if clash:
            raise ValueError(f"figure name(s) {sorted(clash)} defined twice (in {folder})")
        entries.update(extra)
    return entries


def _lookup(name: str) -> Entry:
    """A figure by name, importing only its own lesson's module (``l05_...`` lives in lesson 05's folder)."""
    import re

    from course import lessons

    if name in CATALOG:
        return CATALOG[name]
    match = re.match(r"^l(\d\d)_", name)
    if match:
        figures = getattr(lessons.module(match.group(1), "figures"), "FIGURES", {})
        if name in figures:
            return figures[name]
    return catalog()[name]


def show(name: str, **options: Any) -> FigureView:
    """A catalogued figure with its alt text and caption: read from the cache when it is current
    (no Matplotlib in the kernel), drawn otherwise."""
    stored = cache.load(name, options)
    if stored is not None:
        return FigureView.stored(stored.png, stored.alt, stored.caption, stored.smallest_font_pt)
    return draw(name, **options)


def draw(name: str, **options: Any) -> FigureView:
    """Draw a catalogued figure now (never from the cache); ``course execute`` keeps what it draws."""
    try:
        entry = _lookup(name)
    except KeyError:
        raise KeyError(f"no figure '{name}'; the catalogue has {', '.join(sorted(catalog()))}") from None
    view = FigureView(entry.draw(**options), entry.alt(**options), entry.caption(**options))
    cache.store(name, options, cache.Stored(view.png, view.alt, view.caption, view.smallest_font_pt))
    return view
