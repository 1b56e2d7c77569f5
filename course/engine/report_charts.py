"""The class report's charts: score spread, question difficulty, objective mastery, pre-test to final gain.

Each chart is drawn from the same rows as the table printed beside it, so the picture, its alt text
and the table cannot disagree. Charts use the course figure style (Okabe-Ito colours) and never
rely on colour alone: bars carry their value as text, the pass mark is a labelled dashed line, and
the pre-test and final bars differ in hatching as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from course.figures.render import FigureView

if TYPE_CHECKING:  # Matplotlib loads when a chart is drawn (``_figure``): the CLI's parser imports this module
    from matplotlib.figure import Figure

BIN_WIDTH = 10  # score bands of 10 percentage points; 100% falls in the last band


@dataclass(frozen=True)
class Bar:
    """One labelled value in percent (a question's share right, an objective's mastery)."""

    label: str
    percent: float


def score_bands(percents: Sequence[float]) -> list[tuple[str, int]]:
    """Learners per 10-point band: ('0–9%', n) ... ('90–100%', n)."""
    counts = [0] * (100 // BIN_WIDTH)
    for p in percents:
        counts[min(int(p // BIN_WIDTH), len(counts) - 1)] += 1
    return [(f"{low}–{low + BIN_WIDTH - 1 if low + BIN_WIDTH < 100 else 100}%", n)
            for low, n in zip(range(0, 100, BIN_WIDTH), counts, strict=True)]


def _figure(size: tuple[float, float]) -> tuple[Figure, dict[str, str]]:
    """A new figure in the course style, and the course colours; importing the style loads Matplotlib."""
    from matplotlib.figure import Figure

    from course.figures.style import OKABE_ITO, apply_style

    apply_style()
    return Figure(figsize=size), OKABE_ITO


def _pass_line(ax, mark: float) -> None:
    ax.axvline(mark, color="black", linestyle="--", linewidth=1.2)
    top = ax.get_ylim()[1]
    ax.text(mark, top, f" pass mark {mark:.0f}%", fontsize=10, va="top", ha="left")


def histogram_figure(percents: Sequence[float], pass_mark: float) -> Figure:
    """Learners per 10-point score band, hatched bars, the pass mark as a dashed labelled line."""
    bands = score_bands(percents)
    fig, colours = _figure((7.0, 3.4))
    ax = fig.add_axes((0.1, 0.2, 0.86, 0.68))
    lefts = list(range(0, 100, BIN_WIDTH))
    counts = [n for _, n in bands]
    ax.bar(lefts, counts, width=BIN_WIDTH, align="edge", color=colours["orange"], edgecolor="black",
           linewidth=0.8, hatch="//")
    for left, n in zip(lefts, counts, strict=True):
        if n:
            ax.text(left + BIN_WIDTH / 2, n, str(n), ha="center", va="bottom", fontsize=10)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, max(counts + [1]) * 1.3)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("Score of record (percent correct)")
    ax.set_ylabel("Learners")
    _pass_line(ax, pass_mark)
    return fig


def bar_figure(bars: Sequence[Bar], xlabel: str, mark: float | None = None) -> Figure:
    """Horizontal bars in the given order, top to bottom, each with its value written beside it."""
    height = 1.4 + 0.36 * len(bars)
    fig, colours = _figure((7.0, height))
    ax = fig.add_axes((0.3, 0.85 / height, 0.64, 1 - 1.45 / height))
    y = list(range(len(bars)))[::-1]
    values = [b.percent for b in bars]
    ax.barh(y, values, color=colours["blue"], edgecolor="black", linewidth=0.6)
    for yy, v in zip(y, values, strict=True):
        ax.text(min(v + 1.5, 88), yy, f"{v:.0f}%", va="center", fontsize=10)
    ax.set_yticks(y, [b.label for b in bars])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.7, len(bars) - 0.3 + (0.6 if mark is not None else 0))
    ax.set_xlabel(xlabel)
    if mark is not None:
        _pass_line(ax, mark)
    return fig


def gain_figure(rows: Sequence[tuple[str, float, float]]) -> Figure:
    """Per objective: pre-test and final percent side by side (hatched vs solid, with values)."""
    fig, colours = _figure((7.0, 3.6))
    ax = fig.add_axes((0.1, 0.2, 0.86, 0.62))
    x = list(range(len(rows)))
    pre = [r[1] for r in rows]
    post = [r[2] for r in rows]
    width = 0.38
    ax.bar([i - width / 2 for i in x], pre, width, label="Pre-test", color=colours["sky_blue"],
           edgecolor="black", linewidth=0.6, hatch="..")
    ax.bar([i + width / 2 for i in x], post, width, label="Final", color=colours["vermillion"],
           edgecolor="black", linewidth=0.6)
    for i, (a, b) in enumerate(zip(pre, post, strict=True)):
        ax.text(i - width / 2, a + 1.5, f"{a:.0f}", ha="center", va="bottom", fontsize=9)
        ax.text(i + width / 2, b + 1.5, f"{b:.0f}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [r[0] for r in rows])
    ax.set_ylim(0, 118)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("Mean percent correct")
    ax.set_xlabel("Objective")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.2), ncol=2, frameon=False)
    return fig


def figure_html(fig: Figure, alt: str, caption: str) -> str:
    """The accessible ``<figure>`` (PNG, alt text, caption) of the shared figure toolkit."""
    return FigureView(fig, alt=alt, caption=caption).html()


def beside(figure: str, table: str) -> str:
    """A chart and the table of its numbers side by side (stacked on a narrow screen)."""
    return (f'<div class="chart-and-table" style="display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start">'
            f'<div style="flex:1 1 30em;max-width:44em">{figure}</div><div style="flex:1 1 20em">{table}</div></div>')


def histogram_html(percents: Sequence[float], pass_mark: float, table: str) -> str:
    bands = score_bands(percents)
    passed = sum(p >= pass_mark for p in percents)
    alt = (f"Histogram of {len(percents)} learners' scores of record in 10-point bands, with a dashed line at the "
           f"{pass_mark:.0f}% pass mark; {passed} of {len(percents)} at or above it. Learners per band: "
           + "; ".join(f"{band} {n}" for band, n in bands) + ".")
    return beside(figure_html(histogram_figure(percents, pass_mark), alt, "Score of record per learner, in 10-point "
                              f"bands; the dashed line is the {pass_mark:.0f}% pass mark."), table)


def bars_html(bars: Sequence[Bar], what: str, xlabel: str, caption: str, table: str,
              mark: float | None = None) -> str:
    alt = (f"Bar chart of {what}: " + "; ".join(f"{b.label} {b.percent:.0f}%" for b in bars)
           + (f". A dashed line marks {mark:.0f}%." if mark is not None else "."))
    return beside(figure_html(bar_figure(bars, xlabel, mark), alt, caption), table)


def gain_html(rows: Sequence[tuple[str, float, float]], table: str) -> str:
    alt = ("Grouped bar chart of mean percent correct per objective, pre-test (dotted bars) beside final (solid "
           "bars): " + "; ".join(f"{o} pre-test {a:.0f}%, final {b:.0f}%" for o, a, b in rows) + ".")
    caption = "Pre-test (dotted) and final (solid) mean percent correct per objective, for learners who took both."
    return beside(figure_html(gain_figure(rows), alt, caption), table)
