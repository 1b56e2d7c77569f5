"""Figures of lesson 05, cytokine release syndrome: the mechanism, the timing by product, the ladder.

The timing chart and the ladder are drawn from the lesson's data files (``assets/crs_timing.yaml``
and ``assets/crs_management.yaml``) through ``course.lessons.l05_cytokine_release_syndrome.model``, so a figure cannot disagree with the
tables beside it. The mechanism is a conceptual drawing.
"""

from __future__ import annotations

import math
import textwrap

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch

from course.figures.catalog import Entry
from course.figures.shapes import arrow, titled_box
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l05_cytokine_release_syndrome import model as crs

INK = OKABE_ITO["black"]


# --------------------------------------------------------------------------------------------
# 1. Mechanism
# --------------------------------------------------------------------------------------------

MECHANISM_STEPS = (
    ("1  Target met", "a CAR-T cell binds\nCD19 or BCMA"),
    ("2  CAR-T activated", "multiplies, releases\nIFN-γ, GM-CSF, TNF-α"),
    ("3  Macrophages", "switched on by the\nCAR-T cytokines"),
    ("4  IL-6 and IL-1", "large amounts\npour into the blood"),
)
# Where each drug acts: (first step, last step, x offset inside that span, width, text); steps are 0-based.
# Steroids span the CAR-T cells and the macrophages (steps 2 and 3); anakinra and tocilizumab both act at
# step 4, on the receptors of IL-1 and IL-6.
DRUGS = (
    (1, 2, 0.0, None, "Steroids: calm T cells and macrophages"),
    (3, 3, -0.35, 1.3, "Anakinra:\nblocks the\nIL-1 receptor"),
    (3, 3, 1.0, 1.22, "Tocilizumab:\nblocks the\nIL-6 receptor"),
)


def mechanism_diagram() -> Figure:
    """From CAR-T activation to fever, hypotension and hypoxia, with where the drugs act."""
    apply_style()
    fig = Figure(figsize=(10, 6.05))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.05)
    ax.axis("off")
    colours = (OKABE_ITO["blue"], OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["orange"])
    w, h, gap, top_y = 2.1, 1.55, 0.4, 2.95
    xs = [0.15 + i * (w + gap) for i in range(4)]
    for x, (title, body), colour in zip(xs, MECHANISM_STEPS, colours, strict=True):
        titled_box(
            ax, x, top_y, w, h, title, body, colour, title_colour="black" if colour == OKABE_ITO["orange"] else "white"
        )
    for x in xs[:-1]:
        arrow(ax, (x + w + 0.02, top_y + h / 2 - 0.2), (x + w + gap - 0.02, top_y + h / 2 - 0.2), shrink=0)
    # drugs: dashed green boxes above the steps they block, with a flat-ended line down to each step
    green = OKABE_ITO["bluish_green"]
    for first, last, offset, width, text in DRUGS:
        x = xs[first] + offset
        box_w = width if width is not None else xs[last] + w - xs[first] - 0.05  # clear of the step-4 boxes
        titled_box(ax, x, 4.95, box_w, 1.0, "", text, green, dashed=True, body_size=9.5)
        targets = [xs[i] + w / 2 for i in range(first, last + 1)] if width is None else [x + box_w / 2]
        for target in targets:
            arrow(ax, (target, 4.93), (target, top_y + h + 0.03), style="-[", colour=green, width=1.8, shrink=0)
    # feedback loop under the top row, from IL-6/IL-1 back to the activated cells
    arrow(ax, (xs[3] + 0.5, top_y - 0.03), (xs[1] + w / 2, top_y - 0.03), rad=-0.28, dashed=True, width=1.6, shrink=0)
    ax.text(
        (xs[1] + xs[3]) / 2 + 0.55,
        2.02,
        "feedback loop: the cytokines switch on more cells",
        fontsize=9.5,
        ha="center",
        va="center",
        style="italic",
        color=INK,
    )
    # endothelium and what the nurse sees
    purple, vermillion = OKABE_ITO["reddish_purple"], OKABE_ITO["vermillion"]
    ex, ew = xs[3], w
    titled_box(ax, ex, 0.2, ew, 1.6, "5  Vessels leak", "capillary leak,\nwidened vessels", purple)
    arrow(ax, (xs[3] + w - 0.35, top_y - 0.02), (xs[3] + w - 0.35, 1.82), shrink=0)
    sees = (
        "•  Fever (38.0 °C or more): the cytokines reset the body's thermostat\n"
        "•  Hypotension: blood vessels leak and widen\n"
        "•  Hypoxia: fluid leaks into the lungs"
    )
    titled_box(ax, 0.15, 0.2, 6.8, 1.6, "What the nurse sees", sees, vermillion, body_size=10.5, left=True)
    arrow(ax, (ex - 0.02, 1.0), (6.97, 1.0), shrink=0)
    return fig


