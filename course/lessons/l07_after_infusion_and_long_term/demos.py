"""Interactive demos of lesson 07 (after infusion and the long term).

- ``journey_demo()``: the whole-journey timeline; a dropdown highlights one side effect (the others
  greyed) and the chosen one is explained in words below the figure. Its static view is the figure
  itself (default state, with alt text and caption) plus every explanation, so the figure is drawn
  and stored once.
- ``day_demo()``: a day slider and a recovery-pattern dropdown over the conceptual neutrophil
  course; below it, what the lesson says about that day (ICAHT period, infection period, typical
  prophylaxis examples, going-home rules before and since June 2025).
- ``icaht_demo()``: the neutrophil ICAHT grader (``course.clinical.icaht``) on made-up blood-count
  series: pick a patient or type your own results, and read the grade, the period and the criterion
  that set it, with what the nurse does next.

The logic lives in ``course.lessons.l07_after_infusion_and_long_term.model``; this module only wires widgets to it. Each demo is a
``Demo``: the live widget in Jupyter, a static HTML fallback (the default state in words) elsewhere.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from course.clinical import icaht
from course.core.references import cite_html
from course.core.text import inline_html, plain
from course.engine.views.demo import Demo, figure_widget
from course.engine.views.html import Static
from course.figures.catalog import show
from course.lessons.l07_after_infusion_and_long_term import model as lt

ALL = "all"
CELL = lt.CELL_STYLE
DESCRIPTION_STYLE = {"description_width": "initial"}


def _refs(keys: tuple[str, ...]) -> str:
    """Sources as the lesson's numbered citation links, never raw keys."""
    return cite_html(keys)


def journey_explanation_html(highlight: str) -> str:
    """The words under the journey figure for one highlighted row (or the overview for ``all``)."""
    table = lt.data()
    if highlight == ALL:
        items = "".join(f"<li><strong>{escape(win.name)}</strong></li>" for win in table.timeline)
        return (
            '<div class="cart-l07-explain" role="status" aria-live="polite">'
            "<p><strong>All side effects are shown.</strong> Choose one in the menu to highlight it; the others turn "
            f"grey and the chosen one is explained here. The rows are:</p><ul>{items}</ul></div>"
        )
    win = table.window(highlight)
    return (
        '<div class="cart-l07-explain" role="status" aria-live="polite">'
        f"<p><strong>▶ {escape(win.name)}.</strong> {inline_html(win.explanation)}</p>"
        f"<p><strong>What the nurse watches for:</strong> {inline_html(win.watch_for)}</p>"
        f'<p style="font-size:0.9em">Sources: {_refs(win.references)}</p></div>'
    )


def _journey_options() -> list[tuple[str, str]]:
    return [("All side effects", ALL)] + [(win.name, win.id) for win in lt.data().timeline]


class JourneyDemo:
    """Dropdown + figure + explanation; ``select(id)`` is what the dropdown does (used by tests)."""

    def __init__(self, highlight: str = ALL):
        self.dropdown = w.Dropdown(
            options=_journey_options(), value=highlight, description="Highlight:", style=DESCRIPTION_STYLE
        )
        self.dropdown.add_class("cart-l07-highlight")
        self.initial_view = self._view(highlight)
        self.figure = figure_widget(self.initial_view)
        self.explanation = w.HTML(value=journey_explanation_html(highlight))
        self.explanation.add_class("cart-l07-journey-text")
        self.dropdown.observe(self._on_change, names="value")
        self.box = w.VBox([self.dropdown, self.figure, self.explanation])
        self.box.add_class("cart-l07-journey")

    @staticmethod
    def _view(highlight: str):
        return show("l07_journey", highlight=None if highlight == ALL else highlight)

    def _on_change(self, change) -> None:
        self.select(change["new"])

    def select(self, highlight: str) -> None:
        if self.dropdown.value != highlight:
            self.dropdown.value = highlight  # triggers _on_change, which calls select again
            return
        self.figure.value = self._view(highlight).html()
        self.explanation.value = journey_explanation_html(highlight)


