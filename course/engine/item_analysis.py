"""What to teach next: classical item statistics over the class's graded answers.

Pure functions over lists of 0/1 marks and responses, so they are tested with made-up numbers.
- difficulty: the share of learners who got the item right (p);
- discrimination: the item-rest point-biserial correlation (the item against the score on the
  other items), and the upper-lower index (p in the top 27% of total scores minus p in the bottom 27%);
- the most common wrong answer and the misconception it shows, from that option's feedback text;
- the whole test's reliability, KR-20 (Kuder-Richardson formula 20), over the same 0/1 marks.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from course.core.text import letter, plain
from course.engine.questions.grading import InvalidResponse, grade

UPPER_LOWER_SHARE = 0.27


def point_biserial(item: list[int], rest: list[float]) -> float | None:
    """Pearson correlation of a 0/1 item with the rest score; None when either does not vary."""
    n = len(item)
    if n < 3 or len(set(item)) < 2 or len(set(rest)) < 2:
        return None
    mean_i, mean_r = sum(item) / n, sum(rest) / n
    cov = sum((i - mean_i) * (r - mean_r) for i, r in zip(item, rest, strict=True))
    var_i = sum((i - mean_i) ** 2 for i in item)
    var_r = sum((r - mean_r) ** 2 for r in rest)
    return cov / math.sqrt(var_i * var_r)


def kr20(marks: list[list[int]]) -> float | None:
    """KR-20 reliability of a test: ``marks[learner][item]`` in 0/1. None with fewer than 3 learners or
    2 items, or when total scores do not vary (every learner the same score)."""
    if len(marks) < 3 or not marks[0] or len(marks[0]) < 2:
        return None
    k, n = len(marks[0]), len(marks)
    totals = [sum(row) for row in marks]
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n
    if variance == 0:
        return None
    pq = 0.0
    for item in range(k):
        p = sum(row[item] for row in marks) / n
        pq += p * (1 - p)
    return k / (k - 1) * (1 - pq / variance)


def upper_lower(item: list[int], total: list[float], share: float = UPPER_LOWER_SHARE) -> float | None:
    """p(upper 27%) - p(lower 27%) by total score; None with fewer than 4 learners."""
    n = len(item)
    k = max(1, round(share * n))
    if n < 4:
        return None
    order = sorted(range(n), key=lambda i: total[i])
    low, high = order[:k], order[-k:]
    return sum(item[i] for i in high) / k - sum(item[i] for i in low) / k


@dataclass(frozen=True)
class Tally:
    """An answer as the analysis shows it: its label and how many learners gave it."""

    label: str
    count: int


@dataclass(frozen=True)
class Choice(Tally):
    """How often one option (or value) was chosen, and whether it is right."""

    correct: bool


@dataclass(frozen=True)
class WrongAnswer(Tally):
    """A wrong answer learners gave, with the misconception its feedback names."""

    misconception: str


def choice_counts(q: Any, responses: list[Any]) -> list[Choice]:
    """Per option (single, multiple, true/false) how many learners chose it; numeric: the values given."""
    given = [r for r in responses if r is not None]
    if q.type in ("single", "multiple"):
        counts: Counter[int] = Counter()
        for r in given:
            for i in ([r] if q.type == "single" else list(r) if isinstance(r, list) else []):
                if isinstance(i, int) and 0 <= i < len(q.options):
                    counts[i] += 1
        return [Choice(f"{letter(i)}. {o.text}", counts[i], o.correct) for i, o in enumerate(q.options)]
    if q.type == "truefalse":
        return [Choice(str(v), sum(1 for r in given if r is v), v == q.answer) for v in (True, False)]
    if q.type == "numeric":
        values = Counter(str(r).strip()[:20] for r in given)
        return [Choice(v, c, _right(q, v)) for v, c in values.most_common(5)]
    return []


def _right(q: Any, response: Any) -> bool:
    try:
        return grade(q, response).correct
    except (InvalidResponse, TypeError, ValueError):
        return False


def most_common_wrong(q: Any, responses: list[Any]) -> WrongAnswer | None:
    """The wrong choice most learners made, with the feedback that says what it reveals."""
    wrong: Counter[tuple[str, str]] = Counter()
    for r in responses:
        if r is None or _right(q, r):
            continue
        for label, text in _mistakes(q, r):
            wrong[(label, text)] += 1
    if not wrong:
        return None
    (label, text), count = wrong.most_common(1)[0]
    return WrongAnswer(label, count, plain(text))


def _mistakes(q: Any, r: Any) -> list[tuple[str, str]]:
    """The parts of one wrong answer that are wrong, each with its feedback text."""
    try:
        lines = grade(q, r).lines
    except (InvalidResponse, TypeError, ValueError) as exc:  # e.g. a number outside the possible range
        return [(str(r)[:40], str(exc))]
    if q.type == "multiple":  # a wrongly ticked option; else a correct one left unticked
        ticked = [(line.label, line.text) for line in lines if not line.ok]
        if ticked:
            return ticked
        chosen = set(r)
        return [(f"{letter(i)}. {o.text} (not ticked)", o.feedback) for i, o in enumerate(q.options)
                if o.correct and i not in chosen]
    if q.type == "ordering":
        return [(q.items[item] + " (misplaced)", q.item_feedback[item]) for pos, item in enumerate(r) if item != pos]
    return [(line.label, line.text) for line in lines if not line.ok]
