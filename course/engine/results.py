"""Results of a lesson or an exam round: per question, per objective, the score and the export file.

Pure functions over the progress store, shared by the exam view and the learner's export, so the
score a learner sees is the score the instructor's report reads.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course.engine.progress import ProgressStore, safe_name
from course.engine.questions.grading import grade
from course.engine.questions.model import Bank, Question
from course.engine.questions.order import match_choice_order, option_order

EXPORT_SCHEMA = "cart-course-export/1"
PASS_MARK = 0.8


@dataclass(frozen=True)
class QuestionResult:
    question: str
    objective: str
    type: str
    response: Any  # as graded: bank indices for single/multiple (see grading.py)
    correct: bool
    attempts: int
    level: str = ""
    chosen: Any = None  # the response by content: option texts, not positions
    shown: tuple[str, ...] = ()  # the options in the order this learner saw them


@dataclass(frozen=True)
class LessonResult:
    lesson: str
    learner: str
    mode: str
    round: int
    questions: tuple[QuestionResult, ...]

    @property
    def correct(self) -> int:
        return sum(q.correct for q in self.questions)

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.correct / self.total >= PASS_MARK

    def by_objective(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for q in self.questions:
            row = out.setdefault(q.objective, {"correct": 0, "total": 0})
            row["total"] += 1
            row["correct"] += int(q.correct)
        return dict(sorted(out.items(), key=lambda kv: int(kv[0][1:])))


def lesson_result(bank: Bank, store: ProgressStore, mode: str, round: int) -> LessonResult:
    """Each question's latest answer in the round (practice: round 0), regraded from the bank."""
    rows = []
    for q in bank.questions:
        attempts = [a for a in store.attempts(bank.lesson, q.id, round=round) if not a.revealed]
        response = attempts[-1].response if attempts else None
        revealed = any(a.revealed for a in store.attempts(bank.lesson, q.id, round=round))
        correct = False
        if response is not None:
            try:
                correct = grade(q, response).correct and not revealed
            except ValueError:
                correct = False
        rows.append(
            QuestionResult(
                q.id,
                q.objective,
                q.type,
                response,
                correct,
                len(attempts),
                q.level,
                chosen_by_content(q, response),
                shown_options(q, store.learner),
            )
        )
    return LessonResult(bank.lesson, store.learner, mode, round, tuple(rows))


def chosen_by_content(q: Question, response: Any) -> Any:
    """A response named by what the learner chose (option or item texts), so it reads without a letter."""
    if response is None:
        return None
    try:
        if q.type == "single":
            return q.options[response].text
        if q.type == "multiple":
            return [q.options[i].text for i in sorted(response)]
        if q.type == "ordering":
            return [q.items[i] for i in response]
    except (IndexError, TypeError):
        return None
    return response


def shown_options(q: Question, learner: str) -> tuple[str, ...]:
    """The choices in the order this learner saw them (empty for types without options)."""
    if q.type in ("single", "multiple"):
        return tuple(q.options[i].text for i in option_order(q, learner))
    if q.type == "matching":
        return tuple(match_choice_order(q, learner))
    return ()


def export_document(result: LessonResult, objectives: dict[str, str]) -> dict[str, Any]:
    """The JSON a learner hands in: what they answered and how it was scored, nothing else."""
    return {
        "schema": EXPORT_SCHEMA,
        "learner": result.learner,
        "lesson": result.lesson,
        "mode": result.mode,
        "round": result.round,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "score": {
            "correct": result.correct,
            "total": result.total,
            "percent": round(result.percent, 1),
            "pass_mark_percent": int(PASS_MARK * 100),
            "passed": result.passed,
        },
        "objectives": objectives,
        "by_objective": result.by_objective(),
        "answers": [asdict(q) for q in result.questions],
    }


def export_folder() -> Path:
    """``exports/`` beside the notebook (visible in the file browser); the data folder if that fails."""
    return Path(os.environ.get("CART_COURSE_EXPORT_DIR", Path.cwd() / "exports"))


def write_export(document: dict[str, Any], fallback: Path, folder: Path | None = None) -> Path:
    """Write the export atomically; use ``fallback`` (the progress folder) when the first is read-only."""
    name = f"{safe_name(document['learner'])}-{document['lesson']}-{document['mode']}-round{document['round']}.json"
    for target in (folder or export_folder(), fallback):
        try:
            target.mkdir(parents=True, exist_ok=True)
            tmp = target / f".{name}.tmp"
            tmp.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, target / name)
            return target / name
        except OSError:
            continue
    raise OSError("no folder could be written for the export file")
