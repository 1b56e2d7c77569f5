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
CHAR_W = 0.0085  # approximate width of one 9.5-pt character, in timeline axis units
LANE_NAMES = {"care": "Care steps", "treatment": "Treatment", "crs": "CRS grade", "icans": "ICANS grade"}
LANE_Y = {"care": 3.0, "treatment": 2.0, "crs": 1.0, "icans": 0.0}
GRADE_FILL = {1: OKABE_ITO["yellow"], 2: OKABE_ITO["orange"], 3: OKABE_ITO["vermillion"], 4: OKABE_ITO["reddish_purple"]}
GRADE_HATCH = {1: "", 2: "///", 3: "xxx", 4: "xxxx"}
VITALS_LAST_DAY = cs.DEFAULT_AXIS.vitals_last_day


def _check_day(day: int, low: int, high: int) -> int:
    if isinstance(day, bool) or not isinstance(day, int) or not low <= day <= high:
        raise ValueError(f"day must be a whole number from {low} to {high}, not {day!r}")
    return day


def _place(placed: list[tuple[float, float, int]], left: float, right: float) -> int:
    """The first label level (0 above, 1 below) where [left, right] does not overlap a placed label."""
    for level in (0, 1):
        if all(right < a or left > b for a, b, lv in placed if lv == level):
            return level
    return 0


