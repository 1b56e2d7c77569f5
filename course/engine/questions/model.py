"""Question banks: YAML in ``assets/questions/``, validated into frozen dataclasses.

A bad bank fails on load with a message that names the file, the question id and the field,
so an author sees exactly what to fix.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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
        return self.finite(name, value)

    def finite(self, name: str, value: Any) -> float:
        """A number a learner can match: not NaN, not infinite, not beyond a float."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(name, "must be a number")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.fail(name, f"must be an ordinary finite number, not {value!r:.40}")
        return number

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


_BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _check_text(r: _Reader, value: Any, where: str) -> None:
    """Every text in a question is printable and can be saved (no control codes, no lone surrogates)."""
    if isinstance(value, str):
        bad = _BAD_CHARACTER.search(value)
        if bad:
            raise r.fail(where or "id", f"contains the character {bad.group()!r}, which cannot be shown or saved")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(r, item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_text(r, item, f"{where}[{i}]")


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
        raise r.fail(sorted(map(str, unknown))[0], f"is not a field of a {qtype} question")
    _check_text(r, raw, "")
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
        if len(options) > MAX_CHOICES:
            raise r.fail("options", f"at most {MAX_CHOICES} options (the views letter them A to Z), has {len(options)}")
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
        if minimum is not None and maximum is not None and tolerance >= maximum - minimum:
            raise r.fail("tolerance", "would grade every possible answer correct; it must be less than "
                                      "'maximum' minus 'minimum'")
        if (minimum is not None and answer < minimum) or (maximum is not None and answer > maximum):
            raise r.fail("answer", "lies outside 'minimum'..'maximum'")
        errors = []
        listed = raw.get("common_errors") or []
        if not isinstance(listed, list):
            raise r.fail("common_errors", "must be a list of mappings with 'value' and 'feedback'")
        for i, e in enumerate(listed):
            if not isinstance(e, dict) or "value" not in e or not isinstance(e.get("feedback"), str) \
                    or not e["feedback"].strip():
                raise r.fail(f"common_errors[{i}]", "needs 'value' (a number) and 'feedback'")
            value = r.finite(f"common_errors[{i}].value", e["value"])
            if abs(value - answer) <= tolerance:
                raise r.fail(f"common_errors[{i}].value", "would be graded correct")
            errors.append(CommonError(value, e["feedback"].strip()))
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
        if len({i.strip() for i in items}) != len(items):
            raise r.fail("items", "two items have the same text")
        if len(items) > MAX_CHOICES:
            raise r.fail("items", f"at most {MAX_CHOICES} items (the views letter them A to Z), has {len(items)}")
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
    if len(pairs) > MAX_CHOICES:
        raise r.fail("pairs", f"at most {MAX_CHOICES} pairs, has {len(pairs)}")
    extra = raw.get("extra_choices") or []
    if not isinstance(extra, list) or not all(isinstance(x, str) and x.strip() for x in extra):
        raise r.fail("extra_choices", "must be a list of non-empty texts")
    question = Question(**common, pairs=pairs, extra_choices=tuple(x.strip() for x in extra))
    if len(question.match_choices()) > MAX_CHOICES:
        raise r.fail("extra_choices", f"at most {MAX_CHOICES} different choices in all (the views letter them "
                                      f"A to Z), has {len(question.match_choices())}")
    return question


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
