"""Summative exam packs: the questions of an instructor's private bank without any key.

Instructor side: ``pack_document`` turns a private bank into the pack students receive (stems,
option texts in a random order, ordering items shuffled, matching rows and choices; no ``correct``,
no answers, no feedback, no explanations). Student side: ``load_pack`` reads it into
``PackQuestion`` objects that the answer-only widgets display. Report side: ``bank_response``
turns an answer given in pack terms (texts, never positions) back into what ``grade()`` takes.

Pure: no widgets, no files other than the ones named.
"""

from __future__ import annotations

import json
import random
import secrets
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from course.core import schema
from course.core.errors import CourseDataError, InvalidResponse
from course.core.schema import Invalid, Items, Note
from course.core.yamlio import load_yaml
from course.engine.questions.model import MAX_CHOICES, TYPES, Bank, Option, Question, load_bank
from course.engine.results import bank_fingerprint

PACK_SCHEMA = "cart-course-exam-pack/1"
PACK_FILE = "exam-pack.json"
MAX_PACK_BYTES = 2_000_000


@dataclass(frozen=True)
class Row:
    """A matching row as the student sees it: the left text only."""

    left: str


@dataclass(frozen=True)
class PackQuestion:
    """A question as a student's kernel holds it in summative mode: no key, no feedback."""

    id: str
    type: str
    objective: str
    stem: str
    options: tuple[Option, ...] = ()  # every ``correct`` is False: the pack does not know
    items: tuple[str, ...] = ()  # ordering: already shuffled
    pairs: tuple[Row, ...] = ()
    choices: tuple[str, ...] = ()
    unit: str = ""

    @property
    def type_name(self) -> str:
        from course.engine.questions.model import TYPE_NAMES

        return TYPE_NAMES[self.type]

    def shuffled_items(self) -> list[int]:
        return list(range(len(self.items)))  # shuffled when the pack was made

    def match_choices(self) -> list[str]:
        return list(self.choices)


@dataclass(frozen=True)
class Pack:
    exam: str
    title: str
    fingerprint: str
    objectives: dict[str, str]
    questions: tuple[PackQuestion, ...]

    @property
    def lesson(self) -> str:  # the name results and the progress store use
        return self.exam

    def ids(self) -> list[str]:
        return [q.id for q in self.questions]


def load_private_bank(path: Path) -> Bank:
    """An instructor's bank from any file name (course banks must be named after their lesson)."""
    raw = load_yaml(path)
    lesson = raw.get("lesson") if isinstance(raw, dict) else None
    if not isinstance(lesson, str) or not lesson.replace("_", "").isalnum():
        raise CourseDataError(f"{path}: field 'lesson' must name the exam, e.g. 11_final_form_b")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / f"{lesson}.yaml"
        shutil.copyfile(path, copy)
        try:
            bank = load_bank(copy)
        except CourseDataError as exc:
            raise CourseDataError(f"{path}: {exc}") from None
    return replace(bank, path=Path(path))


def _pack_question(q: Question, rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "type": q.type, "objective": q.objective, "stem": q.stem}
    if q.type in ("single", "multiple"):
        texts = [o.text for o in q.options]
        rng.shuffle(texts)
        out["options"] = texts
    elif q.type == "ordering":
        items = list(q.items)
        while items == list(q.items):
            rng.shuffle(items)
        out["items"] = items
    elif q.type == "matching":
        out["rows"] = [p.left for p in q.pairs]
        out["choices"] = q.match_choices()
    elif q.type == "numeric":
        out["unit"] = q.unit
    return out


def pack_document(bank: Bank, title: str = "") -> dict[str, Any]:
    """The questions-only pack. Orders come from the system's random source, never from a seed a
    student could recompute, so no position says which option or order is right."""
    rng = random.Random(secrets.randbits(64))
    return {
        "schema": PACK_SCHEMA,
        "exam": bank.lesson,
        "title": title or f"Exam {bank.lesson}",
        "fingerprint": bank_fingerprint(bank),
        "objectives": dict(bank.objectives),
        "questions": [_pack_question(q, rng) for q in bank.questions],
    }


_Texts = Annotated[tuple[str, ...], Items(allow_empty=True)]


