"""Lesson 03 figures: the five steps with their durations, the vein-to-vein timeline, drop-out.

Data come from ``course.lessons.l03_the_five_steps.model`` (which reads the assets); nothing clinical is typed here.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from course.figures.catalog import Entry
from course.figures.diagrams import _arrow, _box
from course.figures.shapes import ON_WHITE, canvas, on_white
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l03_the_five_steps.model import Regimen, journey, regimen

HOSPITAL, FACTORY = OKABE_ITO["blue"], OKABE_ITO["orange"]
BRIDGING = OKABE_ITO["reddish_purple"]
UNVERIFIED_HATCH = "xx"  # the only hatching in this lesson's charts: a row that is not verified
CONCEPTUAL = "Conceptual illustration, not patient data."


def _wrap(text: str, width: int) -> str:
    """Break a phrase into lines of at most ``width`` characters (for boxes of fixed size)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


# --- 1. The five steps with durations -------------------------------------------------------------


TEXT_PT = 10.5  # every text of the five-steps figure: 12 CSS px or more at the 828 px the notebook shows it
BODY_LINE, STRIP_LINE = 0.19, 0.17  # inches per line of body text (linespacing 1.3) and of the bold strip (1.15)
BOX_W, BAND = 2.75, 0.32


def _step_parts(s) -> tuple[str, str]:
    """A step's body and its 'How long' strip, wrapped to the box (bold type is wider: fewer characters)."""
    return _wrap(s.what, 30), _wrap(f"How long: {s.duration}", 27)


def _lines_height(text: str, per_line: float) -> float:
    return per_line * text.count("\n") + 0.2  # the last line's own height


def _strip_height(how_long: str) -> float:
    return _lines_height(how_long, STRIP_LINE) + 0.14


def _box_height(s) -> float:
    """Title band, the body below it, a gap, the duration strip: nothing overlaps, whatever the text."""
    body, how_long = _step_parts(s)
    return BAND + 0.14 + _lines_height(body, BODY_LINE) + 0.16 + _strip_height(how_long) + 0.06


