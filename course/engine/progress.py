"""Per-learner progress: every attempt, kept in a JSON file that survives restarts.

Robust by design, because a hub serves a whole class: writes are atomic (temp file, then
rename), read-merge-write under a file lock so two open notebooks lose nothing, and no call path
raises. A file that cannot be used (not UTF-8, not JSON, the wrong shape, a symlink, a pipe, a
device, a folder) is set aside (kept) with one warning and a new one started; a bad row costs
that row only; a file written by a newer version of the course is left alone; a read-only folder
falls back to memory with one warning.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import stat
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course.core.paths import current_lesson_id

try:  # POSIX file locks; Windows falls back to atomic replace alone.
    import fcntl
except ImportError:  # pragma: no cover - not on the Linux machines the course is tested on
    fcntl = None  # type: ignore[assignment]

SCHEMA = 1
# Upgrade chain: UPGRADES[n] turns a version-n record into version n + 1 (a pure dict -> dict).
# Schema 1 is the only format ever written so far, so the chain is empty; the first change of
# format adds ``{1: _v1_to_v2}`` here with a fixture file and a test.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
DIR_VARIABLE = "CART_COURSE_DATA_DIR"
LEARNER_VARIABLE = "CART_COURSE_LEARNER"
MAX_BYTES = 128 * 2**20  # far above a year of answers; a bigger "progress file" is not one
MAX_ROUND = 1_000_000
MAX_DEPTH = 4  # a stored response is at most a mapping of lists; deeper is not ours
MAX_DIGITS = 18
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_LEGACY_TEMP = re.compile(r"^\.progress-[A-Za-z0-9_]{8}\.tmp$")
_STALE_SECONDS = 3600


class ProgressWarning(UserWarning):
    """Progress could not be kept as usual; the message says what happened and what is kept."""


def default_dir() -> Path:
    """The learner's data folder; ``CART_COURSE_DATA_DIR`` moves it (tests, shared machines)."""
    override = os.environ.get(DIR_VARIABLE)
    if override:
        return Path(override).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "car-t-course"


def login_name() -> str:
    """The hub account (``JUPYTERHUB_USER``) or the login name, or "": what a gradebook matches rows on."""
    name = os.environ.get("JUPYTERHUB_USER", "")
    if not name:
        try:
            import getpass

            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name on some containers
            name = ""
    return name


def default_learner() -> str:
    """Who is learning: an explicit name, else the hub user, else the login name."""
    return os.environ.get(LEARNER_VARIABLE) or login_name() or "learner"


def safe_name(name: str) -> str:
    """A learner name as a file-name part that no other name shares.

    A plain lower-case name (``asmith``, ``student-7``) is used as it is. Any other name
    (``Alice``, ``a b``, ``..``, ``张伟``) becomes a readable lower-case slug plus ``+`` and a hash
    of the exact name: distinct names never share a file, not even on a case-insensitive disk,
    and a plain name can never look like a hashed one (it has no ``+``).
    """
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
        return name
    slug = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_-")[:40] or "learner"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{slug}+{digest}"


def legacy_safe_name(name: str) -> str:
    """The file-name part used before names were made distinct; only read, to find old files."""
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


# -- reading a file safely ----------------------------------------------------------------------
class _Unusable(Exception):
    """The file cannot be used as a progress record; the message says why."""


class _Newer(Exception):
    """The file was written by a newer version of the course."""


class _Bad:
    """Stands for a number no progress file holds (NaN, infinity, thousands of digits)."""


_BAD = _Bad()


def _parse_int(text: str) -> int | _Bad:
    return _BAD if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def _parse_float(text: str) -> float | _Bad:
    value = float(text)
    return value if math.isfinite(value) else _BAD


def plain_value(value: Any, depth: int = 0) -> bool:
    """True for what a stored response may be: JSON text, finite numbers, shallow lists and mappings."""
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return abs(value) < 10**MAX_DIGITS
    if isinstance(value, float):
        return math.isfinite(value)
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(plain_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_value(v, depth + 1) for k, v in value.items())
    return False


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ROUND


def _clean_attempt(a: Any) -> dict[str, Any] | None:
    if not isinstance(a, dict):
        return None
    if not all(isinstance(a.get(k), str) for k in ("lesson", "question", "time")):
        return None
    if not isinstance(a.get("correct"), bool) or not isinstance(a.get("revealed", False), bool):
        return None
    if not _whole(a.get("round", 0)) or not plain_value(a.get("response")):
        return None
    row = {k: a[k] for k in ("lesson", "question", "correct", "time")}
    row["lesson"] = current_lesson_id(row["lesson"])  # a lesson renamed since (paths.RENAMED)
    row["response"] = a.get("response")
    if a.get("revealed"):
        row["revealed"] = True
    if a.get("round"):
        row["round"] = a["round"]
    return row


