"""Lesson 08 (a patient case, day by day): the case's data, its pure logic and its tables.

The case lives in ``assets/patient_case.yaml``: one FICTIONAL adult with relapsed large B-cell
lymphoma who receives axicabtagene ciloleucel (Yescarta), told from referral to day 90. This module
reads and validates it and answers what the lesson's figures, demo and tests ask. Every function
takes the case as an argument (default: this lesson's), so lesson 10's myeloma case reuses the
same timeline, chart, care plan and day explorer on its own data file instead of a copy:

- the stage, events and observations up to a given day (the running timeline, the day explorer);
- every CRS and ICANS grade, computed from the raw observations with ``course.clinical``
  (ASTCT 2019, ``lee2019-astct``); nothing in the data file states a grade;
- the doses the case uses: lymphodepletion from body surface area and the label's mg/m²
  (``yescarta-label``), the CAR-T cell dose, tocilizumab from ``clinical.tocilizumab_dose``
  (``actemra-label``, ``santomasso2021-asco``) and its repeat rule from ``course.lessons.l05_cytokine_release_syndrome.model``;
- the IgG review at day 90 through ``course.lessons.l07_after_infusion_and_long_term.model.igg_review`` (``wat2022-hypogamma``) and the
  going-home rules through ``course.lessons.l07_after_infusion_and_long_term.model.going_home_status`` (``fda-rems-2025``);
- the value each bank question expects (``expected_answer``), so a test can check the bank.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from course import clinical
from course.core import schema
from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import cite_html, registry, render_bracket_keys
from course.core.schema import CitedText, Collapsed, Convert, Invalid, Items, Range, Refs, Text
from course.core.text import inline_html, plain
from course.core.yamlio import load_yaml
from course.engine.views import html as views
from course.lessons.l05_cytokine_release_syndrome import model as crs
from course.lessons.l06_icans import model as icans
from course.lessons.l07_after_infusion_and_long_term import model as lt

DATA_FILE = ASSETS / "patient_case.yaml"
Lane = Literal["care", "treatment"]
Asks = Literal[
    "judgement",
    "crs_grade",
    "icans_grade",
    "ice_score",
    "tocilizumab_mg",
    "cyclophosphamide_mg",
    "cell_dose_million",
    "igg_review",
]
LANES, ASKS = get_args(Lane), get_args(Asks)
ICE_ORDER = ("orientation", "naming", "following_commands", "writing", "attention")
FIRST_DAY, LAST_DAY = -60, 400  # the days any case may use (each case's axis sets what its timeline shows)
TIME_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
QUESTION_PATTERN = re.compile(r"^q[0-9]{2}-[a-z0-9-]+$")
# Day -> position on a 0..1 axis: the weeks before infusion squeezed, days -6 to 15 wide, then the
# months to day 90 squeezed again (piecewise linear, so the busy first fortnight is readable).
# A case file may set its own ``axis``; these are lesson 08's.
AXIS_KNOTS = ((-40.0, 0.0), (-6.0, 0.2), (15.0, 0.76), (92.0, 1.0))
AXIS_TICKS = (-38, -24, -10, -5, 0, 2, 4, 6, 8, 10, 14, 28, 60, 90)
CELL = crs.CELL
TABLE_LOOK = crs.TABLE_LOOK
TABLE_STYLE = crs.TABLE_STYLE
WIDE_TABLE_STYLE = "border-collapse:collapse;margin:0.4em 0;font-size:0.95em;max-width:80em"  # the care plan


def _pattern(pattern: re.Pattern[str], says: str) -> Convert:
    """Text that matches ``pattern``, else the problem ``says``."""

    def parse(value: Any) -> str:
        if not isinstance(value, str) or not pattern.match(value.strip()):
            raise ValueError(says)
        return value.strip()

    return Convert(parse)


def _ld_days(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(d, int) and d < 0 for d in value):
        raise ValueError("must be a list of negative whole days")
    if value != sorted(value):
        raise ValueError("must be in time order")
    return tuple(value)


def _ice(value: Any) -> tuple[int, int, int, int, int]:
    if not isinstance(value, list) or len(value) != len(ICE_ORDER):
        raise ValueError(f"must be null or the five ICE task scores {ICE_ORDER}")
    try:
        clinical.ice_score(*value)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    return tuple(value)


def _infection_days(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(d, int) and 0 <= d <= LAST_DAY for d in value):
        raise ValueError("must be a list of days after infusion")
    return tuple(value)


CaseDay = Annotated[int, Range(FIRST_DAY, LAST_DAY)]
Texts = Annotated[tuple[Collapsed, ...], Items(allow_empty=True)]


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


def _knots(value: Any) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise ValueError("must be a list of at least two [day, position] pairs")
    pairs = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, (int, float)) for v in pair)):
            raise ValueError("each knot must be [day, position from 0 to 1]")
        pairs.append((float(pair[0]), float(pair[1])))
    days, xs = [d for d, _ in pairs], [x for _, x in pairs]
    if days != sorted(set(days)) or xs != sorted(set(xs)) or xs[0] != 0.0 or xs[-1] != 1.0:
        raise ValueError("knots must rise in day and position, from position 0 to position 1")
    return tuple(pairs)


@dataclass(frozen=True)
class Axis:
    """How a case's running timeline spreads its days: the busy first weeks wide, the rest squeezed."""

    knots: Annotated[tuple[tuple[float, float], ...], Convert(_knots)]
    ticks: tuple[int, ...]
    stretch: Collapsed  # the wide part in words, for the axis label ("day −6 to day 15")
    vitals_last_day: Annotated[int, Range(1, 60)] = 10
    chart_drugs: tuple[str, ...] = ("tocilizumab", "dexamethasone")  # event ids the ward chart marks

    def check(self) -> None:
        low, high = self.knots[0][0], self.knots[-1][0]
        if not all(low <= t <= high for t in self.ticks):
            raise Invalid("ticks", f"must lie between day {low:g} and day {high:g}")


