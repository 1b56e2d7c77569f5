"""Interactive demos of lesson 05: an ASTCT CRS grader and a tocilizumab dose checker.

The widgets only collect inputs and lay out results: grades come from ``course.clinical.crs_grade``
(through ``course.lessons.l05_cytokine_release_syndrome.model.grade_report``), doses from ``clinical.tocilizumab_dose`` and the repeat-dose
check from ``course.lessons.l05_cytokine_release_syndrome.model.next_tocilizumab_dose``. Every control has a label (``description``), is
keyboard usable (sliders, dropdowns, a checkbox) and carries a ``cart-l05-...`` CSS class for the
browser tests. Redraws are HTML only (no figure), so they take milliseconds.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from course import clinical
from course.engine.views.demo import Demo, label_controls
from course.lessons.l05_cytokine_release_syndrome import model as crs

STYLE = {"description_width": "15em"}
WIDE = w.Layout(width="36em", max_width="100%")


def _slider(value: float, low: float, high: float, step: float, description: str) -> w.FloatSlider:
    """A labelled slider that reports on release (one grading per move, not one per pixel)."""
    return w.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        readout_format=".0f" if step >= 1 else ".1f",
        description=description,
        style=STYLE,
        layout=WIDE,
        continuous_update=False,
    )


def _choice(labels: dict[str, str], value: str, description: str) -> w.Dropdown:
    return w.Dropdown(
        options=[(label, key) for key, label in labels.items()],
        value=value,
        description=description,
        style=STYLE,
        layout=WIDE,
    )


PANEL = "border:1px solid #767676;border-left:6px solid {colour};border-radius:4px;padding:0.5em 0.9em;max-width:52em"
GRADE_COLOURS = {0: "#767676", 1: "#56B4E9", 2: "#0072B2", 3: "#E69F00", 4: "#D55E00"}


# --------------------------------------------------------------------------------------------
# CRS grader
# --------------------------------------------------------------------------------------------

# The fever waiver applies only once CRS has been diagnosed (fever 38.0 °C or more) and then treated;
# routine paracetamol premedication before the infusion is not that case (see clinical.crs_grade).
GIVEN_LABEL = "CRS already diagnosed and treated with an antipyretic or anti-cytokine drug"

# What the grader does not do, stated beside it (review F29): ASTCT grade 5 is death from CRS, and every
# grade assumes that the signs come from CRS and not from another cause.
GRADER_LIMITS = (
    "<p class='cart-l05-limits' style='margin:0.3em 0'><strong>What this grader does not do.</strong> It stops at "
    "grade 4: it has <strong>no grade 5</strong> (death from CRS). It <strong>assumes the fever, low blood pressure "
    "and low oxygen are caused by CRS</strong>, not by another cause such as sepsis, bleeding or a blood clot in "
    "the lung; deciding that is the team's job, and another cause is looked for at every grade.</p>"
)
# Typical start flows when a cannula is chosen with the flow at 0: a standard cannula runs at a few litres a
# minute, a high-flow device at tens of litres (both are graded by flow, so the learner can slide either).
START_FLOW = {"nasal_cannula": 2.0, "high_flow_nasal_cannula": 30.0}

GRADER_DEFAULTS = {
    "temperature_c": 38.5,
    "hypotension": "none",
    "oxygen_device": "none",
    "oxygen_flow_l_min": 0.0,
    "antipyretic_or_anticytokine_given": False,
}


def grader_result_html(**inputs) -> str:
    """The grade, the criterion that set it, each domain alone, and the next step of the ladder."""
    try:
        report = crs.grade_report(**inputs)
    except ValueError as exc:
        return (
            f'<div class="cart-l05-grade" role="status" aria-live="polite" style="{PANEL.format(colour="#E69F00")}">'
            f'<p><span aria-hidden="true">ℹ</span> <strong>Check the inputs:</strong> {escape(str(exc))}.</p></div>'
        )
    colour = GRADE_COLOURS[report.grade]
    if report.grade == 0:
        headline = "No CRS grade: the ASTCT criteria are not met"
    else:
        headline = f"ASTCT CRS grade {report.grade}"
    set_by = " and ".join(report.set_by) if report.set_by else "nothing (criteria not met)"
    if report.fever:
        fever = f"yes, {inputs['temperature_c']:.1f} °C (fever is {clinical.FEVER_C:.1f} °C or more)"
    elif report.fever_waived:
        fever = (
            "no, but not required: CRS was already diagnosed (fever) and treated with an antipyretic or "
            "anti-cytokine drug, so fever is not needed to grade the rest of this episode"
        )
    else:
        fever = f"no, {inputs['temperature_c']:.1f} °C is below {clinical.FEVER_C:.1f} °C"
    bp = f"On its own: grade {report.hypotension_grade}" if report.hypotension_grade else "On its own: no grade"
    ox = f"On its own: grade {report.oxygen_grade}" if report.oxygen_grade else "On its own: no grade"
    ladder = crs.load_management()
    if report.grade:
        step = ladder.step(report.grade)
        nextstep = (
            f"<p style='margin:0.3em 0'><strong>What happens now (grade {report.grade}):</strong> "
            f"{escape(step.short)}; the nurse: {escape(step.watch.lower())}. The full ladder is in section 5.</p>"
        )
    else:
        nextstep = (
            "<p style='margin:0.3em 0'><strong>What happens now:</strong> keep observing, and look for another "
            "cause of any low blood pressure or low oxygen.</p>"
        )
    return (
        f'<div class="cart-l05-grade" role="status" aria-live="polite" style="{PANEL.format(colour=colour)}">'
        f'<p style="margin:0.2em 0;font-size:1.15em"><strong>{escape(headline)}</strong></p>'
        f"<p style='margin:0.3em 0'><strong>Set by:</strong> {escape(set_by)}.</p>"
        f"<p style='margin:0.3em 0'><strong>Rule applied:</strong> {escape(report.criterion)}.</p>"
        "<ul style='margin:0.2em 0'>"
        f"<li>Fever: {escape(fever)}</li>"
        f"<li>Blood pressure: {escape(crs.HYPOTENSION_NAMES[inputs['hypotension']])}. {escape(bp)}</li>"
        f"<li>Oxygen: {escape(crs.DEVICE_NAMES[inputs['oxygen_device']])}"
        + (f" at {inputs['oxygen_flow_l_min']:g} L/min" if inputs["oxygen_device"] in clinical.CANNULAS else "")
        + f". {escape(ox)}</li></ul>"
        "<p style='margin:0.3em 0'>The grade is the <strong>worse</strong> of blood pressure and oxygen.</p>"
        f"{nextstep}</div>"
    )


class CrsGrader:
    """Temperature, blood-pressure support, oxygen device and flow, antipyretic given: the grade."""

    def __init__(self):
        d = GRADER_DEFAULTS
        self.temperature = _slider(d["temperature_c"], 36.0, 41.0, 0.1, "Temperature (°C)")
        self.hypotension = _choice(crs.HYPOTENSION_LABELS, d["hypotension"], "Blood-pressure support")
        self.device = _choice(crs.DEVICE_LABELS, d["oxygen_device"], "Oxygen device")
        self.flow = _slider(d["oxygen_flow_l_min"], 0.0, 60.0, 0.5, "Oxygen flow (L/min)")
        self.given = w.Checkbox(
            value=d["antipyretic_or_anticytokine_given"],
            description=GIVEN_LABEL,
            indent=False,
            layout=w.Layout(width="46em", max_width="100%"),  # the long label must not be cut off
        )
        label_controls(self, "l05", ("temperature", "hypotension", "device", "flow", "given"), self._changed)
        self.result = w.HTML(value=grader_result_html(**self.inputs()))
        self.result.add_class("cart-l05-result")
        self.table = w.HTML(value=crs.astct_table_html(self.grade()))
        self.table.add_class("cart-l05-table")
        note = w.HTML(
            "<p style='margin:0.2em 0'><em>A nasal cannula is graded by its flow, whether it is a standard cannula "
            f"or a high-flow device: {clinical.LOW_FLOW_MAX_L_MIN:g} L/min or less is low flow (grade 2), more is "
            "high flow (grade 3). The masks and positive pressure set their grade by type, whatever the flow. At "
            "the bedside, any move to a high-flow device is an escalation to report, whatever the grade. Tick "
            "the box only if CRS was diagnosed earlier (with a fever) and then treated: paracetamol premedication "
            "before the infusion does not count. Use Tab to move between controls and the arrow keys to change "
            "them.</em></p>" + GRADER_LIMITS
        )
        self.widget = w.VBox(
            [self.temperature, self.hypotension, self.device, self.flow, self.given, note, self.result, self.table]
        )

    def inputs(self) -> dict:
        return {
            "temperature_c": round(float(self.temperature.value), 1),
            "hypotension": self.hypotension.value,
            "oxygen_device": self.device.value,
            "oxygen_flow_l_min": float(self.flow.value),
            "antipyretic_or_anticytokine_given": bool(self.given.value),
        }

    def grade(self) -> int | None:
        try:
            return crs.grade_report(**self.inputs()).grade
        except ValueError:
            return None

    def _changed(self, change) -> None:
        if change["owner"] is self.device and change["new"] in START_FLOW and self.flow.value == 0:
            self.flow.value = START_FLOW[change["new"]]  # a cannula always runs at some flow; this re-enters _changed
            return
        self.update()

    def update(self) -> None:
        self.result.value = grader_result_html(**self.inputs())
        self.table.value = crs.astct_table_html(self.grade())


def crs_grader() -> Demo:
    """The grader as a notebook output; without a kernel, the default patient and the table."""
    grader = CrsGrader()
    d = GRADER_DEFAULTS
    static = (
        "<p><strong>CRS grader</strong> (controls: temperature, blood-pressure support, oxygen device, oxygen "
        "flow, and whether CRS was already diagnosed and treated with an antipyretic or anti-cytokine drug). Shown "
        "for a patient at "
        f"{d['temperature_c']:.1f} °C with normal blood pressure on room air:</p>"
        + GRADER_LIMITS
        + grader_result_html(**d)
        + crs.astct_table_html(crs.grade_report(**d).grade)
    )
    text = "CRS grader (run the notebook to use it). Default patient: " + crs.grade_report(**d).criterion + "."
    return Demo(grader.widget, static, text, css_class="cart-l05-grader")


# --------------------------------------------------------------------------------------------
# Tocilizumab dose checker
# --------------------------------------------------------------------------------------------

TOCI_DEFAULTS = {
    "weight_kg": 70.0,
    "doses_given": 1,  # a repeat-dose decision: every control, the improvement box too, changes the answer
    "hours_since_last": 8.0,
    "hours_since_first": 16.0,
    "improved": False,
}
IMPROVED_LABEL = "CRS has improved since the last dose"


def tocilizumab_result_html(
    weight_kg: float,
    doses_given: int,
    hours_since_last: float,
    hours_since_first: float = 16.0,
    improved: bool = False,
) -> str:
    """The dose, whether it may be given now and the limits behind the answer (HTML)."""
    try:
        decision = crs.next_tocilizumab_dose(weight_kg, doses_given, hours_since_last, hours_since_first, improved)
    except ValueError as exc:
        return (
            f'<div class="cart-l05-dose" role="status" aria-live="polite" style="{PANEL.format(colour="#E69F00")}">'
            f'<p><span aria-hidden="true">ℹ</span> <strong>Check the inputs:</strong> {escape(str(exc))}.</p></div>'
        )
    icon, word, colour = ("✔", "May be given now", "#009E73") if decision.allowed else ("✘", "Not now", "#D55E00")
    worsens = (
        "<p style='margin:0.3em 0'><strong>If CRS worsens again</strong> after improving, tell the team now; a "
        "further dose is then the prescriber's decision, within the same dose limits.</p>"
        if improved and 0 < doses_given < crs.TOCI_MAX_TOTAL
        else ""
    )
    return (
        f'<div class="cart-l05-dose" role="status" aria-live="polite" style="{PANEL.format(colour=colour)}">'
        f'<p style="margin:0.2em 0;font-size:1.15em"><strong>Dose: {decision.dose.mg:g} mg</strong> IV over 1 hour.</p>'
        f"<p style='margin:0.3em 0'><strong>Rule applied:</strong> {escape(decision.dose.rule)}.</p>"
        f'<p style="margin:0.3em 0"><span aria-hidden="true">{icon}</span> <strong>{word}:</strong> '
        f"{escape(decision.reason)}.</p>{worsens}"
        "<p style='margin:0.3em 0;font-size:0.95em'>Limits: a repeat dose only if CRS has <strong>not</strong> "
        f"improved, at least {crs.TOCI_MIN_HOURS_APART} hours between doses and {crs.TOCI_MAX_TOTAL} doses in total "
        f"(label); at most {crs.TOCI_MAX_PER_24H} doses in any {crs.TOCI_WINDOW_HOURS} hours (ASCO guideline), "
        "checked on its own: doses at 0, 8, 16 and 24 hours would be 4 within 24 hours. The prescriber orders each "
        "dose; the nurse checks it.</p></div>"
    )


class TocilizumabChecker:
    """Weight, doses already given and hours since the last: the dose and whether it may be given."""

    def __init__(self):
        d = TOCI_DEFAULTS
        self.weight = _slider(d["weight_kg"], 10.0, 150.0, 1.0, "Body weight (kg)")
        self.doses = w.IntSlider(
            value=d["doses_given"],
            min=0,
            max=crs.TOCI_MAX_TOTAL,
            description="Doses already given",
            style=STYLE,
            layout=WIDE,
            continuous_update=False,
        )
        self.hours = _slider(d["hours_since_last"], 0.0, 48.0, 0.5, "Hours since the last dose")
        self.first = _slider(d["hours_since_first"], 0.0, 72.0, 0.5, "Hours since the first dose")
        self.improved = w.Checkbox(
            value=d["improved"],
            description=IMPROVED_LABEL,
            indent=False,
            layout=w.Layout(width="36em", max_width="100%"),
        )
        note = w.HTML(
            "<p style='margin:0.2em 0'><em>The first-dose slider counts from 2 doses given on: with the last dose "
            "it tells whether a new dose would be a 4th within 24 hours. Tick the box if the patient is better "
            "since the last dose: then no repeat dose is due. If CRS then worsens again, tell the team at once; "
            "a further dose is their decision, within the dose limits.</em></p>"
        )
        label_controls(
            self, "l05", ("weight", "doses", "hours", "first", "improved"), lambda _change: self.update()
        )
        self.result = w.HTML(value=tocilizumab_result_html(**self.inputs()))
        self.result.add_class("cart-l05-result")
        self.widget = w.VBox([self.weight, self.doses, self.hours, self.first, self.improved, note, self.result])

    def inputs(self) -> dict:
        return {
            "weight_kg": float(self.weight.value),
            "doses_given": int(self.doses.value),
            "hours_since_last": float(self.hours.value),
            "hours_since_first": float(self.first.value),
            "improved": bool(self.improved.value),
        }

    def update(self) -> None:
        self.result.value = tocilizumab_result_html(**self.inputs())


def tocilizumab_checker() -> Demo:
    checker = TocilizumabChecker()
    d = TOCI_DEFAULTS
    static = (
        "<p><strong>Tocilizumab dose checker</strong> (controls: body weight, doses already given, hours since "
        "the last dose, hours since the first dose, and whether CRS has improved since the last dose). Shown for a "
        "70 kg adult 8 hours after a first dose, CRS not improved:</p>" + tocilizumab_result_html(**d)
    )
    dose = clinical.tocilizumab_dose(d["weight_kg"])
    text = f"Tocilizumab dose checker (run the notebook to use it). Default: {dose.mg:g} mg ({dose.rule})."
    return Demo(checker.widget, static, text, css_class="cart-l05-toci")


# --------------------------------------------------------------------------------------------
# Tables for the notebook (re-exported so a cell needs one import)
# --------------------------------------------------------------------------------------------

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "astct_table": crs.astct_table,
    "crs_grader": crs_grader,
    "timing_table": crs.timing_table,
    "management_table": crs.management_table,
    "tocilizumab_checker": tocilizumab_checker,
}
