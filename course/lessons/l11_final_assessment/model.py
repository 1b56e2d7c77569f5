"""The final assessment (lesson 11): the inputs behind its computed answers, and its blueprint.

Two jobs, both pure (no widgets):

- ``load_cases`` reads ``assets/assessment_cases.yaml``: for every question whose answer is a grade,
  a dose, a date or a percentage, the inputs and the course rule that computes it
  (``course.clinical`` for grades and doses, the lesson tables for the rest). ``case_problems``
  compares the computed value with the bank's keyed answer, so a bank edit can never drift from
  the rules (tests/test_lesson11_assessment.py runs it for every case).
- ``blueprint`` and ``coverage_problems`` read the bank's objectives, one per lesson
  ("... (lesson 05) ..."), and count its questions by lesson and type: the figure in section 1 and
  the coverage test use them.

Sources: grading and dosing rules as in ``course.clinical`` (``lee2019-astct``, ``actemra-label``);
the tables of lessons 03, 07 and 09 for the infusion window, ICAHT and trial counts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from course import clinical
from course.core import schema
from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.schema import Convert, Invalid, Refs
from course.engine.questions.model import TYPES, Bank, Question, bank_path, load_bank

LESSON = "11_final_assessment"
CASES_FILE = ASSETS / "assessment_cases.yaml"
ID_PATTERN = re.compile(r"^q10-[a-z0-9-]+$")
LESSON_IN_OBJECTIVE = re.compile(r"\(lesson (\d\d)\)")
GRADE_OPTION = re.compile(r"^Grade (\d)\b")
# Coverage the assessment must keep (the brief of the final assessment, lesson 11): lesson 00 at least once, every other
# lesson at least twice, 25 to 30 questions in all, every question type used.
MIN_PER_LESSON = {"00": 1}
MIN_PER_OTHER_LESSON = 2
TOTAL_RANGE = (25, 30)


@dataclass(frozen=True)
class Computed:
    """What a rule gives for a case: the value and the rule's own words for it."""

    value: Any
    text: str


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number; got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}; got {value:g}")
    return float(value)


def _crs(inputs: Mapping[str, Any]) -> Computed:
    g = clinical.crs_grade(**inputs)
    return Computed(g.grade, g.criterion)


def _icans(inputs: Mapping[str, Any]) -> Computed:
    g = clinical.icans_grade(**inputs)
    return Computed(g.grade, g.criterion)


def _ice(inputs: Mapping[str, Any]) -> Computed:
    score = clinical.ice_score(**inputs)
    parts = ", ".join(f"{k.replace('_', ' ')} {v} of {clinical.ICE_ITEMS[k]}" for k, v in inputs.items())
    return Computed(score, f"{parts}: ICE score {score}")


def _tocilizumab(inputs: Mapping[str, Any]) -> Computed:
    d = clinical.tocilizumab_dose(**inputs)
    return Computed(d.mg, d.rule)


def _bsa_dose(inputs: Mapping[str, Any]) -> Computed:
    if set(inputs) != {"dose_mg_per_m2", "bsa_m2"}:
        raise ValueError("needs exactly dose_mg_per_m2 and bsa_m2")
    dose = _number(inputs["dose_mg_per_m2"], "dose_mg_per_m2", 1, 2000)
    bsa = _number(inputs["bsa_m2"], "bsa_m2", 0.2, 3.5)
    mg = round(dose * bsa, 1)
    return Computed(mg, f"{dose:g} mg/m² × {bsa:g} m² = {mg:g} mg")


def _latest_infusion_date(inputs: Mapping[str, Any]) -> Computed:
    from course.lessons.l03_the_five_steps.model import regimen

    if set(inputs) != {"regimen", "ld_end_date"}:
        raise ValueError("needs exactly regimen and ld_end_date")
    r = regimen(str(inputs["regimen"]))
    if not r.window_after_ld or not r.verified:
        raise ValueError(f"regimen '{r.id}' has no verified infusion window in assets/lymphodepletion.yaml")
    end = inputs["ld_end_date"]
    if isinstance(end, bool) or not isinstance(end, int) or not 1 <= end <= 31:
        raise ValueError(f"ld_end_date must be a date of the month from 1 to 31; got {end!r}")
    first, last = r.window_after_ld
    # Lesson 03's model: the earliest day after `first` full rest days; the latest as the row counts it (plain:
    # `last` calendar days after the last chemotherapy day; rest: `last` rest days, then the infusion).
    earliest = end + r.infusion_days[0] - r.ld_days[-1]
    latest = end + r.latest_first_infusion_day - r.ld_days[-1]
    if latest > 31:
        raise ValueError("the window runs past the end of the month; choose an earlier ld_end_date")
    how = (
        f"after {last} rest days"
        if r.latest_confirmed
        else f"{last} calendar days after the last chemotherapy day (the label read plainly)"
    )
    return Computed(
        latest,
        f"{r.product}: last chemotherapy day the {_ordinal(end)}; earliest infusion after {first} rest days, the "
        f"{_ordinal(earliest)}; latest {how}, the {_ordinal(latest)}",
    )