def journey_static_html(figure_html: str = "") -> str:
    """What a reader without a kernel gets: the figure (default state) and every row explained."""
    rows = "".join(
        f'<tr><th scope="row" style="{CELL}">{escape(win.name)}</th><td style="{CELL}">{inline_html(win.explanation)}'
        f'</td><td style="{CELL}">{inline_html(win.watch_for)}</td><td style="{CELL}">{_refs(win.references)}</td></tr>'
        for win in lt.data().timeline
    )
    return (
        f"{figure_html}<p><strong>Interactive timeline.</strong> In Jupyter a menu (<em>Highlight</em>) picks one "
        "side effect; the figure is redrawn with that row highlighted and the others grey, and the explanation "
        "appears under it. Shown here: the default state, all rows. Every explanation the menu can show:</p>"
        '<table class="cart-table cart-l07-table"><thead><tr>'
        + "".join(
            f'<th scope="col" style="{CELL}">{h}</th>'
            for h in ("Side effect or rule", "When and why", "What the nurse watches for", "Sources")
        )
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def journey_demo() -> Demo:
    """The interactive whole-journey timeline (dropdown highlight)."""
    demo = JourneyDemo()
    text = f"Figure: {plain(demo.initial_view.caption)}\nDescription: {demo.initial_view.alt}\n" + " ".join(
        f"{win.name}: {win.explanation}" for win in lt.data().timeline
    )
    return Demo(demo.box, journey_static_html(demo.initial_view.html()), text, css_class="cart-l07-journey-demo")


def day_summary_html(day: int, pattern: str) -> str:
    """The words under the neutrophil figure for one day and one conceptual recovery pattern."""
    s = lt.day_summary(day, pattern)
    severe = "below" if s.anc < lt.SEVERE_NEUTROPENIA else "above"
    prophylaxis = "".join(f"<li>{inline_html(p.against)}: {inline_html(p.examples)}</li>" for p in s.prophylaxis)
    now = "".join(f"<li>{inline_html(r.sentence(day))}</li>" for r in s.current_rules)
    before = "".join(f"<li>{inline_html(r.sentence(day))}</li>" for r in s.before_rules)
    return (
        '<div class="cart-l07-day" role="status" aria-live="polite">'
        f"<p><strong>Day {s.day}</strong>, pattern <em>{escape(lt.PATTERNS[pattern])}</em>: conceptual ANC about "
        f"{s.anc:.1f} × 10⁹/L, {severe} the severe-neutropenia line of 0.5 (conceptual, not patient data).</p>"
        f"<p><strong>ICAHT period:</strong> {escape(s.icaht.name)} ({escape(s.icaht.days)}).</p>"
        f"<p><strong>Infection period:</strong> {escape(s.period.name)} ({escape(s.period.days)}). "
        f"{inline_html(s.period.typical)}</p>"
        f"<p><strong>Prophylaxis examples that typically apply</strong> (centres differ):</p><ul>{prophylaxis}</ul>"
        f"<p><strong>Going home, US labels since June 2025:</strong></p><ul>{now}</ul>"
        f"<p><strong>Under the labels before June 2025:</strong></p><ul>{before}</ul></div>"
    )


class DayDemo:
    """Day slider + pattern dropdown + neutrophil figure + the day's summary."""

    def __init__(self, day: int = 45, pattern: str = "biphasic"):
        self.slider = w.IntSlider(
            value=day,
            min=0,
            max=lt.TIMELINE_END_DAY,
            step=1,
            description="Day after infusion:",
            continuous_update=False,
            style=DESCRIPTION_STYLE,
            layout=w.Layout(width="32em"),
        )
        self.slider.add_class("cart-l07-day-slider")
        self.pattern = w.Dropdown(
            options=[(title, key) for key, title in lt.PATTERNS.items()],
            value=pattern,
            description="Recovery pattern:",
            style=DESCRIPTION_STYLE,
        )
        self.pattern.add_class("cart-l07-pattern")
        self.figure = figure_widget(self._view())
        self.summary = w.HTML(value=day_summary_html(day, pattern))
        self.summary.add_class("cart-l07-day-text")
        self.slider.observe(self._redraw, names="value")
        self.pattern.observe(self._redraw, names="value")
        self.box = w.VBox([w.HBox([self.slider, self.pattern]), self.figure, self.summary])
        self.box.add_class("cart-l07-day-demo-box")

    def _view(self):
        return show("l07_neutrophils", pattern=self.pattern.value, day=self.slider.value)

    def _redraw(self, change=None) -> None:
        self.figure.value = self._view().html()
        self.summary.value = day_summary_html(self.slider.value, self.pattern.value)


def day_static_html(day: int = 45, pattern: str = "biphasic") -> str:
    return (
        "<p><strong>Day explorer.</strong> In Jupyter a slider (<em>Day after infusion</em>, 0 to 365) and a menu "
        "(<em>Recovery pattern</em>) redraw the conceptual neutrophil figure of section 4 with a marker on the chosen day and "
        f"update the text below. Default state, day {day}:</p>" + day_summary_html(day, pattern)
    )


def day_demo() -> Demo:
    """The interactive day explorer over the conceptual neutrophil course."""
    demo = DayDemo()
    text = "Day explorer (default state): " + plain(" ".join(lt.day_summary(45, "biphasic").lines()))
    return Demo(demo.box, day_static_html(), text, css_class="cart-l07-day-demo")


# --- ICAHT grader demo -------------------------------------------------------------------------------

# Made-up teaching series (day after infusion, ANC in cells/µL), not patient data.
ICAHT_PATIENTS = {
    "quick": ("Mr A: quick recovery", ((0, 900), (3, 400), (6, 300), (9, 1200), (14, 2600), (28, 3100), (60, 2900))),
    "two-weeks": ("Ms B: low for two weeks", ((0, 600), (2, 300), (9, 200), (16, 700), (21, 1600), (35, 2100))),
    "profound": ("Mr C: profound and long", ((0, 400), (2, 80), (6, 40), (12, 60), (18, 300), (25, 900), (40, 1400))),
    "biphasic": (
        "Mrs D: recovers, then falls again",
        ((0, 700), (3, 300), (8, 1500), (21, 2400), (42, 450), (49, 380)),
    ),
}
# The series behind the lesson's ICAHT questions: their keyed grades are checked against the grader.
ICAHT_QUESTIONS = {
    "q07-icaht-early-calc": ((0, 700), (2, 350), (9, 180), (14, 420), (19, 1300), (26, 2200)),
    "q07-icaht-profound": ((0, 900), (3, 60), (12, 300), (17, 2000), (40, 2100), (60, 2300)),
    "q07-icaht-late-depth": ((0, 600), (12, 1800), (38, 900), (45, 820), (52, 1100)),
    "q07-icaht-fever": ((2, 400), (9, 200)),
}
ICAHT_ACTIONS = {
    0: "No ICAHT. Keep checking the count as the protocol asks; fever is still reported at once.",
    1: "Neutropenic precautions while the ANC is at or below 500/µL; fever of 38.0 °C or more is an "
    "emergency (neutropenic sepsis pathway and call the team).",
    2: "As grade 1; check that the antibacterial and antifungal prophylaxis the team prescribed for the "
    "time with ANC at or below 500/µL is being taken; the team may give G-CSF.",
    3: "Tell the team today: they look for causes (infection, drugs, relapse), review prophylaxis and G-CSF, "
    "and plan transfusion support. Every fever is treated as neutropenic sepsis.",
    4: "Tell the team today: as grade 3, and the team may test the marrow and, where a stored stem-cell "
    "product exists, consider a stem-cell boost. Strict infection precautions.",
}
ICAHT_REFS = ("rejeski2023-icaht", "santomasso2021-asco")


def parse_anc_series(text: str) -> list[tuple[int, float]]:
    """Read lines of 'day: ANC' (or 'day, ANC') typed by a learner; a clear ValueError if a line is unreadable."""
    series = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace(":", ",").replace(";", ",").split(",")
        if len(parts) != 2:
            raise ValueError(f"line {number} ({line!r}): write one result a line as 'day: ANC', e.g. '12: 450'")
        try:
            day, anc = int(parts[0].strip()), float(parts[1].strip())
        except ValueError:
            raise ValueError(
                f"line {number} ({line!r}): the day must be a whole number and the ANC a number, e.g. '12: 450'"
            ) from None
        series.append((day, int(anc) if anc.is_integer() else anc))
    return series


def series_text(series) -> str:
    return "\n".join(f"{day}: {anc:g}" for day, anc in series)


def icaht_rules_table() -> Static:
    """The EHA/EBMT neutrophil ICAHT grades, written from the grader's own constants."""
    rows = [
        [
            "Early (day 0 to 30): days with ANC at or below 500/µL",
            "1 to 6 days",
            "7 to 13 days",
            "14 days or more",
            "ANC below 100/µL for 7 days or more",
        ],
        [
            "Late (after day 30): ANC on at least two results",
            "at or below 1500/µL",
            "at or below 1000/µL",
            "at or below 500/µL",
            "below 100/µL",
        ],
    ]
    return lt._table(
        "Neutrophil ICAHT grades (EHA/EBMT consensus 2023) [rejeski2023-icaht]",
        ["Period and measure", "Grade 1", "Grade 2", "Grade 3", "Grade 4"],
        rows,
        "Early days are added up over day 0 to 30 (a recovery of under 3 days that falls again still counts). "
        "Late ICAHT is graded by depth and needs more than one low result. The course grader holds a result "
        "until the next one.",
    )


def _not_graded(problem: str) -> str:
    return (
        '<div class="cart-l07-icaht-result" role="status" aria-live="polite"><p><strong>⚠ Not graded:</strong> '
        f"{escape(problem)}. Your results are kept: correct the line and press <em>Grade</em> again.</p></div>"
    )


def icaht_result_html(series) -> str:
    """The graded result in words, or the input problem; never raises."""
    try:
        r = icaht.icaht_grade(series)
    except ValueError as error:
        return _not_graded(str(error))
    period = {"early": "early ICAHT (day 0 to 30)", "late": "late ICAHT (after day 30)", None: "no ICAHT"}[r.period]
    return (
        '<div class="cart-l07-icaht-result" role="status" aria-live="polite">'
        f"<p><strong>Grade {r.grade}</strong>, {period}. Set by: {escape(r.criterion)}.</p>"
        f"<p>Early part: grade {r.early.grade} ({escape(r.early.criterion)}). Late part: grade {r.late.grade} "
        f"({escape(r.late.criterion)}).</p>"
        f"<p><strong>What the nurse does:</strong> {escape(ICAHT_ACTIONS[r.grade])}</p>"
        f'<p style="font-size:0.9em">Sources: {_refs(ICAHT_REFS)}</p></div>'
    )


class IcahtDemo:
    """Patient menu + editable results + Grade button + result; ``grade()`` is what the button does."""

    def __init__(self, patient: str = "two-weeks"):
        self.patient = w.Dropdown(
            options=[(title, key) for key, (title, _) in ICAHT_PATIENTS.items()],
            value=patient,
            description="Patient:",
            style=DESCRIPTION_STYLE,
        )
        self.patient.add_class("cart-l07-icaht-patient")
        self.results = w.Textarea(
            value=series_text(ICAHT_PATIENTS[patient][1]),
            description="Day: ANC (cells/µL)",
            rows=8,
            style=DESCRIPTION_STYLE,
            layout=w.Layout(width="24em"),
        )
        self.results.add_class("cart-l07-icaht-series")
        self.button = w.Button(description="Grade", tooltip="Grade these results", button_style="")
        self.button.add_class("cart-l07-icaht-grade")
        self.output = w.HTML(value=icaht_result_html(ICAHT_PATIENTS[patient][1]))
        self.patient.observe(self._on_patient, names="value")
        self.button.on_click(lambda _: self.grade())
        self.box = w.VBox([self.patient, w.HBox([self.results, self.button]), self.output])
        self.box.add_class("cart-l07-icaht-demo-box")

    def _on_patient(self, change) -> None:
        self.results.value = series_text(ICAHT_PATIENTS[change["new"]][1])
        self.grade()

    def grade(self) -> None:
        try:
            series = parse_anc_series(self.results.value)
        except ValueError as error:
            self.output.value = _not_graded(str(error))
            return
        self.output.value = icaht_result_html(series)


def icaht_static_html() -> str:
    rows = "".join(
        f'<tr><th scope="row" style="{CELL}">{escape(title)}</th><td style="{CELL}">'
        f"{escape(', '.join(f'day {d}: {a:g}' for d, a in series))}</td>"
        f'<td style="{CELL}">{icaht_result_html(series)}</td></tr>'
        for title, series in ICAHT_PATIENTS.values()
    )
    return (
        icaht_rules_table().html
        + "<p><strong>ICAHT grader.</strong> In Jupyter a menu picks a patient, the results can be edited "
        "(one 'day: ANC' a line) and <em>Grade</em> grades them. Made-up teaching values, not patient data. "
        "Every patient the menu offers, graded:</p>"
        '<table class="cart-table cart-l07-table"><thead><tr>'
        + "".join(f'<th scope="col" style="{CELL}">{h}</th>' for h in ("Patient", "ANC results (cells/µL)", "Grade"))
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def icaht_demo() -> Demo:
    """The interactive neutrophil ICAHT grader over made-up blood-count series."""
    demo = IcahtDemo()
    text = (
        plain(icaht_rules_table().text)
        + "\n"
        + "\n".join(
            f"{title}: grade {icaht.icaht_grade(series).grade} ({icaht.icaht_grade(series).criterion})"
            for title, series in ICAHT_PATIENTS.values()
        )
    )
    return Demo(
        w.VBox([w.HTML(icaht_rules_table().html), demo.box]),
        icaht_static_html(),
        text,
        css_class="cart-l07-icaht-demo",
    )


# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "journey_demo": journey_demo,
    "going_home_table": lt.going_home_table,
    "call_now_list": lt.call_now_list,
    "infection_table": lt.infection_table,
    "prophylaxis_table": lt.prophylaxis_table,
    "day_demo": day_demo,
    "icaht_demo": icaht_demo,
}
