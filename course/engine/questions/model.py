"""Question banks: YAML in ``assets/questions/``, validated into frozen dataclasses.

A bad bank fails on load with a message that names the file, the question id and the field,
so an author sees exactly what to fix.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.core.errors import CourseDataError
from course.core.paths import QUESTION_BANKS
from course.core.yamlio import load_yaml

TYPES = ("single", "multiple", "truefalse", "numeric", "ordering", "matching")
TYPE_NAMES = {
    "single": "single choice",
    "multiple": "multiple select",
    "truefalse": "true or false",
    "numeric": "numeric answer",
    "ordering": "put in order",
    "matching": "matching",
}
# Cognitive level of what a question asks (recall a fact; explain or classify against one definition;
# apply a rule or a calculation to a case; weigh several findings, trends, patients or a plan).
LEVELS = ("recall", "understanding", "application", "analysis")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
OBJECTIVE_PATTERN = re.compile(r"^O[1-9][0-9]?$")
MEASURABLE_VERBS = (
    "describe",
    "classify",
    "calculate",
    "prioritise",
    "explain",
    "identify",
    "list",
    "name",
    "recognise",
    "compare",
    "distinguish",
    "grade",
    "order",
    "sequence",
    "apply",
    "interpret",
    "outline",
    "state",
    "match",
    "predict",
    "plan",
    "locate",
    "use",
    "relate",
    "choose",
    "assess",
    "justify",
    "summarise",
    "recall",
    "select",
    "compute",
    "estimate",
    "teach",
    "find",
)


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    feedback: str


@dataclass(frozen=True)
class CommonError:
    """A wrong numeric answer learners often give, with feedback aimed at that mistake."""

    value: float
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    lesson: str
    objective: str
    stem: str
    explanation: str
    references: tuple[str, ...]
    level: str = "recall"
    parallel: str = ""  # pre-test items: the final-assessment question that tests the same objective
    options: tuple[Option, ...] = ()
    answer: Any = None
    tolerance: float = 0.0
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    common_errors: tuple[CommonError, ...] = ()
    feedback_true: str = ""
    feedback_false: str = ""
    items: tuple[str, ...] = ()
    item_feedback: tuple[str, ...] = ()
    pairs: tuple[Pair, ...] = ()
    extra_choices: tuple[str, ...] = ()

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.type]

    def shuffled_items(self) -> list[int]:
        """Display order of ordering items: shuffled, but the same every run (seeded by id)."""
        order = list(range(len(self.items)))
        rng = random.Random(self.id)
        while order == sorted(order) and len(order) > 1:
            rng.shuffle(order)
        return order

    def match_choices(self) -> list[str]:
        """Right-hand choices for a matching question, sorted so position gives nothing away."""
        return sorted({p.right for p in self.pairs} | set(self.extra_choices), key=str.lower)

    def correct_options(self) -> list[int]:
        return [i for i, o in enumerate(self.options) if o.correct]


@dataclass(frozen=True)
class Bank:
    lesson: str
    path: Path
    objectives: dict[str, str]
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def get(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"no question '{question_id}' in {self.path.name}")

    def ids(self) -> list[str]:
        return [q.id for q in self.questions]


class _Reader:
    """Field access with messages that name file, question and field."""

    def __init__(self, path: Path, qid: str, raw: dict[str, Any]):
        self.path, self.qid, self.raw = path, qid, raw

    def fail(self, field_name: str, problem: str) -> CourseDataError:
        return CourseDataError(f"{self.path.name}: question '{self.qid}': field '{field_name}': {problem}")

    def text(self, name: str, required: bool = True) -> str:
        value = self.raw.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise self.fail(name, "must be text")
        if required and not value.strip():
            raise self.fail(name, "is missing or empty")
        return value.strip()

    def number(self, name: str, required: bool = True) -> float | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                raise self.fail(name, "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(name, "must be a number")
        return float(value)

    def mapping_list(self, name: str, keys: tuple[str, ...], minimum: int) -> list[dict[str, Any]]:
        value = self.raw.get(name)
        if not isinstance(value, list) or len(value) < minimum:
            raise self.fail(name, f"must be a list of at least {minimum} entries")
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise self.fail(f"{name}[{i}]", "must be a mapping")
            for key in keys:
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    raise self.fail(f"{name}[{i}].{key}", "is missing or empty")
        return value


ALLOWED_FIELDS = {
    "common": {"id", "type", "objective", "stem", "explanation", "references", "clinical", "level", "parallel"},
    "single": {"options"},
    "multiple": {"options"},
    "truefalse": {"answer", "feedback_true", "feedback_false"},
    "numeric": {"answer", "tolerance", "unit", "minimum", "maximum", "common_errors"},
    "ordering": {"items", "item_feedback"},
    "matching": {"pairs", "extra_choices"},
}


def _question(path: Path, lesson: str, objectives: dict[str, str], raw: Any, index: int) -> Question:
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: question #{index + 1}: must be a mapping")
    qid = raw.get("id")
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        raise CourseDataError(
            f"{path.name}: question #{index + 1}: field 'id': must be lower-case letters, digits, hyphens"
        )
    r = _Reader(path, qid, raw)
    qtype = raw.get("type")
    if qtype not in TYPES:
        raise r.fail("type", f"must be one of {', '.join(TYPES)}")
    unknown = set(raw) - ALLOWED_FIELDS["common"] - ALLOWED_FIELDS[qtype]
    if unknown:
        raise r.fail(sorted(unknown)[0], f"is not a field of a {qtype} question")
    objective = r.text("objective")
    if objective not in objectives:
        raise r.fail("objective", f"'{objective}' is not one of the bank's objectives {sorted(objectives)}")
    clinical = raw.get("clinical", True)
    if not isinstance(clinical, bool):
        raise r.fail("clinical", "must be true or false")
    refs = raw.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(k, str) for k in refs):
        raise r.fail("references", "must be a list of reference keys")
    if clinical and not refs:
        raise r.fail("references", "a clinical question needs at least one reference key "
                                   "(only 'clinical: false' questions about the course itself may have none)")
    level = raw.get("level")
    if level not in LEVELS:
        raise r.fail("level", f"must be one of {', '.join(LEVELS)}")
    parallel = raw.get("parallel", "")
    if not isinstance(parallel, str) or (parallel and not ID_PATTERN.match(parallel)):
        raise r.fail("parallel", "must be the id of a question in the final assessment")
    common = dict(
        id=qid,
        type=qtype,
        lesson=lesson,
        objective=objective,
        stem=r.text("stem"),
        explanation=r.text("explanation"),
        references=tuple(refs),
        level=level,
        parallel=parallel,
    )
    if qtype in ("single", "multiple"):
        entries = r.mapping_list("options", ("text", "feedback"), 2)
        options = []
        for i, e in enumerate(entries):
            if not isinstance(e.get("correct", False), bool):
                raise r.fail(f"options[{i}].correct", "must be true or false")
            options.append(Option(e["text"].strip(), e.get("correct", False), e["feedback"].strip()))
        n_correct = sum(o.correct for o in options)
        if qtype == "single" and n_correct != 1:
            raise r.fail("options", f"a single-choice question needs exactly 1 correct option, has {n_correct}")
        if qtype == "multiple" and n_correct < 1:
            raise r.fail("options", "a multiple-select question needs at least 1 correct option")
        if len({o.text for o in options}) != len(options):
            raise r.fail("options", "two options have the same text")
        if len(options) > 26:
            raise r.fail("options", "at most 26 options")
        return Question(**common, options=tuple(options))
    if qtype == "truefalse":
        if not isinstance(raw.get("answer"), bool):
            raise r.fail("answer", "must be true or false")
        return Question(
            **common,
            answer=raw["answer"],
            feedback_true=r.text("feedback_true"),
            feedback_false=r.text("feedback_false"),
        )
    if qtype == "numeric":
        answer = r.number("answer")
        tolerance = r.number("tolerance", required=False) or 0.0
        if tolerance < 0:
            raise r.fail("tolerance", "must be zero or positive")
        minimum, maximum = r.number("minimum", required=False), r.number("maximum", required=False)
        if minimum is not None and maximum is not None and minimum >= maximum:
            raise r.fail("maximum", "must be greater than 'minimum'")
        if (minimum is not None and answer < minimum) or (maximum is not None and answer > maximum):
            raise r.fail("answer", "lies outside 'minimum'..'maximum'")
        errors = []
        for i, e in enumerate(raw.get("common_errors") or []):
            if not isinstance(e, dict) or not isinstance(e.get("value"), (int, float)) or not e.get("feedback"):
                raise r.fail(f"common_errors[{i}]", "needs 'value' (a number) and 'feedback'")
            if abs(float(e["value"]) - answer) <= tolerance:
                raise r.fail(f"common_errors[{i}].value", "would be graded correct")
            errors.append(CommonError(float(e["value"]), str(e["feedback"]).strip()))
        return Question(
            **common,
            answer=answer,
            tolerance=tolerance,
            unit=r.text("unit", required=False),
            minimum=minimum,
            maximum=maximum,
            common_errors=tuple(errors),
        )
    if qtype == "ordering":
        items = raw.get("items")
        if not isinstance(items, list) or len(items) < 3 or not all(isinstance(i, str) and i.strip() for i in items):
            raise r.fail("items", "must be a list of at least 3 texts, in the correct order")
        if len(set(items)) != len(items):
            raise r.fail("items", "two items have the same text")
        feedback = raw.get("item_feedback")
        if (
            not isinstance(feedback, list)
            or len(feedback) != len(items)
            or not all(isinstance(f, str) and f.strip() for f in feedback)
        ):
            raise r.fail("item_feedback", "must give one feedback text per item, in the same order")
        return Question(
            **common, items=tuple(i.strip() for i in items), item_feedback=tuple(f.strip() for f in feedback)
        )
    entries = r.mapping_list("pairs", ("left", "right", "feedback"), 3)
    pairs = tuple(Pair(e["left"].strip(), e["right"].strip(), e["feedback"].strip()) for e in entries)
    if len({p.left for p in pairs}) != len(pairs):
        raise r.fail("pairs", "two pairs have the same left text")
    extra = raw.get("extra_choices") or []
    if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
        raise r.fail("extra_choices", "must be a list of texts")
    return Question(**common, pairs=pairs, extra_choices=tuple(x.strip() for x in extra))


def load_bank(path: Path) -> Bank:
    """Read and validate one bank file."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: expected a mapping with 'lesson', 'objectives', 'questions'")
    lesson = raw.get("lesson")
    if lesson != path.stem:
        raise CourseDataError(f"{path.name}: field 'lesson' must be '{path.stem}' (the file name)")
    objectives = raw.get("objectives")
    if not isinstance(objectives, dict) or not objectives:
        raise CourseDataError(f"{path.name}: field 'objectives' must map ids like O1 to objective texts")
    for oid, text in objectives.items():
        if not isinstance(oid, str) or not OBJECTIVE_PATTERN.match(oid):
            raise CourseDataError(f"{path.name}: objective '{oid}': ids look like O1, O2, ...")
        if not isinstance(text, str) or not text.strip():
            raise CourseDataError(f"{path.name}: objective '{oid}': text is missing")
        verb = text.split()[0].lower()
        if verb not in MEASURABLE_VERBS:
            raise CourseDataError(
                f"{path.name}: objective '{oid}': must start with a measurable verb, not '{text.split()[0]}'"
            )
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        raise CourseDataError(f"{path.name}: field 'questions' must be a non-empty list")
    questions = tuple(_question(path, lesson, objectives, q, i) for i, q in enumerate(items))
    unused = sorted(set(objectives) - {q.objective for q in questions})
    if unused:
        raise CourseDataError(f"{path.name}: objective(s) {unused} are not checked by any question")
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise CourseDataError(f"{path.name}: question '{q.id}': field 'id': used twice")
        seen.add(q.id)
    return Bank(lesson=lesson, path=path, objectives=dict(objectives), questions=questions)


def bank_path(lesson_id: str) -> Path:
    return QUESTION_BANKS / f"{lesson_id}.yaml"


def all_banks() -> list[Bank]:
    """Every bank in the course, validated."""
    return [load_bank(p) for p in sorted(QUESTION_BANKS.glob("*.yaml"))]