def five_steps_timed() -> Figure:
    """The loop between hospital and manufacturing site, each step with how long it takes.

    Each row of boxes is as tall as its longest step needs: the body sits under the title band, the
    duration strip at the bottom, so no text can reach the band (the row heights follow the data)."""
    steps = journey().steps
    top_h = max(_box_height(s) for s in steps if s.number in (1, 4, 5))
    low_h = max(_box_height(s) for s in steps if s.number in (2, 3))
    low_y, gap = 0.55, 0.55  # the white gap between the two bands holds the shipping labels
    low_band = low_y + low_h + 0.15
    top_y = low_band + gap + 0.4  # room under the top boxes for 'then monitoring'
    height = top_y + top_h + 0.45
    fig, ax = canvas(10, height)
    ax.add_patch(Rectangle((0.1, low_band + gap), 9.8, height - 0.1 - low_band - gap, facecolor="#EAF3FA",
                           edgecolor="none"))
    ax.add_patch(Rectangle((0.1, 0.1), 6.85, low_band - 0.1, facecolor="#FDF3E1", edgecolor="none"))
    ax.add_patch(Rectangle((7.05, 0.1), 2.85, low_band - 0.1, facecolor="#EAF3FA", edgecolor="none"))
    ax.text(0.25, height - 0.25, "THE PATIENT, AT THE TREATING HOSPITAL", fontsize=TEXT_PT, fontweight="bold",
            va="center")
    ax.text(0.25, 0.3, "THE CELLS, AT THE MANUFACTURING SITE", fontsize=TEXT_PT, fontweight="bold", va="center")
    ax.text(7.2, low_band - 0.25, "MEANWHILE, AT THE HOSPITAL", fontsize=TEXT_PT, fontweight="bold", va="center")
    places = {1: (0.3, top_y), 2: (0.75, low_y), 3: (3.95, low_y), 4: (3.75, top_y), 5: (6.95, top_y)}
    for s in steps:
        x, y = places[s.number]
        h = top_h if s.number in (1, 4, 5) else low_h
        colour = HOSPITAL if s.where == "hospital" else FACTORY
        body, how_long = _step_parts(s)
        _box(ax, x, y, BOX_W, h, s.name, body, colour, s.number)
        text = ax.texts[-1]  # the helper centres the body: put it just under the title band instead
        text.set_position((x + BOX_W / 2, y + h - BAND - 0.14))
        text.set_verticalalignment("top")
        text.set_fontsize(TEXT_PT)
        strip = _strip_height(how_long)
        ax.add_patch(Rectangle((x + 0.06, y + 0.06), BOX_W - 0.12, strip, facecolor="#F0F0F0", edgecolor="none"))
        ax.text(x + BOX_W / 2, y + 0.06 + strip / 2, how_long, ha="center", va="center", fontsize=TEXT_PT,
                fontweight="bold", linespacing=1.15)
    label = {"ha": "left", "va": "center", "fontsize": TEXT_PT, "style": "italic", "color": "#333333"}
    middle = low_band + gap / 2
    _arrow(ax, (1.2, top_y - 0.02), (1.7, low_y + low_h + 0.02))
    ax.text(1.95, middle, "cells shipped to the manufacturer\n(fresh or frozen, by product)", linespacing=1.1, **label)
    _arrow(ax, (0.75 + BOX_W + 0.02, low_y + low_h / 2), (3.93, low_y + low_h / 2))
    _arrow(ax, (5.3, low_y + low_h + 0.02), (5.15, top_y - 0.02))
    ax.text(5.45, middle, "product shipped back frozen", **label)
    _arrow(ax, (3.75 + BOX_W + 0.02, top_y + top_h / 2), (6.93, top_y + top_h / 2))
    ax.text(8.33, top_y - 0.22, "then monitoring (see the timeline)", fontsize=TEXT_PT, style="italic", ha="center",
            va="center")
    ax.add_patch(
        FancyBboxPatch(
            (7.3, 0.45),
            2.4,
            low_band - 1.0,
            boxstyle="round,pad=0.02,rounding_size=0.06",
            facecolor="white",
            edgecolor=OKABE_ITO["reddish_purple"],
            linewidth=2,
            linestyle="--",
        )
    )
    ax.text(
        8.5,
        0.45 + (low_band - 1.0) / 2,
        "Bridging therapy,\nif needed, keeps the\ncancer in check while\nthe cells are made",
        ha="center",
        va="center",
        fontsize=TEXT_PT,
        linespacing=1.3,
    )
    return fig


def _five_steps_alt() -> str:
    steps = journey().steps
    parts = [f"step {s.number}, {s.name} ({s.where}): {s.what} Duration: {s.duration}." for s in steps]
    return (
        "Diagram of the five steps of CAR-T therapy as a loop between the treating hospital (top, blue boxes) and "
        "the manufacturing site (bottom, orange boxes). " + " ".join(parts) + " A dashed box notes that bridging "
        "therapy may be given at the hospital while the cells are being made."
    )


# --- 2. The vein-to-vein timeline -----------------------------------------------------------------

ROWS = (
    "Leukapheresis",
    "Manufacturing\n(engineer, expand, ship)",
    "Bridging therapy\n(if needed)",
    "Lymphodepleting\nchemotherapy",
    "CAR-T infusion",
    "Daily checks",
    "Stay near the centre",
    "No driving",
)
PRE_START, PRE_END = -36, -9  # the illustrative weeks before lymphodepletion (left panel)
DAY_MIN, DAY_MAX = -8, 31  # the label-based days (right panel)


V2V_PT = 10.5  # the timeline's text: 12 CSS px or more at the 828 px the notebook shows it


