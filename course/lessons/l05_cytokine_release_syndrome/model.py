"""Cytokine release syndrome for lesson 05: timing data, the management ladder, vignettes, tables.

Nothing here restates a grading threshold. Every grade comes from ``course.clinical``
(``crs_grade``, ``oxygen_grade``, ``HYPOTENSION``) and every tocilizumab dose from
``clinical.tocilizumab_dose`` (ASTCT consensus ``lee2019-astct``; ASCO guideline
``santomasso2021-asco``; tocilizumab label ``actemra-label``). This module reads and validates
the lesson's data files, says which criterion set a grade, and lays rules and data out as tables.
The repeat-dose limits of tocilizumab (8 hours apart, 3 in 24 hours, 4 in all) live here until
``course.clinical`` has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Annotated, Any, Literal

from course import clinical
from course.core import schema
from course.core.paths import ASSETS
from course.core.references import cite_html, registry
from course.core.schema import Days, Invalid, Note, Pct, Range, Refs
from course.core.text import inline_html
from course.core.yamlio import load_yaml
from course.engine.views import html as views

TIMING_FILE = ASSETS / "crs_timing.yaml"
MANAGEMENT_FILE = ASSETS / "crs_management.yaml"
VIGNETTES_FILE = ASSETS / "crs_vignettes.yaml"


@dataclass(frozen=True)
class Scale:
    name: str
    reference: str


# The grading scales the pivotal trials used; rates graded on different scales are not comparable.
SCALES = {
    "penn": Scale("Penn scale", "porter2018-penn"),
    "lee2014": Scale("Lee 2014 criteria", "lee2014-crs"),
    "astct2019": Scale("ASTCT 2019 consensus", "lee2019-astct"),
}
SPREAD_KINDS = {"range": "range", "iqr": "IQR"}

# Plain names for the inputs of clinical.crs_grade, in the order of clinical's own tables.
HYPOTENSION_LABELS = {
    "none": "No hypotension",
    "no_vasopressor": "Hypotension, no vasopressor needed (fluids only)",
    "one_vasopressor": "One vasopressor (with or without vasopressin)",
    "multiple_vasopressors": "Several vasopressors (vasopressin not counted)",
}
DEVICE_LABELS = {
    "none": "Room air (no oxygen)",
    "blow_by": "Blow-by oxygen",
    "nasal_cannula": "Nasal cannula",
    "high_flow_nasal_cannula": "High-flow nasal cannula",
    "facemask": "Facemask",
    "non_rebreather": "Non-rebreather mask",
    "venturi": "Venturi mask",
    "cpap": "CPAP",
    "bipap": "BiPAP",
    "mechanical_ventilation": "Intubation and mechanical ventilation",
}
# The same, as they read inside a sentence or a table cell.
DEVICE_NAMES = {
    "none": "no oxygen",
    "blow_by": "blow-by oxygen",
    "nasal_cannula": "nasal cannula",
    "high_flow_nasal_cannula": "high-flow nasal cannula",
    "facemask": "facemask",
    "non_rebreather": "non-rebreather mask",
    "venturi": "Venturi mask",
    "cpap": "CPAP",
    "bipap": "BiPAP",
    "mechanical_ventilation": "intubation and mechanical ventilation",
}
HYPOTENSION_NAMES = {
    "none": "none",
    "no_vasopressor": "not needing vasopressors (fluids only)",
    "one_vasopressor": "needing one vasopressor (with or without vasopressin)",
    "multiple_vasopressors": "needing several vasopressors (vasopressin not counted)",
}

# Tocilizumab repeat-dose limits for CRS (ASCO 2021 guideline and the label).
# The repeat-dose limits are clinical rules: they live in course.clinical.
TOCI_MIN_HOURS_APART = clinical.TOCILIZUMAB_MIN_HOURS_APART
TOCI_MAX_PER_24H = clinical.TOCILIZUMAB_MAX_PER_24H
TOCI_MAX_TOTAL = clinical.TOCILIZUMAB_MAX_TOTAL
TOCI_WINDOW_HOURS = clinical.TOCILIZUMAB_WINDOW_HOURS


# --------------------------------------------------------------------------------------------
# Timing data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    low: Days
    high: Days
    kind: Literal["range", "iqr"]

    def text(self) -> str:
        return f"{SPREAD_KINDS[self.kind]} {self.low:g}–{self.high:g}"


def _spread_holds(field: str, median: float | None, spread: Spread | None) -> None:
    if spread is None:
        return
    if median is None:
        raise Invalid(field, "a spread needs a median")
    if not spread.low <= median <= spread.high:
        raise Invalid(field, f"the median {median:g} must lie within {spread.low:g}–{spread.high:g}")


@dataclass(frozen=True)
class TimingRow:
    id: str
    product: str
    generic: str
    indication: str
    target: Literal["CD19", "BCMA"]
    trial: str
    any_pct: Pct
    grade3_pct: Pct
    # deaths from CRS given apart from grade3_pct (then grades 3-4 only)
    grade5_patients: Annotated[int, Range(0, says="must be a whole number of patients (0 or more) or null")] | None
    onset_days: Days
    onset_spread: Spread | None
    duration_days: Days | None
    duration_spread: Spread | None
    scale: Literal["penn", "lee2014", "astct2019"]
    data_from: Literal["label", "publication"]
    as_of: str
    note: Note
    references: Refs

    def check(self) -> None:
        schema.must_not_exceed(self, "grade3_pct", "any_pct", "cannot be higher than any_pct")
        _spread_holds("onset_spread", self.onset_days, self.onset_spread)
        _spread_holds("duration_spread", self.duration_days, self.duration_spread)

    @property
    def label(self) -> str:
        return f"{self.product} ({self.trial})"

    @property
    def scale_name(self) -> str:
        return SCALES[self.scale].name

    @property
    def severe_text(self) -> str:
        """The grade 3 or higher figure in words, with fatal cases when the source gives them apart."""
        if self.grade5_patients:
            return f"{self.grade3_pct:g}% grade 3-4, plus {self.grade5_patients} fatal (grade 5)"
        return f"{self.grade3_pct:g}%"


def load_timing(path: Path = TIMING_FILE) -> list[TimingRow]:
    """Read and validate the per-product CRS timing table; errors name the file, row and field."""
    return list(_cached(_load_timing, path))


def _cached(loader, path: Path):
    """Parse a data file once per version of it (same path, size and modification time)."""
    stat = path.stat() if path.exists() else None
    key = (loader.__name__, str(path), stat.st_mtime_ns if stat else None, stat.st_size if stat else None)
    if key not in _CACHE:
        _CACHE[key] = loader(path)
    return _CACHE[key]


_CACHE: dict[tuple, Any] = {}


def _load_timing(path: Path) -> tuple[TimingRow, ...]:
    return schema.load_rows(path, "rows", TimingRow, known=registry())


# --------------------------------------------------------------------------------------------
# Management ladder
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    short: str
    watch: str
    treatment: tuple[str, ...]
    nurse: tuple[str, ...]
    references: Refs
    level: Annotated[int, Range(1, 4)] | None = None  # 1-4, or None for refractory CRS

    @property
    def title(self) -> str:
        return f"Grade {self.level}" if self.level else "Refractory CRS"


@dataclass(frozen=True)
class Ladder:
    steps: tuple[Step, ...]
    refractory: Step
    practice_varies: tuple[str, ...]
    practice_references: Refs

    def check(self) -> None:
        levels = [s.level for s in self.steps]
        if levels != [1, 2, 3, 4]:
            raise Invalid("steps", f"needs grades 1 to 4 in order, each with its 'level'; has {levels}")
        if self.refractory.level is not None:
            raise Invalid("refractory.level", "the refractory step has no grade level")

    def step(self, grade: int) -> Step:
        for s in self.steps:
            if s.level == grade:
                return s
        raise KeyError(f"no management step for grade {grade}")


def load_management(path: Path = MANAGEMENT_FILE) -> Ladder:
    """Read and validate the ladder: grades 1 to 4 in order, a refractory step, what varies."""
    return _cached(_load_management, path)


def _load_management(path: Path) -> Ladder:
    return schema.read_row(Ladder, load_yaml(path), path.name, known=registry())


# --------------------------------------------------------------------------------------------
# Vignettes
# --------------------------------------------------------------------------------------------

CRS_INPUTS = ("temperature_c", "hypotension", "oxygen_device", "oxygen_flow_l_min", "antipyretic_or_anticytokine_given")


@dataclass(frozen=True)
class Vignette:
    question: str
    inputs: dict[str, Any]
    references: Refs

    def check(self) -> None:
        if set(self.inputs) != set(CRS_INPUTS):
            raise Invalid("inputs", f"must give exactly {', '.join(CRS_INPUTS)}")
        try:
            self.grade()
        except ValueError as exc:
            raise Invalid("inputs", str(exc)) from None

    def grade(self) -> clinical.Grade:
        return clinical.crs_grade(**self.inputs)

    def explanation(self) -> str:
        """The sentence a vignette's explanation quotes: the rule's own grade and criterion."""
        g = self.grade()
        return f"By the ASTCT rule this is grade {g.grade}: {g.criterion}."


def load_vignettes(path: Path = VIGNETTES_FILE) -> list[Vignette]:
    return list(schema.load_rows(path, "vignettes", Vignette, key="question", known=registry()))


# --------------------------------------------------------------------------------------------
# Grading report (what the grader demo shows)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeReport:
    grade: int
    criterion: str
    fever: bool
    fever_waived: bool
    hypotension_grade: int
    hypotension_text: str
    oxygen_grade: int
    oxygen_text: str

    @property
    def set_by(self) -> tuple[str, ...]:
        """Which domain(s) set the grade: 'fever', 'blood pressure', 'oxygen', or none."""
        if self.grade == 0:
            return ()
        if self.grade == 1:
            return ("fever",)
        return tuple(
            name
            for name, g in (("blood pressure", self.hypotension_grade), ("oxygen", self.oxygen_grade))
            if g == self.grade
        )


def grade_report(
    temperature_c: float,
    hypotension: str = "none",
    oxygen_device: str = "none",
    oxygen_flow_l_min: float = 0.0,
    antipyretic_or_anticytokine_given: bool = False,
) -> GradeReport:
    """The ASTCT grade from ``clinical.crs_grade`` plus what each domain alone would set."""
    g = clinical.crs_grade(
        temperature_c, hypotension, oxygen_device, oxygen_flow_l_min, antipyretic_or_anticytokine_given
    )
    bp_grade, bp_text = clinical.HYPOTENSION[hypotension]
    ox = clinical.oxygen_grade(oxygen_device, oxygen_flow_l_min)
    fever = temperature_c >= clinical.FEVER_C
    return GradeReport(
        grade=g.grade,
        criterion=g.criterion,
        fever=fever,
        fever_waived=antipyretic_or_anticytokine_given and not fever,
        hypotension_grade=bp_grade,
        hypotension_text=bp_text,
        oxygen_grade=ox.grade,
        oxygen_text=ox.criterion,
    )


def astct_rows() -> list[dict[str, Any]]:
    """The ASTCT CRS table, grade by grade, derived from clinical's rules (not typed by hand)."""
    low = clinical.LOW_FLOW_MAX_L_MIN
    oxygen: dict[int, list[str]] = {1: [], 2: [], 3: [], 4: []}
    for device in clinical.OXYGEN_DEVICES:
        if device == "none":
            continue
        if device == "nasal_cannula":  # both cannulas are graded by flow: one entry per side of the cut-off
            for flow, words in ((low, f"at {low:g} L/min or less"), (low + 0.5, f"above {low:g} L/min")):
                grades = {clinical.oxygen_grade(c, flow).grade for c in clinical.CANNULAS}
                (grade,) = grades
                oxygen[grade].append(f"nasal cannula (standard or high-flow device) {words}")
            continue
        if device in clinical.CANNULAS:
            continue
        oxygen[clinical.oxygen_grade(device, 0.0).grade].append(DEVICE_NAMES[device])
    rows = []
    for grade in (1, 2, 3, 4):
        bp = [HYPOTENSION_NAMES[k] for k, (g, _) in clinical.HYPOTENSION.items() if g == grade]
        rows.append(
            {
                "grade": grade,
                "fever": f"{clinical.FEVER_C:.1f} °C or more*",
                "hypotension": "; ".join(bp) if bp else "none",
                "hypoxia": "; ".join(oxygen[grade]) if oxygen[grade] else "none",
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Tocilizumab: one dose (clinical.tocilizumab_dose) and whether the next may be given now
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseDecision:
    dose: clinical.Dose
    allowed: bool
    reason: str
    wait_hours: float = 0.0


def next_tocilizumab_dose(
    weight_kg: float,
    doses_given: int,
    hours_since_last: float | None = None,
    hours_since_first: float | None = None,
    improved: bool = False,
) -> DoseDecision:
    """The next tocilizumab dose for CRS and whether it may be given now (``clinical.tocilizumab_repeat``).

    ``doses_given`` counts the doses already given in this CRS episode; ``hours_since_last`` is the time
    since the last of them, ``hours_since_first`` since the first (needed from 2 doses on: with the last
    it decides whether a new dose would be a 4th within 24 hours). ``improved``: CRS has improved since
    the last dose, so no repeat dose is due. Doses between the first and the last are placed evenly.
    """
    dose = clinical.tocilizumab_dose(weight_kg)
    if isinstance(doses_given, bool) or not isinstance(doses_given, int) or not 0 <= doses_given <= TOCI_MAX_TOTAL:
        raise ValueError(f"doses given must be a whole number from 0 to {TOCI_MAX_TOTAL}; got {doses_given!r}")
    hours: list[float] = []
    if 0 < doses_given < TOCI_MAX_TOTAL:
        if hours_since_last is None or isinstance(hours_since_last, bool) or not isinstance(hours_since_last, (int, float)):
            raise ValueError("hours since the last dose must be a number when a dose was already given")
        if not 0 <= hours_since_last <= 240:
            raise ValueError(f"hours since the last dose must be between 0 and 240; got {hours_since_last:g}")
        hours = [float(hours_since_last)]
        if doses_given >= 2:
            if hours_since_first is None or isinstance(hours_since_first, bool) or not isinstance(
                hours_since_first, (int, float)
            ):
                raise ValueError("hours since the first dose must be a number when 2 or more doses were given")
            gap = TOCI_MIN_HOURS_APART * (doses_given - 1)
            if not hours_since_last + gap <= hours_since_first <= 240:
                raise ValueError(
                    f"with {doses_given} doses at least {TOCI_MIN_HOURS_APART} h apart, the first was given at least "
                    f"{gap} h before the last: hours since the first dose must be from {hours_since_last + gap:g} "
                    f"to 240; got {hours_since_first:g}"
                )
            step = (hours_since_first - hours_since_last) / (doses_given - 1)
            hours = [hours_since_last + i * step for i in range(doses_given)]
    elif doses_given == TOCI_MAX_TOTAL:
        hours = [0.0] * TOCI_MAX_TOTAL  # the count alone refuses: the times do not matter
    check = clinical.tocilizumab_repeat(hours, improved)
    return DoseDecision(dose, check.allowed, check.reason, check.wait_hours)


# --------------------------------------------------------------------------------------------
# Static views: tables that a notebook cell shows (text/html and text/plain)
# --------------------------------------------------------------------------------------------


TABLE_STYLE = "border-collapse:collapse;margin:0.4em 0;font-size:0.95em;max-width:60em"
CELL = views.CELL_PLAIN
TABLE_LOOK = views.BORDERED  # borders and padding: one class on each table, drawn by the stylesheet


# The fever rule of the ASTCT consensus, as the table footnote states it (lee2019-astct). The waiver
# needs a diagnosis first: routine paracetamol premedication before the infusion does not count.
FEVER_FOOTNOTE = (
    f"Fever ({clinical.FEVER_C:.1f} °C or more, not explained by another cause) is needed to diagnose CRS. Once CRS "
    f"has been diagnosed (fever {clinical.FEVER_C:.1f} °C or more), fever is no longer needed to grade that episode "
    "after antipyretics, tocilizumab or steroids have been given: grade it by blood pressure and oxygen. "
    "Paracetamol given as premedication before the infusion does not count: without a fever there is no CRS "
    "diagnosis, and low blood pressure or low oxygen needs another explanation, such as sepsis."
)


def astct_table_html(highlight: int | None = None) -> str:
    """The ASTCT CRS table; the highlighted grade is marked in words and bold, not colour alone."""
    body = []
    for row in astct_rows():
        mark = row["grade"] == highlight
        weight = "font-weight:bold;background:#FFF4D6;" if mark else ""
        label = f"Grade {row['grade']}" + (" ◀ this patient" if mark else "")
        body.append(
            f'<tr style="{weight}"><th scope="row" style="{CELL}">{escape(label)}</th>'
            f'<td style="{CELL}">{escape(row["fever"])}</td><td style="{CELL}">{escape(row["hypotension"])}</td>'
            f'<td style="{CELL}">{escape(row["hypoxia"])}</td></tr>'
        )
    return (
        f'<table class="cart-astct-table {TABLE_LOOK}" style="{TABLE_STYLE}"><caption style="text-align:left;caption-side:top">'
        "<strong>ASTCT 2019 CRS grading</strong> (the grade is the worse of hypotension and hypoxia)</caption>"
        f'<thead><tr><th scope="col" style="{CELL}">Grade</th><th scope="col" style="{CELL}">Fever</th>'
        f'<th scope="col" style="{CELL}">Hypotension</th><th scope="col" style="{CELL}">Hypoxia (oxygen needed)</th>'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<p style="font-size:0.9em;margin:0.2em 0">* {escape(FEVER_FOOTNOTE)} Organ problems are graded separately '
        f"(CTCAE) and do not change the CRS grade. Source: {cite_html(['lee2019-astct'])}.</p>"
    )


def astct_table_text() -> str:
    lines = ["ASTCT 2019 CRS grading (grade = the worse of hypotension and hypoxia):"]
    for row in astct_rows():
        lines.append(
            f"  Grade {row['grade']}: fever {row['fever']}; hypotension: {row['hypotension']}; "
            f"hypoxia: {row['hypoxia']}"
        )
    lines.append(f"  * {FEVER_FOOTNOTE} Source: [lee2019-astct].")
    return "\n".join(lines)


def astct_table() -> views.Static:
    """The ASTCT table as a notebook output."""
    return views.Static(f'<div class="cart-table">{astct_table_html()}</div>', astct_table_text())


def _spread_text(median: float | None, spread: Spread | None) -> str:
    if median is None:
        return "not given"
    return f"{median:g}" + (f" ({spread.text()})" if spread else "")


def _days(median: float | None, spread: Spread | None) -> str:
    return "not given" if median is None else _spread_text(median, spread) + " days"


def timing_table(path: Path = TIMING_FILE) -> views.Static:
    """The timing data, one row per product, with scale and sources visible in every row."""
    rows = load_timing(path)
    head = (
        "Product (trial)",
        "CRS any grade",
        "Grade 3 or more",
        "Grading scale",
        "Median onset, day",
        "Median duration, days",
        "Sources",
    )
    body = []
    text = ["CRS incidence and timing by product (scales differ: rates are not directly comparable)"]
    for r in rows:
        severe = r.severe_text if r.grade5_patients else f"grade ≥3 {r.grade3_pct:g}%"
        cells = (
            f"{r.label}<br><span style='font-size:0.9em'>{escape(r.indication)}; {escape(r.as_of)}</span>",
            f"{r.any_pct:g}%",
            escape(r.severe_text),
            escape(r.scale_name),
            escape(_spread_text(r.onset_days, r.onset_spread)),
            escape(_spread_text(r.duration_days, r.duration_spread)),
            cite_html(r.references)
            + (f"<br><span style='font-size:0.9em'>{escape(r.note)}</span>" if r.note else ""),
        )
        body.append("<tr>" + "".join(f'<td style="{CELL}">{c}</td>' for c in cells) + "</tr>")
        text.append(
            f"  {r.label}: any {r.any_pct:g}%, {severe} ({r.scale_name}); onset day "
            f"{_spread_text(r.onset_days, r.onset_spread)}; duration {_days(r.duration_days, r.duration_spread)}. "
            f"{views.cite(r.references)}"
        )
    html = (
        f'<div class="cart-table"><table class="cart-crs-timing {TABLE_LOOK}" style="{TABLE_STYLE}">'
        '<caption style="text-align:left;caption-side:top"><strong>CRS by product in the pivotal trials.</strong> '
        "The trials used different grading scales, diseases and patients: compare the timing, not the rates."
        "</caption><thead><tr>"
        + "".join(f'<th scope="col" style="{CELL}">{escape(h)}</th>' for h in head)
        + f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    return views.Static(html, "\n".join(text))


def _items(texts: tuple[str, ...]) -> str:
    return "<ul style='margin:0;padding-left:1.2em'>" + "".join(f"<li>{inline_html(t)}</li>" for t in texts) + "</ul>"


def management_table(path: Path = MANAGEMENT_FILE) -> views.Static:
    """The ladder as a table: grade, the team's treatment, the nurse's actions, sources."""
    ladder = load_management(path)
    body, text = [], ["CRS management by grade (ASCO 2021 guideline; tocilizumab label):"]
    for step in (*ladder.steps, ladder.refractory):
        body.append(
            f'<tr><th scope="row" style="{CELL}">{escape(step.title)}</th><td style="{CELL}">{_items(step.treatment)}</td>'
            f'<td style="{CELL}">{_items(step.nurse)}</td><td style="{CELL}">{cite_html(step.references)}</td></tr>'
        )
        text.append(f"  {step.title}: treatment: {' '.join(step.treatment)} Nurse: {' '.join(step.nurse)}")
    varies = "".join(f"<li>{inline_html(t)}</li>" for t in ladder.practice_varies)
    html = (
        f'<div class="cart-table"><table class="cart-crs-ladder {TABLE_LOOK}" style="{TABLE_STYLE}">'
        '<caption style="text-align:left;caption-side:top"><strong>Managing CRS, grade by grade.</strong> '
        "Each step adds to the ones below it.</caption><thead><tr>"
        f'<th scope="col" style="{CELL}">Grade</th><th scope="col" style="{CELL}">What the team gives</th>'
        f'<th scope="col" style="{CELL}">What the nurse does</th><th scope="col" style="{CELL}">Sources</th>'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<p style="margin:0.4em 0 0.1em 0"><strong>Where practice varies by centre</strong> '
        f"{cite_html(ladder.practice_references)}:</p><ul>{varies}</ul></div>"
    )
    text.append("  Practice varies by centre: " + " ".join(ladder.practice_varies))
    return views.Static(html, "\n".join(text))
