"""Figures of lesson 06 (ICANS). Grades come from ``course.clinical`` through ``course.lessons.l06_icans.model``;
product numbers come from ``assets/icans_timing.yaml`` through ``course.lessons.l06_icans.timing``."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from course import clinical
from course.figures.catalog import Entry
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l06_icans import model as icans
from course.lessons.l06_icans import timing as icans_timing

ICE_DEFAULTS = dict(orientation=4, naming=3, following_commands=1, writing=1, attention=1)
DOMAIN_DEFAULTS = dict(consciousness="alert", seizure="none", motor="none", raised_icp="none")
INK = OKABE_ITO["black"]
GREY = OKABE_ITO["grey"]


def _release_memory() -> None:
    """Free the previous figure's artists (they sit in reference cycles) and hand the freed heap back
    to the system where the C library allows it (glibc ``malloc_trim``), so that a lesson drawing
    several figures keeps a flat memory profile on a shared hub."""
    gc.collect()
    with contextlib.suppress(AttributeError, OSError, TypeError):  # not glibc (macOS, Windows, musl)
        ctypes.CDLL(None).malloc_trim(0)


def _start() -> None:
    """Course style, after releasing the memory of the figure drawn before."""
    _release_memory()
    apply_style()


# --- 1. The ICE items and the five ICANS domains (the interactive grader draws this one).


def _ice_and_assessment(items: dict[str, int], domains: dict[str, str]) -> tuple[int | None, icans.Assessment]:
    ice = None if domains["consciousness"] == "unarousable" else icans.ice_from_items(**items)
    return ice, icans.assess(ice, **domains)


def icans_domains_figure(**values) -> Figure:
    """Left: ICE points earned per task. Right: the grade each domain sets, the deciding one marked."""
    _start()
    items = {k: values.get(k, v) for k, v in ICE_DEFAULTS.items()}
    domains = {k: values.get(k, v) for k, v in DOMAIN_DEFAULTS.items()}
    ice, result = _ice_and_assessment(items, domains)
    fig = Figure(figsize=(10.5, 4.4))
    left = fig.add_axes((0.17, 0.19, 0.25, 0.62))
    right = fig.add_axes((0.64, 0.19, 0.2, 0.62))

    names = [icans.ICE_TASKS[k][0] for k in clinical.ICE_ITEMS]
    y = np.arange(len(names))[::-1]
    for yi, (key, top) in zip(y, clinical.ICE_ITEMS.items(), strict=True):
        left.barh(yi, top, color="white", edgecolor=GREY, hatch="//", height=0.6)
        if ice is None:
            left.text(top + 0.15, yi, "not possible", va="center", fontsize=10, color=INK)
            continue
        got = items[key]
        left.barh(yi, got, color=OKABE_ITO["blue"], edgecolor=INK, height=0.6)
        left.text(top + 0.15, yi, f"{got} of {top}", va="center", fontsize=10.5, color=INK)
    left.set_yticks(y, names, fontsize=10.5)
    left.set_xlim(0, 5.6)
    left.set_xticks(range(0, 5))
    left.set_xlabel("points")
    total = "cannot be done (unarousable)" if ice is None else f"{ice} of 10"
    left.set_title(f"ICE score: {total}", fontsize=12, loc="left", fontweight="bold")

    labels = [d.name.replace(" / ", " /\n") for d in result.domains]
    y2 = np.arange(len(labels))[::-1]
    deciding = {d.key for d in result.deciding}
    for yi, d in zip(y2, result.domains, strict=True):
        decides = d.key in deciding
        right.barh(
            yi,
            max(d.grade, 0.04),
            color=OKABE_ITO["vermillion"] if decides else OKABE_ITO["sky_blue"],
            edgecolor=INK,
            hatch="xx" if decides else None,
            height=0.6,
        )
        text = f"grade {d.grade}" if d.grade else "no grade"
        if decides:
            text += "\n◀ sets the grade"
        right.text(
            max(d.grade, 0) + 0.08,
            yi,
            text,
            va="center",
            fontsize=10.5,
            color=INK,
            fontweight="bold" if decides else "normal",
        )
    right.set_yticks(y2, labels, fontsize=10.5)
    right.set_xlim(0, 4.2)
    right.set_xticks(range(0, 5))
    right.set_xlabel("grade this domain sets")
    overall = result.grade.grade
    right.set_title(
        "No ICANS" if overall == 0 else f"ICANS grade {overall} (the worst domain)",
        fontsize=12,
        loc="left",
        fontweight="bold",
    )
    fig.legend(
        handles=[
            Patch(facecolor=OKABE_ITO["blue"], edgecolor=INK, label="ICE points earned"),
            Patch(facecolor="white", edgecolor=GREY, hatch="//", label="points possible"),
            Patch(facecolor=OKABE_ITO["vermillion"], edgecolor=INK, hatch="xx", label="domain that sets the grade"),
            Patch(facecolor=OKABE_ITO["sky_blue"], edgecolor=INK, label="other domains"),
        ],
        loc="lower center",
        ncol=4,
        fontsize=10,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    fig.text(0.01, 0.95, "ASTCT ICANS grading, adults and children 12 and over", fontsize=10, color=GREY)
    return fig


def _domains_alt(**values) -> str:
    items = {k: values.get(k, v) for k, v in ICE_DEFAULTS.items()}
    domains = {k: values.get(k, v) for k, v in DOMAIN_DEFAULTS.items()}
    ice, result = _ice_and_assessment(items, domains)
    if ice is None:
        left = "The left chart shows that the ICE tasks cannot be done because the patient is unarousable."
    else:
        parts = ", ".join(f"{icans.ICE_TASKS[k][0].lower()} {items[k]} of {p}" for k, p in clinical.ICE_ITEMS.items())
        left = f"The left bar chart shows the ICE points earned per task: {parts}; total {ice} of 10."
    rows = "; ".join(f"{d.name}: {'grade ' + str(d.grade) if d.grade else 'no grade'}" for d in result.domains)
    return f"{left} The right bar chart shows the grade each ICANS domain sets: {rows}. {result.sentence()}"


# --- 2. Conceptual: how ICANS relates in time to CRS.

PATTERNS = (
    ("During or soon after CRS (the usual pattern)", 2.0, 5.0, 4.5, 5.0),
    ("After CRS has already resolved", 2.0, 4.0, 9.0, 4.0),
    ("Without any CRS", None, None, 5.0, 5.0),
    ("Before CRS begins", 5.0, 5.0, 3.0, 4.0),
)


def _bump(days: np.ndarray, start: float, length: float, height: float) -> np.ndarray:
    """A smooth rise and fall over ``length`` days from ``start`` (made-up shape, not patient data)."""
    t = np.clip((days - start) / length, 0, 1)
    return height * np.sin(np.pi * t) ** 2


def two_syndromes_figure() -> Figure:
    """Four small timelines of CRS (solid) and ICANS (dashed) after infusion; conceptual."""
    _start()
    days = np.linspace(0, 21, 400)
    fig = Figure(figsize=(9.0, 5.3))
    axes = fig.subplots(len(PATTERNS), 1, sharex=True)
    for ax, (title, crs_start, crs_len, icans_start, icans_len) in zip(axes, PATTERNS, strict=True):
        if crs_start is not None:
            crs = _bump(days, crs_start, crs_len, 1.0)
            ax.fill_between(days, crs, color=OKABE_ITO["orange"], alpha=0.35, linewidth=0)
            ax.plot(days, np.where(crs > 1e-3, crs, np.nan), color=OKABE_ITO["orange"], linewidth=2.2, label="CRS")
            ax.text(crs_start + crs_len / 2, 1.06, "CRS", ha="center", fontsize=10.5, fontweight="bold")
        neuro = _bump(days, icans_start, icans_len, 0.8)
        ax.plot(
            days,
            np.where(neuro > 1e-3, neuro, np.nan),
            color=OKABE_ITO["blue"],
            linewidth=2.4,
            linestyle="--",
            label="ICANS",
        )
        ax.text(
            icans_start + icans_len / 2,
            0.86,
            "ICANS",
            ha="center",
            fontsize=10.5,
            fontweight="bold",
            color=OKABE_ITO["blue"],
        )
        ax.set_ylim(0, 1.35)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_title(title, loc="left", fontsize=11, pad=3)
        ax.axvline(0, color=INK, linewidth=1)
    axes[-1].set_xlim(-0.3, 21)
    axes[-1].set_xticks(range(0, 22, 3))
    axes[-1].set_xlabel("days after the CAR-T infusion (day 0)")
    axes[0].legend(loc="upper right", fontsize=10, frameon=False, handlelength=3, ncol=2)
    fig.text(0.01, 0.5, "severity (conceptual)", rotation=90, va="center", fontsize=10.5)
    fig.subplots_adjust(left=0.05, right=0.98, top=0.95, bottom=0.09, hspace=0.55)
    return fig


# --- 3 and 4. Product data from assets/icans_timing.yaml.

X_MAX = 45


def onset_by_product_figure(highlight: str | None = None) -> Figure:
    """Median onset (dot), onset range (thin line) and median duration (thick bar) per product."""
    _start()
    rows = [r for r in icans_timing.products() if r.has_onset]
    missing = [r for r in icans_timing.products() if not r.has_onset]
    footnotes = list(dict.fromkeys(f"{r.timing_mark} {r.brand}: {r.timing_footnote}." for r in rows if r.timing_footnote))
    fig = Figure(figsize=(9.5, 4.9 + 0.2 * len(footnotes)))
    room = 0.04 * len(footnotes)  # one footnote line each, below the legend
    ax = fig.add_axes((0.25, 0.32 + room, 0.7, 0.58 - room))
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows, strict=True):
        strong = highlight in (None, r.id)
        colour = OKABE_ITO["blue"] if r.target == "CD19" else OKABE_ITO["reddish_purple"]
        alpha = 1.0 if strong else 0.35
        if r.onset_range_days:
            low, high = r.onset_range_days
            ax.plot([low, min(high, X_MAX)], [yi, yi], color=INK, linewidth=1.2, alpha=alpha)
            if high > X_MAX:
                ax.annotate(
                    "",
                    xy=(X_MAX + 1.2, yi),
                    xytext=(X_MAX - 0.5, yi),
                    arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.2),
                    alpha=alpha,
                )
                ax.text(X_MAX + 1.5, yi, f"to day {high:g}", va="center", fontsize=10, alpha=alpha)
        if r.duration_median_days:
            ax.barh(
                yi,
                r.duration_median_days,
                left=r.onset_median_days,
                height=0.42,
                color=colour,
                alpha=0.55 * alpha,
                edgecolor=INK,
                hatch="//" if r.target == "BCMA" else None,
            )
        ax.plot(r.onset_median_days, yi, marker="o", markersize=9, color=colour, markeredgecolor=INK, alpha=alpha)
        ax.text(r.onset_median_days, yi + 0.3, f"day {r.onset_median_days:g}", ha="center", fontsize=10, alpha=alpha)
    names = [textwrap.fill(f"{r.onset_label}{r.timing_mark}, {r.target}", 28) for r in rows]
    ax.set_yticks(y, names, fontsize=10.5)
    ax.set_xlim(0, X_MAX + 8)
    ax.set_ylim(-0.6, len(rows) - 0.3)
    ax.set_xticks(range(0, X_MAX + 1, 5))
    ax.set_xlabel("days after infusion")
    ax.set_title(
        "When neurotoxicity starts, and how long it lasts (medians)", loc="left", fontsize=12, fontweight="bold"
    )
    fig.legend(
        handles=[
            ax.plot([], [], marker="o", color=INK, linestyle="", markersize=8, label="median onset")[0],
            ax.plot([], [], color=INK, linewidth=1.2, label="onset range")[0],
            Patch(facecolor=OKABE_ITO["blue"], alpha=0.55, edgecolor=INK, label="median duration, CD19 product"),
            Patch(
                facecolor=OKABE_ITO["reddish_purple"],
                alpha=0.55,
                edgecolor=INK,
                hatch="//",
                label="median duration, BCMA product",
            ),
        ],
        loc="lower left",
        bbox_to_anchor=(0.02, 0.1 + room),
        ncol=4,
        fontsize=9.5,
        frameon=False,
    )
    fig.text(
        0.02,
        0.06 + room,
        "No verified onset in our sources: " + ", ".join(r.label for r in missing) + ".",
        fontsize=9.5,
        color=INK,
    )
    if footnotes:
        fig.text(0.02, 0.015, "\n".join(footnotes), fontsize=9.5, color=INK, va="bottom", linespacing=1.5)
    return fig


def _onset_alt(highlight: str | None = None) -> str:
    parts = []
    for r in icans_timing.products():
        if not r.has_onset:
            continue
        span = f" (range day {r.onset_range_days[0]:g} to {r.onset_range_days[1]:g})" if r.onset_range_days else ""
        dur = f", lasting a median {r.duration_median_days:g} days" if r.duration_median_days else ""
        caveat = f" ({r.timing_footnote})" if r.timing_footnote else ""
        parts.append(f"{r.onset_label}: median onset day {r.onset_median_days:g}{span}{dur}{caveat}")
    missing = ", ".join(r.label for r in icans_timing.products() if not r.has_onset)
    return (
        "Timeline chart of neurotoxicity by product, days after infusion on the horizontal axis. "
        + "; ".join(parts)
        + f". No verified onset for {missing}."
    )


SCALE_SHORT = {"neurologic-events": "neuro events", "all-neurotoxicity": "all neurotox", "astct-icans": "ICANS (ASTCT)"}


def incidence_by_product_figure() -> Figure:
    """Any-grade and grade 3 or higher neurotoxicity per product, with what each study counted."""
    _start()
    rows = icans_timing.products()
    height = 5.9  # each bar 17 px tall: its number, 10 pt, stays clear of the other bar of the pair
    fig = Figure(figsize=(9.4, height))
    ax = fig.add_axes((0.33, 0.93 / height, 0.45, 1 - 1.57 / height))
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows, strict=True):
        ax.barh(yi + 0.2, r.any_grade_pct, height=0.4, color=OKABE_ITO["sky_blue"], edgecolor=INK)
        ax.barh(yi - 0.2, r.grade3_plus_pct, height=0.4, color=OKABE_ITO["vermillion"], edgecolor=INK, hatch="//")
        ax.text(r.any_grade_pct + 1, yi + 0.2, r.percent("any", sources=False), va="center", fontsize=10)
        ax.text(r.grade3_plus_pct + 1, yi - 0.2, r.percent("g3", sources=False), va="center", fontsize=10)
        ax.text(1.03, yi, SCALE_SHORT[r.scale], transform=ax.get_yaxis_transform(), va="center", fontsize=10)
    ax.text(
        1.03,
        len(rows) - 0.15,
        "what was counted",
        transform=ax.get_yaxis_transform(),
        fontsize=10,
        fontweight="bold",
        va="bottom",
    )
    ax.set_yticks(y, [f"{r.label}, {r.target}" for r in rows], fontsize=10)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.7, len(rows) - 0.2)
    ax.set_xlabel("% of treated patients")
    fig.text(0.01, 1 - 0.25 / height, "Neurotoxicity by product: any grade and grade 3 or higher", fontsize=12,
             fontweight="bold")
    fig.legend(
        handles=[
            Patch(facecolor=OKABE_ITO["sky_blue"], edgecolor=INK, label="any grade"),
            Patch(facecolor=OKABE_ITO["vermillion"], edgecolor=INK, hatch="//", label="grade 3 or higher"),
        ],
        loc="lower left",
        bbox_to_anchor=(0.33, 0.0),
        ncol=2,
        fontsize=10,
        frameon=False,
    )
    return fig


def _incidence_alt() -> str:
    parts = "; ".join(
        f"{r.label}: any grade {r.percent('any')}, grade 3 or higher {r.percent('g3')}; "
        f"counted: {icans_timing.SCALE_WORDS[r.scale]}"
        for r in icans_timing.products()
    )
    return f"Paired horizontal bar chart of neurotoxicity by product, with what each study counted. {parts}."


def _timing_caveats() -> str:
    """Caption words for rows whose onset and duration come from another source than the incidence."""
    words = [
        f"{r.timing_mark} {r.onset_label}: {r.timing_footnote}." for r in icans_timing.products() if r.timing_footnote
    ]
    return " ".join(words) + " " if words else ""


def _incidence_caveats() -> str:
    """Caption words for approximate figures and for rows whose two percentages have different sources."""
    words = []
    for r in icans_timing.products():
        if r.approximate:
            words.append(f"{r.label}: approximate figures ({r.percent('any')} and {r.percent('g3')}).")
        if r.any_grade_source or r.grade3_source:
            words.append(f"{r.label}: any grade {r.percent('any')}, grade 3 or higher {r.percent('g3')}.")
    return " ".join(words) + " " if words else ""


FIGURES = {
    "l06_icans_domains": Entry(
        icans_domains_figure,
        alt=_domains_alt,
        caption=lambda **values: (
            "**The ICE score and the five ICANS domains.** Left: points earned on each ICE task. Right: the grade "
            "each domain sets; the patient's ICANS grade is the worst of them, and the hatched bar marks the "
            "domain that set it. Grades computed with the course's ASTCT rules (course.clinical)."
        ),
    ),
    "l06_two_syndromes": Entry(
        two_syndromes_figure,
        alt=lambda: (
            "Four stacked timelines over the first 21 days after infusion, each with CRS as a solid shaded curve and "
            "ICANS as a dashed curve. First: CRS starts around day 2 and ICANS starts while CRS is still present. "
            "Second: ICANS starts around day 9, after the CRS curve has returned to zero. Third: ICANS with no CRS "
            "curve at all. Fourth: ICANS starts around day 3, before CRS begins around day 5."
        ),
        caption=lambda: (
            "**Four ways ICANS can relate to CRS in time.** ICANS usually comes during or soon after CRS, but it can "
            "start after CRS has settled, without CRS, or before it. Conceptual illustration, not patient data: "
            "the curve shapes and days are made up."
        ),
    ),
    "l06_onset_by_product": Entry(
        onset_by_product_figure,
        alt=_onset_alt,
        caption=lambda highlight=None: (
            "**Median onset and duration of neurotoxicity by product.** Dot: median onset; thin line: onset range "
            "(arrows run off the chart); bar: median duration from the median onset. The bar joins two medians; it "
            "is a schematic, not the course of a typical patient. What was counted differs between products (see "
            "the table). "
            + _timing_caveats()
            + "Data: assets/icans_timing.yaml, from trial publications and US labels."
        ),
    ),
    "l06_incidence_by_product": Entry(
        incidence_by_product_figure,
        alt=_incidence_alt,
        caption=lambda: (
            "**How often neurotoxicity occurs, by product.** Upper bar: any grade; lower, hatched bar: grade 3 or "
            "higher. The right-hand column says what each study counted: broad neurological events, all "
            "neurotoxicity, or ASTCT ICANS only, so rows are not directly comparable. "
            + _incidence_caveats()
            + "Data: assets/icans_timing.yaml."
        ),
    ),
}
