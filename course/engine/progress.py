"""Per-learner progress: every attempt, kept in a JSON file that survives restarts.

Robust by design, because a hub serves a whole class: writes are atomic (temp file, then
rename), read-merge-write under a file lock so two open notebooks lose nothing, a corrupt file is
set aside (kept) and a new one started, and a read-only folder falls back to memory with one
warning.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:  # POSIX file locks; Windows falls back to atomic replace alone.
    import fcntl
except ImportError:  # pragma: no cover - not on the Linux machines the course is tested on
    fcntl = None  # type: ignore[assignment]

SCHEMA = 1
DIR_VARIABLE = "CART_COURSE_DATA_DIR"
LEARNER_VARIABLE = "CART_COURSE_LEARNER"


class ProgressWarning(UserWarning):
    """Progress could not be kept as usual; the message says what happened and what is kept."""


def default_dir() -> Path:
    """The learner's data folder; ``CART_COURSE_DATA_DIR`` moves it (tests, shared machines)."""
    override = os.environ.get(DIR_VARIABLE)
    if override:
        return Path(override).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "car-t-course"


def default_learner() -> str:
    """Who is learning: an explicit name, else the hub user, else the login name."""
    name = os.environ.get(LEARNER_VARIABLE) or os.environ.get("JUPYTERHUB_USER")
    if not name:
        try:
            import getpass

            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name on some containers
            name = "learner"
    return name


