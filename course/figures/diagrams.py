"""Course diagrams: each function returns a Matplotlib Figure (conceptual drawings, not data)."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from course.figures.shapes import arrow, canvas, titled_box
from course.figures.style import OKABE_ITO, apply_style

FIVE_STEPS = (
    ("Leukapheresis", "T cells collected\nfrom the patient's blood"),
    ("Engineering", "a viral vector adds\nthe CAR gene"),
    ("Expansion", "CAR-T cells grown\nto a full dose"),
    ("Lymphodepletion", "chemotherapy makes\nroom for the cells"),
    ("Infusion", "IV infusion, usually\none session"),
)


def _box(ax, x: float, y: float, w: float, h: float, title: str, body: str, colour: str, number: int) -> None:
    title_colour = "white" if colour != OKABE_ITO["orange"] else "black"
    titled_box(
        ax,
        x,
        y,
        w,
        h,
        f"{number}  {title}",
        body,
        colour,
        title_colour=title_colour,
        band=0.32,
        rounding=0.06,
        linewidth=2.5,
        title_size=12,
        body_size=10.5,
    )


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], label: str = "", offset=(0.0, 0.0)) -> None:
    arrow(ax, start, end, colour=OKABE_ITO["black"])
    if label:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=9.5, style="italic", color="#333333")


def five_steps_diagram() -> Figure:
    """The five steps as a loop between the treating hospital (top) and the manufacturing site (bottom)."""
    fig, ax = canvas(9.6, 4.8)
    hospital, lab = OKABE_ITO["blue"], OKABE_ITO["orange"]
    ax.add_patch(
        FancyBboxPatch(
            (0.15, 2.55), 9.3, 2.1, boxstyle="round,pad=0.0,rounding_size=0.1", facecolor="#EAF3FA", edgecolor="none"
        )
    )
    ax.add_patch(
        FancyBboxPatch(
            (0.15, 0.15), 9.3, 2.1, boxstyle="round,pad=0.0,rounding_size=0.1", facecolor="#FDF3E1", edgecolor="none"
        )
    )
    ax.text(0.3, 4.45, "At the treating hospital (the patient)", fontsize=11, fontweight="bold", va="center")
    ax.text(0.3, 0.35, "At the manufacturing site (the cells)", fontsize=11, fontweight="bold", va="center")
    w, h = 2.3, 1.45
    (t1, b1), (t2, b2), (t3, b3), (t4, b4), (t5, b5) = FIVE_STEPS
    _box(ax, 0.45, 2.8, w, h, t1, b1, hospital, 1)
    _box(ax, 0.45, 0.55, w, h, t2, b2, lab, 2)
    _box(ax, 3.65, 0.55, w, h, t3, b3, lab, 3)
    _box(ax, 3.65, 2.8, w, h, t4, b4, hospital, 4)
    _box(ax, 6.85, 2.8, w, h, t5, b5, hospital, 5)
    _arrow(ax, (1.6, 2.78), (1.6, 2.04), "cells shipped", (0.55, 0))
    _arrow(ax, (2.77, 1.2), (3.63, 1.2))
    _arrow(ax, (4.8, 2.04), (4.8, 2.78), "product shipped back", (1.0, 0))
    _arrow(ax, (5.97, 3.5), (6.83, 3.5))
    ax.text(
        8.0,
        1.3,
        "The patient's own cells\nmake the round trip:\neach dose is made for\none person.",
        fontsize=10.5,
        ha="center",
        va="center",
        linespacing=1.3,
    )
    return fig


def score_by_objective_chart(rows: dict[str, dict[str, int]], labels: dict[str, str], pass_mark: float) -> Figure:
    """Horizontal bars of percent correct per objective, with the pass mark as a dashed line.

    Bars carry their numbers as text, so nothing depends on colour.
    """
    apply_style()
    names = list(rows)
    height = 1.2 + 0.45 * len(names)
    fig = Figure(figsize=(8.5, height))
    ax = fig.add_axes((0.42, 0.75 / height, 0.53, 1 - 1.25 / height))
    percents = [100 * rows[n]["correct"] / rows[n]["total"] if rows[n]["total"] else 0 for n in names]
    colours = [OKABE_ITO["bluish_green"] if p >= 100 * pass_mark else OKABE_ITO["orange"] for p in percents]
    y = list(range(len(names)))[::-1]
    ax.barh(y, percents, color=colours, edgecolor="black", linewidth=0.6)
    for yy, p, n in zip(y, percents, names, strict=True):
        ax.text(min(p + 2, 88), yy, f"{rows[n]['correct']}/{rows[n]['total']} ({p:.0f}%)", va="center", fontsize=10)
    short = [f"{n}: {labels.get(n, '')[:38]}{'…' if len(labels.get(n, '')) > 38 else ''}" for n in names]
    ax.set_yticks(y, short)
    ax.set_xlim(0, 100)
    ax.axvline(100 * pass_mark, color="black", linestyle="--", linewidth=1.2)
    ax.text(100 * pass_mark, len(names) - 0.45, f" pass mark {100 * pass_mark:.0f}%", fontsize=10, va="bottom")
    ax.set_xlabel("Percent correct")
    return fig
