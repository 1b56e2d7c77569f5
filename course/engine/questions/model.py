"""Question banks: YAML in ``assets/questions/``, validated into frozen dataclasses.

A bad bank fails on load with a message that names the file, the question id and the field,
so an author sees exactly what to fix.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml

from course.core import schema
from course.core.errors import CourseDataError
from course.core.paths import QUESTION_BANKS
from course.core.schema import Invalid, Items, Note, Range, Text
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
MAX_CHOICES = 26  # options, items and matching choices are lettered A to Z in every view
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


@dataclass(frozen=True, kw_only=True)
class Option:
    text: str
    correct: bool = False
    feedback: str


@dataclass(frozen=True, kw_only=True)
class Pair:
    left: str
    right: str
    feedback: str


@dataclass(frozen=True, kw_only=True)
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


# --- A question as its YAML is written: one declaration per type, read by course.core.schema ---

_Id = Annotated[str, Text(pattern=ID_PATTERN.pattern, says="must be lower-case letters, digits, hyphens")]


@dataclass(frozen=True, kw_only=True)
class _Written:
    """The fields every question has."""

    id: _Id
    type: Literal[TYPES]  # type: ignore[valid-type]
    objective: str
    stem: str
    explanation: str
    references: Annotated[tuple[str, ...], Items(allow_empty=True)] = ()
    clinical: bool = True  # false only for questions about the course itself, which may cite nothing
    level: Literal[LEVELS]  # type: ignore[valid-type]
    parallel: Annotated[
        str,
        Text(
            allow_empty=True,
            pattern=f"^$|{ID_PATTERN.pattern}",
            says="must be the id of a question in the final assessment",
        ),
    ] = ""

    def check(self) -> None:
        if self.clinical and not self.references:
            raise Invalid(
                "references",
                "a clinical question needs at least one reference key "
                "(only 'clinical: false' questions about the course itself may have none)",
            )


def _at_most_letters(values: tuple[Any, ...], field_name: str, what: str) -> None:
    if len(values) > MAX_CHOICES:
        raise Invalid(field_name, f"at most {MAX_CHOICES} {what} (the views letter them A to Z), has {len(values)}")


@dataclass(frozen=True, kw_only=True)
class _Choice(_Written):
    WHAT = "a choice question"

    options: Annotated[tuple[Option, ...], Items(least=2)]

    def check(self) -> None:
        super().check()
        n_correct = sum(o.correct for o in self.options)
        if self.type == "single" and n_correct != 1:
            raise Invalid("options", f"a single-choice question needs exactly 1 correct option, has {n_correct}")
        if n_correct < 1:
            raise Invalid("options", "a multiple-select question needs at least 1 correct option")
        if len({o.text for o in self.options}) != len(self.options):
            raise Invalid("options", "two options have the same text")
        _at_most_letters(self.options, "options", "options")


@dataclass(frozen=True, kw_only=True)
class _TrueFalse(_Written):
    WHAT = "a true or false question"

    answer: bool
    feedback_true: str
    feedback_false: str


@dataclass(frozen=True, kw_only=True)
class _Numeric(_Written):
    WHAT = "a numeric question"

    answer: float
    tolerance: Annotated[float, Range(0, says="must be zero or positive")] = 0.0
    unit: Note = ""
    minimum: float | None = None
    maximum: float | None = None
    common_errors: Annotated[tuple[CommonError, ...], Items(allow_empty=True)] = ()

    def check(self) -> None:
        super().check()
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            if low >= high:
                raise Invalid("maximum", "must be greater than 'minimum'")
            if self.tolerance >= high - low:
                raise Invalid(
                    "tolerance",
                    "would grade every possible answer correct; it must be less than 'maximum' minus 'minimum'",
                )
        if (low is not None and self.answer < low) or (high is not None and self.answer > high):
            raise Invalid("answer", "lies outside 'minimum'..'maximum'")
        for i, error in enumerate(self.common_errors):
            if abs(error.value - self.answer) <= self.tolerance:
                raise Invalid("value", "would be graded correct", (("common_errors", f"#{i + 1}"),))


@dataclass(frozen=True, kw_only=True)
class _Ordering(_Written):
    WHAT = "an ordering question"

    items: Annotated[tuple[str, ...], Items(least=3)]  # in the correct order
    item_feedback: tuple[str, ...]

    def check(self) -> None:
        super().check()
        if len(set(self.items)) != len(self.items):
            raise Invalid("items", "two items have the same text")
        _at_most_letters(self.items, "items", "items")
        if len(self.item_feedback) != len(self.items):
            raise Invalid("item_feedback", "must give one feedback text per item, in the same order")


@dataclass(frozen=True, kw_only=True)
class _Matching(_Written):
    WHAT = "a matching question"

    pairs: Annotated[tuple[Pair, ...], Items(least=3)]
    extra_choices: Annotated[tuple[str, ...], Items(allow_empty=True)] = ()

    def check(self) -> None:
        super().check()
        if len({p.left for p in self.pairs}) != len(self.pairs):
            raise Invalid("pairs", "two pairs have the same left text")
        _at_most_letters(self.pairs, "pairs", "pairs")
        choices = {p.right for p in self.pairs} | set(self.extra_choices)
        _at_most_letters(tuple(choices), "extra_choices", "different choices in all")


_WRITTEN = {
    "single": _Choice,
    "multiple": _Choice,
    "truefalse": _TrueFalse,
    "numeric": _Numeric,
    "ordering": _Ordering,
    "matching": _Matching,
}
_BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _check_text(where: str, value: Any, field_name: str) -> None:
    """Every text in a question is printable and can be saved (no control codes, no lone surrogates)."""
    if isinstance(value, str):
        bad = _BAD_CHARACTER.search(value)
        if bad:
            raise CourseDataError(
                f"{where}: field '{field_name or 'id'}': contains the character "
                f"{bad.group()!r}, which cannot be shown or saved"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(where, item, f"{field_name}.{key}" if field_name else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_text(where, item, f"{field_name}[{i}]")


def _question(path: Path, lesson: str, objectives: dict[str, str], raw: Any, index: int) -> Question:
    qid = raw.get("id") if isinstance(raw, dict) else None
    where = f"{path.name}: question " + (f"'{qid}'" if isinstance(qid, str) else f"#{index + 1}")
    if not isinstance(raw, dict):
        raise CourseDataError(f"{where}: must be a mapping")
    if raw.get("type") not in TYPES:  # the type says which declaration the rest is read with
        raise CourseDataError(f"{where}: field 'type': must be one of {', '.join(TYPES)}")
    _check_text(where, raw, "")
    row = schema.read_row(_WRITTEN[raw["type"]], raw, where)
    if row.objective not in objectives:
        raise CourseDataError(
            f"{where}: field 'objective': '{row.objective}' is not one of the bank's objectives {sorted(objectives)}"
        )
    return Question(lesson=lesson, **{k: v for k, v in vars(row).items() if k != "clinical"})


def load_bank(path: Path) -> Bank:
    """Read and validate one bank file."""
    raw = _read_yaml(path)
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
        if _BAD_CHARACTER.search(text):
            raise CourseDataError(f"{path.name}: objective '{oid}': text contains a character that cannot be shown")
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


def _read_yaml(path: Path) -> Any:
    """The bank's YAML; a file that is not UTF-8 or holds a value Python cannot take (a list as a
    key, a number with thousands of digits) is refused with the file, line and question named."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CourseDataError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CourseDataError(
            f"{path.name}: {_where(raw[: exc.start].decode('utf-8', 'replace'), line)}: byte {raw[exc.start]:#04x} "
            "is not UTF-8; save the file as UTF-8"
        ) from None
    try:
        return load_yaml(path)
    except CourseDataError as exc:
        mark = getattr(exc.__cause__, "problem_mark", None)
        if mark is None:
            raise
        line = mark.line + 1  # a YAML syntax error: name the question it sits in
        problem = getattr(exc.__cause__, "problem", None) or "not valid YAML"
        lines = text.splitlines()
        where = _where("\n".join(lines[: line - 1]), line)
        field = re.match(r"^\s*-?\s*([A-Za-z_]+):", lines[line - 1]) if line <= len(lines) else None
        if field:
            where += f": field '{field.group(1)}'"
        raise CourseDataError(f"{path.name}: {where}: not valid YAML ({problem})") from None
    except (TypeError, ValueError, RecursionError) as exc:
        line, problem = _find_bad_node(text)
        where = _where("\n".join(text.splitlines()[: line - 1]), line) if line else "somewhere"
        raise CourseDataError(f"{path.name}: {where}: {problem or exc}") from None


def _where(before: str, line: int) -> str:
    """'question 'q-x', line 12': the last question id above ``line``, for messages about raw text."""
    ids = re.findall(r"^\s*-?\s*id:\s*['\"]?([a-z0-9-]+)", before, flags=re.MULTILINE)
    return f"question '{ids[-1]}', line {line}" if ids else f"line {line}"


def _find_bad_node(text: str) -> tuple[int, str]:
    """The first mapping key that is not a plain value, or integer too long to read, with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 0, ""
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(root, "")] if root is not None else []
    while stack:
        node, name = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    return key.start_mark.line + 1, "a key must be plain text, not a list or mapping"
                stack.append((value, key.value))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, name) for item in node.value]
        elif node.tag.endswith(":int") and len(node.value) > 1000:
            return node.start_mark.line + 1, f"field '{name}': a number with {len(node.value)} digits cannot be used"
    return 0, ""


def bank_path(lesson_id: str) -> Path:
    return QUESTION_BANKS / f"{lesson_id}.yaml"


def all_banks() -> list[Bank]:
    """Every bank in the course, validated."""
    return [load_bank(p) for p in sorted(QUESTION_BANKS.glob("*.yaml"))]
