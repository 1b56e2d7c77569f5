"""Lesson 04 figures: the conceptual kinetics model of ``course.lessons.l04_expansion_and_persistence.model`` drawn three ways.

Every figure here shows MODEL output with made-up parameters, and says so on the figure itself.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

from course.figures.catalog import Entry
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l04_expansion_and_persistence.model import Inputs, Result, cached

MODEL_NOTE = "Conceptual model, made-up parameters: not patient data"
CONCEPTUAL = (
    "Conceptual illustration, not patient data: a simple model with made-up but plausible parameters, in "
    "arbitrary model units."
)
CRS_TIMING = (
    "The proxy follows CAR-T activation against any cell carrying the target, tumour cells and normal B cells "
    "alike, so it is not a measure of how well the cancer is cleared (in patients, no CRS is not failure). It "
    "peaks in the first days (CRS in patients starts at a median of day 1 to 7 by product) and higher with more "
    "tumour, as CRS is more severe with more tumour; its earlier rise is the model's own."
)
MONTH = 365.25 / 12
CAR_COLOUR, B_COLOUR, TUMOUR_COLOUR, CYTOKINE_COLOUR = (
    OKABE_ITO["blue"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["orange"],
)


def _stamp(fig: Figure) -> None:
    fig.text(0.99, 0.015, MODEL_NOTE, ha="right", va="bottom", fontsize=9.5, style="italic", color="#333333")


def _log_axis(ax, top: float) -> None:
    """A log y axis with fixed decade ticks (fixed ticks draw much faster than the automatic ones)."""
    ax.set_yscale("log")
    ax.set_ylim(0.1, top)
    decades = [10.0**k for k in range(-1, int(np.log10(top)) + 1)]
    ax.yaxis.set_major_locator(FixedLocator(decades))
    ax.yaxis.set_major_formatter(FixedFormatter([f"{d:g}" for d in decades]))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)


def _title(ax, text: str) -> None:
    """A panel title as plain text (cheaper to lay out than ``set_title``)."""
    ax.text(0, 1.04, text, transform=ax.transAxes, fontsize=11, ha="left", va="bottom")


# --- 1. The phases --------------------------------------------------------------------------------


def _phase_label(ax, x: float, y: float, text: str) -> None:
    """A numbered phase named beside the curve, in the size of the figure's other phase labels."""
    ax.text(x, y, text, ha="center", va="center", fontsize=10.5)


def phases_figure() -> Figure:
    """One default run, with the phases named: infusion, expansion, peak, contraction, persistence."""
    apply_style()
    r = cached()
    fig = Figure(figsize=(10, 4.6))
    early = fig.add_axes((0.11, 0.16, 0.48, 0.7))
    late = fig.add_axes((0.645, 0.16, 0.325, 0.7), sharey=early)  # a gap: day '60' and month '2' read apart
    for ax in (early, late):
        _log_axis(ax, r.peak_level * 8)
    first = r.days <= 60
    early.plot(r.days[first], r.car_t[first], color=CAR_COLOUR, linewidth=2.5)
    early.set_xlim(0, 60)
    early.set_xticks([0, 7, 14, 21, 28, 42, 60])
    early.set_xlabel("Days after infusion")
    early.set_ylabel("CAR-T cells in blood\n(model units, log scale)")
    early.axvspan(7, 14, color="#DDDDDD", zorder=0)
    early.text(10.5, r.peak_level * 4, "Yescarta label:\npeak days 7-14", ha="center", va="center", fontsize=10.5)
    peak = r.peak_day
    early.plot([peak], [r.peak_level], marker="o", markersize=8, color="black")
    for label, point, place in (
        ("1 Infusion: a small dose", (0, 1.0), (4, 0.25)),
        ("2 Expansion: cells multiply\non meeting their antigen", (4.6, 40), (17, 6)),
    ):
        early.annotate(label, point, xytext=place, fontsize=10.5, va="center", arrowprops={"arrowstyle": "-", "color": "black"})
    _phase_label(early, 32, r.level_on(30) * 5, "4 Contraction: most\nexpanded cells die")
    early.annotate(
        "3 Peak",
        (peak, r.peak_level),
        xytext=(peak + 9, r.peak_level * 1.15),
        fontsize=10.5,
        arrowprops={"arrowstyle": "-", "color": "black"},
    )
    later = r.days >= 60
    late.plot(r.days[later] / MONTH, r.car_t[later], color=CAR_COLOUR, linewidth=2.5)
    late.set_xlim(2, 24)
    late.set_xticks([2, 6, 12, 18, 24])
    late.set_xlabel("Months after infusion")
    late.tick_params(axis="y", left=False, labelleft=False)
    late.spines["left"].set_linestyle(":")
    _phase_label(late, 13, r.level_on(365) * 6, "5 Persistence: a small\npopulation remains for\nmonths to years")
    fig.text(
        0.01,
        0.95,
        "The life of a living drug: one conceptual run of the model",
        fontsize=12.5,
        fontweight="bold",
        va="center",
    )
    _stamp(fig)
    return fig