@dataclass(frozen=True, kw_only=True)
class _PackedQuestion:
    """A question as ``_pack_question`` writes it into the pack."""

    WHAT = "a pack question"

    id: str
    type: Literal[TYPES]  # type: ignore[valid-type]
    objective: Note = ""
    stem: str
    options: _Texts = ()
    items: _Texts = ()
    rows: _Texts = ()
    choices: _Texts = ()
    unit: Note = ""

    def check(self) -> None:
        for name in ("options", "items", "rows", "choices"):
            if len(getattr(self, name)) > MAX_CHOICES:
                raise Invalid(name, f"must be a list of up to {MAX_CHOICES} texts")


@dataclass(frozen=True, kw_only=True)
class _PackFile:
    """The pack as ``pack_document`` writes it."""

    WHAT = "an exam pack"

    schema: str
    exam: str
    title: Note = ""
    fingerprint: Note = ""
    objectives: dict[str, Any]
    questions: tuple[_PackedQuestion, ...]


def load_pack(path: Path) -> Pack:
    """Read a pack; refuses anything that is not one (and anything that carries a key)."""
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            raise CourseDataError(f"{path}: too large for an exam pack")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise CourseDataError(f"{path}: not a readable exam pack ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("schema") != PACK_SCHEMA:
        raise CourseDataError(f"{path}: not an exam pack (schema must be '{PACK_SCHEMA}')")
    pack: _PackFile = schema.read_row(_PackFile, data, str(path), known=())
    questions = tuple(
        PackQuestion(
            id=q.id,
            type=q.type,
            objective=q.objective,
            stem=q.stem,
            options=tuple(Option(text=t, feedback="") for t in q.options),
            items=q.items,
            pairs=tuple(Row(t) for t in q.rows),
            choices=q.choices,
            unit=q.unit,
        )
        for q in pack.questions
    )
    objectives = {str(k): str(v) for k, v in pack.objectives.items()}
    return Pack(pack.exam, pack.title, pack.fingerprint, objectives, questions)


def pack_response(q: PackQuestion, response: Any) -> Any:
    """A widget's response (positions in the pack) as texts, checked for completeness only.

    Raises InvalidResponse for an incomplete answer; says nothing about right or wrong.
    """
    if q.type == "single":
        if not isinstance(response, int) or isinstance(response, bool) or not 0 <= response < len(q.options):
            raise InvalidResponse("Choose one option, then press Save answer.")
        return q.options[response].text
    if q.type == "multiple":
        picked = sorted(i for i in response or [] if isinstance(i, int) and 0 <= i < len(q.options))
        if not picked:
            raise InvalidResponse("Tick at least one option, then press Save answer.")
        return [q.options[i].text for i in picked]
    if q.type == "truefalse":
        if not isinstance(response, bool):
            raise InvalidResponse("Choose True or False, then press Save answer.")
        return response
    if q.type == "numeric":
        from course.engine.questions.grading import parse_number

        parse_number(response, q.unit)  # a number, or a clear message; the text is what is kept
        return str(response).strip()
    if q.type == "ordering":
        order = list(response or [])
        if len(order) != len(q.items) or any(i is None for i in order) or len(set(order)) != len(order):
            raise InvalidResponse(f"Put each of the {len(q.items)} items in one position, then press Save answer.")
        return [q.items[i] for i in order]
    chosen = dict(response or {})
    if any(not chosen.get(row.left) for row in q.pairs):
        raise InvalidResponse("Choose a match for every row, then press Save answer.")
    return {row.left: chosen[row.left] for row in q.pairs}


def widget_response(q: PackQuestion, saved: Any) -> Any:
    """A saved text answer back in the widget's terms (positions in this pack), or None."""
    try:
        if q.type == "single":
            return [o.text for o in q.options].index(saved)
        if q.type == "multiple":
            texts = [o.text for o in q.options]
            return [texts.index(t) for t in saved]
        if q.type == "ordering":
            return [list(q.items).index(t) for t in saved]
    except (ValueError, TypeError):
        return None
    return saved


def bank_response(q: Question, saved: Any) -> Any:
    """A summative answer (texts) as ``grade()`` takes it for the instructor's question."""
    texts = [o.text for o in q.options]
    try:
        if q.type == "single":
            return texts.index(saved)
        if q.type == "multiple":
            return [texts.index(t) for t in saved]
        if q.type == "ordering":
            return [list(q.items).index(t) for t in saved]
    except (ValueError, TypeError):
        raise InvalidResponse("the answer is not one of this question's options") from None
    return saved