def safe_name(name: str) -> str:
    """A learner name made safe to use in a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return cleaned[:64] or "learner"


@dataclass(frozen=True)
class Attempt:
    lesson: str
    question: str
    response: Any
    correct: bool
    time: str
    revealed: bool = False
    round: int = 0  # 0 in practice; exam rounds count from 1


@dataclass(frozen=True)
class Event:
    """A lesson-level event: an exam ``submit`` (with its score) or a ``retake``."""

    lesson: str
    kind: str
    round: int
    time: str
    detail: dict[str, Any]


def _empty(learner: str) -> dict[str, Any]:
    return {"schema": SCHEMA, "learner": learner, "attempts": [], "events": []}


def _valid(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("attempts"), list):
        return False
    needed = {"lesson": str, "question": str, "correct": bool, "time": str}
    events = data.get("events", [])
    return (
        all(isinstance(a, dict) and all(isinstance(a.get(k), t) for k, t in needed.items()) for a in data["attempts"])
        and isinstance(events, list)
        and all(
            isinstance(e, dict) and isinstance(e.get("kind"), str) and isinstance(e.get("round"), int) for e in events
        )
    )


class ProgressStore:
    """Attempts of one learner, in ``<dir>/progress-<learner>.json``."""

    def __init__(self, directory: Path | None = None, learner: str | None = None):
        self.learner = learner or default_learner()
        self.directory = Path(directory) if directory is not None else default_dir()
        self.path = self.directory / f"progress-{safe_name(self.learner)}.json"
        self.in_memory = False
        self._memory = _empty(self.learner)
        self._warned = False

    # -- reading ---------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        """The file's content; a corrupt file is renamed aside (kept) and an empty record returned."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty(self.learner)
        except OSError as exc:
            self._fall_back(f"cannot read {self.path} ({exc.strerror})")
            return self._memory
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if _valid(data):
            return data
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        aside = self.path.with_name(f"{self.path.stem}.corrupt-{stamp}.json")
        try:
            os.replace(self.path, aside)
            kept = f"The old file is kept as {aside.name}."
        except OSError:
            kept = "The old file could not be moved and is left as it was."
        warnings.warn(
            f"Your progress file {self.path} was damaged, so a new one is started. {kept}",
            ProgressWarning,
            stacklevel=3,
        )
        return _empty(self.learner)

    def data(self) -> dict[str, Any]:
        """Everything recorded so far (from memory when the folder cannot be written)."""
        if self.in_memory:
            return self._memory
        return self._read()

    def attempts(
        self, lesson: str | None = None, question: str | None = None, round: int | None = None
    ) -> list[Attempt]:
        rows = []
        for a in self.data()["attempts"]:
            if (lesson is None or a["lesson"] == lesson) and (question is None or a["question"] == question):
                attempt = Attempt(
                    a["lesson"],
                    a["question"],
                    a.get("response"),
                    a["correct"],
                    a["time"],
                    bool(a.get("revealed", False)),
                    int(a.get("round", 0)),
                )
                if round is None or attempt.round == round:
                    rows.append(attempt)
        return rows

    def events(self, lesson: str) -> list[Event]:
        return [
            Event(e.get("lesson", ""), e["kind"], e["round"], e.get("time", ""), e.get("detail", {}))
            for e in self.data().get("events", [])
            if e.get("lesson") == lesson
        ]

    def latest(self, lesson: str, question: str) -> Attempt | None:
        rows = self.attempts(lesson, question)
        return rows[-1] if rows else None

    # -- writing ---------------------------------------------------------------------------
    def record(
        self, lesson: str, question: str, response: Any, correct: bool, revealed: bool = False, round: int = 0
    ) -> Attempt:
        """Append one attempt and save it; never raises for storage problems."""
        attempt: dict[str, Any] = {
            "lesson": lesson,
            "question": question,
            "response": response,
            "correct": bool(correct),
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if revealed:
            attempt["revealed"] = True
        if round:
            attempt["round"] = round
        self._append("attempts", attempt)
        return Attempt(lesson, question, response, bool(correct), attempt["time"], revealed, round)

    def record_event(self, lesson: str, kind: str, round: int, detail: dict[str, Any] | None = None) -> Event:
        """Save a lesson-level event (exam submit or retake)."""
        event = {
            "lesson": lesson,
            "kind": kind,
            "round": round,
            "detail": detail or {},
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._append("events", event)
        return Event(lesson, kind, round, event["time"], event["detail"])

    def _append(self, section: str, row: dict[str, Any]) -> None:
        """Read-merge-write under the lock, so another open notebook's rows are kept."""
        if not self.in_memory:
            try:
                with self._locked():
                    data = self._read()
                    if not self.in_memory:
                        data.setdefault(section, []).append(row)
                        self._write(data)
                        self._memory = data
            except OSError as exc:
                self._fall_back(f"cannot write to {self.directory} ({exc.strerror or exc})")
        if self.in_memory:
            self._memory.setdefault(section, []).append(row)

    def _fall_back(self, why: str) -> None:
        if not self.in_memory:
            self._memory = self._memory if self._memory["attempts"] else self._safe_copy()
        self.in_memory = True
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"Progress is kept in memory only for this session: {why}. "
                "Answers still get feedback, but will not be there after a restart.",
                ProgressWarning,
                stacklevel=4,
            )

    def _safe_copy(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if _valid(data) else _empty(self.learner)
        except (OSError, json.JSONDecodeError):
            return _empty(self.learner)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(".lock")
        with open(lock_path, "a+") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".progress-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # -- summaries ---------------------------------------------------------------------------
    def summary(self, lesson: str, question_ids: list[str], round: int | None = None) -> dict[str, Any]:
        """Per question: attempts and whether the latest attempt was right.

        An answer given after the learner chose "Show answer" does not count as correct.
        """
        rows = {qid: {"attempts": 0, "correct": False, "revealed": False} for qid in question_ids}
        for a in self.attempts(lesson, round=round):
            if a.question in rows:
                row = rows[a.question]
                if a.revealed:
                    row["revealed"] = True
                    continue
                row["attempts"] += 1
                row["correct"] = a.correct and not row["revealed"]
        answered = sum(1 for r in rows.values() if r["attempts"])
        right = sum(1 for r in rows.values() if r["correct"])
        return {
            "questions": rows,
            "answered": answered,
            "correct": right,
            "total": len(question_ids),
            "updated": time.time(),
        }