DEFAULT_AXIS = Axis(AXIS_KNOTS, AXIS_TICKS, "day −6 to day 15")


@dataclass(frozen=True)
class Patient:
    name: Collapsed
    age: Annotated[int, Range(18, 100)]
    weight_kg: Annotated[float, Range(30, 250)]
    height_cm: Annotated[float, Range(120, 220)]
    bsa_m2: Annotated[float, Range(1.0, 3.0)]
    diagnosis: Collapsed
    history: Collapsed
    caregiver: Collapsed
    references: Refs
    caregiver_title: Collapsed = "her sister, the caregiver"  # how the education table heads the caregiver's part
    possessive: Literal["her", "his", "their"] = "her"  # for captions such as "Her lymphodepleting chemotherapy"

    @property
    def short_name(self) -> str:
        """Title and surname, e.g. 'Ms Adeyemi' for 'Ms Ruth Adeyemi'."""
        words = self.name.split()
        return f"{words[0]} {words[-1]}" if len(words) > 2 else self.name


@dataclass(frozen=True)
class Product:
    brand: Collapsed
    generic: Collapsed
    regimen_id: Collapsed
    fludarabine_mg_m2: Annotated[float, Range(1, 100)]
    cyclophosphamide_mg_m2: Annotated[float, Range(1, 2000)]
    ld_days: Annotated[tuple[int, ...], Convert(_ld_days)]
    infusion_day: Annotated[int, Range(0, 0)]
    cells_per_kg: Annotated[float, Range(1e4, 1e8)]
    max_cells: Annotated[float, Range(1e6, 1e10)]
    references: Refs
    infusion_minutes: Annotated[float, Range(1, 240)] | None = None


@dataclass(frozen=True)
class Event:
    id: Collapsed
    lane: Lane
    day: Annotated[float, Range(FIRST_DAY, LAST_DAY)]
    end: Annotated[float, Range(FIRST_DAY, LAST_DAY)] | None
    label: Collapsed
    text: Collapsed
    references: Refs

    def check(self) -> None:
        schema.must_exceed(self, "end", "day")


@dataclass(frozen=True)
class Decision:
    question: Annotated[str, _pattern(QUESTION_PATTERN, "must be a question id (qNN-...)")]
    asks: Asks
    observation: str | None = None
    lab_day: int | None = None

    def check(self) -> None:
        if (self.asks in ("crs_grade", "icans_grade", "ice_score")) != (self.observation is not None):
            raise Invalid("observation", "is needed exactly for crs_grade, icans_grade and ice_score")
        if (self.asks == "igg_review") != (self.lab_day is not None):
            raise Invalid("lab_day", "is needed exactly for igg_review")


@dataclass(frozen=True)
class Stage:
    id: Collapsed
    day: CaseDay
    title: Collapsed
    summary: Collapsed
    nurse: Texts
    escalate: Texts
    decisions: Annotated[tuple[Decision, ...], Items(allow_empty=True)]  # [] if the stage asks nothing
    references: Refs
    report: Texts = ()  # not urgent, but reported to the team the same day


