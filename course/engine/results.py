"""Results of a lesson or an exam round: per question, per objective, the score and the export file.

Pure functions over the progress store, shared by the exam view and the learner's export, so the
score a learner sees is the score the instructor's report reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course.engine.progress import ProgressStore, safe_name
from course.engine.questions.grading import grade
from course.engine.questions.model import Bank

EXPORT_SCHEMA = "cart-course-export/2"
EXPORT_SCHEMAS = ("cart-course-export/1", EXPORT_SCHEMA)  # /1 has no ``revealed``; the report reads both
PASS_MARK = 0.8


@dataclass(frozen=True)
class QuestionResult:
    question: str
    objective: str
    type: str
    response: Any
    correct: bool
    attempts: int
    revealed: bool = False  # the learner pressed "Show answer": never counted correct


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
        rows.append(QuestionResult(q.id, q.objective, q.type, response, correct, len(attempts), revealed))
    return LessonResult(bank.lesson, store.learner, mode, round, tuple(rows))


def login_name() -> str:
    """The hub account (``JUPYTERHUB_USER``) or the login name: what a gradebook matches rows on."""
    name = os.environ.get("JUPYTERHUB_USER", "")
    if not name:
        try:
            import getpass

            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name on some containers
            name = ""
    return name


def bank_fingerprint(bank: Any) -> str:
    """A short hash of what grading depends on (ids, types, option, item and match texts, units).

    Computed over sorted texts only, so it carries no key: the report compares it with its own bank
    to refuse files made with another version of the questions.
    """
    parts = []
    for q in bank.questions:
        texts = sorted(
            [o.text for o in getattr(q, "options", ())]
            + list(getattr(q, "items", ()))
            + [p.left for p in getattr(q, "pairs", ())]
            + list(q.match_choices() if q.type == "matching" else ())
        )
        parts.append([q.id, q.type, q.objective, getattr(q, "unit", ""), texts])
    raw = json.dumps([bank.lesson, parts], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def export_document(result: LessonResult, objectives: dict[str, str], bank: Any = None) -> dict[str, Any]:
    """The JSON a learner hands in: what they answered and how it was scored, nothing else."""
    return {
        "schema": EXPORT_SCHEMA,
        "learner": result.learner,
        "login": login_name(),
        "bank": bank_fingerprint(bank) if bank is not None else "",
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
        except OSError:
            continue
        # A temp name of its own per writer: two Submits at once never share one (E8); a full
        # disk removes the partial file (E12).
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=target)
        except OSError:
            continue
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(document, indent=1, ensure_ascii=False))
            os.replace(tmp, target / name)
            return target / name
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            continue
    raise OSError("no folder could be written for the export file")