def _bar(
    ax,
    y: int,
    start: float,
    end: float,
    colour: str,
    text: str = "",
    hatch: str = "",
    outline: str = "-",
    text_colour: str = "black",
    fill: bool = True,
) -> None:
    """One bar. Line styles carry meaning: "--" dashed = optional or allowed window, ":" dotted = the rule
    before June 2025. Hatching carries one meaning only: not verified."""
    ax.add_patch(
        Rectangle(
            (start, y - 0.32),
            end - start,
            0.64,
            facecolor=colour if fill else "white",
            edgecolor="black",
            linewidth=1.5 if outline == ":" else 1.2,
            hatch=hatch,
            linestyle=outline,
            alpha=1.0,
        )
    )
    if text:
        ax.text((start + end) / 2, y, text, ha="center", va="center", fontsize=V2V_PT, color=text_colour)


def _day_ticks(r) -> list[int]:
    """Tick days: the infusion days and the latest day drawn first, then a few landmarks that do not crowd them."""
    ticks = list(r.infusion_days) + (
        [r.latest_first_infusion_day] if r.latest_first_infusion_day > r.infusion_days[0] else []
    )
    for day in (-7, -5, -3, 0, 7, 14, 21, 28):
        if all(abs(day - t) >= 2 for t in ticks):
            ticks.append(day)
    return sorted(ticks)


