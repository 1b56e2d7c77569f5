"""Figures of lesson 08 (a patient case, day by day). The case is fictional: not patient data.

- ``l08_timeline``: the running timeline of the case up to a chosen day: care steps, treatments,
  and the CRS and ICANS grades (computed with ``course.clinical`` from the observations), with the
  chosen day marked and the rest of the story hidden.
- ``l08_vitals``: the ward observation chart of the first days (temperature, systolic blood
  pressure, oxygen saturation and the ICE score), with the fever line and the ICE grade bands taken
  from ``course.clinical``, and the times of tocilizumab and dexamethasone.

Both take the case as an argument (default: lesson 08's), so lesson 10 draws its myeloma case with them.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from course import clinical
from course.figures.catalog import Entry
from course.figures.shapes import crisp_text
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l08_patient_case import model as cs

GREY = "#767676"
LIGHT = "#EFEFEF"
TODAY = "#FFF1C9"
LABEL_BOX = {"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none"}  # lines never cross a label
LANE_NAMES = {"care": "Care steps", "treatment": "Treatment", "crs": "CRS grade", "icans": "ICANS grade"}
GRADE_FILL = {1: OKABE_ITO["yellow"], 2: OKABE_ITO["orange"], 3: OKABE_ITO["vermillion"], 4: OKABE_ITO["reddish_purple"]}
GRADE_HATCH = {1: "", 2: "///", 3: "xxx", 4: "xxxx"}  # the ward chart's ICE bands
VITALS_LAST_DAY = cs.DEFAULT_AXIS.vitals_last_day


def _check_day(day: int, low: int, high: int) -> int:
    if isinstance(day, bool) or not isinstance(day, int) or not low <= day <= high:
        raise ValueError(f"day must be a whole number from {low} to {high}, not {day!r}")
    return day


def _place(placed: list[tuple[float, float, int]], left: float, right: float, levels: int = 2) -> int:
    """The first label level (0, 1, ...) where [left, right] does not overlap a label already placed."""
    for level in range(levels):
        if all(right < a or left > b for a, b, lv in placed if lv == level):
            return level
    return 0


FONT = 11  # every text of the case timeline is 11 pt or more: 15 CSS px, the PNG being shown unshrunk
ZOOM_FIRST = -1  # the zoomed panel starts the day before the infusion


def zoom_days(case: cs.Case) -> tuple[int, int]:
    """The days of the zoomed panel: from the day before the infusion to the end of the case's busy
    first weeks (the end of its axis's widest-drawn stretch: day 15 for lesson 08, 13 for lesson 10)."""
    knots = case.axis.knots
    widest = max(zip(knots, knots[1:], strict=False), key=lambda k: (k[1][1] - k[0][1]) / (k[1][0] - k[0][0]))
    return ZOOM_FIRST, int(widest[1][0])


def _char_days(ax, first: float, last: float, size: float = FONT) -> float:
    """Roughly how many days one character of ``size`` pt covers on ``ax`` (for placing labels)."""
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    return 0.7 * size / 72 * (last - first) / width_in


def _lanes(ax, lanes: dict[str, float], names: dict[str, str]) -> None:
    ax.set_yticks(list(lanes.values()), [names[k] for k in lanes], fontsize=FONT)
    ax.tick_params(axis="y", length=0)
    ax.spines[["left", "top", "right"]].set_visible(False)
    for y in lanes.values():
        ax.axhline(y, color="#D9D9D9", linewidth=0.8, zorder=0)


def _day_marks(ax, day: int, first: float, last: float, bottom: float, top: float) -> None:
    """The shown day as a pale yellow column; the days after it greyed as still to come."""
    if day + 1 > first and day < last:
        ax.add_patch(Rectangle((max(day, first), bottom), min(day + 1, last) - max(day, first), top - bottom,
                               facecolor=TODAY, edgecolor="black", linewidth=1.0, linestyle="--", zorder=0))
    if day + 1 < last:
        start = max(day + 1, first)
        ax.add_patch(Rectangle((start, bottom), last - start, top - bottom, facecolor=LIGHT, edgecolor="none",
                               zorder=0))


def _events(ax, events: list[cs.Event], lanes: dict[str, float], first: float, last: float, day: int,
            labelled: bool = True, outward: bool = False) -> None:
    """Care steps (circles) and treatments (diamonds, or bars over days), labelled without overlaps:
    a label goes above its mark, or below it when the space above is taken. ``outward``: care labels
    only above, treatment labels only below, a second row further out (the overview's two lanes)."""
    per_char = _char_days(ax, first, last)
    placed: dict[str, list[tuple[float, float, int]]] = {k: [] for k in lanes}
    for event in events:
        if event.lane not in lanes or event.day > last or (event.end or event.day) < first:
            continue
        y = lanes[event.lane]
        start = max(event.day, first)
        if event.end is not None:
            end = min(event.end, day + 0.999, last)
            ax.add_patch(Rectangle((start, y - 0.17), max(end - start, 0.15), 0.34, facecolor=OKABE_ITO["sky_blue"],
                                   edgecolor="black", linewidth=1, zorder=2))
            centre = (start + end) / 2
        else:
            marker = "o" if event.lane == "care" else "D"
            colour = OKABE_ITO["blue"] if event.lane == "care" else OKABE_ITO["bluish_green"]
            ax.plot([start], [y], marker=marker, markersize=8, color=colour, markeredgecolor="black", zorder=3)
            centre = start
        if not labelled:
            continue
        width = len(event.label) * per_char
        left, right, ha = centre - width / 2, centre + width / 2, "center"
        if right > last:
            left, right, ha, centre = last - width, last, "right", last
        elif left < first:
            left, right, ha, centre = first, first + width, "left", first
        level = _place(placed[event.lane], left - per_char, right + per_char, 3 if outward else 2)
        placed[event.lane].append((left - per_char, right + per_char, level))
        if outward:
            up = event.lane == "care"
            offset = (0.22 + 0.42 * level) * (1 if up else -1)
        else:
            up, offset = level == 0, 0.22 if level == 0 else -0.22
        ax.text(centre, y + offset, event.label, ha=ha, va="bottom" if up else "top", fontsize=FONT, zorder=6,
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none"})  # no line crosses a label


def _grades(ax, kind: str, y: float, day: int, case: cs.Case, first: float) -> None:
    """A grade lane: one box per period, taller and darker the higher the grade, and under each
    episode its grades in words (\"grade 1 → 2\"), so the numbers never float between boxes."""
    spans = cs.grade_spans(kind, day, case)
    for span in spans:
        height = 0.16 + 0.1 * span.grade
        ax.add_patch(Rectangle((span.start, y - 0.25), span.end - span.start, height,
                               facecolor=GRADE_FILL[span.grade], edgecolor="black", linewidth=1, zorder=2))
    episodes: list[list[cs.Span]] = []
    for span in spans:
        if episodes and abs(episodes[-1][-1].end - span.start) < 1e-9:
            episodes[-1].append(span)
        else:
            episodes.append([span])
    for episode in episodes:
        centre = (episode[0].start + episode[-1].end) / 2
        words = "grade " + " → ".join(str(s.grade) for s in episode)
        ax.text(centre, y - 0.3, words, ha="center", va="top", fontsize=FONT, fontweight="bold", zorder=4)
    if day >= 0 and not spans:
        ax.text(first + 1.2, y, "none so far", ha="left", va="center", fontsize=FONT, color="#555555")
    elif day < 0:
        ax.text(first + 1.2, y, "after infusion", ha="left", va="center", fontsize=FONT, color="#555555")


def _day(d: int) -> str:
    return f"−{-d}" if d < 0 else str(d)


def case_timeline(day: int = 90, case: cs.Case | None = None) -> Figure:
    """The case from referral to ``day``, in two panels on even day scales: the whole story, and
    its first two weeks zoomed (care steps, treatments, CRS and ICANS grades). The day is marked."""
    case = case or cs.data()
    first_day, last_day = cs.first_day(case), cs.last_day(case)
    _check_day(day, first_day, last_day)
    apply_style()
    z0, z1 = zoom_days(case)
    fig = Figure(figsize=(8.2, 6.6))
    events = cs.events_until(day, case)

    # 1. The whole story, an even scale: care steps and treatments; the zoomed days boxed.
    low, high = first_day - 3, last_day + 3
    top = fig.add_axes((0.17, 0.6, 0.8, 0.25))
    top.set_xlim(low, high)
    top.set_ylim(-1.65, 2.55)
    lanes_top = {"care": 1.0, "treatment": 0.0}
    _lanes(top, lanes_top, {"care": "Care steps", "treatment": "Treatment"})
    step = 10 if high - low <= 150 else 20
    top.set_xticks(range(int(low // step * step + step), int(high) + 1, step))
    top.tick_params(axis="x", labelsize=FONT)
    _day_marks(top, day, low, high, -1.65, 2.55)
    outside = [e for e in events if (e.end or e.day) < z0 or e.day > z1]
    inside = [e for e in events if e not in outside]
    _events(top, outside, lanes_top, low, high, day, outward=True)
    _events(top, inside, lanes_top, low, high, day, labelled=False)
    top.add_patch(Rectangle((z0, -1.65), z1 + 1 - z0, 4.2, facecolor="none", edgecolor="black", linewidth=1.6,
                            zorder=1))
    top.set_xlabel(f"The whole story, days from the infusion (day 0); box: days {_day(z0)} to {z1}, zoomed below",
                   fontsize=FONT)

    # 2. The zoomed days, one day per tick: every lane, with the grades.
    ax = fig.add_axes((0.17, 0.12, 0.8, 0.37))
    ax.set_xlim(z0, z1 + 1)
    ax.set_ylim(-0.75, 3.6)
    lanes = {"care": 3.0, "treatment": 2.0, "crs": 1.0, "icans": 0.0}
    _lanes(ax, lanes, LANE_NAMES)
    # A day runs from its tick to the next; the closing tick (the end of day z1) stays unlabelled, so the axis
    # reads "-1 to 15" as its caption says, not "-1 to 16".
    ax.set_xticks(range(z0, z1 + 2), [_day(d) for d in range(z0, z1 + 1)] + [""])
    ax.tick_params(axis="x", labelsize=FONT)
    ax.set_xlabel(f"Days {_day(z0)} to {z1} from the infusion, zoomed: one tick a day", fontsize=FONT)
    _day_marks(ax, day, z0, z1 + 1, -0.75, 3.6)
    ax.axvline(0, color="black", linewidth=1.4, zorder=1)
    if day < z0:
        ax.text((z0 + z1 + 1) / 2, 1.5, "still to come", ha="center", va="center", fontsize=FONT + 1, color="#555555")
    _events(ax, inside, {"care": 3.0, "treatment": 2.0}, z0, z1 + 1, day)
    for kind in ("crs", "icans"):
        _grades(ax, kind, lanes[kind], day, case, z0)
    in_zoom = z0 <= day <= z1  # the day's tag goes on one panel: the zoomed one when it holds the day
    for axes, (a, b) in ((top, (low, high)), (ax, (z0, z1 + 1))):
        if a <= day <= b - 1 and (axes is ax) == in_zoom:
            near_end = day + 0.5 > a + 0.93 * (b - a)
            axes.text(b if near_end else day + 0.5, axes.get_ylim()[1], f"day {day}", ha="right" if near_end else "center",
                      va="bottom", fontsize=FONT,
                      fontweight="bold", bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "black"},
                      zorder=6)

    stage = cs.stage_on(day, case)
    fig.text(0.012, 0.99, f"{case.patient.short_name}'s case so far: day {day}", fontsize=13, fontweight="bold",
             va="top")
    fig.text(0.012, 0.955, f"{stage.title}. Fictional case for teaching, not patient data.", fontsize=FONT,
             va="top", color="#333333")
    handles = [
        Line2D([0], [0], marker="o", color="none", markerfacecolor=OKABE_ITO["blue"], markeredgecolor="black",
               markersize=8, label="care step"),
        Line2D([0], [0], marker="D", color="none", markerfacecolor=OKABE_ITO["bluish_green"],
               markeredgecolor="black", markersize=7, label="single treatment"),
        Rectangle((0, 0), 1, 1, facecolor=OKABE_ITO["sky_blue"], edgecolor="black", label="treatment over days"),
        Rectangle((0, 0), 1, 1, facecolor=TODAY, edgecolor="black", linestyle="--", label="the day shown"),
    ]
    fig.legend(handles=handles, loc="upper left", ncol=4, frameon=False, fontsize=FONT, bbox_to_anchor=(0.005, 0.925),
               columnspacing=1.0, handletextpad=0.4)
    fig.text(0.012, 0.008, "CRS and ICANS boxes: the ASTCT grade; the higher the grade, the taller and darker.",
             fontsize=FONT, va="bottom", color="#333333")
    return crisp_text(fig)  # bold hinted too, unlike the catalogue's default: smoothed bold adds 13 KiB to lesson 08


def _timeline_alt(day: int = 90, case: cs.Case | None = None) -> str:
    case = case or cs.data()
    events = cs.events_until(day, case)
    z0, z1 = zoom_days(case)
    parts = [
        f"Timeline of a fictional patient's CAR-T treatment from referral (day {cs.first_day(case)}) to day {day}, "
        "in two panels with even day scales. The top panel shows the whole story in two lanes, care steps and "
        f"treatment, with a box around days {z0} to {z1}; the bottom panel zooms into those days, one tick a day, "
        "in four lanes: care steps, treatment, CRS grade and ICANS grade, where each grade box is taller and "
        "darker the higher the grade and each episode is labelled with its grades. A shaded column with dashed "
        f"edges marks day {day}" + (", and the rest of the story is greyed out as still to come." if day < cs.last_day(case) else ".")
    ]
    parts.append("Shown so far: " + "; ".join(f"day {int(e.day)}: {e.text}" for e in events) + ".")
    for kind, name in (("crs", "CRS"), ("icans", "ICANS")):
        spans = cs.grade_spans(kind, day, case)
        if spans:
            parts.append(
                f"{name} grade boxes: "
                + "; ".join(f"grade {s.grade} from day {s.start:.1f} to day {s.end:.1f}" for s in spans)
                + "."
            )
        elif day >= 0:
            parts.append(f"No {name} so far.")
    return " ".join(parts)


def _timeline_caption(day: int = 90, case: cs.Case | None = None) -> str:
    return (
        f"**The case so far, day {day}.** Care steps, treatments and the ASTCT grades of CRS and ICANS "
        "(computed from the observations with the course's grading rules), up to the marked day: the whole "
        "story above, its first two weeks zoomed below. "
        "Fictional case for teaching, not patient data."
    )


def vital_signs(day: int = VITALS_LAST_DAY, case: cs.Case | None = None) -> Figure:
    """The ward chart from day 0 to ``day`` (at most the axis's last ward day): four panels and the drug times."""
    case = case or cs.data()
    last = case.axis.vitals_last_day
    _check_day(day, 0, last)
    apply_style()
    obs = [o for o in cs.observations_until(day, case) if 0 <= o.day <= last]
    fig = Figure(figsize=(9.6, 5.9))
    axes = fig.subplots(4, 1, sharex=True, gridspec_kw={"hspace": 0.28, "left": 0.105, "right": 0.83,
                                                        "top": 0.87, "bottom": 0.09})
    t = [o.t for o in obs]
    ax_t, ax_bp, ax_o2, ax_ice = axes
    ax_t.plot(t, [o.temp_c for o in obs], marker="o", color=OKABE_ITO["vermillion"], linewidth=1.6)
    ax_t.axhline(clinical.FEVER_C, color="black", linestyle="--", linewidth=1)
    ax_t.text(1.01, clinical.FEVER_C, f"fever: {clinical.FEVER_C:.1f} °C", transform=ax_t.get_yaxis_transform(),
              va="center", fontsize=9.5)
    ax_t.set_ylim(36.0, 39.5)
    ax_t.set_yticks([36, 37, 38, 39])
    ax_t.set_ylabel("Temp. (°C)", fontsize=10)

    ax_bp.plot(t, [o.sbp for o in obs], marker="v", color=OKABE_ITO["blue"], linewidth=1.6, label="systolic")
    ax_bp.plot(t, [o.dbp for o in obs], marker="^", color=OKABE_ITO["sky_blue"], linewidth=1.2, linestyle="--",
               label="diastolic")
    ax_bp.set_ylim(40, 145)
    ax_bp.set_ylabel("BP (mmHg)", fontsize=10)
    ax_bp.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9.5)
    for o in obs:
        if o.hypotension != "none" and o.note:
            # right of the lowest diastolic mark, under both lines: no line or marker crosses the reading
            ax_bp.annotate(f"{o.sbp}/{o.dbp}", (o.t, o.dbp), xytext=(7, 0), textcoords="offset points",
                           fontsize=10.5, va="center", ha="left", zorder=5, bbox=LABEL_BOX)
            break

    ax_o2.plot(t, [o.spo2 for o in obs], marker="s", color=OKABE_ITO["bluish_green"], linewidth=1.6)
    ax_o2.set_ylim(88, 100.5)
    ax_o2.set_ylabel("SpO₂ (%)", fontsize=10)
    on_oxygen = [o for o in obs if o.oxygen_device != "none"]
    if on_oxygen:
        start, end = on_oxygen[0].t, min(on_oxygen[-1].t + 0.3, day + 1)
        ax_o2.axvspan(start, end, ymin=0.0, ymax=0.12, facecolor=OKABE_ITO["bluish_green"], alpha=0.35,
                      hatch="..", edgecolor=OKABE_ITO["bluish_green"])
        ax_o2.text(end + 0.08, 89.0, f"oxygen {on_oxygen[0].oxygen_text()}", fontsize=10.5, va="bottom", zorder=5,
                   bbox=LABEL_BOX)  # the drug's dotted line passes behind it

    bands = _ice_bands()
    for grade, (low, high) in bands.items():
        ax_ice.axhspan(low - 0.5, high + 0.5, facecolor=GRADE_FILL[grade], alpha=0.35, hatch=GRADE_HATCH[grade],
                       edgecolor="#BBBBBB", linewidth=0)
        ax_ice.text(1.01, (low + high) / 2, f"ICE {low}-{high}: grade {grade}", transform=ax_ice.get_yaxis_transform(),
                    va="center", fontsize=9.5)
    with_ice = [o for o in obs if o.ice is not None]
    ax_ice.plot([o.t for o in with_ice], [o.ice_total for o in with_ice], marker="D", color="black", linewidth=1.6)
    ax_ice.set_ylim(-0.5, 10.5)
    ax_ice.set_yticks([0, 2, 4, 6, 8, 10])
    ax_ice.set_ylabel("ICE score", fontsize=10)
    ax_ice.set_xlim(-0.3, last + 0.7)
    ax_ice.set_xticks(range(0, last + 1))
    ax_ice.set_xlabel("Days after the infusion (day 0)", fontsize=10)

    for event in chart_drugs(case):
        name = event.label
        if event.day > day + 1:
            continue
        for ax in axes:
            ax.axvline(event.day, color=GREY, linestyle=":", linewidth=1.5, zorder=0)
        ax_t.text(event.day, 39.5, name, ha="center", va="bottom", fontsize=9.5,
                  bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": GREY})
    if day < last:
        for ax in axes:
            ax.axvspan(day + 1, last + 0.7, facecolor=LIGHT, edgecolor="none", zorder=0)
    fig.text(0.012, 0.985, f"{case.patient.short_name}'s ward chart, day 0 to day {day}", fontsize=13, fontweight="bold", va="top")
    fig.text(0.012, 0.945, "Fictional case for teaching, not patient data. Dotted lines: when each drug was given.",
             fontsize=10, va="top", color="#333333")
    return crisp_text(fig)


def chart_drugs(case: cs.Case) -> list[cs.Event]:
    """The drug events the ward chart marks (the axis's ``chart_drugs`` that this case has), in time order."""
    ids = {e.id for e in case.events}
    return sorted((case.event(i) for i in case.axis.chart_drugs if i in ids), key=lambda e: e.day)


def _ice_bands() -> dict[int, tuple[int, int]]:
    """ICE score ranges of ICANS grades 1 to 3, read from ``clinical.ice_grade`` (not typed here)."""
    bands: dict[int, list[int]] = {}
    for score in range(0, 11):
        grade = clinical.ice_grade(score).grade
        if grade:
            bands.setdefault(grade, []).append(score)
    return {g: (min(s), max(s)) for g, s in sorted(bands.items())}


def _vitals_alt(day: int = VITALS_LAST_DAY, case: cs.Case | None = None) -> str:
    case = case or cs.data()
    last = case.axis.vitals_last_day
    obs = [o for o in cs.observations_until(day, case) if 0 <= o.day <= last]
    hottest = max(obs, key=lambda o: o.temp_c)
    lowest = min(obs, key=lambda o: o.sbp)
    lowest_o2 = min(obs, key=lambda o: o.spo2)
    with_ice = [o for o in obs if o.ice is not None]
    worst_ice = min(with_ice, key=lambda o: o.ice_total)
    fevers = [o for o in obs if o.temp_c >= clinical.FEVER_C]
    oxygen = [o for o in obs if o.oxygen_device != "none"]
    bands = "; ".join(f"{lo} to {hi} grade {g}" for g, (lo, hi) in _ice_bands().items())
    parts = [
        f"Four stacked line charts of a fictional patient's observations from day 0 to day {day}, one point per "
        "observation.",
        f"Temperature: highest {hottest.temp_c:.1f} °C on day {hottest.day}; "
        + (
            f"{len(fevers)} reading{'s' if len(fevers) > 1 else ''} at or above the dashed "
            f"{clinical.FEVER_C:.1f} °C fever line, on day{'s' if len({o.day for o in fevers}) > 1 else ''} "
            + " and ".join(sorted({str(o.day) for o in fevers}, key=int))
            + "."
            if fevers
            else f"no reading reaches the dashed {clinical.FEVER_C:.1f} °C fever line."
        ),
        f"Blood pressure: lowest {lowest.sbp}/{lowest.dbp} mmHg on day {lowest.day}.",
        f"Oxygen saturation: lowest {lowest_o2.spo2}% on day {lowest_o2.day}"
        + (
            f", with oxygen by {oxygen[0].oxygen_text()} (shaded strip) from day {oxygen[0].day}."
            if oxygen
            else ", on room air throughout."
        ),
        f"ICE score: lowest {worst_ice.ice_total} of 10 on day {worst_ice.day}, last {with_ice[-1].ice_total}; shaded "
        f"bands mark ICE {bands}.",
    ]
    drugs = [e for e in chart_drugs(case) if e.day <= day + 1]
    if drugs:
        parts.append(
            "Dotted vertical lines mark "
            + " and ".join(f"{e.text.split(' IV')[0].lower()} on day {int(e.day)}" for e in drugs)
            + "."
        )
    if day < last:
        parts.append(f"Days after day {day} are greyed out.")
    return " ".join(parts)


def _vitals_caption(day: int = VITALS_LAST_DAY, case: cs.Case | None = None) -> str:
    return (
        f"**The ward chart, day 0 to day {day}.** Temperature with the 38.0 °C fever line, blood pressure, oxygen "
        "saturation and the ICE score with the ICANS grade bands of the ASTCT rules; dotted lines mark the drugs. "
        "The bands are the grade the ICE score alone sets: the ICANS grade is the worst of all its domains, so a "
        "patient who cannot be roused is grade 4 whatever the score [lee2019-astct]. Fictional case for teaching, not patient data."
    )


FIGURES = {
    "l08_timeline": Entry(case_timeline, _timeline_alt, _timeline_caption),
    "l08_vitals": Entry(vital_signs, _vitals_alt, _vitals_caption),
}
