"""Figures of lesson 07 (after infusion and the long term). Conceptual drawings, not patient data.

- ``l07_journey``: the whole journey's side-effect timeline, apheresis to one year, on a piecewise
  time axis; one row can be highlighted (the others greyed) for the interactive version.
- ``l07_neutrophils``: a conceptual neutrophil course (three recovery patterns) with the early and
  late ICAHT periods; no ICAHT grade thresholds are drawn (they are not taught as fact here).
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from course.figures.catalog import Entry
from course.figures.shapes import ON_WHITE, on_white
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l07_after_infusion_and_long_term import model as lt

GREY_FILL = "#DDDDDD"
GREY_EDGE = "#999999"
GREY_TEXT = "#595959"
CHAR_WIDTH = 0.0105  # approximate width of one 10.5-pt character in axis units of the journey chart
TICK_DAYS = (0, 7, 14, 21, 30, 60, 90, 180, 270, 365)
TICK_LABELS = ("0", "7", "14", "21", "30", "60", "90", "6 mo", "9 mo", "1 yr")
LINE_STYLES = {"quick": "-", "biphasic": "--", "prolonged": ":"}
LINE_ROW_SHIFT = 0.14  # rows with a follow-up line: bars move up, the line runs below them
LINE_COLOURS = {"quick": OKABE_ITO["bluish_green"], "biphasic": OKABE_ITO["vermillion"], "prolonged": OKABE_ITO["blue"]}


def _time_axis(ax, label: bool = True) -> None:
    """Ticks in days on the piecewise axis, dotted lines where the scale changes."""
    ax.set_xticks([lt.timeline_x(d) for d in TICK_DAYS], TICK_LABELS)
    ax.tick_params(axis="x", labelsize=10)
    for day in lt.AXIS_BREAKS[1:]:
        ax.axvline(lt.timeline_x(day), color=GREY_EDGE, linestyle=(0, (1, 3)), linewidth=1, zorder=0)
    if label:
        ax.set_xlabel(
            "Days after infusion (the scale changes at day 30 and day 90, so the first month is widest)",
            fontsize=10.5,
        )


# The neutrophil chart shows the lymphodepletion days at the scale of the first month (the journey chart
# squeezes them into a grey block): days before 0 keep the first month's width per day.
LD_DAYS_SHOWN = (-5, -3)  # the usual lymphodepletion days (fludarabine and cyclophosphamide; lesson 03)
NEUTRO_FIRST_DAY = -7


def _neutro_x(day: float) -> float:
    """Position of ``day`` on the neutrophil chart: the journey axis, stretched before day 0."""
    if day >= 0:
        return lt.timeline_x(day)
    per_day = (lt.timeline_x(30) - lt.timeline_x(0)) / 30
    return lt.timeline_x(0) + day * per_day


def _check_highlight(highlight: str | None) -> None:
    ids = [w.id for w in lt.data().timeline]
    if highlight is not None and highlight not in ids:
        raise ValueError(f"highlight must be None or one of {ids}, not {highlight!r}")


def _line_text_below(window: lt.Window) -> bool:
    """True when a row's follow-up line has no room for its text beside the bars, so it goes under the line."""
    bar_ends = [lt.timeline_x(b.end) for b in window.bars if b.kind != "line"]
    for bar in window.bars:
        if bar.kind == "line":
            text_left = max(bar_ends, default=lt.timeline_x(bar.start)) + 0.02
            return len(bar.text) * CHAR_WIDTH >= 1.0 - text_left
    return False