def vein_to_vein_timeline(regimen_id: str = "yescarta", show_before: bool = True) -> Figure:
    """Gantt chart: the illustrative weeks of manufacturing, then the product's label days and monitoring."""
    apply_style()
    r = regimen(regimen_id)
    j = journey()
    fig = Figure(figsize=(10, 5.4))
    left = fig.add_axes((0.205, 0.235, 0.185, 0.625))
    right = fig.add_axes((0.41, 0.235, 0.57, 0.625), sharey=left)
    n = len(ROWS)
    for ax in (left, right):
        ax.set_ylim(n - 0.5, -0.5)
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
        ax.set_axisbelow(True)
    left.set_yticks(range(n), ROWS, fontsize=V2V_PT)
    right.tick_params(axis="y", left=False, labelleft=False)
    right.spines["left"].set_visible(False)

    # Left panel: illustrative, not to the label.
    left.set_xlim(PRE_START, PRE_END)
    left.set_xticks([-35, -28, -21, -14], ["−5", "−4", "−3", "−2"])
    left.set_xlabel("Weeks before: illustrative,\nvaries by product and centre", fontsize=V2V_PT)
    _bar(left, 0, -34, -33, HOSPITAL)
    left.text(-32.4, 0, "one day", va="center", fontsize=V2V_PT)
    _bar(left, 1, -33, PRE_END, FACTORY, "weeks")
    _bar(left, 2, -31, PRE_END, BRIDGING, "", outline="--")
    on_white(left, -20, 2.0, "optional", ha="center", va="center", fontsize=V2V_PT)

    # Right panel: days from the product label.
    right.set_xlim(DAY_MIN, DAY_MAX)
    right.set_xticks(_day_ticks(r))
    right.tick_params(axis="x", labelsize=9.5)
    first_name = "Day 1" if r.infusion_days[0] == 1 else "day 0"
    right.set_xlabel(f"Days from the first infusion ({first_name}): from the label", fontsize=V2V_PT)
    _bar(right, 1, DAY_MIN, DAY_MIN + 2.5, FACTORY)
    on_white(right, DAY_MIN + 2.8, 1, "product arrives, stored frozen until infusion", va="center", fontsize=V2V_PT,
             zorder=3)  # the day-0 line and the grid pass behind every right-panel label
    _bar(right, 2, DAY_MIN, DAY_MIN + 1.5, BRIDGING, outline="--")
    on_white(right, DAY_MIN + 1.8, 2, "stops before lymphodepletion", va="center", fontsize=V2V_PT, zorder=3)
    if r.ld_days:
        colour = OKABE_ITO["vermillion"] if r.verified else "#BBBBBB"
        for d in r.ld_days:
            _bar(right, 3, d - 0.45, d + 0.45, colour, "", hatch="" if r.verified else UNVERIFIED_HATCH)
        text = f"{len(r.ld_days)} days" + ("" if r.verified else ": NOT VERIFIED") + _rest_words(r, ", then ")
        right.text(
            r.ld_days[-1] + 0.8,
            3,
            text,
            va="center",
            fontsize=V2V_PT,
            fontweight="bold",
            bbox=ON_WHITE,
            zorder=3,
        )
    else:
        right.text(
            DAY_MIN + 0.3,
            3,
            "day numbering not verified: read the label",
            va="center",
            fontsize=V2V_PT,
            fontweight="bold",
            bbox={"facecolor": "#EEEEEE", "edgecolor": "black", "pad": 2},
        )
    first = r.infusion_days[0]
    latest = r.latest_first_infusion_day
    if latest > first:
        _bar(right, 4, first, latest, "white", "", outline="--")
        latest_text = f"latest drawn: day {latest}" + ("" if r.latest_confirmed else "\n(US label read plainly)")
        latest_text += f"\n{r.infusion_note}" if r.infusion_note else ""
        on_white(right, latest + 0.4, 4, latest_text, va="center", fontsize=V2V_PT, linespacing=1.15, zorder=3)
    for d in r.infusion_days:
        right.plot([d], [4], marker="D", markersize=11, color="black", markeredgecolor="black")
    if len(r.infusion_days) > 1:
        second = r.infusion_days[1]
        right.errorbar([second], [4], xerr=[[2], [2]], fmt="none", ecolor="black", capsize=4, linewidth=1.2)
        on_white(right, second + 2.6, 4, f"Day {first} and Day {second} (±2)", va="center", fontsize=V2V_PT, zorder=3)
    if r.infusion_note and latest <= first:  # with a window the note goes under "latest drawn"
        on_white(right, first + 1.3, 4, r.infusion_note, va="center", fontsize=V2V_PT, zorder=3)
    right.axvline(first, color="black", linewidth=1, linestyle=":")

    # Monitoring rows: the rule since June 2025, and the older one as a dashed outline.
    if not follows_june_2025_rules(r):
        right.text(
            first + 0.5,
            6,
            "Aucatzyl never had a REMS and was not part of the\nJune 2025 change: follow the Aucatzyl label",
            va="center",
            fontsize=V2V_PT,
            bbox={"facecolor": "#EEEEEE", "edgecolor": "black", "pad": 2},
        )
    else:
        for y, rule_id in ((5, "daily-checks"), (6, "stay-near"), (7, "no-driving")):
            rule = j.rule(rule_id)
            if show_before and rule.before_days:
                end = min(rule.before_days, DAY_MAX - 0.2)
                _bar(right, y, first, end, "white", "", outline=":")
                right.text(
                    end - 0.8,
                    y,
                    f"before: {rule.before_days // 7} weeks"  # the note under the chart dates it: June 2025
                    + (" \u2192" if rule.before_days > DAY_MAX else ""),
                    ha="right",
                    va="center",
                    fontsize=V2V_PT,
                    bbox=ON_WHITE,
                )
            label = f"at least {rule.current_days} days"
            if rule.current_days >= 10:  # wide enough to hold its label
                _bar(right, y, first, first + rule.current_days, OKABE_ITO["sky_blue"], label)
            else:
                _bar(right, y, first, first + rule.current_days, OKABE_ITO["sky_blue"])
                on_white(
                    right,
                    first + rule.current_days + 0.4,
                    y,
                    label + (": wording differs by label" if rule_id == "daily-checks" else ""),
                    va="center",
                    fontsize=V2V_PT,
                    zorder=3,
                )
    title = f"{r.product}: {r.indication}"
    fig.text(0.01, 0.96, title, fontsize=12.5, fontweight="bold", va="center")
    fig.text(
        0.01,
        0.915,
        _wrap(r.regimen, 120) + ("" if r.verified or r.ld_days else " (chemotherapy days: see the label)"),
        fontsize=V2V_PT,
        va="center",
    )
    if follows_june_2025_rules(r):
        note = "Blue bars: monitoring rules since June 2025 (US labels)" + (
            "; dotted outlines: the rules before." if show_before else "."
        )
    else:
        note = "Monitoring: follow the Aucatzyl label (no REMS; not part of the June 2025 change)."
    key = "Dashed outline: optional, or the infusion days the chart draws (see the caption)."
    if not r.verified and r.ld_days:
        key += " Cross-hatched grey: not verified."
    fig.text(0.01, 0.064, note, fontsize=V2V_PT, va="center")
    fig.text(0.01, 0.026, key + " Left panel illustrative, not to scale.", fontsize=V2V_PT, va="center")
    return fig