# --------------------------------------------------------------------------------------------
# 2. Timing by product
# --------------------------------------------------------------------------------------------

TARGET_COLOURS = {"CD19": OKABE_ITO["blue"], "BCMA": OKABE_ITO["orange"]}
LIGHT = {"CD19": "#CCE3F0", "BCMA": "#F8E3B3"}  # pale tints of Okabe-Ito blue and orange


def onset_timeline() -> Figure:
    """Median onset (diamond), its spread (line) and median duration (bar) per product.

    Drawn at the width the notebook shows it (8.2 in at 100 dpi: 820 px, not shrunk), with text of
    11 pt or more; the CRS rates are left to the table below the chart (student-trial finding 13)."""
    apply_style()
    rows = sorted(crs.load_timing(), key=lambda r: (r.onset_days, r.product, r.trial))
    fig = Figure(figsize=(8.2, 4.9))
    ax = fig.add_axes((0.27, 0.115, 0.71, 0.685))
    n = len(rows)
    day_max = _day_max(rows)
    for i, r in enumerate(rows):
        y = n - 1 - i
        colour = TARGET_COLOURS[r.target]
        if r.duration_days is not None:
            ax.barh(y, r.duration_days, left=r.onset_days, height=0.5, color=LIGHT[r.target], edgecolor=colour,
                    linewidth=1.2, zorder=2)
        if r.onset_spread is not None:
            s = r.onset_spread
            ax.plot([s.low, s.high], [y, y], color=INK, linewidth=1.8, zorder=3)
            ax.plot([s.low, s.high], [y, y], linestyle="none", marker="|", markersize=13, color=INK, zorder=3)
            if s.kind == "iqr":  # beside the bar's end, clear of the bar
                end = max(s.high, r.onset_days + (r.duration_days or 0))
                ax.text(end + 0.3, y, "spread: middle half (IQR)", va="center", ha="left", fontsize=11, zorder=4,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.plot(r.onset_days, y, marker="D", markersize=10, color=colour, markeredgecolor=INK, linestyle="none",
                zorder=4)
    ax.set_yticks(range(n), [f"{r.product} ({r.trial.split()[0]})" for r in reversed(rows)], fontsize=11.5)
    ax.set_xlim(0, day_max)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xticks(range(0, day_max + 1, 2))
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=11)
    ax.grid(axis="x", color="#E3E3E3", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel("Days after the CAR-T infusion (infusion = day 0)", fontsize=11.5)
    ax.axvline(14, color=INK, linestyle=":", linewidth=1.8, zorder=1)
    ax.text(14.2, n - 0.4, "day 14", fontsize=11, va="bottom", ha="left")
    handles = [
        Line2D([], [], marker="D", color="white", markerfacecolor=OKABE_ITO["blue"], markeredgecolor=INK,
               markersize=10, label="median day CRS started: CD19 product"),
        Line2D([], [], marker="D", color="white", markerfacecolor=OKABE_ITO["orange"], markeredgecolor=INK,
               markersize=10, label="median day CRS started: BCMA product"),
        Line2D([], [], color=INK, linewidth=1.8, marker="|", markersize=13, label="spread of start days (range; Carvykti: IQR)"),
        Patch(facecolor="#DDDDDD", edgecolor="#555555",
              label="median duration, drawn from the median\nstart (joins two medians: a schematic)"),
    ]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.005, 0.995), ncol=2, fontsize=11,
               frameon=False, columnspacing=1.2, handletextpad=0.5)
    return fig