def _clean_event(e: Any) -> dict[str, Any] | None:
    if not isinstance(e, dict) or not isinstance(e.get("kind"), str) or not _whole(e.get("round")):
        return None
    if not isinstance(e.get("lesson", ""), str) or not isinstance(e.get("time", ""), str):
        return None
    detail = e.get("detail", {})
    if not isinstance(detail, dict) or not plain_value(detail):
        return None
    return {"lesson": current_lesson_id(e.get("lesson", "")), "kind": e["kind"], "round": e["round"], "detail": detail,
            "time": e.get("time", "")}


def parse_record(raw: bytes, learner: str) -> tuple[dict[str, Any], int]:
    """A progress file's bytes as a clean record, and how many rows had to be left out.

    Raises ``_Unusable`` when the file as a whole is not a progress record and ``_Newer`` when a
    newer version of the course wrote it. Older versions go through ``UPGRADES``. A lesson renamed
    since the file was written (``course.core.paths.RENAMED``) is read under its new id, and the
    next save writes it so.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unusable("is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=lambda _: _BAD)
    except (ValueError, RecursionError):
        raise _Unusable("is not valid JSON") from None
    if not isinstance(data, dict):
        raise _Unusable("does not hold a progress record")
    version = data.get("schema")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Unusable("has no format version")
    if version > SCHEMA:
        raise _Newer(f"was written by a newer version of the course (format {version}, this one reads {SCHEMA})")
    while version in UPGRADES and version < SCHEMA:
        data = UPGRADES[version](data)
        version = data["schema"]
    if version != SCHEMA:
        raise _Unusable(f"has an unknown format version {version}")
    attempts, events = data.get("attempts"), data.get("events", [])
    if not isinstance(attempts, list) or not isinstance(events, list):
        raise _Unusable("does not hold lists of attempts and events")
    clean_attempts = [row for row in map(_clean_attempt, attempts) if row is not None]
    clean_events = [row for row in map(_clean_event, events) if row is not None]
    dropped = len(attempts) - len(clean_attempts) + len(events) - len(clean_events)
    stored = data.get("learner")
    record = {
        "schema": SCHEMA,
        "learner": stored if isinstance(stored, str) else learner,
        "attempts": clean_attempts,
        "events": clean_events,
    }
    return record, dropped


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _identity(path: Path) -> tuple[int, ...] | None:
    """What changes whenever the file does (an atomic replace gives a new inode), without reading it."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_regular(path: Path) -> bytes | None:
    """The bytes of the regular file at ``path`` (None if there is none).

    Never follows a symlink, never opens a pipe or device (so it cannot hang), and never reads
    more than ``MAX_BYTES``; anything else raises ``_Unusable``. Other OS errors propagate.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(mode):
        raise _Unusable(f"is {_kind(mode)}, not a file")
    try:
        fd = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _Unusable("is a symbolic link, not a file") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _Unusable(f"is {_kind(mode)}, not a file")
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _Unusable(f"is larger than {MAX_BYTES // 2**20} MB")
    return raw


def json_bytes(data: Any) -> bytes:
    """Readable UTF-8 JSON; a lone surrogate (a name from a non-UTF-8 system) becomes a ``\\udcxx``
    escape, which JSON reads back as the same character, instead of failing the write."""
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8", "backslashreplace")


def _storable(response: Any) -> Any:
    """A response as a plain JSON value; anything else is kept as its text."""
    if isinstance(response, (set, frozenset)):
        response = sorted(response, key=repr)
    if isinstance(response, tuple):
        response = list(response)
    return response if plain_value(response) else str(response)[:1000]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


class ProgressStore:
    """Attempts of one learner, in ``<dir>/progress-<safe_name(learner)>.json``."""

    def __init__(self, directory: Path | None = None, learner: str | None = None):
        self.learner = learner or default_learner()
        self.directory = Path(directory) if directory is not None else default_dir()
        self.path = self.directory / f"progress-{safe_name(self.learner)}.json"
        self.legacy_path = self.directory / f"progress-{legacy_safe_name(self.learner)}.json"
        self.in_memory = False
        self._memory = _empty(self.learner)
        self._warned = False
        self._thread_lock = threading.RLock()
        self._lock_depth = 0
        # The last file read, by identity: showing lesson 11 reads the store about 90 times and each Check
        # several times, and a progress file may reach megabytes. Writes always read afresh.
        self._cached: tuple[tuple[Path, tuple[int, ...]], tuple[str, Any, int]] | None = None

    # -- reading ---------------------------------------------------------------------------
    def _inspect(self, path: Path, fresh: bool = False) -> tuple[str, Any, int]:
        """(state, record or reason, rows left out); state: missing, ok, foreign, unusable, newer, error.

        Unless ``fresh``, a file whose identity (device, inode, size, change time) is unchanged since the
        last read is not parsed again; a fresh read is never kept, since its caller changes the record.
        """
        try:
            identity = _identity(path)
            if not fresh and identity is not None and self._cached and self._cached[0] == (path, identity):
                return self._cached[1]
            raw = read_regular(path)
            if raw is None:
                return "missing", None, 0
            record, dropped = parse_record(raw, self.learner)
            if record["learner"] != self.learner:  # an old file of another name that once mapped here ("a b" -> a_b)
                return "foreign", (record, raw), dropped
            found = "ok", (record, raw), dropped
            if not fresh and identity is not None and not dropped:
                self._cached = ((path, identity), found)
            return found
        except _Unusable as exc:
            return "unusable", str(exc), 0
        except _Newer as exc:
            return "newer", str(exc), 0
        except OSError as exc:
            return "error", f"cannot read {path} ({exc.strerror or exc})", 0

    def _legacy(self, fresh: bool = False) -> dict[str, Any]:
        """A file from before names were made distinct, if it is this learner's; else empty."""
        if self.legacy_path != self.path:
            state, found, _ = self._inspect(self.legacy_path, fresh)
            if state == "ok" and found[0]["learner"] == self.learner:
                return found[0]
        return _empty(self.learner)

    def _read(self, fresh: bool = False) -> dict[str, Any]:
        """The record; damage is handled under the lock (set aside, one warning), never raised.

        Read-only callers share one parsed record; ``fresh`` (for a write) gets its own."""
        state, found, dropped = self._inspect(self.path, fresh)
        if state == "ok" and not dropped:
            return found[0]
        if state == "missing":
            return self._legacy(fresh)
        if self._lock_depth:
            return self._repair(state, found, dropped)
        try:
            with self._locked():
                return self._repair(*self._inspect(self.path, fresh=True))
        except OSError as exc:
            self._fall_back(f"cannot lock {self.path} ({exc.strerror or exc})")
            return self._memory

    def _repair(self, state: str, found: Any, dropped: int) -> dict[str, Any]:
        """Called under the lock: deal with what ``_inspect`` found, with at most one warning."""
        if state == "missing":
            return self._legacy(fresh=True)
        if state == "ok" and not dropped:
            return found[0]
        if state == "error":
            self._fall_back(found)
            return self._memory
        if state == "newer":
            self._fall_back(f"{self.path.name} {found}; it is left as it is")
            return self._memory
        if state == "foreign":
            return self._hand_back(found[0]["learner"])
        aside = self._aside_path()
        if state == "unusable":
            try:
                os.replace(self.path, aside)
            except OSError:
                self._fall_back(f"{self.path.name} {found} and could not be moved aside; it is left as it is")
                return self._memory
            self._warn(f"Your progress file {self.path} was damaged (it {found}), so a new one is started. "
                       f"The old file is kept as {aside.name}.")
            return _empty(self.learner)
        record, raw = found
        try:  # keep the original byte for byte before the bad rows leave the file
            self._create(aside, raw)
            self._write(record)
        except OSError:
            self._memory = record
            self._fall_back(f"{self.path.name} has unreadable entries and no copy of it could be kept")
            return self._memory
        entries = f"{dropped} entr{'y' if dropped == 1 else 'ies'}"
        self._warn(f"Your progress file {self.path} was damaged: {entries} could not be read and are left out, "
                   f"and your other answers are kept. The old file is kept as {aside.name}.")
        return record

    def _hand_back(self, owner: str) -> dict[str, Any]:
        """Called under the lock: the file at this learner's path is an old one of ``owner`` (names were once
        mapped to files in a way two names could share). Move it to the owner's own file, or aside when the
        owner already has one, so neither learner reads or writes the other's answers; start this one empty."""
        target = ProgressStore(self.directory, owner).path
        try:
            try:
                os.link(self.path, target)  # fails if the owner has a file: theirs is then the newer one
                os.unlink(self.path)
            except FileExistsError:
                os.replace(self.path, self.path.with_name(f"{self.path.stem}.of-another-learner-{_stamp()}.json"))
        except OSError as exc:
            self._fall_back(f"{self.path.name} holds another learner's answers and could not be moved ({exc})")
            return self._memory
        return _empty(self.learner)

    def _aside_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.corrupt-{_stamp()}.json")

    def data(self) -> dict[str, Any]:
        """Everything recorded so far (from memory when the folder cannot be used)."""
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
        response = _storable(response)
        attempt: dict[str, Any] = {
            "lesson": str(lesson),
            "question": str(question),
            "response": response,
            "correct": bool(correct),
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if revealed:
            attempt["revealed"] = True
        if round:
            attempt["round"] = int(round)
        self._append("attempts", attempt)
        return Attempt(lesson, question, response, bool(correct), attempt["time"], revealed, round)

    def record_event(self, lesson: str, kind: str, round: int, detail: dict[str, Any] | None = None) -> Event:
        """Save a lesson-level event (exam submit or retake)."""
        event = {
            "lesson": lesson,
            "kind": kind,
            "round": round,
            "detail": detail if plain_value(detail or {}) else {},
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        event["detail"] = event["detail"] or {}
        self._append("events", event)
        return Event(lesson, kind, round, event["time"], event["detail"])

    def _append(self, section: str, row: dict[str, Any]) -> None:
        """Read-merge-write under the lock, so another open notebook's rows are kept."""
        if not self.in_memory:
            try:
                with self._locked():
                    data = self._read(fresh=True)
                    if not self.in_memory:
                        data.setdefault(section, []).append(row)
                        self._write(data)
                        self._memory = data
            except OSError as exc:
                self._fall_back(f"cannot write to {self.directory} ({exc.strerror or exc})")
        if self.in_memory:
            self._memory.setdefault(section, []).append(row)

    def _warn(self, message: str) -> None:
        warnings.warn(message, ProgressWarning, stacklevel=4)

    def _fall_back(self, why: str) -> None:
        if not self.in_memory and not self._memory["attempts"]:
            state, found, _ = self._inspect(self.path, fresh=True)
            self._memory = found[0] if state == "ok" else self._legacy(fresh=True)
        self.in_memory = True
        if not self._warned:
            self._warned = True
            self._warn(
                f"Progress is kept in memory only for this session: {why}. "
                "Answers still get feedback, but will not be there after a restart."
            )

    def _open_lock(self) -> int:
        """The lock file's descriptor; a symlink, pipe or device in its place is removed, never followed."""
        lock_path = self.path.with_suffix(".lock")
        with contextlib.suppress(FileNotFoundError):
            mode = os.lstat(lock_path).st_mode
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                os.unlink(lock_path)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | _NO_FOLLOW, 0o600)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, f"{lock_path.name} is not a regular file")
        return fd

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = self._open_lock()
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
            finally:
                os.close(fd)  # closing releases the flock

    def _create(self, path: Path, raw: bytes) -> None:
        """Write ``raw`` to a new file (never over an existing one)."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise

    def _write(self, data: dict[str, Any]) -> None:
        """Atomic: a temp file, fsync, rename; then temp files orphaned by a killed write go."""
        raw = json_bytes(data)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{self.path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._sweep_temp_files()

    def _sweep_temp_files(self) -> None:
        """Under the lock every temp file of this learner is an orphan; old-style ones after an hour."""
        now = time.time()
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.directory):
                mine = entry.name.startswith(f".{self.path.stem}.") and entry.name.endswith(".tmp")
                legacy = _LEGACY_TEMP.match(entry.name) is not None
                if not (mine or legacy):
                    continue
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode) and (mine or now - info.st_mtime > _STALE_SECONDS):
                        os.unlink(entry.path)

    # -- summaries ---------------------------------------------------------------------------
    def summary(self, lesson: str, question_ids: list[str], round: int | None = None) -> dict[str, Any]:
        """Per question: attempts, whether the latest attempt was right, and whether the first one was.

        An answer given after the learner chose "Show answer" does not count as correct. Retrying until
        right is how practice teaches, so the score counts the latest attempt; ``first_try`` is the
        honest measure of what the learner knew before the feedback.
        """
        rows = {qid: {"attempts": 0, "correct": False, "revealed": False, "first_try": False} for qid in question_ids}
        for a in self.attempts(lesson, round=round):
            if a.question in rows:
                row = rows[a.question]
                if a.revealed:
                    row["revealed"] = True
                    continue
                row["attempts"] += 1
                row["correct"] = a.correct and not row["revealed"]
                if row["attempts"] == 1:
                    row["first_try"] = row["correct"]
        answered = sum(1 for r in rows.values() if r["attempts"])
        right = sum(1 for r in rows.values() if r["correct"])
        return {
            "questions": rows,
            "answered": answered,
            "correct": right,
            "first_try": sum(1 for r in rows.values() if r["first_try"]),
            "total": len(question_ids),
            "updated": time.time(),
        }