@dataclass(frozen=True)
class Observation:
    id: Collapsed
    day: CaseDay
    time: Annotated[str, _pattern(TIME_PATTERN, "must be a 24-hour time such as 08:00")]
    temp_c: Annotated[float, Range(30, 45)]
    heart_rate: Annotated[int, Range(20, 250)]
    sbp: Annotated[int, Range(40, 250)]
    dbp: Annotated[int, Range(20, 150)]
    spo2: Annotated[int, Range(50, 100)]
    oxygen_device: Collapsed
    oxygen_flow_l_min: Annotated[float, Range(0, 80)]
    hypotension: Collapsed
    antipyretic_or_anticytokine_given: bool
    ice: Annotated[tuple[int, int, int, int, int], Convert(_ice)] | None
    consciousness: Collapsed
    note: Annotated[str, Text(allow_empty=True, collapse=True)]

    def check(self) -> None:
        try:  # the grading functions validate the clinical inputs (device names, flows, consciousness)
            self.crs()
            clinical.icans_grade(10 if self.ice is None else self.ice_total, self.consciousness)
        except ValueError as exc:
            raise Invalid("", f"not a valid observation for the grading rules: {exc}") from None

    @property
    def t(self) -> float:
        """Time in days after infusion, e.g. day 3 at 18:00 is 3.75."""
        hours, minutes = (int(x) for x in self.time.split(":"))
        return self.day + (hours + minutes / 60) / 24

    @property
    def ice_items(self) -> dict[str, int] | None:
        return None if self.ice is None else dict(zip(ICE_ORDER, self.ice, strict=True))

    @property
    def ice_total(self) -> int | None:
        return None if self.ice is None else clinical.ice_score(**self.ice_items)

    def crs(self) -> clinical.Grade:
        """The ASTCT CRS grade of this observation (``clinical.crs_grade``)."""
        return clinical.crs_grade(
            self.temp_c,
            self.hypotension,
            self.oxygen_device,
            self.oxygen_flow_l_min,
            self.antipyretic_or_anticytokine_given,
        )

    def icans(self) -> clinical.Grade | None:
        """The ASTCT ICANS grade (``clinical.icans_grade``), or None when no ICE was done."""
        if self.ice is None:
            return None
        return clinical.icans_grade(self.ice_total, self.consciousness)

    def oxygen_text(self) -> str:
        if self.oxygen_device == "none":
            return "room air"
        flow = f" {self.oxygen_flow_l_min:g} L/min" if self.oxygen_flow_l_min else ""
        return f"{crs.DEVICE_NAMES[self.oxygen_device]}{flow}"

    def vitals_text(self) -> str:
        return (
            f"{self.temp_c:.1f} °C, pulse {self.heart_rate}, BP {self.sbp}/{self.dbp} mmHg, "
            f"SpO₂ {self.spo2}% on {self.oxygen_text()}"
        )


@dataclass(frozen=True)
class LabResult:
    day: CaseDay
    value: Annotated[float, Range(0, 5000)]


@dataclass(frozen=True)
class CarePlanRow:
    problem: Collapsed
    goal: Collapsed
    actions: Collapsed
    escalate: Collapsed
    references: Refs


class Teaching(CitedText):
    """One teaching point for the patient or the caregiver, with its sources."""


@dataclass(frozen=True)
class _Story:
    """What the case file and the lesson's Case hold alike, declared once: who, which product, what happened when."""

    as_of: str
    patient: Patient
    product: Product
    events: tuple[Event, ...]
    stages: tuple[Stage, ...]
    observations: tuple[Observation, ...]


@dataclass(frozen=True)
class Case(_Story):
    anc: tuple[LabResult, ...]
    igg: tuple[LabResult, ...]
    igg_references: tuple[str, ...]
    infection_days: tuple[int, ...]
    care_plan: tuple[CarePlanRow, ...]
    education_patient: tuple[Teaching, ...]
    education_caregiver: tuple[Teaching, ...]
    axis: Axis = DEFAULT_AXIS

    def observation(self, obs_id: str) -> Observation:
        return schema.find(self.observations, obs_id, "observation")

    def stage(self, stage_id: str) -> Stage:
        return schema.find(self.stages, stage_id, "stage")

    def event(self, event_id: str) -> Event:
        return schema.find(self.events, event_id, "event")

    def decisions(self) -> list[tuple[Stage, Decision]]:
        return [(stage, d) for stage in self.stages for d in stage.decisions]

    def references(self) -> list[str]:
        """Every reference key the case cites, in order of first use."""
        return schema.cited(
            [self.patient, self.product],
            self.events,
            self.stages,
            self.care_plan,
            self.education_patient,
            self.education_caregiver,
            extra=self.igg_references,
        )


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Labs:
    anc: tuple[LabResult, ...]
    igg: tuple[LabResult, ...]
    igg_references: Refs
    infection_days: Annotated[tuple[int, ...], Convert(_infection_days)]

    def check(self) -> None:
        for name in ("anc", "igg"):
            days = [x.day for x in getattr(self, name)]
            if days != sorted(set(days)):
                raise Invalid(name, "must be in time order, one result a day")


@dataclass(frozen=True)
class _Education:
    patient: tuple[Teaching, ...]
    caregiver: tuple[Teaching, ...]


