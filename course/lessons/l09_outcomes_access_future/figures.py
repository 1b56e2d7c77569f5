"""Figures of lesson 09 (outcomes, access and the future).

- ``l09_response_chart``: published response rates of the pivotal trials (``assets/efficacy.yaml``),
  filterable by disease and target; label figures that differ are marked with an open diamond.
- ``l09_durability``: how long the longest follow-ups reach, with their result in words.
- ``l09_solid_tumours``: why solid tumours are harder (conceptual illustration, not patient data).
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Patch, Polygon, Rectangle

from course.figures.catalog import Entry
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l09_outcomes_access_future import model as ef

INK = "#222222"
GREY = "#595959"
OVERALL_COLOUR = OKABE_ITO["blue"]
COMPLETE_COLOUR = OKABE_ITO["orange"]
HATCH = "///"


def _check(disease: str | None, target: str | None) -> None:
    if disease is not None and disease not in ef.DISEASES:
        raise ValueError(f"disease must be None or one of {list(ef.DISEASES)}, not {disease!r}")
    if target is not None and target not in ef.TARGETS:
        raise ValueError(f"target must be None or one of {list(ef.TARGETS)}, not {target!r}")


def _filter_words(disease: str | None, target: str | None) -> str:
    return " and ".join(x for x in (disease and ef.DISEASES[disease], target and f"{target}-directed products") if x)


# --------------------------------------------------------------------------- response chart
def _text_x(value: float, label: float | None) -> float:
    """Where a bar's value text starts: past the bar end, and past a label diamond drawn near it."""
    end = value if label is None else max(value, label)
    return end + (3.0 if label is not None and abs(label - value) < 4 else 1.2)


def _value_and_label(ax, y: float, value: float, label: float | None) -> None:
    """The published figure written beside its bar, and the label's figure as an open diamond."""
    if label is not None:
        ax.plot(
            label,
            y,
            marker="D",
            markersize=8,
            markerfacecolor="white",
            markeredgecolor="black",
            markeredgewidth=1.4,
            linestyle="none",
            zorder=4,
        )
    ax.text(_text_x(value, label), y, f"{value:g}%", va="center", fontsize=10, color=INK)


def response_chart(disease: str | None = None, target: str | None = None, show_label: bool = True) -> Figure:
    """Grouped horizontal bars: overall response (solid) and deepest response (hatched) per trial."""
    _check(disease, target)
    apply_style()
    rows = ef.filter_trials(disease=disease, target=target)
    n = len(rows)
    if not rows:
        fig = Figure(figsize=(10.0, 2.4))
        fig.text(
            0.5,
            0.55,
            f"No pivotal trial in this lesson's table matches: {_filter_words(disease, target)}.",
            ha="center",
            va="center",
            fontsize=12,
            color=INK,
        )
        fig.text(0.5, 0.3, "Choose another disease or target.", ha="center", va="center", fontsize=11, color=GREY)
        return fig
    height = 1.7 + 0.56 * n
    fig = Figure(figsize=(9.4, height))
    top_in, bottom_in = 0.8, 0.9
    ax = fig.add_axes((0.265, bottom_in / height, 0.715, 1 - (top_in + bottom_in) / height))
    ax.set_xlim(0, 112)
    ax.set_ylim(n - 0.45, -0.6)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("Patients with the response (% of those assessed, n)", fontsize=10.5)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8, zorder=0)
    ax.spines[["left", "top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    bar_h = 0.34
    labels = []
    previous = None
    for i, t in enumerate(rows):
        if previous is not None and t.disease != previous:
            ax.axhline(i - 0.5, color="#AAAAAA", linewidth=0.9, linestyle="--", zorder=1)
        previous = t.disease
        y_all, y_cr = i - bar_h / 2, i + bar_h / 2
        ax.barh(y_all, t.overall, height=bar_h, color=OVERALL_COLOUR, edgecolor=OVERALL_COLOUR, zorder=2)
        _value_and_label(ax, y_all, t.overall, t.label.overall if show_label and t.label else None)
        if t.complete is None:
            ax.text(
                1.0,
                y_cr,
                "deepest response not shown (split not confirmed)",
                va="center",
                fontsize=9.5,
                style="italic",
                color=GREY,
            )
        else:
            ax.barh(
                y_cr,
                t.complete,
                height=bar_h,
                color="white",
                edgecolor=COMPLETE_COLOUR,
                hatch=HATCH,
                linewidth=1.4,
                zorder=2,
            )
            _value_and_label(ax, y_cr, t.complete, t.label.complete if show_label and t.label else None)
        labels.append(f"{t.trial} · {t.product}\n{t.disease} · {t.target} · n = {t.n}")
    ax.set_yticks(range(n), labels, fontsize=10)
    handles = [
        Patch(facecolor=OVERALL_COLOUR, edgecolor=OVERALL_COLOUR, label="Overall response or remission (solid)"),
        Patch(
            facecolor="white",
            edgecolor=COMPLETE_COLOUR,
            hatch=HATCH,
            label="Deepest response reported: CR, CR or better, or sCR (hatched)",
        ),
    ]
    if show_label and any(t.label is not None for t in rows):
        handles.append(
            Line2D(
                [],
                [],
                marker="D",
                markersize=8,
                markerfacecolor="white",
                markeredgecolor="black",
                linestyle="none",
                label="Label figure where it differs (bars show the paper)",
            )
        )
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, 0.995), ncol=2, fontsize=10, frameon=False)
    fig.text(
        0.01,
        0.02,
        "Single-arm trials with different patients, response measures and follow-up: not comparable with each other.",
        fontsize=10,
        color=INK,
        style="italic",
    )
    return fig