def _day_max(rows: list[crs.TimingRow]) -> int:
    """The chart's last day: the latest onset or episode end, plus a little room, rounded up to even."""
    ends = [r.onset_days + (r.duration_days or 0) for r in rows]
    ends += [r.onset_spread.high for r in rows if r.onset_spread is not None]
    last = math.ceil(max([14.0, *ends]) + 1)
    return last + last % 2


def _row_alt(r: crs.TimingRow) -> str:
    if r.onset_spread is None:
        spread = "spread not shown"
    elif r.onset_spread.kind == "iqr":
        spread = f"middle half of patients day {r.onset_spread.low:g} to {r.onset_spread.high:g}"
    else:
        spread = f"range {r.onset_spread.low:g} to {r.onset_spread.high:g}"
    duration = "duration not given" if r.duration_days is None else f"median duration {r.duration_days:g} days"
    if r.grade5_patients:
        severe = f"{r.grade3_pct:g}% grade 3 to 4 plus {r.grade5_patients} fatal (grade 5)"
    else:
        severe = f"grade 3 or higher {r.grade3_pct:g}%"
    return f"{r.product} ({r.trial}), day {r.onset_days:g}, {spread}, {duration}; CRS {r.any_pct:g}%, {severe}, {r.scale_name}"


def timeline_alt() -> str:
    """Alt text written from the same data as the chart, so the two cannot disagree."""
    rows = sorted(crs.load_timing(), key=lambda r: (r.onset_days, r.product, r.trial))
    return (
        f"Timeline chart, one row per product, days 0 to {_day_max(rows)} after the infusion. Each row shows the "
        "median day CRS started (diamond, blue for a CD19 product, orange for a BCMA product), the spread of "
        "onset days (line; for Carvykti the middle half of patients, labelled IQR) and the median duration (bar "
        "starting at the median onset; the bar joins two medians, so it is a schematic, not the course of one "
        "typical patient). A dotted line marks day 14, the end of the two weeks near the centre. A row without "
        "a bar or a line has no published duration or spread. The CRS rates are not drawn; they are in the table "
        "below. By median onset: " + "; ".join(_row_alt(r) for r in rows) + ". The trials used different "
        "grading scales, so the rates must not be compared."
    )


def timeline_caption() -> str:
    rows = sorted(crs.load_timing(), key=lambda r: r.onset_days)
    first, last = rows[0], rows[-1]
    return (
        "**When CRS starts and how long it lasts, by product.** Most CRS starts in the first week; median onset "
        f"ranges from day {first.onset_days:g} ({first.product}) to day {last.onset_days:g} ({last.product}). "
        "Each bar starts at the median onset and is as long as the median duration: it joins two medians, so it "
        "is a schematic, not the course of a typical patient. The dotted line is day 14, the end of the two weeks "
        "US labels (since June 2025) ask patients to stay near the centre [fda-rems-2025]: most CRS starts well before it, but "
        "the ranges show some later starts. A row without a bar or a line has no published duration or spread. "
        "Pivotal-trial data as given in the first US label or the trial publication (see table; Tecartus: the US "
        "label; Breyanzi's onset: the EU SmPC). The CRS rates are in the table below the chart; they are not "
        "comparable between products because the trials used different grading scales."
    )


# --------------------------------------------------------------------------------------------
# 3. Management ladder
# --------------------------------------------------------------------------------------------