def case_timeline(day: int = 90, case: cs.Case | None = None) -> Figure:
    """The case from referral to ``day``: events, treatments and grades so far; the day marked."""
    case = case or cs.data()
    _check_day(day, cs.first_day(case), cs.last_day(case))

    def timeline_x(d: float) -> float:
        return cs.timeline_x(d, case)

    apply_style()
    fig = Figure(figsize=(10.0, 3.9))
    ax = fig.add_axes((0.115, 0.2, 0.87, 0.6))
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, 3.75)
    ax.set_yticks([LANE_Y[k] for k in LANE_NAMES], list(LANE_NAMES.values()), fontsize=10.5)
    ax.tick_params(axis="y", length=0)
    ax.spines[["left", "top", "right"]].set_visible(False)
    ticks = case.axis.ticks
    ax.set_xticks([timeline_x(d) for d in ticks], [str(d) for d in ticks], fontsize=9.5)
    ax.set_xlabel(f"Days from the CAR-T infusion (day 0); the scale is stretched from {case.axis.stretch}", fontsize=10)
    for y in LANE_Y.values():
        ax.axhline(y, color="#D9D9D9", linewidth=0.8, zorder=0)
    for knot, _ in case.axis.knots[1:-1]:
        ax.axvline(timeline_x(knot), color=GREY, linestyle=(0, (1, 3)), linewidth=1, zorder=0)

    x_day, x_next = timeline_x(day), timeline_x(day + 1)
    ax.add_patch(Rectangle((x_day, -0.6), x_next - x_day, 4.35, facecolor=TODAY, edgecolor="none", zorder=0))
    for x in (x_day, x_next):
        ax.axvline(x, color="black", linestyle="--", linewidth=1.2, zorder=1)
    if day < cs.last_day(case):
        ax.add_patch(Rectangle((x_next, -0.6), 1 - x_next, 4.35, facecolor=LIGHT, edgecolor="none", zorder=0))
        ax.text((x_next + 1) / 2, -0.45, "still to come", ha="center", va="bottom", fontsize=10, color="#555555")
    ax.axvline(timeline_x(0), color="black", linewidth=1.4, zorder=1)

    placed: dict[str, list[tuple[float, float, int]]] = {"care": [], "treatment": []}
    for event in cs.events_until(day, case):
        y = LANE_Y[event.lane]
        xs = timeline_x(event.day)
        if event.end is not None:
            xe = timeline_x(min(event.end, day + 0.999))
            ax.add_patch(
                Rectangle((xs, y - 0.17), max(xe - xs, 0.004), 0.34, facecolor=OKABE_ITO["sky_blue"],
                          edgecolor="black", linewidth=1, zorder=2)
            )
            centre = (xs + xe) / 2
        else:
            marker = "o" if event.lane == "care" else "D"
            colour = OKABE_ITO["blue"] if event.lane == "care" else OKABE_ITO["bluish_green"]
            ax.plot([xs], [y], marker=marker, markersize=8, color=colour, markeredgecolor="black", zorder=3)
            centre = xs
        width = len(event.label) * CHAR_W
        left, right = centre - width / 2, centre + width / 2
        ha = "center"
        if right > 1.0:
            left, right, ha, centre = 1.0 - width, 1.0, "right", 1.0
        level = _place(placed[event.lane], left, right)
        placed[event.lane].append((left, right, level))
        ax.text(centre, y + (0.24 if level == 0 else -0.24), event.label, ha=ha, va="bottom" if level == 0 else "top",
                fontsize=9.5, zorder=4, bbox=LABEL_BOX)

    for kind in ("crs", "icans"):
        y = LANE_Y[kind]
        spans = cs.grade_spans(kind, day, case)
        numbers: list[tuple[float, float, int]] = []
        for span in spans:
            xs, xe = timeline_x(span.start), timeline_x(span.end)
            ax.add_patch(
                Rectangle((xs, y - 0.25), xe - xs, 0.5, facecolor=GRADE_FILL[span.grade], hatch=GRADE_HATCH[span.grade],
                          edgecolor="black", linewidth=1, zorder=2)
            )
            centre = (xs + xe) / 2
            level = _place(numbers, centre - 1.5 * CHAR_W, centre + 1.5 * CHAR_W)  # keeps "1" "2" from reading "12"
            numbers.append((centre - 1.5 * CHAR_W, centre + 1.5 * CHAR_W, level))
            ax.text(centre, y + (0.29 if level == 0 else -0.29), str(span.grade), ha="center",
                    va="bottom" if level == 0 else "top", fontsize=10, fontweight="bold", zorder=4, bbox=LABEL_BOX)
        if day >= 0 and not spans:
            ax.text(timeline_x(0) + 0.01, y, "none so far", ha="left", va="center", fontsize=9.5, color="#555555")
        elif day < 0:
            ax.text(timeline_x(0) + 0.01, y, "after infusion", ha="left", va="center", fontsize=9.5, color="#555555")

    label_x, label_ha = ((x_day + x_next) / 2, "center") if x_next < 0.94 else (x_next, "right")
    ax.text(label_x, 3.78, f"day {day}", ha=label_ha, va="bottom", fontsize=10.5, fontweight="bold",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "black"}, zorder=6)
    stage = cs.stage_on(day, case)
    fig.text(0.012, 0.975, f"{case.patient.short_name}'s case so far: day {day} - {stage.title[0].lower() + stage.title[1:]}", fontsize=13,
             fontweight="bold", va="top")
    fig.text(0.012, 0.905, "Fictional case for teaching, not patient data. The number by each box is its ASTCT "
             "grade; higher grades are darker and hatched.", fontsize=10, va="top", color="#333333")
    handles = [
        Line2D([0], [0], marker="o", color="none", markerfacecolor=OKABE_ITO["blue"], markeredgecolor="black",
               markersize=8, label="care step"),
        Line2D([0], [0], marker="D", color="none", markerfacecolor=OKABE_ITO["bluish_green"],
               markeredgecolor="black", markersize=7, label="single treatment"),
        Rectangle((0, 0), 1, 1, facecolor=OKABE_ITO["sky_blue"], edgecolor="black", label="treatment over days"),
        Rectangle((0, 0), 1, 1, facecolor=TODAY, edgecolor="black", linestyle="--", label="the day shown"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=9.5, bbox_to_anchor=(0.55, 0.0))
    return crisp_text(fig)


def _timeline_alt(day: int = 90, case: cs.Case | None = None) -> str:
    case = case or cs.data()
    events = cs.events_until(day, case)
    parts = [
        f"Timeline of a fictional patient's CAR-T treatment from referral (day {cs.first_day(case)}) to day {day}, "
        "in four lanes: care steps, treatment, CRS grade and ICANS grade. A shaded column with dashed edges marks "
        f"day {day}" + (", and the rest of the story is greyed out as still to come." if day < cs.last_day(case) else ".")
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
        "(computed from the observations with the course's grading rules), up to the marked day. "
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
            ax_bp.annotate(f"{o.sbp}/{o.dbp}", (o.t, o.sbp), xytext=(-7, -2), textcoords="offset points",
                           fontsize=9.5, va="top", ha="right")
            break

    ax_o2.plot(t, [o.spo2 for o in obs], marker="s", color=OKABE_ITO["bluish_green"], linewidth=1.6)
    ax_o2.set_ylim(88, 100.5)
    ax_o2.set_ylabel("SpO₂ (%)", fontsize=10)
    on_oxygen = [o for o in obs if o.oxygen_device != "none"]
    if on_oxygen:
        start, end = on_oxygen[0].t, min(on_oxygen[-1].t + 0.3, day + 1)
        ax_o2.axvspan(start, end, ymin=0.0, ymax=0.12, facecolor=OKABE_ITO["bluish_green"], alpha=0.35,
                      hatch="..", edgecolor=OKABE_ITO["bluish_green"])
        ax_o2.text(end + 0.08, 89.0, f"oxygen {on_oxygen[0].oxygen_text()}", fontsize=9.5, va="bottom")

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
        "Fictional case for teaching, not patient data."
    )


FIGURES = {
    "l08_timeline": Entry(case_timeline, _timeline_alt, _timeline_caption),
    "l08_vitals": Entry(vital_signs, _vitals_alt, _vitals_caption),
}