def _response_alt(disease: str | None = None, target: str | None = None, show_label: bool = True) -> str:
    rows = ef.filter_trials(disease=disease, target=target)
    if not rows:
        return (
            "Empty chart: no pivotal trial in this lesson's table matches "
            f"{_filter_words(disease, target)}. A sentence asks the reader to choose another disease or target."
        )
    parts = []
    for t in rows:
        deep = "deepest response not shown" if t.complete is None else f"deepest response {t.complete:g}%"
        label = ""
        if show_label and t.label is not None:
            bits = [
                f"overall {t.label.overall:g}%" if t.label.overall is not None else "",
                f"deepest {t.label.complete:g}%" if t.label.complete is not None else "",
            ]
            label = f"; label figures {' and '.join(b for b in bits if b)}"
        parts.append(
            f"{t.trial} ({t.product}, {t.disease}, {t.target}, n {t.n}): overall {t.overall:g}%, {deep}{label}"
        )
    return (
        "Horizontal bar chart of the published response rates of the pivotal CAR-T trials, two bars per trial: "
        "a solid bar for overall response or remission and a hatched bar for the deepest response reported, "
        "grouped by disease. " + "; ".join(parts) + ". A note says the single-arm trials are not comparable."
    )


def _response_caption(disease: str | None = None, target: str | None = None, show_label: bool = True) -> str:
    rows = ef.filter_trials(disease=disease, target=target)
    what = f" Filtered to {_filter_words(disease, target)}." if (disease or target) else ""
    label = (
        " Open diamonds mark the US label's figure where it differs from the paper (the table gives the date of "
        "each label); the bars always show the published figure."
        if show_label
        else " Label figures are hidden."
    )
    names = {t.trial: t for t in rows}
    notes = ""
    if "ZUMA-5" in names:
        notes += " The ZUMA-5 bars pool follicular and marginal zone lymphoma."
    karmma = names.get("KarMMa")
    if show_label and karmma is not None and karmma.label is not None and karmma.label.complete is not None:
        notes += (
            f" For KarMMa the hatched bar is the paper's complete response or better ({karmma.complete:g}%) and the "
            f"diamond the 2021 label's stringent complete response ({karmma.label.complete:g}%): two different "
            "categories, not two counts of the same one."
        )
    keys = []
    for t in rows:
        for k in t.references + (t.label.references if show_label and t.label else ()):
            if k not in keys:
                keys.append(k)
    sources = f" Sources: {' '.join(f'[{k}]' for k in keys)}." if keys else ""
    return (
        "**Response rates in the pivotal trials of the approved CAR-T products.** Published primary analyses of "
        "each trial; each measure is defined in the table below the chart."
        f"{label}{what}{notes} The trials are single-arm and not comparable with each other.{sources}"
    )


# --------------------------------------------------------------------------- durability
def _two_lines(label: str) -> str:
    """'A · B · C' as 'A · B' over 'C' (or 'A' over 'B'), so row labels stay short."""
    parts = label.split(" · ")
    if len(parts) >= 3:
        return " · ".join(parts[:2]) + "\n" + " · ".join(parts[2:])
    return "\n".join(parts)


