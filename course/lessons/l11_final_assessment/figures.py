"""Figures of lesson 11 (final assessment).

- ``l11_blueprint``: how many questions of each type the assessment asks about each lesson, drawn
  from the question bank itself (``course.lessons.l11_final_assessment.model.blueprint``), so it cannot drift from it.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from course.engine.questions.model import TYPE_NAMES, TYPES
from course.figures.catalog import Entry
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l11_final_assessment.model import blueprint

INK = "#222222"
# Colour AND hatch per type, so the legend never depends on colour alone.
TYPE_STYLE = {
    "single": (OKABE_ITO["blue"], ""),
    "multiple": (OKABE_ITO["orange"], "//"),
    "truefalse": (OKABE_ITO["bluish_green"], ".."),
    "numeric": (OKABE_ITO["sky_blue"], "xx"),
    "ordering": (OKABE_ITO["reddish_purple"], "\\\\"),
    "matching": (OKABE_ITO["yellow"], "--"),
}
LIGHT = {"orange", "sky_blue", "yellow", "bluish_green", "reddish_purple"}


def _text_colour(colour: str) -> str:
    return INK if any(OKABE_ITO[name] == colour for name in LIGHT) else "white"


def assessment_blueprint() -> Figure:
    """Stacked horizontal bars: questions per lesson, split by question type (counts written on)."""
    apply_style()
    rows = blueprint()
    n = len(rows)
    height = 1.9 + 0.5 * n
    fig = Figure(figsize=(9.6, height))
    top_in, bottom_in = 0.35, 1.25
    ax = fig.add_axes((0.42, bottom_in / height, 0.52, 1 - (top_in + bottom_in) / height))
    widest = max(r.total for r in rows)
    ax.set_xlim(0, widest + 1.2)
    ax.set_ylim(n - 0.4, -0.6)
    for i, row in enumerate(rows):
        left = 0
        for qtype in TYPES:
            count = row.counts[qtype]
            if not count:
                continue
            colour, hatch = TYPE_STYLE[qtype]
            ax.barh(i, count, left=left, height=0.62, color=colour, edgecolor=INK, linewidth=0.8, hatch=hatch)
            ax.text(
                left + count / 2,
                i,
                str(count),
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold",
                color=INK,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
            left += count
        ax.text(row.total + 0.12, i, f"{row.total} in all", va="center", fontsize=10, color=INK)
    ax.set_yticks(range(n), [f"{r.objective} · lesson {r.lesson}: {r.title}" for r in rows], fontsize=10)
    ax.tick_params(axis="y", length=0)
    ax.set_xticks(range(0, widest + 1))
    ax.set_xlabel("Number of questions", fontsize=10.5)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [
        Patch(facecolor=TYPE_STYLE[t][0], hatch=TYPE_STYLE[t][1], edgecolor=INK, label=TYPE_NAMES[t]) for t in TYPES
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        fontsize=10,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
        handlelength=2.2,
        handleheight=1.2,
    )
    return fig


def _alt() -> str:
    rows = blueprint()
    total = sum(r.total for r in rows)
    parts = []
    for r in rows:
        kinds = ", ".join(f"{c} {TYPE_NAMES[t]}" for t in TYPES if (c := r.counts[t]))
        parts.append(f"lesson {r.lesson} {r.title} ({r.objective}): {r.total} ({kinds})")
    return (
        f"Stacked horizontal bar chart of the {total} questions of the final assessment, one bar per lesson, "
        "each bar split by question type with a different colour and hatching and the count written on each "
        "part. " + "; ".join(parts) + "."
    )


FIGURES = {
    "l11_blueprint": Entry(
        assessment_blueprint,
        alt=_alt,
        caption=lambda: (
            "**What the assessment covers.** Questions per lesson and per type, counted from the question bank "
            "itself. Each lesson is one objective on your result page. Drawn from the course's data, not patient data."
        ),
    ),
}