def _rest_words(r: Regimen, prefix: str = "") -> str:
    """'2 rest days' (with ``prefix``) for a charted regimen; '' when no chemotherapy days are drawn."""
    rest = r.rest_days_before_infusion()
    if rest is None:
        return ""
    return f"{prefix}{rest} rest day{'s' if rest != 1 else ''}"


def _reading_words(r: Regimen) -> str:
    """How the latest day is counted: the plain reading (most windows) or a confirmed rest-day count (Abecma)."""
    if r.window_after_ld and not r.latest_confirmed:
        m = r.window_after_ld[1]
        return (
            f" ({m} calendar days after the last chemotherapy day: the label read plainly, the earlier of its two "
            "readings; check the current label with your pharmacy and protocol before planning an infusion at the "
            "end of the window)"
        )
    return ""


def follows_june_2025_rules(r) -> bool:
    """True for the six products whose REMS ended in June 2025; Aucatzyl never had one."""
    return r.product != "Aucatzyl"


def _timeline_alt(regimen_id: str = "yescarta", show_before: bool = True) -> str:
    r = regimen(regimen_id)
    j = journey()
    if r.ld_days:
        ld = (
            f"lymphodepleting chemotherapy on days {', '.join(str(d) for d in r.ld_days)} (regimen: {r.regimen}), "
            f"then {_rest_words(r)} without chemotherapy before the infusion"
        )
        if not r.verified:
            ld += ", marked as not verified"
    else:
        ld = (
            "no lymphodepletion days drawn, with a note that their day numbering is not verified and is to be "
            "read in the label"
        )
    infusion = " and ".join(f"day {d}" for d in r.infusion_days)
    window = (
        f"; a dashed bar runs to the latest day the course draws for the first infusion, day "
        f"{r.latest_first_infusion_day}"
        + _reading_words(r)
        if r.latest_first_infusion_day > r.infusion_days[0]
        else ""
    )
    if r.infusion_note:
        window += f"; a note beside the infusion says {r.infusion_note}"
    if not follows_june_2025_rules(r):
        monitoring = (
            "No monitoring bars: a note says Aucatzyl never had a REMS, was not part of the June 2025 change, "
            "and the Aucatzyl label applies."
        )
    else:
        rules = [j.rule(i) for i in ("daily-checks", "stay-near", "no-driving")]
        monitoring = (
            "Monitoring bars from day 0, as in the US labels revised in June 2025: "
            + "; ".join(
                f"{x.rule[0].lower() + x.rule[1:]} for at least {x.current_days} days"
                + (" (the exact wording differs by product label)" if x.id == "daily-checks" else "")
                + (
                    f" (before June 2025: {x.before_text}, drawn as a dotted outline)"
                    if show_before and x.before_days
                    else ""
                )
                for x in rules
            )
            + "."
        )
    return (
        f"Gantt chart of the vein-to-vein timeline for {r.product} ({r.indication}). Left, on an illustrative scale "
        f"of weeks: leukapheresis on one day, then several weeks of manufacturing, with optional bridging therapy "
        f"in parallel. The left panel is a conceptual illustration, not patient data. Right, in days from the first "
        f"infusion: {ld}; CAR-T infusion on {infusion}{window}. " + monitoring
    )