# --- 2. Tumour burden -----------------------------------------------------------------------------

BURDENS = ((0.1, "low tumour burden", ":", "v"), (1.0, "medium", "--", "o"), (10.0, "high tumour burden", "-", "s"))


def burden_figure() -> Figure:
    """Three tumour burdens, same dose and design: expansion and the cytokine proxy grow, and the proxy comes earlier."""
    apply_style()
    runs = [(cached(Inputs(burden=b)), label, ls, marker) for b, label, ls, marker in BURDENS]
    fig = Figure(figsize=(10, 4.4))
    left = fig.add_axes((0.095, 0.16, 0.385, 0.68))  # room for the y label inside the figure
    right = fig.add_axes((0.58, 0.16, 0.38, 0.68))
    top = max(r.peak_level for r, *_ in runs) * 6
    _log_axis(left, top)
    for r, label, ls, marker in runs:
        keep = r.days <= 30
        days, car = r.days[keep], r.car_t[keep]
        # one run looks the same in both panels: its line style and markers tell the runs apart
        line = {"linestyle": ls, "linewidth": 2, "marker": marker, "markevery": max(1, len(days) // 8), "markersize": 6}
        left.plot(days, car, color=CAR_COLOUR, label=label, **line)
        right.plot(days, r.cytokine[keep], color=CYTOKINE_COLOUR, **line)
        peak_i = int(np.argmax(r.cytokine))
        right.plot([], [], color=CYTOKINE_COLOUR, label=f"{label}: day {r.days[peak_i]:.1f}", **line)
    left.legend(loc="lower right", fontsize=10.5, frameon=False, handlelength=3.2)
    handles, labels = right.get_legend_handles_labels()  # the peak days in a key above the curves, high burden first
    right.legend(handles[::-1], labels[::-1], loc="upper right", fontsize=10.5, frameon=False, handlelength=3.2,
                 title="peak of the proxy", title_fontsize=10.5)
    left.set_xlim(0, 30)
    left.set_xlabel("Days after infusion")
    left.set_ylabel("CAR-T cells (model units, log)")
    _title(left, "Expansion")
    right.set_xlim(0, 8)
    right.set_ylim(0, max(r.cytokine_peak for r, *_ in runs) * 1.6)  # the key sits above the highest peak
    right.set_xlabel("Days after infusion (first 8 days)")
    right.set_ylabel("Cytokine proxy (relative units)")
    _title(right, "Cytokine proxy (a stand-in for CRS risk)")
    right.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    fig.text(
        0.01,
        0.95,
        "Same dose, same product: more tumour, more expansion, more cytokine",
        fontsize=12.5,
        fontweight="bold",
        va="center",
    )
    _stamp(fig)
    return fig


# --- 3. The demo figure ---------------------------------------------------------------------------


def kinetics_figure(dose: float = 1.0, burden: float = 1.0, costim: str = "4-1BB") -> Figure:
    """The demo's three panels for the chosen inputs, with the default run as a grey reference."""
    apply_style()
    r = cached(Inputs(dose, burden, costim))
    ref = cached()
    fig = Figure(figsize=(10.5, 4.3))
    axes = [fig.add_axes((0.07 + i * 0.325, 0.17, 0.25, 0.64)) for i in range(3)]
    a, b, c = axes
    _log_axis(a, 2e5)
    early = r.days <= 60
    a.plot(ref.days[early], ref.car_t[early], color="#999999", linestyle="--", linewidth=1.5, label="default run")
    a.plot(r.days[early], r.car_t[early], color=CAR_COLOUR, linewidth=2.5, label="your settings")
    a.plot([r.peak_day], [r.peak_level], marker="o", color="black", markersize=7)
    a.text(r.peak_day + 2, r.peak_level, f"peak: day {r.peak_day:.0f}", fontsize=11, va="bottom")
    a.set_xlim(0, 60)
    a.set_xlabel("Days after infusion")
    _title(a, "A. CAR-T cells (log)")
    a.legend(loc="lower right", fontsize=11, frameon=False)

    month_cut = r.days <= 30
    b.plot(ref.days[month_cut], ref.cytokine[month_cut], color="#999999", linestyle="--", linewidth=1.5)
    b.plot(r.days[month_cut], r.cytokine[month_cut], color=CYTOKINE_COLOUR, linewidth=2.5)
    b.set_xlim(0, 30)
    b.set_ylim(0, 16)
    b.set_xlabel("Days after infusion")
    _title(b, "B. Cytokine proxy")
    b.text(29, 15, f"peak {r.cytokine_peak / ref.cytokine_peak:.1f}\u00d7 default", ha="right", va="top", fontsize=11)
    b.grid(axis="y", color="#E5E5E5", linewidth=0.8)

    months = r.days / MONTH
    c.plot(ref.days / MONTH, 100 * ref.b_cells / ref.b_cells[0], color="#999999", linestyle="--", linewidth=1.5)
    c.plot(months, 100 * r.b_cells / r.b_cells[0], color=B_COLOUR, linewidth=2.5, label="normal B cells (%)")
    c.set_ylim(0, 105)
    c.set_xlim(0, 24)
    c.set_xticks([0, 6, 12, 18, 24])
    c.set_xlabel("Months after infusion")
    _title(c, "C. Normal B cells, % of start")
    recovery = r.b_recovery_day
    c.text(
        7,
        75,
        f"B cells back by\nmonth {recovery / MONTH:.0f}" if recovery else "B-cell aplasia\nfor 2 years",
        ha="center",
        va="center",
        fontsize=11,
    )
    c.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    fig.text(
        0.01,
        0.94,
        f"Model run: dose {dose:g}\u00d7, tumour burden {burden:g}\u00d7, {costim} design (grey dashes: default run)",
        fontsize=11.5,
        fontweight="bold",
        va="center",
    )
    _stamp(fig)
    return fig


def summary(result: Result, reference: Result | None = None) -> dict[str, float | None]:
    """The numbers the demo reports, relative to the default run where that helps."""
    ref = reference or cached()
    return {
        "peak_day": result.peak_day,
        "expansion_vs_default": result.peak_level / ref.peak_level,
        "cytokine_vs_default": result.cytokine_peak / ref.cytokine_peak,
        "b_cells_month_12": 100 * result.b_cells_on(365) / result.b_cells[0],
        "b_recovery_month": (result.b_recovery_day / MONTH) if result.b_recovery_day else None,
    }


def _kinetics_alt(dose: float = 1.0, burden: float = 1.0, costim: str = "4-1BB") -> str:
    r = cached(Inputs(dose, burden, costim))
    s = summary(r)
    recovery = (
        f"normal B cells recover by about month {s['b_recovery_month']:.0f}"
        if s["b_recovery_month"]
        else "normal B cells stay very low for the whole two years (B-cell aplasia)"
    )
    return (
        f"Three line charts of the conceptual CAR-T model for dose {dose:g} times default, tumour burden {burden:g} "
        f"times default and a {costim} design, each with the default run as a grey dashed line. A: CAR-T cells on "
        f"a log scale rise from the infusion to a peak on day {s['peak_day']:.0f}, "
        f"{s['expansion_vs_default']:.1f} times the default peak, then fall. B: the cytokine proxy peaks at "
        f"{s['cytokine_vs_default']:.1f} times the default in the first days, before the CAR-T peak. C: {recovery}."
    )


FIGURES = {
    "l04_phases": Entry(
        phases_figure,
        alt=lambda: (
            "Line chart of CAR-T cells in blood on a log scale from one run of a conceptual model. Left panel, days "
            "0 to 60: from a small infused dose (1) the cells expand more than a thousand-fold (2) to a peak around "
            "day 10 (3), inside a shaded band marking days 7 to 14 (the peak window in the Yescarta label), then "
            "contract as most expanded cells die (4). Right panel, months 2 to 24: a small population persists, "
            "slowly declining (5)."
        ),
        caption=lambda: (
            "**Expansion, peak, contraction, persistence.** One run of the course's kinetics model at its default "
            "settings. " + CONCEPTUAL
        ),
    ),
    "l04_burden": Entry(
        burden_figure,
        alt=lambda: (
            "Two line charts from a conceptual model comparing low, medium and high tumour burden with the same "
            "dose and design; low is dotted with triangles, medium dashed with circles, high solid with squares. "
            "Left: CAR-T cells on a log scale; the higher the burden, the higher the peak in the second week. "
            "Right: the cytokine proxy over the first 8 days; the high-burden run rises far above the others and "
            "peaks earliest (about day 2.5), the low-burden run barely rises and peaks last (about day 3)."
        ),
        caption=lambda: (
            "**More tumour, more expansion, more cytokine.** The model's cytokine proxy stands in for "
            "CRS risk: it "
            "is not a measured cytokine and does not give a CRS grade. " + CRS_TIMING + " " + CONCEPTUAL
        ),
    ),
    "l04_kinetics": Entry(
        kinetics_figure,
        alt=_kinetics_alt,
        caption=lambda dose=1.0, burden=1.0, costim="4-1BB": (
            f"**The model at dose {dose:g}\u00d7, tumour burden {burden:g}\u00d7, {costim} design.** The CD28 versus "
            "4-1BB difference in the model is an assumption taken from a common teaching point, not an established "
            "rule: in patients, B cells return at very different times with either design. "
            + CRS_TIMING.replace("The proxy", "The cytokine proxy in panel B")
            + " "
            + CONCEPTUAL
        ),
    ),
}
