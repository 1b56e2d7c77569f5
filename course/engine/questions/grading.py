"""Grading: pure functions from (question, response) to a Result with teaching feedback.

Responses, by type:
- single: the index of the chosen option in the bank's list (not its display position, which is
  shuffled per learner by ``order.py``); multiple: a collection of such indices;
- truefalse: a bool; numeric: a number or the text the learner typed;
- ordering: item indices (as in the bank, i.e. the correct order) in the order the learner put them;
- matching: a mapping from each left text to the chosen right text.
Anything that cannot be graded raises InvalidResponse with a short message for the learner.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from course.core.errors import InvalidResponse
from course.core.text import letter
from course.engine.questions.model import Question

ORDINALS = ("1st", "2nd", "3rd") + tuple(f"{n}th" for n in range(4, 27))


@dataclass(frozen=True)
class FeedbackLine:
    """Feedback on one part of an answer: which part, whether it was right, and why."""

    label: str
    ok: bool
    text: str


@dataclass(frozen=True)
class Result:
    correct: bool
    summary: str
    lines: tuple[FeedbackLine, ...]


def grade(question: Question, response: Any) -> Result:
    """Grade ``response`` to ``question``; raises InvalidResponse for ungradeable input.

    Responses also come back from the progress file, which a learner can edit: a value of the
    wrong type is ungradeable input too, never a crash.
    """
    try:
        return _GRADERS[question.type](question, response)
    except InvalidResponse:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError):
        raise InvalidResponse("This saved answer cannot be read. Answer again, then press Check.") from None


def gradeable(question: Question, response: Any) -> bool:
    """Whether ``response`` can be graded (used before restoring a saved answer into a widget)."""
    try:
        grade(question, response)
    except InvalidResponse:
        return False
    return True


def _single(q: Question, response: Any) -> Result:
    if response is None:
        raise InvalidResponse("Choose one option, then press Check.")
    if isinstance(response, bool) or not isinstance(response, int) or not 0 <= response < len(q.options):
        raise InvalidResponse(f"Choose one of the options A to {letter(len(q.options) - 1)}.")
    chosen = q.options[response]
    # Options are named by their text, never by letter: each learner sees them in their own order.
    lines = [FeedbackLine(chosen.text, chosen.correct, chosen.feedback)]
    summary = "Read why, then try again." if not chosen.correct else "That is the answer."
    return Result(chosen.correct, summary, tuple(lines))


def _multiple(q: Question, response: Any) -> Result:
    if response is None or isinstance(response, (str, bytes)) or not isinstance(response, Collection):
        raise InvalidResponse("Tick every option that applies, then press Check.")
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(q.options) for i in response):
        raise InvalidResponse(f"Choose among the options A to {letter(len(q.options) - 1)}.")
    chosen = set(response)
    if not chosen:
        raise InvalidResponse("Tick at least one option, then press Check.")
    lines = tuple(
        FeedbackLine(option.text, option.correct, option.feedback)
        for i, option in enumerate(q.options)
        if i in chosen
    )
    right = set(q.correct_options())
    correct = chosen == right
    missed = len(right - chosen)
    if correct:
        summary = "You ticked exactly the right options."
    else:
        wrong = len(chosen - right)
        parts = [f"{_count(wrong, 'ticked option')} should not be ticked"] if wrong else []
        if missed:
            parts.append(f"{_count(missed, 'correct option')} {'is' if missed == 1 else 'are'} still unticked")
        summary = " and ".join(parts).capitalize() + ". Read why, then try again."
    return Result(correct, summary, lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _truefalse(q: Question, response: Any) -> Result:
    if not isinstance(response, bool):
        raise InvalidResponse("Choose True or False, then press Check.")
    correct = response == q.answer
    said = "True" if response else "False"
    feedback = q.feedback_true if response else q.feedback_false
    summary = (
        f"The statement is {str(q.answer).lower()}." if correct else "Read why, then try again."
    )
    return Result(correct, summary, (FeedbackLine(f"You said {said}", correct, feedback),))


_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_GROUP_SPACE = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f](?=\d{3}(\D|$))")
_ENGLISH_GROUPS = re.compile(r"[1-9]\d{0,2}(,\d{3})+(\.\d+)?")  # 1,000,000 or 1,000.5
_EUROPEAN_GROUPS = re.compile(r"[1-9]\d{0,2}(\.\d{3})+(,\d+)?")  # 1.000.000 or 1.000,5
_AMBIGUOUS = re.compile(r"[1-9]\d{0,2},\d{3}")  # 1,000: one thousand, or 1.000 written the European way
_DECIMAL_COMMA = re.compile(r"\d*,\d+")  # 0,5 · 38,0 · 0,500 · 1234,5


def _decimal_text(body: str, shown: str) -> str:
    """Digits with at most one decimal point: reads '1,000.5', '1.000,5', '0,5'; refuses '1,000'."""
    if _AMBIGUOUS.fullmatch(body):
        whole, part = body.split(",")
        decimal = f"{whole}.{part}".rstrip("0").rstrip(".")
        raise InvalidResponse(
            f"'{shown}' could mean {whole}{part} or {decimal}. Type {whole}{part} or {decimal}, without the comma."
        )
    if _ENGLISH_GROUPS.fullmatch(body) and (body.count(",") > 1 or "." in body):
        return body.replace(",", "")
    if _EUROPEAN_GROUPS.fullmatch(body) and (body.count(".") > 1 or "," in body):
        return body.replace(".", "").replace(",", ".")
    if _DECIMAL_COMMA.fullmatch(body):
        return body.replace(",", ".")
    return body


def parse_number(text: Any, unit: str = "") -> float:
    """A learner's typed number, read as they meant it: '640', '640 mg', '1,000,000', '7,5', '0,500'
    (European decimals), '1.000,5' and '1 000'; an ambiguous '1,000' or '264,000' is refused with
    a message that says how to type it, never silently misread."""
    if isinstance(text, bool):
        raise InvalidResponse("Type a number.")
    if isinstance(text, (int, float)):
        try:
            value = float(text)
        except OverflowError:
            raise InvalidResponse("Type an ordinary number.") from None
    elif text is None or isinstance(text, str):
        s = (text or "").strip()
        shown = s[:30]
        if unit and s.lower().endswith(unit.lower()):
            s = s[: -len(unit)].strip()
        s = _GROUP_SPACE.sub("", s)
        if not s:
            raise InvalidResponse("Type a number in the box, then press Check.")
        sign = s[0] if s[0] in "+-" else ""
        s = sign + _decimal_text(s[len(sign):], shown)
        if not _NUMBER.match(s):
            raise InvalidResponse(f"'{shown}' is not a number. Type digits only, for example 640.")
        value = float(s)
    else:
        raise InvalidResponse("Type a number in the box, then press Check.")
    if not math.isfinite(value):
        raise InvalidResponse("Type an ordinary number.")
    return value


def with_unit(value: float, unit: str) -> str:
    """'1 year', '2 years', '640 mg': a plural unit loses its s for exactly one."""
    if not unit:
        return _fmt(value)
    if value == 1 and unit.endswith("s") and unit not in ("mmHg",) and len(unit) > 2:
        unit = unit[:-1]
    return f"{_fmt(value)} {unit}"


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _numeric(q: Question, response: Any) -> Result:
    value = parse_number(response, q.unit)
    unit = f" {q.unit}" if q.unit else ""
    if (q.minimum is not None and value < q.minimum) or (q.maximum is not None and value > q.maximum):
        low = _fmt(q.minimum) if q.minimum is not None else "any"
        high = _fmt(q.maximum) if q.maximum is not None else "any"
        raise InvalidResponse(
            f"{_fmt(value)}{unit} is outside the possible range ({low} to {high}{unit}). Check your working."
        )
    correct = abs(value - q.answer) <= q.tolerance + 1e-9
    label = f"Your answer: {with_unit(value, q.unit)}"
    if correct:
        return Result(True, f"The answer is {with_unit(q.answer, q.unit)}.", (FeedbackLine(label, True, "That matches."),))
    for error in q.common_errors:
        if abs(value - error.value) <= q.tolerance + 1e-9:
            return Result(False, "This is a common slip.", (FeedbackLine(label, False, error.feedback),))
    direction = "high" if value > q.answer else "low"
    return Result(
        False,
        "Check your working, then try again.",
        (FeedbackLine(label, False, f"This is too {direction}."),),
    )


def _ordering(q: Question, response: Any) -> Result:
    n = len(q.items)
    if response is None or isinstance(response, (str, bytes)) or not isinstance(response, Sequence):
        raise InvalidResponse("Choose an item for every position, then press Check.")
    if len(response) != n or any(r is None for r in response):
        raise InvalidResponse(f"Choose an item for each of the {n} positions, then press Check.")
    if any(isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < n for r in response):
        raise InvalidResponse("Choose items from the list only.")
    repeated = sorted({r for r in response if list(response).count(r) > 1})
    if repeated:
        names = "; ".join(q.items[r] for r in repeated)
        raise InvalidResponse(f"Use each item once. Chosen more than once: {names}.")
    lines = []
    for position, item in enumerate(response):
        ok = item == position
        where = "right place" if ok else "not here"
        lines.append(FeedbackLine(f"{ORDINALS[position]}: {q.items[item]} ({where})", ok, q.item_feedback[item]))
    correct = list(response) == list(range(n))
    n_ok = sum(line.ok for line in lines)
    summary = "That is the right order." if correct else f"{n_ok} of {n} in the right place."
    return Result(correct, summary, tuple(lines))


def _matching(q: Question, response: Any) -> Result:
    if not isinstance(response, Mapping):
        raise InvalidResponse("Choose a match for every row, then press Check.")
    missing = [p.left for p in q.pairs if not response.get(p.left)]
    if missing:
        raise InvalidResponse(f"Choose a match for every row. Still open: {'; '.join(missing)}.")
    choices = q.match_choices()
    if any(not isinstance(response[p.left], str) or response[p.left] not in choices for p in q.pairs):
        raise InvalidResponse("Choose matches from the lists only.")
    lines = []
    for pair in q.pairs:
        chosen = response[pair.left]
        ok = chosen == pair.right
        lines.append(FeedbackLine(f"{pair.left} → {chosen}", ok, pair.feedback))
    correct = all(line.ok for line in lines)
    n_ok = sum(line.ok for line in lines)
    summary = "Every match is right." if correct else f"{n_ok} of {len(lines)} matches are right."
    return Result(correct, summary, tuple(lines))


_GRADERS = {
    "single": _single,
    "multiple": _multiple,
    "truefalse": _truefalse,
    "numeric": _numeric,
    "ordering": _ordering,
    "matching": _matching,
}