@dataclass(frozen=True)
class _CaseFile(_Story):
    """``patient_case.yaml`` as written (observations already turned into rows); Case is what the lesson reads."""

    labs: _Labs
    care_plan: tuple[CarePlanRow, ...]
    education: _Education
    axis: Axis | None = None

    def check(self) -> None:
        if [s.day for s in self.stages] != sorted(s.day for s in self.stages):
            raise Invalid("", "stages must be in time order")
        times = [o.t for o in self.observations]
        if times != sorted(times) or len(set(times)) != len(times):
            raise Invalid("", "observations must be in time order, at most one at a time")
        asked: set[str] = set()
        ids = {o.id for o in self.observations}
        prefixes = {d.question[:4] for s in self.stages for d in s.decisions}
        for stage in self.stages:
            row = (("stages", stage.id),)
            for d in stage.decisions:
                if len(prefixes) > 1:
                    raise Invalid("decisions", f"ask questions of one lesson only, found {sorted(prefixes)}", row)
                if d.question in asked:
                    raise Invalid("decisions", f"question '{d.question}' is asked twice", row)
                asked.add(d.question)
                if d.observation is not None and d.observation not in ids:
                    raise Invalid("decisions", f"unknown observation '{d.observation}'", row)
                if d.lab_day is not None and d.lab_day not in {x.day for x in self.labs.igg}:
                    raise Invalid("decisions", f"no IgG result on day {d.lab_day}", row)


OBSERVATION_COLUMNS = tuple(f.name for f in fields(Observation))


def _observation_rows(raw: dict, path: Path) -> list[dict[str, Any]]:
    """The observation table (``columns`` and ``rows``) as one mapping per observation."""
    table = raw.get("observations")
    if not isinstance(table, dict):
        raise CourseDataError(f"{path.name}: section 'observations' must have 'columns' and 'rows'")
    columns, rows = table.get("columns"), table.get("rows")
    if columns != list(OBSERVATION_COLUMNS):
        raise CourseDataError(f"{path.name}: observations: 'columns' must be {list(OBSERVATION_COLUMNS)}")
    if not isinstance(rows, list) or not rows:
        raise CourseDataError(f"{path.name}: observations: 'rows' is missing or empty")
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise CourseDataError(
                f"{path.name}: observations: row #{i + 1} must be a list of {len(columns)} values, one per column"
            )
        out.append(dict(zip(columns, row, strict=True)))
    return out


def load_case(path: Path = DATA_FILE, known: set[str] | None = None, raw: dict | None = None) -> Case:
    """Read and validate the case; any problem names the file, the section, the row and the field.

    ``raw`` is the file's mapping when the caller has read it already (lesson 10 takes its branches out first).
    """
    raw = load_yaml(path) if raw is None else raw
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: expected a mapping of sections")
    f: _CaseFile = schema.read_row(
        _CaseFile, {**raw, "observations": _observation_rows(raw, path)}, path.name, known=registry() if known is None else known
    )
    return Case(
        **schema.shared(_Story, f),
        anc=f.labs.anc,
        igg=f.labs.igg,
        igg_references=f.labs.igg_references,
        infection_days=f.labs.infection_days,
        care_plan=f.care_plan,
        education_patient=f.education.patient,
        education_caregiver=f.education.caregiver,
        axis=f.axis or DEFAULT_AXIS,
    )


@lru_cache(maxsize=1)
def data() -> Case:
    """The case, read once per kernel."""
    return load_case()


# --------------------------------------------------------------------------------------------
# Pure logic: the case up to a given day
# --------------------------------------------------------------------------------------------


def check_day(day: float, case: Case | None = None) -> float:
    """``day`` as a float, if it is a number inside the case's timeline; else a ValueError that says so."""
    if isinstance(day, bool) or not isinstance(day, (int, float)) or not math.isfinite(day):
        raise ValueError(f"day must be a number of days from the infusion, not {day!r}")
    knots = (case or data()).axis.knots
    low, high = int(knots[0][0]), int(knots[-1][0])
    if not low <= day <= high:
        raise ValueError(f"day must be between {low} and {high}, not {day:g}")
    return float(day)


def first_day(case: Case | None = None) -> int:
    """The first day of the story (the referral)."""
    return (case or data()).stages[0].day


def last_day(case: Case | None = None) -> int:
    return (case or data()).stages[-1].day


def timeline_x(day: float, case: Case | None = None) -> float:
    """Position of ``day`` on the case's piecewise timeline axis (0 to 1; clamped at the ends)."""
    if isinstance(day, bool) or not isinstance(day, (int, float)) or not math.isfinite(day):
        raise ValueError(f"day must be a number of days from the infusion, not {day!r}")
    knots = (case or data()).axis.knots
    d = min(max(float(day), knots[0][0]), knots[-1][0])
    for (d0, x0), (d1, x1) in zip(knots, knots[1:], strict=False):
        if d <= d1:
            return x0 + (x1 - x0) * (d - d0) / (d1 - d0)
    return knots[-1][1]  # pragma: no cover (d <= the last knot)


def stage_on(day: float, case: Case | None = None) -> Stage:
    """The stage of the story that ``day`` falls in (the latest one that has begun)."""
    case = case or data()
    d = check_day(day, case)
    started = [s for s in case.stages if s.day <= d]
    if not started:
        raise ValueError(f"the case starts on day {case.stages[0].day}; day {d:g} is before it")
    return started[-1]