def journey_timeline(highlight: str | None = None) -> Figure:
    """Every side effect's typical window from apheresis to one year; ``highlight`` greys the others."""
    _check_highlight(highlight)
    apply_style()
    windows = lt.data().timeline
    n = len(windows)
    fig = Figure(figsize=(10.0, 6.3))
    ax = fig.add_axes((0.205, 0.17, 0.775, 0.69))
    ax.set_xlim(0, 1.0)
    ax.set_ylim(-0.6, n + 0.85)
    ax.spines[["left", "top", "right"]].set_visible(False)
    ax.set_yticks([])
    _time_axis(ax)

    x0 = lt.timeline_x(0)
    ax.add_patch(Rectangle((0, -0.6), x0, n + 1.45, facecolor="#F2F2F2", edgecolor="none", zorder=0))
    ax.text(x0 - 0.008, n + 0.42, "Before infusion\n(not to scale)", ha="right", va="center", fontsize=10.5)
    for day, text in ((-34, "apheresis"), (-18, "manufacturing"), (-4, "chemo")):
        ax.text(lt.timeline_x(day), n - 0.25, text, rotation=90, ha="center", va="top", fontsize=10.5, color=GREY_TEXT)
    ax.axvline(x0, color="black", linewidth=1.6, zorder=3)
    ax.text(x0 + 0.006, n + 0.42, "Day 0: infusion", ha="left", va="center", fontsize=10.5, fontweight="bold")

    for i, window in enumerate(windows):
        y = n - 1 - i
        chosen = highlight is None or window.id == highlight
        colour = OKABE_ITO[window.colour] if chosen else GREY_FILL
        edge = "black" if chosen else GREY_EDGE
        if highlight is not None and chosen:
            below = 0.64 if _line_text_below(window) else 0.45  # keep a line's text inside the highlight
            ax.add_patch(
                Rectangle(
                    (0, y - below), 1.0, below + 0.45, facecolor="#FFF7E0", edgecolor="black", linewidth=1.2, zorder=0
                )
            )
        marked = highlight is not None and chosen
        label = ("▶ " if marked else "") + textwrap.fill(window.name, 19 if marked else 21)
        ax.text(
            -0.012,
            y,
            label,
            ha="right",
            va="center",
            fontsize=10.5,
            fontweight="bold" if chosen else "normal",
            color="black" if chosen else GREY_TEXT,
            transform=ax.transData,
            clip_on=False,
        )
        # A row with a follow-up line keeps its bars in the upper part and runs the line underneath,
        # so the line can start at day 0 without being hidden by the bars.
        has_line = any(bar.kind == "line" for bar in window.bars)
        bar_y = y + LINE_ROW_SHIFT if has_line else y
        height = 0.42 if has_line else 0.56
        bar_ends = [lt.timeline_x(b.end) for b in window.bars if b.kind != "line"]
        for bar in window.bars:
            xs, xe = lt.timeline_x(bar.start), lt.timeline_x(bar.end)
            if bar.kind == "line":
                line_y = y - LINE_ROW_SHIFT - 0.12
                ax.add_patch(
                    FancyArrowPatch(
                        (xs, line_y),
                        (1.0, line_y),
                        arrowstyle="-|>",
                        mutation_scale=14,
                        linewidth=2.2,
                        color=edge,
                        zorder=2,
                    )
                )
                ax.plot([xs], [line_y], marker="o", markersize=6, color=edge, zorder=3, clip_on=False)
                text_left = max(bar_ends, default=xs) + 0.02
                if not _line_text_below(window):  # room beside the bars: centre it there
                    ax.text(
                        (text_left + 1.0) / 2,
                        line_y + 0.06,
                        bar.text,
                        ha="center",
                        va="bottom",
                        fontsize=10.5,
                        color="black" if chosen else GREY_TEXT,
                    )
                else:  # the bars fill the row: write it under the line, from its start
                    ax.text(
                        xs + 0.015,
                        line_y - 0.06,
                        bar.text,
                        ha="left",
                        va="top",
                        fontsize=10.5,
                        color="black" if chosen else GREY_TEXT,
                    )
                continue
            if bar.kind == "main":
                ax.add_patch(
                    Rectangle(
                        (xs, bar_y - height / 2), xe - xs, height, facecolor=colour, edgecolor=edge, linewidth=1.2, zorder=2
                    )
                )
            else:
                ax.add_patch(
                    Rectangle(
                        (xs, bar_y - height / 2), xe - xs, height, facecolor=colour, alpha=0.3, edgecolor="none", zorder=2
                    )
                )
                ax.add_patch(
                    Rectangle(
                        (xs, bar_y - height / 2),
                        xe - xs,
                        height,
                        facecolor="none",
                        linestyle="--",
                        edgecolor=edge,
                        linewidth=1.2,
                        zorder=2,
                    )
                )
            if bar.end >= lt.TIMELINE_END_DAY:
                ax.add_patch(
                    FancyArrowPatch(
                        (xe, bar_y), (1.0, bar_y), arrowstyle="-|>", mutation_scale=14, linewidth=1.8, color=edge, zorder=2
                    )
                )
            words = {"fontsize": 10.5, "color": "black" if chosen else GREY_TEXT, "zorder": 4}  # a bar's text, either place
            if bar.text and len(bar.text) * CHAR_WIDTH > xe - xs:  # too long for the bar: write it above
                # a step right of the bar's start (clear of the day-0 line), on white over the dotted day lines
                ax.text(xs + 0.005, bar_y + height / 2 + 0.04, bar.text, ha="left", va="bottom", bbox=ON_WHITE, **words)
            elif bar.text:
                ax.text(
                    (xs + xe) / 2,
                    bar_y,
                    bar.text,
                    ha="center",
                    va="center",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                    **words,
                )

    title = "After CAR-T: when each side effect is most likely, from apheresis to one year"
    fig.text(0.02, 0.965, title, fontsize=13, fontweight="bold", va="top")
    fig.text(
        0.02,
        0.915,
        "Conceptual illustration, not patient data: typical windows; each patient and product differs.",
        fontsize=10,
        va="top",
        color="#333333",
    )
    handles = [
        Patch(facecolor="#888888", edgecolor="black", label="most common period (solid)"),
        Patch(facecolor="#E0E0E0", edgecolor="#555555", linestyle="--", label="less common, or can last (dashed)"),
        Line2D([0], [0], color="#333333", linewidth=2.2, marker=">", markersize=7, label="continues beyond one year"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=10, bbox_to_anchor=(0.5, 0.005))
    return fig


def neutrophil_course(pattern: str = "all", day: int | None = None) -> Figure:
    """Conceptual neutrophil counts for three recovery patterns, with the early and late ICAHT periods."""
    if pattern != "all" and pattern not in lt.PATTERNS:
        raise ValueError(f"pattern must be 'all' or one of {tuple(lt.PATTERNS)}, not {pattern!r}")
    if day is not None and not 0 <= day <= lt.TIMELINE_END_DAY:
        raise ValueError(f"day must be between 0 and {lt.TIMELINE_END_DAY}, not {day}")
    apply_style()
    fig = Figure(figsize=(10.5, 5.0))
    ax = fig.add_axes((0.1, 0.19, 0.86, 0.64))
    left = _neutro_x(NEUTRO_FIRST_DAY - 0.5)
    ax.set_xlim(left, 1.0)
    ax.set_yscale("log")
    ax.set_ylim(0.05, 12)
    ax.set_yticks([0.1, 0.5, 1, 3, 10], ["0.1", "0.5", "1", "3", "10"])
    ax.minorticks_off()
    ax.set_ylabel("Neutrophils (ANC, × 10⁹/L)", fontsize=10.5)
    _time_axis(ax)
    ticks = [_neutro_x(d) for d in (-5, -3)] + [lt.timeline_x(d) for d in TICK_DAYS]
    ax.set_xticks(ticks, ["−5", "−3", *TICK_LABELS])

    # Lymphodepleting chemotherapy: the counts start to fall here, before the CAR-T cells are given.
    ld_start, ld_end = _neutro_x(LD_DAYS_SHOWN[0] - 0.5), _neutro_x(LD_DAYS_SHOWN[1] + 0.5)
    ax.axvspan(ld_start, ld_end, color=OKABE_ITO["reddish_purple"], alpha=0.18, zorder=0)
    ax.text(
        left + 0.004,
        8.5,
        "Lympho-\ndepletion\n(days −5\nto −3)",
        ha="left",
        va="center",
        fontsize=9,
        fontweight="bold",
        linespacing=1.1,
    )

    x0, x30 = lt.timeline_x(0), lt.timeline_x(30)
    ax.axvspan(x0, x30, color=OKABE_ITO["orange"], alpha=0.15, zorder=0)
    ax.axvspan(x30, 1.0, color="#EEEEEE", zorder=0)
    ax.axvline(x30, color="black", linewidth=1, zorder=1)
    ax.text((x0 + x30) / 2, 8.5, "Early ICAHT\n(day 0 to 30)", ha="center", va="center", fontsize=10, fontweight="bold")
    ax.text(
        (x30 + 1.0) / 2,
        8.5,
        "Late ICAHT (after day 30)",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        bbox=ON_WHITE,
    )
    ax.axhline(lt.SEVERE_NEUTROPENIA, color="black", linestyle=(0, (4, 2)), linewidth=1.2)
    on_white(ax, lt.timeline_x(lt.TIMELINE_END_DAY), 0.56, "ANC 0.5: severe neutropenia", ha="right", va="bottom", fontsize=9.5)

    label_y = {"quick": 2.0, "biphasic": 0.3, "prolonged": 0.08}
    label_day = {"quick": 18, "biphasic": 75, "prolonged": 36}
    for name, title in lt.PATTERNS.items():
        chosen = pattern in ("all", name)
        curve = lt.conceptual_curve(name, NEUTRO_FIRST_DAY, lt.TIMELINE_END_DAY)
        xs = [_neutro_x(d) for d, _ in curve]
        ys = [a for _, a in curve]
        ax.plot(
            xs,
            ys,
            linestyle=LINE_STYLES[name],
            linewidth=2.6 if chosen else 1.3,
            color=LINE_COLOURS[name] if chosen else GREY_EDGE,
            zorder=3 if chosen else 2,
        )
        ax.text(
            lt.timeline_x(label_day[name]),
            label_y[name],
            title,
            fontsize=9.5,
            ha="left",
            va="center",
            color="black" if chosen else GREY_TEXT,
            fontweight="bold" if chosen and pattern != "all" else "normal",
            bbox={
                "facecolor": "white",
                "edgecolor": LINE_COLOURS[name] if chosen else GREY_EDGE,
                "linestyle": "--" if name == "biphasic" else (":" if name == "prolonged" else "-"),
                "boxstyle": "round,pad=0.2",
            },
            zorder=5,
        )
    if day is not None:
        name = "biphasic" if pattern == "all" else pattern
        anc = lt.conceptual_anc(day, name)
        x = lt.timeline_x(day)
        ax.axvline(x, color="black", linewidth=1.2, zorder=4)
        ax.plot([x], [anc], marker="o", markersize=9, color="black", zorder=6)
        ax.annotate(
            f"day {day}: ANC ≈ {anc:.1f}",
            (x, anc),
            xytext=(8, 12),
            textcoords="offset points",
            fontsize=10,
            fontweight="bold",
            zorder=6,
            bbox={"facecolor": "white", "edgecolor": "black", "boxstyle": "round,pad=0.2"},
        )
    fig.text(
        0.02,
        0.965,
        "Neutrophils after CAR-T: three conceptual recovery patterns",
        fontsize=13,
        fontweight="bold",
        va="top",
    )
    fig.text(
        0.02,
        0.915,
        "Conceptual illustration, not patient data. ICAHT grade cut-offs are not drawn.",
        fontsize=10,
        va="top",
        color="#333333",
    )
    return fig


def _bar_alt(bar: lt.Bar) -> str:
    end = "beyond one year" if bar.end >= lt.TIMELINE_END_DAY else f"day {bar.end:g}"
    if bar.kind == "line":
        return f"an arrow from day {bar.start:g} to {end}: {bar.text}"
    style = "solid bar" if bar.kind == "main" else "dashed bar"
    label = f" '{bar.text}'" if bar.text else " (no label)"
    return f"{style}{label} from day {bar.start:g} to {end}"


def _journey_alt(highlight: str | None = None) -> str:
    rows = "; ".join(f"{w.name}: " + ", ".join(_bar_alt(b) for b in w.bars) for w in lt.data().timeline)
    focus = ""
    if highlight:
        focus = f" The row '{lt.data().window(highlight).name}' is highlighted and the other rows are greyed out."
    return (
        "Timeline chart of the patient journey after CAR-T. A short grey block on the left stands for the weeks "
        "before infusion (apheresis, manufacturing, lymphodepleting chemotherapy), then a bold line marks day 0, "
        "the infusion. The time axis is widest for the first month and narrower for months 2 to 3 and for the rest "
        "of the year. Solid bars mark the most common period, dashed bars less common or lasting effects. "
        f"Rows, top to bottom: {rows}.{focus}"
    )


def _journey_caption(highlight: str | None = None) -> str:
    extra = f" Highlighted: {lt.data().window(highlight).name}." if highlight else ""
    return (
        "**The whole journey, apheresis to one year.** When each side effect and each going-home rule is most "
        "likely to matter; solid bars show the most common period, pale bars with dashed outlines less common or lasting effects."
        f"{extra} Conceptual illustration, not patient data."
    )


def _neutrophil_alt(pattern: str = "all", day: int | None = None) -> str:
    chosen = "all three patterns" if pattern == "all" else f"the pattern '{lt.PATTERNS[pattern]}' (others greyed)"
    where = ""
    if day is not None:
        name = "biphasic" if pattern == "all" else pattern
        where = f" A marker shows day {day}, where the conceptual ANC is about {lt.conceptual_anc(day, name):.1f}."
    return (
        "Line chart of conceptual neutrophil counts (log scale, 0.05 to 10 × 10⁹/L) from a week before the infusion "
        "to one year after it. A shaded band marks lymphodepleting chemotherapy on days −5 to −3: all patterns "
        "start to fall there, before the CAR-T cells are given, and reach about 0.1 in the first week after the "
        "infusion. Quick recovery "
        "(solid line) is back above 1 by day 14. The biphasic pattern (dashed line) recovers, then dips to about 0.3 "
        "around day 45 and recovers by day 90. Long-lasting low counts (dotted line) stay near 0.1 until about "
        "day 60. The first 30 days are shaded as early ICAHT, the time after day 30 as late ICAHT, and a dashed "
        f"horizontal line marks ANC 0.5, severe neutropenia. The chart shows {chosen}.{where}"
    )


def _neutrophil_caption(pattern: str = "all", day: int | None = None) -> str:
    return (
        "**Neutrophils after CAR-T: early and late ICAHT.** Counts start to fall with the lymphodepleting "
        "chemotherapy (days −5 to −3), before the cells are given; some patients "
        "recover quickly, some dip a second time, some stay low for weeks. No ICAHT grade cut-offs are drawn. "
        "Conceptual illustration, not patient data."
    )


FIGURES = {
    "l07_journey": Entry(journey_timeline, _journey_alt, _journey_caption),
    "l07_neutrophils": Entry(neutrophil_course, _neutrophil_alt, _neutrophil_caption),
}
