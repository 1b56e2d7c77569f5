"""Results of a lesson or an exam round: per question, per objective, the score and the export file.

Pure functions over the progress store, shared by the exam view and the learner's export, so the
score a learner sees is the score the instructor's report reads.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course.engine.progress import ProgressStore, json_bytes, login_name, safe_name
from course.engine.questions.grading import grade
from course.engine.questions.model import Bank, Question
from course.engine.questions.order import match_choice_order, option_order

EXPORT_SCHEMA = "cart-course-export/2"
EXPORT_SCHEMAS = ("cart-course-export/1", EXPORT_SCHEMA)  # /1 has no ``revealed``; the report reads both
PASS_MARK = 0.8


@dataclass(frozen=True)
class QuestionResult:
    question: str
    objective: str
    type: str
    response: Any  # as graded: bank indices for single/multiple (see grading.py)
    correct: bool
    attempts: int
    revealed: bool = False  # the learner pressed "Show answer": never counted correct
    level: str = ""
    chosen: Any = None  # the response by content: option texts, not positions
    shown: tuple[str, ...] = ()  # the options in the order this learner saw them


class Tally:
    """Score, percentage and pass from graded items (each with ``correct`` and ``objective``).

    One rule for the learner's results and the class report, so the two can never disagree.
    """

    def graded(self) -> tuple[Any, ...]:
        raise NotImplementedError

    @property
    def correct(self) -> int:
        return sum(bool(g.correct) for g in self.graded())

    @property
    def total(self) -> int:
        return len(self.graded())

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.correct / self.total >= PASS_MARK

    def objective_tally(self) -> dict[str, tuple[int, int]]:
        """(correct, total) per objective, in the order objectives first appear."""
        out: dict[str, tuple[int, int]] = {}
        for g in self.graded():
            c, t = out.get(g.objective, (0, 0))
            out[g.objective] = (c + bool(g.correct), t + 1)
        return out


@dataclass(frozen=True)
class LessonResult(Tally):
    lesson: str
    learner: str
    mode: str
    round: int
    questions: tuple[QuestionResult, ...]

    def graded(self) -> tuple[QuestionResult, ...]:
        return self.questions

    def by_objective(self) -> dict[str, dict[str, int]]:
        tally = self.objective_tally()
        ordered = sorted(tally, key=lambda o: int(o[1:]))
        return {o: {"correct": tally[o][0], "total": tally[o][1]} for o in ordered}


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
                revealed=revealed,
                level=q.level,
                chosen=chosen_by_content(q, response),
                shown=shown_options(q, store.learner),
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


def bank_fingerprint(bank: Any, lesson: str | None = None) -> str:
    """A short hash of what grading depends on (ids, types, option, item and match texts, units).

    Computed over sorted texts only, so it carries no key: the report compares it with its own bank
    to refuse files made with another version of the questions. The lesson id is part of it;
    ``lesson`` gives the id the bank had before a rename (``course.core.paths.RENAMED``), to
    recognise the same questions in a file exported then.
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
    raw = json.dumps([bank.lesson if lesson is None else lesson, parts], ensure_ascii=False, sort_keys=True)
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


class ExportError(OSError):
    """The export file could not be written anywhere; the message is meant for the learner."""


def _export_name(document: dict[str, Any], copy: int) -> str:
    suffix = f"-{copy}" if copy > 1 else ""
    return (
        f"{safe_name(str(document['learner']))}-{safe_name(str(document['lesson']))}-{document['mode']}"
        f"-round{int(document['round'])}{suffix}.json"
    )


def _write_new(folder: Path, document: dict[str, Any], text: bytes) -> Path:
    """Write ``text`` to a file name no one else holds, all or nothing.

    The bytes go to a unique temp file first (fsync), which is then linked to the first free name
    (``...-round1.json``, then ``...-round1-2.json``, ...): linking fails if the name exists, so two
    exports at the same moment never share or overwrite a file, and a full disk leaves no partial file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        for copy in range(1, 1000):
            target = folder / _export_name(document, copy)
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            except OSError as exc:  # no hard links on this file system: exclusive rename instead
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                if target.exists() or target.is_symlink():
                    continue
                os.rename(tmp, target)
            return target
        raise OSError(errno.EEXIST, "a thousand exports of this round already exist")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def write_export(document: dict[str, Any], fallback: Path, folder: Path | None = None) -> Path:
    """Write the export under a new name; use ``fallback`` (the progress folder) when the first fails.

    Raises ``ExportError``, with a message for the learner, when no folder can be written.
    """
    try:
        text = json_bytes(document)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"Your results could not be turned into an export file ({exc}).") from None
    reasons = []
    for target in (folder or export_folder(), fallback):
        try:
            return _write_new(target, document, text)
        except OSError as exc:
            reasons.append(f"{target}: {exc.strerror or exc}")
    raise ExportError(
        "Your results could not be saved to a file (" + "; ".join(reasons) + "). Your answers are still "
        "saved in your progress file: free some space or ask your instructor, then try again."
    )