def events_until(day: float, case: Case | None = None) -> list[Event]:
    """Events that have begun by the end of ``day`` (a bar still running is included)."""
    case = case or data()
    d = check_day(day, case)
    return [e for e in case.events if e.day < d + 1]


def observations_until(day: float, case: Case | None = None) -> list[Observation]:
    """Observations made up to the end of ``day``."""
    case = case or data()
    d = check_day(day, case)
    return [o for o in case.observations if o.day <= d]


def latest_observation(day: float, case: Case | None = None) -> Observation | None:
    seen = observations_until(day, case)
    return seen[-1] if seen else None


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    grade: int


def grade_spans(kind: str, day: float, case: Case | None = None) -> list[Span]:
    """Periods with a CRS or ICANS grade of 1 or more, up to the end of ``day``.

    Each observation's grade holds until the next observation (or the end of ``day``); a period
    without an ICE assessment keeps the last ICANS grade known. Grades come from ``course.clinical``.
    """
    if kind not in ("crs", "icans"):
        raise ValueError(f"kind must be 'crs' or 'icans', not {kind!r}")
    case = case or data()
    d = check_day(day, case)
    seen = observations_until(d, case)
    spans: list[Span] = []
    last_grade = 0
    for i, obs in enumerate(seen):
        g = obs.crs() if kind == "crs" else obs.icans()
        grade = last_grade if g is None else g.grade
        last_grade = grade
        if grade == 0:
            continue
        nxt = seen[i + 1].t if i + 1 < len(seen) else _next_time(obs, case)
        end = min(nxt, d + 1)
        if spans and spans[-1].grade == grade and math.isclose(spans[-1].end, obs.t):
            spans[-1] = Span(spans[-1].start, end, grade)
        else:
            spans.append(Span(obs.t, end, grade))
    return spans


def _next_time(obs: Observation, case: Case) -> float:
    later = [o.t for o in case.observations if o.t > obs.t]
    return later[0] if later else obs.t + 1


def worst_grade(kind: str, day: float, case: Case | None = None) -> int:
    """The highest CRS or ICANS grade so far (0 if none)."""
    return max((s.grade for s in grade_spans(kind, day, case)), default=0)


@dataclass(frozen=True)
class LdDose:
    day: int
    fludarabine_mg: float
    cyclophosphamide_mg: float


def ld_doses(case: Case | None = None) -> list[LdDose]:
    """Her daily lymphodepletion doses: the label's mg/m² times her body surface area (``yescarta-label``)."""
    case = case or data()
    bsa, p = case.patient.bsa_m2, case.product
    return [
        LdDose(day, round(p.fludarabine_mg_m2 * bsa, 1), round(p.cyclophosphamide_mg_m2 * bsa, 1)) for day in p.ld_days
    ]


def cell_dose(case: Case | None = None) -> float:
    """Target CAR-positive T cells: per-kg dose times weight, capped at the maximum (``yescarta-label``)."""
    case = case or data()
    return min(case.product.cells_per_kg * case.patient.weight_kg, case.product.max_cells)


def tocilizumab(case: Case | None = None) -> clinical.Dose:
    """Her tocilizumab dose for CRS, from ``clinical.tocilizumab_dose``."""
    return clinical.tocilizumab_dose((case or data()).patient.weight_kg)


def igg_on(day: float, case: Case | None = None) -> LabResult | None:
    """The latest IgG result on or before ``day``."""
    case = case or data()
    d = check_day(day, case)
    done = [x for x in case.igg if x.day <= d]
    return done[-1] if done else None


def infections_by(day: float, case: Case | None = None) -> int:
    case = case or data()
    d = check_day(day, case)
    return len([x for x in case.infection_days if x <= d])


def igg_assessment(day: float, case: Case | None = None) -> lt.IgGReview | None:
    """The IgG review (``course.lessons.l07_after_infusion_and_long_term.model.igg_review``): two or more infections count as recurrent."""
    result = igg_on(day, case)
    if result is None:
        return None
    return lt.igg_review(result.value, infections_by(day, case) >= 2)


def expected_answer(decision: Decision, case: Case | None = None) -> Any:
    """What the case data say the bank's answer must be, recomputed with the course's rules."""
    case = case or data()
    if decision.asks == "crs_grade":
        return case.observation(decision.observation).crs().grade
    if decision.asks == "icans_grade":
        return case.observation(decision.observation).icans().grade
    if decision.asks == "ice_score":
        return case.observation(decision.observation).ice_total
    if decision.asks == "tocilizumab_mg":
        return tocilizumab(case).mg
    if decision.asks == "cyclophosphamide_mg":
        doses = {d.cyclophosphamide_mg for d in ld_doses(case)}
        if len(doses) != 1:
            raise AssertionError("the daily cyclophosphamide dose should be the same each day")
        return doses.pop()
    if decision.asks == "cell_dose_million":
        return round(cell_dose(case) / 1e6, 2)
    if decision.asks == "igg_review":
        return igg_assessment(decision.lab_day, case)
    return None