def durability() -> Figure:
    """Bars to the (median) follow-up time of the longest reports, each with its result in words."""
    apply_style()
    items = ef.efficacy().durability
    n = len(items)
    height = 1.0 + 0.95 * n
    fig = Figure(figsize=(10.0, height))
    ax = fig.add_axes((0.25, 0.7 / height, 0.72, 1 - 0.8 / height))
    ax.set_xlim(0, 14.2)
    ax.set_ylim(n - 0.45, -0.75)
    ax.set_xticks(range(0, 13, 2))
    ax.set_xlabel("Years after infusion reached by the follow-up (median; individual patients for CLL)", fontsize=10.5)
    ax.spines[["left", "top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8, zorder=0)
    for i, d in enumerate(items):
        ax.barh(
            i + 0.12,
            d.years,
            height=0.3,
            color=OKABE_ITO["reddish_purple"] if d.more_than else OVERALL_COLOUR,
            zorder=2,
        )
        end = f"{d.years:.1f} years" if not d.more_than else f"more than {d.years:.0f} years"
        if d.more_than:
            ax.add_patch(
                FancyArrowPatch(
                    (d.years, i + 0.12),
                    (d.years + 1.2, i + 0.12),
                    arrowstyle="-|>",
                    mutation_scale=16,
                    linewidth=2,
                    color=OKABE_ITO["reddish_purple"],
                )
            )
            ax.text(d.years + 1.35, i + 0.12, end, va="center", fontsize=10, color=INK)
        else:
            ax.text(d.years + 0.15, i + 0.12, end, va="center", fontsize=10, color=INK)
        ax.text(0.05, i - 0.3, d.short, va="center", fontsize=10, color=INK)
    ax.set_yticks([i + 0.12 for i in range(n)], [_two_lines(d.label) for d in items], fontsize=10)
    return fig


def _durability_alt() -> str:
    parts = "; ".join(
        f"{d.label}: {('more than ' if d.more_than else '')}{d.years:.1f} years of follow-up, {d.result}"
        for d in ef.efficacy().durability
    )
    return (
        "Horizontal bar chart of the longest follow-ups of CAR-T therapy, bar length in years after infusion, "
        f"with the result written above each bar. {parts}."
    )


# --------------------------------------------------------------------------- solid tumours (conceptual)
def _cell(ax, x: float, y: float, r: float, antigen: bool, colour: str = "#BBBBBB") -> None:
    ax.add_patch(Circle((x, y), r, facecolor=colour, edgecolor="#555555", linewidth=1.2, zorder=3))
    if antigen:
        for dx, dy in ((0, r), (r * 0.87, -r * 0.5), (-r * 0.87, -r * 0.5)):
            cx, cy = x + dx * 1.12, y + dy * 1.12
            ax.add_patch(
                Polygon(
                    [(cx - 0.06, cy - 0.045), (cx + 0.06, cy - 0.045), (cx, cy + 0.07)],
                    closed=True,
                    facecolor=OKABE_ITO["orange"],
                    edgecolor="black",
                    linewidth=0.8,
                    zorder=4,
                )
            )


def _car_t(ax, x: float, y: float, faded: bool = False) -> None:
    ax.add_patch(
        Circle(
            (x, y),
            0.2,
            facecolor="white" if faded else OKABE_ITO["sky_blue"],
            edgecolor=OKABE_ITO["blue"],
            linewidth=1.6,
            linestyle="--" if faded else "-",
            zorder=5,
        )
    )
    ax.text(x, y, "CAR-T", ha="center", va="center", fontsize=9, color=INK, zorder=6)


def solid_tumours() -> Figure:
    """Three obstacles: getting into the tumour, finding the target on every cell, staying active."""
    apply_style()
    fig = Figure(figsize=(10.5, 4.0))
    titles = (
        "1  Getting in (trafficking)",
        "2  Finding the target (antigen)",
        "3  Staying active (surroundings)",
    )
    for k in range(3):
        ax = fig.add_axes((0.01 + k * 0.333, 0.03, 0.315, 0.84))
        ax.set_xlim(0, 3)
        ax.set_ylim(0, 3)
        ax.set_axis_off()
        ax.add_patch(
            FancyBboxPatch(
                (0.03, 0.03),
                2.94,
                2.94,
                boxstyle="round,pad=0.0,rounding_size=0.12",
                facecolor="white",
                edgecolor="#999999",
                linewidth=1.2,
            )
        )
        fig.text(0.01 + k * 0.333 + 0.1575, 0.925, titles[k], ha="center", fontsize=12.5, fontweight="bold", color=INK)
        if k == 0:
            ax.add_patch(
                Rectangle((0.1, 2.25), 2.8, 0.55, facecolor="#FDE6E6", edgecolor=OKABE_ITO["vermillion"], linewidth=1.2)
            )
            ax.text(2.85, 2.72, "blood vessel", ha="right", va="top", fontsize=9.5, color=INK)
            _car_t(ax, 0.55, 2.47)
            _car_t(ax, 1.25, 2.47)
            ax.add_patch(
                Rectangle((0.1, 1.55), 2.8, 0.5, facecolor="#EEEEEE", edgecolor="#777777", hatch="\\\\", linewidth=1.0)
            )
            ax.text(
                1.25,
                1.8,
                "dense tissue:\nfew cells get through",
                ha="center",
                va="center",
                fontsize=9.5,
                color=INK,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
            ax.add_patch(
                FancyArrowPatch(
                    (2.55, 2.35), (2.55, 1.6), arrowstyle="-|>", mutation_scale=14, linewidth=1.8, color=INK
                )
            )
            for x, y in ((0.45, 0.55), (1.1, 0.55), (1.9, 0.55), (2.55, 0.55), (0.8, 1.15), (1.5, 1.15), (2.2, 1.15)):
                _cell(ax, x, y, 0.2, antigen=True)
            ax.text(1.5, 0.16, "tumour", ha="center", fontsize=9.5, color=INK)
        elif k == 1:
            spots = (
                (0.6, 1.9, True),
                (1.1, 2.3, False),
                (1.6, 1.95, True),
                (2.2, 2.25, False),
                (0.75, 1.25, False),
                (1.35, 1.4, True),
                (1.95, 1.35, False),
                (2.45, 1.6, True),
            )
            for x, y, pos in spots:
                _cell(ax, x, y, 0.22, antigen=pos)
            _car_t(ax, 0.5, 0.55)
            ax.add_patch(
                Polygon(
                    [(1.05, 0.55 - 0.06), (1.2, 0.55 - 0.06), (1.125, 0.55 + 0.1)],
                    closed=True,
                    facecolor=OKABE_ITO["orange"],
                    edgecolor="black",
                    linewidth=0.8,
                )
            )
            ax.text(1.3, 0.55, "= antigen the CAR\n    recognises", va="center", fontsize=9.5, color=INK)
            ax.text(1.5, 2.78, "cells without it are not attacked", ha="center", va="center", fontsize=9.5, color=INK)
        else:
            for x, y in ((1.15, 1.65), (1.9, 1.8), (1.4, 0.98), (2.15, 1.12)):
                _cell(ax, x, y, 0.22, antigen=True)
            for x, y in ((0.45, 2.25), (2.55, 2.3), (0.5, 0.95), (2.6, 0.8), (1.55, 2.35)):
                ax.add_patch(
                    Rectangle(
                        (x - 0.15, y - 0.15),
                        0.3,
                        0.3,
                        facecolor=OKABE_ITO["reddish_purple"],
                        edgecolor="black",
                        linewidth=0.8,
                        zorder=3,
                    )
                )
            ax.add_patch(
                Rectangle(
                    (0.3, 2.72), 0.2, 0.2, facecolor=OKABE_ITO["reddish_purple"], edgecolor="black", linewidth=0.8
                )
            )
            ax.text(0.6, 2.82, "= suppressive cells and signals", ha="left", va="center", fontsize=9.5, color=INK)
            _car_t(ax, 0.45, 1.6, faded=True)
            ax.text(
                1.5,
                0.35,
                "CAR-T cell tires (dashed)\nand stops killing",
                ha="center",
                va="center",
                fontsize=9.5,
                color=INK,
            )
    for ax in fig.axes:  # flat shapes look the same without edge smoothing, and the PNG is a third smaller
        for patch in ax.patches:
            patch.set_antialiased(False)
    return fig


FIGURES = {
    "l09_response_chart": Entry(response_chart, _response_alt, _response_caption),
    "l09_durability": Entry(
        durability,
        _durability_alt,
        lambda: (
            "**How long the good results last: the longest follow-ups.** Each bar is the median follow-up of a "
            "long-term report (ELIANA, ZUMA-5, ZUMA-1, CARTITUDE-1); the purple bar with an arrow stands for the "
            "two patients with CLL treated in 2010 and followed individually. The words above each bar give that "
            "report's own headline result; the reports counted differently and are not comparable. Sources: "
            + " ".join(f"[{k}]" for d in ef.efficacy().durability for k in d.references)
            + "."
        ),
    ),
    "l09_solid_tumours": Entry(
        solid_tumours,
        lambda: (
            "Conceptual diagram in three panels of why CAR-T cells struggle against solid tumours. Panel 1, getting "
            "in: CAR-T cells in a blood vessel must cross a band of dense tissue to reach the tumour cells below, "
            "and few get through. Panel 2, finding the target: only some tumour cells carry the orange triangle "
            "antigen the CAR recognises, so cells without it are not attacked. Panel 3, staying active: purple "
            "squares standing for suppressive cells and signals surround the tumour, and the CAR-T cell, drawn "
            "dashed, tires and stops killing."
        ),
        lambda: (
            "**Three obstacles for CAR-T cells in solid tumours:** trafficking into the tumour, uneven antigen on the "
            "tumour cells, and a suppressive tumour microenvironment. Conceptual illustration, not patient data."
        ),
    ),
}