def _ordinal(day: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st: a date of the month in words."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _icaht(inputs: Mapping[str, Any]) -> Computed:
    from course.lessons.l07_after_infusion_and_long_term.model import icaht_phase

    if set(inputs) != {"day"}:
        raise ValueError("needs exactly day")
    phase = icaht_phase(inputs["day"])
    return Computed(phase.id, f"day {inputs['day']}: {phase.name} ({phase.days})")


def _not_infused(inputs: Mapping[str, Any]) -> Computed:
    from course.lessons.l09_outcomes_access_future.model import efficacy, not_infused_percent

    if set(inputs) != {"trial"}:
        raise ValueError("needs exactly trial")
    t = efficacy().get(str(inputs["trial"]))
    if t.enrolled is None or t.received is None:
        raise ValueError(f"trial {t.trial} has no enrolled and received counts in assets/efficacy.yaml")
    pct = not_infused_percent(t.enrolled, t.received)
    return Computed(pct, f"{t.trial}: {t.enrolled - t.received} of {t.enrolled} enrolled never infused = {pct:g}%")


RULES: dict[str, Callable[[Mapping[str, Any]], Computed]] = {
    "crs_grade": _crs,
    "icans_grade": _icans,
    "ice_score": _ice,
    "tocilizumab_dose": _tocilizumab,
    "bsa_dose": _bsa_dose,
    "latest_infusion_date": _latest_infusion_date,
    "icaht_phase": _icaht,
    "not_infused_percent": _not_infused,
}
# Rules whose own words an explanation must quote (the grade or dose criterion).
QUOTED_RULES = ("crs_grade", "icans_grade", "tocilizumab_dose")


def _question_id(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError("must be a question id starting with 'q10-'")
    return value


def _rule(value: Any) -> str:
    if value not in RULES:
        raise ValueError(f"must be one of {', '.join(RULES)}")
    return value


def _inputs(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise ValueError("must be a mapping of the rule's inputs")
    return dict(value)


@dataclass(frozen=True)
class Case:
    """One computed answer: the question, the rule, its inputs and its sources."""

    ROW_KEY = "question"

    question: Annotated[str, Convert(_question_id)]
    rule: Annotated[str, Convert(_rule)]
    inputs: Annotated[dict[str, Any], Convert(_inputs)]
    references: Refs
    claim: Any = None  # for true/false questions: the value the statement claims

    def check(self) -> None:
        try:
            self.compute()
        except (TypeError, ValueError, KeyError) as exc:
            raise Invalid("inputs", f"the rule {self.rule} refuses them: {exc}") from None

    def compute(self) -> Computed:
        return RULES[self.rule](self.inputs)


def load_cases(path: Path = CASES_FILE) -> tuple[Case, ...]:
    """Read and validate the cases; every case must compute without error."""
    return schema.load_rows(
        path, "cases", Case, what="case", key="question", twice="has two cases", known=registry()
    )


def keyed_answer(q: Question) -> Any:
    """The bank's keyed answer in the form a rule computes: a number, a grade, or true/false."""
    if q.type in ("numeric", "truefalse"):
        return q.answer
    if q.type == "single":
        text = q.options[q.correct_options()[0]].text
        match = GRADE_OPTION.match(text)
        if not match:
            raise ValueError(f"{q.id}: the correct option must start with 'Grade N' to be checked against a rule")
        return int(match.group(1))
    raise ValueError(f"{q.id}: a {q.type} question has no single computed answer")


def case_problems(case: Case, bank: Bank) -> list[str]:
    """Every way the bank's keyed answer disagrees with the rule; an empty list means it matches."""
    try:
        q = bank.get(case.question)
    except KeyError:
        return [f"{case.question}: not in the bank"]
    got = case.compute()
    problems: list[str] = []
    if q.type == "truefalse":
        if case.claim is None:
            return [f"{q.id}: a true/false case needs a 'claim'"]
        if q.answer != (got.value == case.claim):
            problems.append(f"{q.id}: keyed {q.answer}, but the rule gives {got.value!r} (claim {case.claim!r})")
    elif q.type == "numeric":
        if abs(float(q.answer) - float(got.value)) > max(q.tolerance, 1e-9):
            problems.append(f"{q.id}: keyed {q.answer:g}, but the rule gives {got.value:g} ({got.text})")
        for err in q.common_errors:
            if abs(err.value - float(got.value)) <= max(q.tolerance, 1e-9):
                problems.append(f"{q.id}: common error {err.value:g} is the rule's answer")
    elif q.type == "single":
        try:
            keyed = keyed_answer(q)
        except ValueError as exc:
            return [str(exc)]
        if keyed != got.value:
            problems.append(f"{q.id}: keyed grade {keyed}, but the rule gives {got.value} ({got.text})")
        same = [
            o.text
            for o in q.options
            if GRADE_OPTION.match(o.text) and GRADE_OPTION.match(o.text).group(1) == str(keyed)
        ]
        if len(same) != 1:
            problems.append(f"{q.id}: {len(same)} options start with 'Grade {keyed}'")
    else:
        problems.append(f"{q.id}: a {q.type} question cannot be checked against a rule")
    if case.rule in QUOTED_RULES and got.text not in " ".join(q.explanation.split()):
        problems.append(f"{q.id}: the explanation does not quote the rule's words: {got.text!r}")
    missing = set(case.references) - set(q.references)
    if missing:
        problems.append(f"{q.id}: the question does not cite {sorted(missing)}, which the case cites")
    return problems


# --------------------------------------------------------------------------- blueprint
@dataclass(frozen=True)
class BlueprintRow:
    """One lesson's share of the assessment."""

    objective: str
    lesson: str  # "00".."09"
    title: str
    counts: dict[str, int]  # question type -> number of questions

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def objective_lessons(bank: Bank) -> dict[str, str]:
    """Objective id -> the two-digit lesson number its text names ("(lesson 05)")."""
    out = {}
    for oid, text in bank.objectives.items():
        found = LESSON_IN_OBJECTIVE.findall(text)
        if len(found) != 1:
            raise CourseDataError(f"{bank.path.name}: objective {oid}: must name exactly one '(lesson NN)'")
        out[oid] = found[0]
    return out


def blueprint(bank: Bank | None = None) -> list[BlueprintRow]:
    """Questions per lesson and type, in objective order (O1 = lesson 00 ...)."""
    from course.engine.outline import load_outline

    bank = bank or load_bank(bank_path(LESSON))
    titles = {e.id[:2]: e.title for e in load_outline()}
    lessons = objective_lessons(bank)
    rows = []
    for oid in sorted(bank.objectives, key=lambda o: int(o[1:])):
        counts = {t: 0 for t in TYPES}
        for q in bank.questions:
            if q.objective == oid:
                counts[q.type] += 1
        number = lessons[oid]
        rows.append(BlueprintRow(oid, number, titles.get(number, "?"), counts))
    return rows


def coverage_problems(bank: Bank | None = None) -> list[str]:
    """How the bank falls short of the assessment's coverage rules; empty when it meets them."""
    from course.engine.outline import load_outline

    bank = bank or load_bank(bank_path(LESSON))
    problems: list[str] = []
    lessons = [e.id[:2] for e in load_outline() if e.id != LESSON]
    try:
        by_objective = objective_lessons(bank)
    except CourseDataError as exc:
        return [str(exc)]
    expected = {f"O{i + 1}": number for i, number in enumerate(lessons)}
    if by_objective != expected:
        problems.append(f"objectives must be O1 = lesson {lessons[0]} ... O{len(lessons)} = lesson {lessons[-1]}")
    for row in blueprint(bank):
        need = MIN_PER_LESSON.get(row.lesson, MIN_PER_OTHER_LESSON)
        if row.total < need:
            problems.append(f"lesson {row.lesson} ({row.objective}) has {row.total} question(s); needs {need}")
    low, high = TOTAL_RANGE
    if not low <= len(bank.questions) <= high:
        problems.append(f"{len(bank.questions)} questions; the assessment needs {low} to {high}")
    unused = [t for t in TYPES if not any(q.type == t for q in bank.questions)]
    if unused:
        problems.append(f"question type(s) not used: {', '.join(unused)}")
    return problems


def pass_count(total: int, pass_mark: float) -> int:
    """The fewest correct answers that reach the pass mark."""
    return math.ceil(round(total * pass_mark, 9))