# --------------------------------------------------------------------------------------------
# The state of the case on one day (for the day explorer)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayState:
    day: int
    stage: Stage
    observation: Observation | None
    crs: clinical.Grade | None
    icans: clinical.Grade | None
    icans_sentence: str
    treatments: tuple[Event, ...]
    igg: lt.IgGReview | None
    rules: tuple[lt.RuleStatus, ...]

    def headline(self) -> str:
        return f"Day {self.day} - {self.stage.title}"


def state(day: int, case: Case | None = None) -> DayState:
    """Everything the case shows on one day: stage, latest observation and its grades, treatments so far."""
    case = case or data()
    if isinstance(day, bool) or not isinstance(day, int):
        raise ValueError(f"day must be a whole number of days, not {day!r}")
    stage = stage_on(day, case)
    obs = latest_observation(day, case) if day >= 0 else None
    crs_g = obs.crs() if obs is not None else None
    icans_g = obs.icans() if obs is not None else None
    if obs is not None and obs.ice is not None:
        sentence = icans.assess(obs.ice_total, obs.consciousness).sentence()
    else:
        sentence = "No ICE assessment in this observation."
    treatments = tuple(e for e in events_until(day, case) if e.lane == "treatment")
    rules = tuple(lt.going_home_status(day, "current")) if day >= 0 else ()
    return DayState(day, stage, obs, crs_g, icans_g, sentence, treatments, igg_assessment(day, case), rules)


def sci(value: float) -> str:
    """A cell count in plain scientific notation, e.g. 1.84 × 10⁸."""
    mantissa, exponent = f"{value:.3g}".split("e") if "e" in f"{value:.3g}" else (f"{value:.3g}", "0")
    sup = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa} × 10{sup}"


def _items(texts) -> str:
    """A bullet list; ``[key]`` marks become the lesson's numbered citation links (a reader never sees a key)."""
    return render_bracket_keys(
        "<ul style='margin:0.1em 0;padding-left:1.2em'>"
        + "".join(f"<li>{inline_html(t)}</li>" for t in texts)
        + "</ul>"
    )


def state_html(day: int, case: Case | None = None) -> str:
    """The day explorer's words for one day: what is happening, the observation and grades, the nurse's part."""
    case = case or data()
    s = state(day, case)
    parts = [
        '<div class="cart-l08-state" role="status" aria-live="polite">',
        f"<p><strong>▶ {escape(s.headline())}</strong></p>",
        f"<p>{inline_html(s.stage.summary)}</p>",
    ]
    if s.observation is not None:
        obs = s.observation
        when = "today" if obs.day == day else f"day {obs.day}"
        parts.append(
            f"<p><strong>Latest observation</strong> ({escape(when)}, {escape(obs.time)}): {escape(obs.vitals_text())}"
            + (f"; ICE score {obs.ice_total}/10" if obs.ice is not None else "")
            + (f". <em>{escape(obs.note)}</em>" if obs.note else "")
            + "</p>"
        )
        parts.append(
            f"<p><strong>CRS (ASTCT):</strong> grade {s.crs.grade} - {escape(crs_words(obs, s.crs))}.<br>"
            f"<strong>ICANS (ASTCT):</strong> {escape(s.icans_sentence)}</p>"
        )
    else:
        parts.append("<p><strong>No ward observations yet:</strong> the infusion is on day 0.</p>")
    if s.treatments:
        parts.append(
            "<p><strong>Treatments so far:</strong> " + "; ".join(escape(e.text) for e in s.treatments) + ".</p>"
        )
    parts.append(f"<p><strong>What the nurse does:</strong></p>{_items(s.stage.nurse)}")
    if s.stage.escalate:
        parts.append(f"<p><strong>Escalate at once:</strong></p>{_items(s.stage.escalate)}")
    if s.stage.report:
        parts.append(f"<p><strong>Report to the team (same day):</strong></p>{_items(s.stage.report)}")
    if s.igg is not None and day >= 30:
        parts.append(f"<p><strong>IgG:</strong> {escape(s.igg.message)}</p>")
    if s.rules and day >= 10:
        parts.append(
            "<p><strong>Going home (US labels since June 2025):</strong></p>" + _items(r.sentence(day) for r in s.rules)
        )
    parts.append(
        f'<p style="font-size:0.9em">Sources: {cite_html(s.stage.references)}. Fictional case, not patient data.</p></div>'
    )
    return "".join(parts)


def crs_words(obs: Observation, grade: clinical.Grade) -> str:
    """The CRS criterion in words; outside a treated episode, grade 0 is simply 'no fever, hypotension or hypoxia'."""
    if grade.grade == 0 and not obs.antipyretic_or_anticytokine_given:
        return f"no CRS now: {obs.temp_c:.1f} °C, no hypotension and no oxygen need"
    return grade.criterion