def _timeline_caption(regimen_id: str = "yescarta", show_before: bool = True) -> str:
    r = regimen(regimen_id)
    extra = ""
    if not r.verified:
        note = r.note
        if note.lower().startswith("not verified"):
            note = note[len("not verified") :].lstrip(":. ")
            note = note[:1].upper() + note[1:]
        extra = f" **Not verified:** {note}"
    if follows_june_2025_rules(r):
        monitoring = (
            " Monitoring bars follow the US labels as revised in June 2025 for the six products whose REMS ended; "
            "the daily-monitoring wording differs by product, so check each current label."
        )
    else:
        monitoring = " Aucatzyl never had a REMS and was not part of the June 2025 change: follow the Aucatzyl label."
    counting = ""
    if r.window_after_ld:
        counting = (
            " A label's \"infuse N to M days after lymphodepletion ends\" can be read as N full rest days (the "
            "cells go in N + 1 calendar days after the last dose) or plainly (N calendar days after it), and most "
            "labels do not say which. The chart draws only the days both readings allow: the earliest after N "
            "full rest days, the latest M calendar days after the last dose. Only Abecma's rest-day count is "
            "confirmed, by the maker's schedule."
        )
        if r.product == "Carvykti":
            counting += (
                " The EU label and CARTITUDE-1 (5 to 7 days after the start of lymphodepletion) allow one day more "
                "than the US text read plainly; a patient follows the label of their own country."
            )
        counting += " Check a date at either end of a window in the current label with your pharmacy and protocol."
    return (
        f"**Vein to vein with {r.product}.** Lymphodepletion and infusion days follow the US label. "
        f"{' '.join(r.timing.split())}"
        + counting
        + " The weeks before lymphodepletion (left panel) are a conceptual illustration, not patient data."
        + monitoring
        + extra
    )


# --- 3. Enrolled but never infused ----------------------------------------------------------------


def not_infused_chart() -> Figure:
    """Horizontal bars: share of enrolled patients who never received their cells, per pivotal trial."""
    apply_style()
    rows = journey().not_infused
    fig = Figure(figsize=(8.5, 3.3))
    ax = fig.add_axes((0.33, 0.22, 0.6, 0.62))
    labels = [f"{d.trial} ({d.product},\n{d.disease})" for d in rows]
    values = [d.percent_not_infused for d in rows]
    ax.barh(range(len(rows)), values, color=OKABE_ITO["vermillion"], edgecolor="black", height=0.6)
    ax.set_yticks(range(len(rows)), labels, fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, 40)
    ax.set_xlabel("Enrolled patients who never received CAR-T cells (%)", fontsize=10.5)
    for i, d in enumerate(rows):
        ax.text(values[i] + 0.8, i, f"{values[i]:.0f}%  ({d.not_infused} of {d.enrolled})", va="center", fontsize=10)
    fig.text(0.01, 0.93, "Not every enrolled patient reaches infusion", fontsize=12, fontweight="bold", va="center")
    return fig


def _not_infused_alt() -> str:
    rows = journey().not_infused
    parts = "; ".join(
        f"{d.trial} ({d.product}, {d.disease}): {d.not_infused} of {d.enrolled} enrolled patients, "
        f"{d.percent_not_infused:.0f}%"
        for d in rows
    )
    return f"Horizontal bar chart of the share of enrolled patients who never received CAR-T cells in three pivotal trials: {parts}."


FIGURES = {
    "l03_five_steps_timed": Entry(
        five_steps_timed,
        alt=_five_steps_alt,
        caption=lambda: (
            "**The five steps and how long each takes.** The patient's own cells travel from the hospital to the "
            "manufacturing site and back; durations are typical and vary by product and centre. " + CONCEPTUAL
        ),
    ),
    "l03_vein_to_vein": Entry(vein_to_vein_timeline, alt=_timeline_alt, caption=_timeline_caption),
    "l03_not_infused": Entry(
        not_infused_chart,
        alt=_not_infused_alt,
        caption=lambda: (
            "**Enrolled but never infused.** Patients counted from enrolment (before leukapheresis) to infusion in "
            "three pivotal trials; reasons included disease progression, complications and, less often, "
            "manufacturing failure. Trial data as published, not a comparison between products."
        ),
    ),
}