def management_ladder() -> Figure:
    """The treatment steps as a staircase: each grade adds to the treatment below it."""
    apply_style()
    ladder = crs.load_management()
    steps = (*ladder.steps, ladder.refractory)
    fig = Figure(figsize=(10, 3.4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 3.4)
    ax.axis("off")
    colours = (
        OKABE_ITO["sky_blue"],
        OKABE_ITO["blue"],
        OKABE_ITO["orange"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["reddish_purple"],
    )
    w, base = 1.86, 0.1
    for i, (step, colour) in enumerate(zip(steps, colours, strict=True)):
        x = 0.15 + i * (w + 0.1)
        h = 1.2 + i * 0.45
        top = base + h
        dark = colour in (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"])
        ax.add_patch(
            FancyBboxPatch(
                (x, base),
                w,
                h,
                boxstyle="round,pad=0.0,rounding_size=0.06",
                facecolor="white",
                edgecolor=colour,
                linewidth=2.4,
            )
        )
        ax.add_patch(
            FancyBboxPatch(
                (x, top - 0.42),
                w,
                0.42,
                boxstyle="round,pad=0.0,rounding_size=0.06",
                facecolor=colour,
                edgecolor=colour,
                linewidth=2.4,
            )
        )
        ax.text(
            x + w / 2,
            top - 0.21,
            step.title,
            ha="center",
            va="center",
            fontsize=11.5,
            fontweight="bold",
            color="white" if dark else "black",
        )
        ax.text(
            x + w / 2, top - 0.58, textwrap.fill(step.short, 17), ha="center", fontsize=10.5, va="top", linespacing=1.2
        )
    arrow(ax, (0.3, 1.65), (7.3, 3.25), width=2.2, shrink=0)
    ax.text(
        2.6,
        2.42,
        "if not improving, climb a step",
        fontsize=10.5,
        style="italic",
        ha="center",
        va="center",
        rotation=12.9,
    )
    return fig


FIGURES = {
    "l05_mechanism": Entry(
        mechanism_diagram,
        alt=lambda: (
            "Flow diagram of how cytokine release syndrome develops. Top row, left to right: 1, a CAR-T cell binds "
            "CD19 or BCMA; 2, it multiplies and releases interferon gamma, GM-CSF and TNF "
            "alpha; 3, macrophages are switched on by these cytokines; 4, large amounts of IL-6 and IL-1 enter the "
            "blood. A dashed arrow from step 4 back to step 2 shows a feedback loop. Above the row, dashed boxes "
            "show where drugs act: one wide box over steps 2 and 3 says steroids calm T cells and macrophages; "
            "over step 4 (IL-6 and IL-1), two boxes say anakinra blocks the IL-1 receptor and tocilizumab blocks "
            "the IL-6 receptor. From step 4 an arrow leads down to step 5, activation of the vessel lining with "
            "capillary leak, and from there to what the nurse sees: fever of 38.0 °C or more, hypotension from "
            "leaky widened vessels, and hypoxia from fluid in the lungs."
        ),
        caption=lambda: (
            "**How CAR-T activation becomes fever, hypotension and hypoxia.** Each step feeds the next, and the "
            "cytokines feed back on the cells that make them; drugs (dashed boxes) act where they sit: steroids on the "
            "CAR-T cells and macrophages, anakinra and tocilizumab on IL-1 and IL-6. "
            "Conceptual illustration, not patient data."
        ),
    ),
    "l05_onset_timeline": Entry(
        onset_timeline,
        alt=lambda: timeline_alt(),
        caption=lambda: timeline_caption(),
    ),
    "l05_management_ladder": Entry(
        management_ladder,
        alt=lambda: (
            "Staircase of five steps rising from left to right. Grade 1: supportive care. Grade 2: tocilizumab. "
            "Grade 3: ICU and dexamethasone. Grade 4: high-dose steroids. Refractory CRS: anakinra or "
            "siltuximab. An arrow along the steps says: if not improving, climb a step."
        ),
        caption=lambda: (
            "**The CRS treatment ladder.** Treatment escalates with the grade, and each step adds to the ones "
            "below it; the table below gives the details and what the nurse does at each step. Summary of the "
            "ASCO 2021 guideline; local protocols differ in detail. Conceptual illustration, not patient data."
        ),
    ),
}