def state_text(day: int, case: Case | None = None) -> str:
    s = state(day, case)
    lines = [s.headline() + ".", plain(s.stage.summary)]
    if s.observation is not None:
        lines.append(f"Latest observation: {s.observation.vitals_text()}.")
        lines.append(f"CRS grade {s.crs.grade}. {s.icans_sentence}")
    lines.append("Nurse: " + " ".join(plain(t) for t in s.stage.nurse))
    return " ".join(lines)


# --------------------------------------------------------------------------------------------
# Tables for the notebook (text/html and text/plain)
# --------------------------------------------------------------------------------------------


def _table(
    caption: str, header: list[str], rows: list[list[str]], css: str, note: str = "", style: str = TABLE_STYLE
) -> str:
    head = "".join(f'<th scope="col" style="{CELL}">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + f'<th scope="row" style="{CELL}">{row[0]}</th>'
        + "".join(f'<td style="{CELL}">{cell}</td>' for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    foot = f'<p style="font-size:0.9em;margin:0.2em 0">{note}</p>' if note else ""
    return render_bracket_keys(
        f'<div class="cart-table"><table class="{css} {TABLE_LOOK}" style="{style}">'
        f'<caption style="text-align:left;caption-side:top">{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}</div>"
    )


def patient_card(case: Case | None = None, product: str = "", note: str = "") -> views.Static:
    """Who the patient is and what they will receive. ``product`` and ``note`` replace the product line
    and the source note where a case must tell a trial's target dose apart from the label (lesson 10)."""
    case = case or data()
    p, prod = case.patient, case.product
    cells = cell_dose(case)
    product = product or (
        f"{prod.brand} ({prod.generic}), one IV infusion on day 0: {sci(prod.cells_per_kg)} CAR-positive T "
        f"cells per kg, at most {sci(prod.max_cells)}; for {p.weight_kg:g} kg that is {sci(cells)} cells"
    )
    note = note or f"Product facts as in the US label {views.cite(prod.references)}"
    rows = [
        [
            "Patient",
            escape(
                f"{p.name}, {p.age} years; {p.weight_kg:g} kg, {p.height_cm:g} cm, body surface area {p.bsa_m2:g} m²"
            ),
        ],
        ["Diagnosis", escape(p.diagnosis)],
        ["History", escape(p.history)],
        ["Caregiver", escape(p.caregiver)],
        ["Planned product", escape(product)],
    ]
    html = _table(
        "<strong>The patient in this case</strong> (fictional)",
        ["Item", "Details"],
        rows,
        "cart-l08-patient",
        f"{note}; the patient is invented for teaching.",
    )
    text = "The patient (fictional): " + " ".join(f"{r[0]}: {plain(r[1]).rstrip('.')}." for r in rows)
    return views.Static(html, text.replace("&#x27;", "'"))


def chart(day: int, until: str | None = None, case: Case | None = None) -> views.Static:
    """The observation chart for one day (up to the time ``until``, e.g. "15:00"): raw measurements only.

    No grades are shown: grading is what the learner does next.
    """
    case = case or data()
    if until is not None and not TIME_PATTERN.match(until):
        raise ValueError(f"until must be a 24-hour time such as 15:00, not {until!r}")
    rows, text = [], [f"Observations on day {day} (fictional):"]
    for obs in case.observations:
        if obs.day != day or (until is not None and obs.time > until):
            continue
        ice = (
            f"{obs.ice_total}/10"
            if obs.ice is not None and not _ice_asked(obs, case)
            else ("see the question below" if obs.ice is not None else "not done")
        )
        row = [
            escape(obs.time),
            f"{obs.temp_c:.1f} °C",
            str(obs.heart_rate),
            f"{obs.sbp}/{obs.dbp}",
            f"{obs.spo2}%",
            escape(obs.oxygen_text()),
            escape(ice),
            escape(obs.note),
        ]
        rows.append(row)
        text.append(f"  {obs.time}: {obs.vitals_text()}; ICE {plain(ice)}" + (f"; {obs.note}" if obs.note else ""))
    if not rows:
        raise ValueError(f"no observations on day {day}")
    labs = [x for x in case.anc if x.day == day]
    note = " ".join(f"Neutrophils (ANC) {x.value:g} × 10⁹/L." for x in labs)
    upto = f", up to {until}" if until else ""
    html = _table(
        f"<strong>Observation chart, day {day}{upto}</strong> (fictional values)",
        ["Time", "Temperature", "Pulse", "BP (mmHg)", "SpO₂", "Oxygen", "ICE score", "Notes"],
        rows,
        "cart-l08-chart",
        escape(note),
    )
    if note:
        text.append("  " + note)
    return views.Static(html, "\n".join(text))


def _ice_asked(obs: Observation, case: Case) -> bool:
    """True when a bank question asks the learner to work out this observation's ICE score or grade."""
    return any(d.observation == obs.id and d.asks in ("ice_score", "icans_grade") for _, d in case.decisions())


def ld_table(case: Case | None = None) -> views.Static:
    """Her lymphodepletion, day by day, as the pharmacy would prepare it (``yescarta-label``)."""
    case = case or data()
    p, bsa = case.product, case.patient.bsa_m2
    rows = [
        [
            f"Day {d.day}",
            f"{p.fludarabine_mg_m2:g} mg/m² × {bsa:g} m² = <strong>{d.fludarabine_mg:g} mg</strong>",
            f"{p.cyclophosphamide_mg_m2:g} mg/m² × {bsa:g} m² = <strong>{d.cyclophosphamide_mg:g} mg</strong>",
        ]
        for d in ld_doses(case)
    ]
    html = _table(
        f"<strong>{case.patient.possessive.capitalize()} lymphodepleting chemotherapy</strong>",
        ["Day", "Fludarabine IV", "Cyclophosphamide IV"],
        rows,
        "cart-l08-ld",
        f"Regimen and days from the {p.brand} label {views.cite(p.references)}; "
        + rest_days(p)
        + "infusion on day 0.",
    )
    text = "Lymphodepletion: " + "; ".join(
        f"day {d.day}: fludarabine {d.fludarabine_mg:g} mg, cyclophosphamide {d.cyclophosphamide_mg:g} mg"
        for d in ld_doses(case)
    )
    return views.Static(html, text)


def rest_days(product: Product) -> str:
    """The rest days between the last chemotherapy day and day 0, in words ('' when there are none)."""
    rest = [d for d in range(product.ld_days[-1] + 1, 0)]
    if not rest:
        return ""
    days = " and ".join(f"−{-d}" for d in rest)
    return f"day{'s' if len(rest) > 1 else ''} {days} {'are rest days' if len(rest) > 1 else 'is a rest day'}; "


def care_plan(case: Case | None = None) -> views.Static:
    """The nursing care plan: problem, goal, nursing actions, what to escalate, sources."""
    case = case or data()
    rows = [
        [
            inline_html(r.problem),
            inline_html(r.goal),
            inline_html(r.actions),
            inline_html(r.escalate),
            views.cite(r.references),
        ]
        for r in case.care_plan
    ]
    html = _table(
        f"<strong>Nursing care plan for {escape(case.patient.short_name)}</strong>, from infusion to day {last_day(case)}",
        ["Problem", "Goal", "Nursing actions", "Escalate at once", "Sources"],
        rows,
        "cart-l08-care-plan",
        "Frequencies and drugs follow the centre's protocol; the thresholds are those of the cited sources.",
        style=WIDE_TABLE_STYLE,
    )
    text = ["Nursing care plan:"] + [
        f"  {r.problem}. Goal: {r.goal} Actions: {r.actions} Escalate: {r.escalate} {views.cite(r.references)}"
        for r in case.care_plan
    ]
    return views.Static(html, "\n".join(text))


def education(case: Case | None = None, day: int = 10, call_keys: tuple[str, ...] = ()) -> views.Static:
    """Teaching points for the patient and for the caregiver, with the call-now symptoms of lesson 07.

    ``call_keys`` are cited first on every call-now item: the patient's own product's Medication Guide
    (lesson 07 cites the list to another product's patient information).
    """
    case = case or data()
    table = lt.data()
    call = [f"{s.text} {views.cite(dict.fromkeys([*call_keys, *s.references]))}" for s in table.call_now]
    patient = [f"{t.text} {views.cite(t.references)}" for t in case.education_patient]
    carer = [f"{t.text} {views.cite(t.references)}" for t in case.education_caregiver]
    rules = [r.sentence(day) for r in lt.going_home_status(day, "current")]
    html = (
        '<div class="cart-l08-education" style="max-width:60em">'
        "<p><strong>Call for help at once, day or night</strong> (patient and caregiver). The first item means "
        "emergency services first; for every other item, call the treatment team straight away:</p>"
        f"{_items(call)}"
        f"<p><strong>For {escape(case.patient.short_name)}</strong></p>{_items(patient)}"
        f"<p><strong>For {escape(case.patient.caregiver_title)}</strong></p>{_items(carer)}"
        f"<p><strong>Label minimums on day {day}</strong> (US labels since June 2025):</p>{_items(rules)}"
        "</div>"
    )
    text = "\n".join(
        [
            "Call for help at once, day or night (emergency services first for the first item): "
            + " ".join(plain(c) for c in call)
        ]
        + ["Patient: " + " ".join(plain(t) for t in patient)]
        + ["Caregiver: " + " ".join(plain(t) for t in carer)]
        + [f"Label minimums on day {day}: " + " ".join(rules)]
    )
    return views.Static(html, text)
