"""The class report: learners' export files in; an HTML page and a gradebook CSV out.

Export files are untrusted. Each is read only if it is a regular file (no symlink, pipe, device or
folder), at most ``MAX_BYTES``, parsed as strict JSON (no NaN, no huge numbers), and validated.
Every response is regraded against the instructor's own bank: the file's scores and ``correct``
flags are never believed, only compared (a disagreement is listed as tampering). A file must
answer each question of its lesson exactly once and match this version of the questions. A bad
file is skipped with a reason; the others go on.

Every round is kept. The first submitted round is the score of record; later rounds are shown as
practice. Files that claim one learner (names compared after normalising case and spaces) are all
shown and flagged.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from course.core.paths import current_lesson_id, former_lesson_ids
from course.core.yamlio import load_yaml
from course.engine.item_analysis import choice_counts, kr20, most_common_wrong, point_biserial, upper_lower
from course.engine.questions.grading import grade
from course.engine.questions.model import Bank, Question
from course.engine.report_charts import Bar, bars_html, gain_html, histogram_html, score_bands
from course.engine.results import EXPORT_SCHEMAS, PASS_MARK, Tally, bank_fingerprint

MAX_BYTES = 1_000_000
MAX_FILES = 5_000
MAX_PROBLEMS_SHOWN = 200
MAX_DIGITS = 15
MODES = ("summative", "exam", "practice")  # the order in which a score of record is chosen
FINAL_LESSON = "11_final_assessment"
PARALLEL_FIELD = "parallel"  # a pre-test question's final question id or final objective id


class BadExport(ValueError):
    """An export file that cannot be used; the message says why."""


# ------------------------------------------------------------------------------------------
# Safe text
# ------------------------------------------------------------------------------------------

def display(text: Any, limit: int = 120) -> str:
    """Text safe for a terminal and valid UTF-8: undecodable bytes, lone surrogates and control
    characters are shown as escapes (R2, R30, R32). Text over the limit loses its middle, so that a
    long path keeps both its start and the file name at its end."""
    text = str(text)
    try:  # a file name that was not UTF-8 on disk comes back with surrogateescape characters
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    out = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    if len(out) <= limit:
        return out
    head = (limit - 1) // 2
    return out[:head] + "…" + out[len(out) - (limit - 1 - head):]


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def normalise_name(name: str) -> str:
    """'Alice ', 'ALICE' and 'alice' are one learner: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _text(value: Any, field: str, limit: int = 200, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise BadExport(f"field '{field}' must be text of 1 to {limit} characters")
    if _has_surrogates(value):
        raise BadExport(f"field '{field}' holds characters that are not valid Unicode (a lone surrogate)")
    return value


# ------------------------------------------------------------------------------------------
# Reading one file
# ------------------------------------------------------------------------------------------

def read_bytes(path: Path) -> bytes:
    """The file's bytes if it is a regular file of at most MAX_BYTES; never follows links, never blocks."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise BadExport(f"cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise BadExport("is a symbolic link; links are not followed (copy the file itself)")
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe" if stat.S_ISFIFO(info.st_mode) else "a device"
        raise BadExport(f"is {kind}, not a file")
    if info.st_size > MAX_BYTES:
        raise BadExport(f"is {info.st_size:,} bytes; an export is at most {MAX_BYTES:,}")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise BadExport(f"cannot be read ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadExport("is not a regular file")
        data = os.read(fd, MAX_BYTES + 1)
    except OSError as exc:
        raise BadExport(f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise BadExport(f"is over {MAX_BYTES:,} bytes")
    return data


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise BadExport(f"holds a number with more than {MAX_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadExport("holds a number too large to use")
    return value


def _constant(name: str) -> Any:
    raise BadExport(f"holds {name}, which is not a number JSON allows")


def parse_json(data: bytes) -> Any:
    import json

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadExport("is not UTF-8 text") from None
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise BadExport("is nested too deeply to be an export") from None
    except json.JSONDecodeError as exc:
        raise BadExport(f"is not valid JSON (line {exc.lineno})") from None


@dataclass(frozen=True)
class Graded:
    """One answer as the instructor's bank grades it."""

    question: str
    objective: str
    response: Any  # as grade() takes it (summative texts already mapped back)
    correct: bool
    claimed: bool | None  # what the file said (None: summative files claim nothing)


@dataclass(frozen=True)
class Export(Tally):
    name: str  # the file name, safe to show
    source: str  # the home folder ``collect`` found it in, or ""
    learner: str
    login: str
    lesson: str
    mode: str
    round: int
    exported_at: str
    answers: tuple[Graded, ...]
    notes: tuple[str, ...] = ()  # tampering: where the file's flags or score disagree with the regrade

    def graded(self) -> tuple[Graded, ...]:
        return self.answers

    def by_objective(self) -> dict[str, tuple[int, int]]:
        return self.objective_tally()


def regrade(q: Question, response: Any) -> bool:
    """Right by the instructor's key; anything ungradeable is wrong."""
    if response is None:
        return False
    try:
        return grade(q, response).correct
    except Exception:  # noqa: BLE001 - a hostile response must cost only this answer
        return False


def _graded_answers(data: dict[str, Any], bank: Bank, summative: bool, version: int) -> tuple[list[Graded], list[str]]:
    from course.engine.pack import bank_response

    answers = data.get("answers")
    if not isinstance(answers, list) or not answers:
        raise BadExport("field 'answers' must be a non-empty list")
    wanted = {q.id: q for q in bank.questions}
    seen: dict[str, Graded] = {}
    notes = []
    for i, a in enumerate(answers[: len(wanted) + 1]):
        if not isinstance(a, dict):
            raise BadExport(f"answers[{i}] must be a mapping")
        qid = a.get("question")
        if not isinstance(qid, str) or qid not in wanted:
            shown = display(qid, 40) if isinstance(qid, str) else type(qid).__name__
            raise BadExport(f"answers[{i}]: question '{shown}' is not in this version of {bank.lesson}")
        if qid in seen:
            raise BadExport(f"question '{qid}' is answered more than once")
        q = wanted[qid]
        response = a.get("response")
        if summative:
            claimed = None
            try:
                response = bank_response(q, response) if response is not None else None
            except Exception:  # noqa: BLE001
                response = None
            correct = regrade(q, response)
        else:
            claimed = a.get("correct")
            if not isinstance(claimed, bool):
                raise BadExport(f"answers[{i}].correct must be true or false")
            revealed = a.get("revealed", False)
            if not isinstance(revealed, bool):
                raise BadExport(f"answers[{i}].revealed must be true or false")
            right = regrade(q, response)
            # /2 says whether the answer was revealed; /1 folded that into `correct`, so a /1 answer
            # counts only when the regrade and the file agree.
            correct = right and not revealed if version >= 2 else right and claimed
            if claimed != correct and (version >= 2 or claimed):
                notes.append(f"{qid}: the file says {'right' if claimed else 'wrong'}, regraded {'right' if correct else 'wrong'}")
        seen[qid] = Graded(qid, q.objective, response, correct, claimed)
    if len(answers) > len(wanted):
        raise BadExport(f"has {len(answers)} answers; {bank.lesson} has {len(wanted)} questions")
    missing = [qid for qid in wanted if qid not in seen]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise BadExport(f"is incomplete: {len(missing)} of {len(wanted)} questions missing ({', '.join(missing[:3])}{more})")
    return [seen[q.id] for q in bank.questions], notes


def read_export(path: Path, banks: dict[str, Bank], source: str = "", private: Iterable[str] = ()) -> Export:
    """Validate and regrade one export file; raises BadExport with a short reason."""
    data = parse_json(read_bytes(path))
    if not isinstance(data, dict) or data.get("schema") not in EXPORT_SCHEMAS:
        raise BadExport(f"is not a course export (schema must be one of {', '.join(EXPORT_SCHEMAS)})")
    version = int(str(data["schema"]).rsplit("/", 1)[1])
    learner = _text(data.get("learner"), "learner")
    login = _text(data.get("login"), "login", 100, required=False)
    # A hand-in from before its lesson was renamed (paths.RENAMED) is graded against today's bank.
    lesson = current_lesson_id(_text(data.get("lesson"), "lesson", 80))
    bank = banks.get(lesson)
    if bank is None:
        raise BadExport(f"lesson '{display(lesson, 60)}' is not in this version of the course (or its private bank was not given)")
    mode = data.get("mode", "practice")
    if mode not in MODES:
        raise BadExport("field 'mode' must be practice, exam or summative")
    if (mode == "summative") != (lesson in set(private)):
        raise BadExport("a summative hand-in needs the exam's private bank (--bank); a course lesson is never summative")
    round_ = data.get("round")
    if isinstance(round_, bool) or not isinstance(round_, int) or not 0 <= round_ <= 1000:
        raise BadExport("field 'round' must be a whole number from 0 to 1000")
    exported_at = _text(data.get("exported_at"), "exported_at", 40)
    if _moment(exported_at) is None:  # the order of rounds must not be the file's to choose ("0" sorted first)
        raise BadExport("field 'exported_at' must be a date and time (ISO 8601, as the course writes it)")
    fingerprint = data.get("bank", "")
    # the same questions under the id the lesson had when the file was written (paths.RENAMED)
    accepted = {bank_fingerprint(bank, name) for name in (lesson, *former_lesson_ids(lesson))}
    if fingerprint and fingerprint not in accepted:
        raise BadExport(f"was made with another version of the questions of {lesson}")
    answers, notes = _graded_answers(data, bank, mode == "summative", version)
    score = data.get("score")
    if isinstance(score, dict) and score.get("correct") != sum(a.correct for a in answers) and mode != "summative":
        notes.append(f"the file's score says {display(str(score.get('correct')), 10)} right, regraded {sum(a.correct for a in answers)}")
    return Export(display(path.name, 80), display(source, 60), learner, login, lesson, mode, round_, exported_at,
                  tuple(answers), tuple(notes))


# ------------------------------------------------------------------------------------------
# Learners: every round, the score of record, duplicate claims
# ------------------------------------------------------------------------------------------

def _moment(text: str) -> datetime | None:
    """An ISO 8601 date and time as an aware moment (UTC when the text names no offset); None if it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Learner:
    lesson: str
    key: str
    exports: list[Export]  # first submitted first
    flags: list[str] = field(default_factory=list)
    # Files from two accounts, or two files for one round: which one counts is the instructor's call, so no
    # score of record is given (whoever wrote the files must not choose it by their order).
    needs_review: bool = False

    @property
    def record(self) -> Export:
        return self.exports[0]

    @property
    def name(self) -> str:
        return self.record.learner

    @property
    def login(self) -> str:
        return self.record.source or self.record.login


def group_learners(exports: Iterable[Export]) -> list[Learner]:
    """One entry per learner and lesson, every file kept, the first submitted round first."""
    groups: dict[tuple[str, str], list[Export]] = defaultdict(list)
    for e in exports:
        groups[(e.lesson, normalise_name(e.learner))].append(e)
    learners = []
    for (lesson, key), files in sorted(groups.items()):
        files.sort(key=lambda e: (MODES.index(e.mode), e.round, _moment(e.exported_at), e.name))
        learner = Learner(lesson, key, files)
        spellings = sorted({e.learner for e in files})
        if len(spellings) > 1:
            learner.flags.append("one learner under different spellings: " + ", ".join(repr(s) for s in spellings))
        rounds = defaultdict(list)
        for e in files:
            rounds[(e.mode, e.round)].append(e.name)
        for (mode, number), names in rounds.items():
            if len(names) > 1:
                learner.flags.append(f"{len(names)} files claim {mode} round {number}: {', '.join(names)}")
                learner.needs_review = True
        accounts = sorted({e.source or e.login for e in files} - {""})
        if len(accounts) > 1:
            learner.flags.append("files come from different accounts: " + ", ".join(accounts))
            learner.needs_review = True
        for e in files:
            if e.notes:
                learner.flags.append(f"tampered ({e.name}): " + "; ".join(e.notes[:5])
                                     + (f"; {len(e.notes) - 5} more" if len(e.notes) > 5 else ""))
        learners.append(learner)
    return learners


# ------------------------------------------------------------------------------------------
# Pre-test to final gain
# ------------------------------------------------------------------------------------------

def parallels(bank: Bank) -> dict[str, str]:
    """Pre-test question id -> the final question id or objective it is parallel to (field ``parallel``)."""
    out = {q.id: getattr(q, PARALLEL_FIELD) for q in bank.questions if getattr(q, PARALLEL_FIELD, None)}
    if out or not bank.path.is_file():
        return out
    try:
        raw = load_yaml(bank.path)
    except Exception:  # noqa: BLE001 - the bank itself loaded; a missing mapping is just no mapping
        return {}
    for q in raw.get("questions", []) if isinstance(raw, dict) else []:
        if isinstance(q, dict) and isinstance(q.get(PARALLEL_FIELD), str):
            out[str(q.get("id"))] = q[PARALLEL_FIELD]
    return out


def _objective_of(target: str, finals: list[Bank]) -> str | None:
    for bank in finals:
        if target in bank.objectives:
            return target
        for q in bank.questions:
            if q.id == target:
                return q.objective
    return None


@dataclass(frozen=True)
class Gain:
    objective: str
    learners: int
    pre: float
    post: float

    @property
    def gain(self) -> float:
        return self.post - self.pre

    @property
    def normalised(self) -> float | None:
        """Hake's class-average normalised gain: (post - pre) / (100 - pre)."""
        return None if self.pre >= 100 else (self.post - self.pre) / (100 - self.pre)


def objective_gains(pre_bank: Bank, mapping: dict[str, str], final_bank: Bank, lookup: list[Bank],
                    learners: list[Learner]) -> list[Gain]:
    """Per final objective: mean pre-test and final percent over learners who took both."""
    pre_obj = {qid: _objective_of(t, [final_bank, *lookup]) for qid, t in mapping.items()}
    pre_obj = {qid: o for qid, o in pre_obj.items() if o and qid in pre_bank.ids()}
    pre = {x.key: x.record for x in learners if x.lesson == pre_bank.lesson}
    post = {x.key: x.record for x in learners if x.lesson == final_bank.lesson}
    rows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for key in sorted(set(pre) & set(post)):
        before: dict[str, list[bool]] = defaultdict(list)
        for a in pre[key].answers:
            if a.question in pre_obj:
                before[pre_obj[a.question]].append(a.correct)
        after = post[key].by_objective()
        for objective, marks in before.items():
            if objective in after and after[objective][1]:
                c, t = after[objective]
                rows[objective].append((100 * sum(marks) / len(marks), 100 * c / t))
    return [Gain(o, len(v), statistics.fmean(p for p, _ in v), statistics.fmean(f for _, f in v))
            for o, v in sorted(rows.items(), key=lambda kv: int(kv[0][1:]))]


# ------------------------------------------------------------------------------------------
# Output: HTML and CSV
# ------------------------------------------------------------------------------------------

CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "|")


def csv_cell(value: Any) -> str:
    """A text cell a spreadsheet will never run as a formula: a leading = + - @ tab or CR gets a '."""
    text = display(str(value), 200)
    return "'" + text if str(value).startswith(CSV_DANGEROUS) or text.startswith(CSV_DANGEROUS) else text


def gradebook_csv(learners: list[Learner]) -> str:
    """One row per learner and lesson: name, login, score of record, pass. UTF-8 with a BOM for Excel.

    Column names follow Canvas's gradebook (``Student``, ``SIS Login ID``); Moodle's grade import maps
    ``SIS Login ID`` to the username and the score column to the grade item.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Student", "SIS Login ID", "Lesson", "Score (%)", "Passed", "Mode", "Round", "Flags"])
    for x in sorted(learners, key=lambda x: (x.lesson, x.key)):
        r = x.record
        score, passed = ("", "needs review") if x.needs_review else (f"{r.percent:.1f}", "yes" if r.passed else "no")
        writer.writerow([csv_cell(x.name), csv_cell(x.login), x.lesson, score, passed, r.mode, r.round, len(x.flags)])
    return "\ufeff" + out.getvalue()


def _table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "–" if value is None else pattern.format(value)


def item_rows(bank: Bank, learners: list[Learner]) -> list[list[str]]:
    """Per question: difficulty, discrimination, choices, the most common wrong answer and what it reveals."""
    records = [x.record for x in learners]
    totals = [r.correct for r in records]
    rows = []
    for index, q in enumerate(bank.questions):
        marks = [int(r.answers[index].correct) for r in records]
        responses = [r.answers[index].response for r in records]
        rest = [t - m for t, m in zip(totals, marks, strict=True)]
        p = 100 * sum(marks) / len(marks) if marks else 0.0
        counts = choice_counts(q, responses)
        chosen = "; ".join(f"{escape(display(c.label, 60))}{' ✔' if c.correct else ''}: {c.count}" for c in counts)
        wrong = most_common_wrong(q, responses)
        miss = (f"<strong>{escape(display(wrong.label, 80))}</strong> ({wrong.count}): "
                f"{escape(display(wrong.misconception, 300))}"
                if wrong else "–")
        rows.append([escape(q.id), escape(q.objective), f"{p:.0f}%", _fmt(point_biserial(marks, rest)),
                     _fmt(upper_lower(marks, totals)), chosen or "–", miss])
    return rows


def difficulty(bank: Bank, learners: list[Learner]) -> list[tuple[Question, int, int]]:
    """Per question (hardest first, then bank order): right and answered among scores of record."""
    records = [x.record for x in learners]
    rows = [(q, sum(r.answers[i].correct for r in records), len(records)) for i, q in enumerate(bank.questions)]
    return sorted(rows, key=lambda row: row[1] / row[2] if row[2] else 0.0)


def mastery(bank: Bank, learners: list[Learner]) -> list[tuple[str, str, float, float]]:
    """Per objective: its text, the mean score and the share of learners at or above the pass mark (percent)."""
    rows = []
    for objective, text in sorted(bank.objectives.items(), key=lambda kv: int(kv[0][1:])):
        shares = []
        for x in learners:
            c, t = x.record.by_objective().get(objective, (0, 0))
            if t:
                shares.append(c / t)
        mastered = 100 * sum(s >= PASS_MARK for s in shares) / len(shares) if shares else 0.0
        mean = 100 * statistics.fmean(shares) if shares else 0.0
        rows.append((objective, text, mean, mastered))
    return rows


def _spread_html(records: list[Export]) -> str:
    table = _table(["Score band", "Learners"], [[band, str(n)] for band, n in score_bands([r.percent for r in records])],
                   "spread")
    return histogram_html([r.percent for r in records], 100 * PASS_MARK, table)


def _difficulty_html(bank: Bank, learners: list[Learner]) -> str:
    rows = difficulty(bank, learners)
    bars = [Bar(q.id, 100 * right / n if n else 0.0) for q, right, n in rows]
    table = _table(["Question", "Right", "Learners"],
                   [[escape(q.id), f"{b.percent:.0f}%", f"{right} of {n}"] for (q, right, n), b in zip(rows, bars, strict=True)],
                   "difficulty")
    return bars_html(bars, "the share of learners answering each question right, hardest first",
                     "Learners who answered right (%)",
                     "Question difficulty: the share of learners whose answer of record was right, hardest at the top.",
                     table)


def _mastery_html(bank: Bank, learners: list[Learner]) -> str:
    rows = mastery(bank, learners)
    table = _table(["Objective", "Text", "Mean score", f"Learners at or above {100 * PASS_MARK:.0f}%"],
                   [[escape(o), escape(text), f"{mean:.0f}%", f"{share:.0f}%"] for o, text, mean, share in rows],
                   "mastery")
    mark = 100 * PASS_MARK
    return bars_html([Bar(o, share) for o, _, _, share in rows],
                     f"mastery per objective, the share of learners with at least {mark:.0f}% of its questions right",
                     f"Learners at or above {mark:.0f}% on the objective (%)",
                     f"Objective mastery: the share of learners with at least {mark:.0f}% of that objective's questions "
                     "right.", table, mark)


def _learner_rows(learners: list[Learner]) -> list[list[str]]:
    rows = []
    for x in sorted(learners, key=lambda x: x.key):
        r = x.record
        later = "; ".join(f"{e.mode} round {e.round}: {e.percent:.0f}% ({escape(e.name)})" for e in x.exports[1:])
        flags = "<br>".join("⚠ " + escape(f) for f in x.flags) or "–"
        verdict = "⚠ needs review: see the flags" if x.needs_review else ("✔ passed" if r.passed else "✘ not passed")
        rows.append([escape(display(x.name)), escape(display(x.login)), f"{r.percent:.0f}% ({r.correct} of {r.total})",
                     verdict, f"{r.mode} round {r.round} ({escape(r.name)})", later or "–", flags])
    return rows


def _reliability_html(records: list[Export]) -> str:
    """KR-20 over the scores of record: how consistently the questions rank the learners."""
    value = kr20([[int(a.correct) for a in r.answers] for r in records])
    if value is None:
        return "<p>Reliability (KR-20): needs 3 or more learners whose scores differ.</p>"
    reading = ("enough to support a pass or fail decision" if value >= 0.8 else
               "enough for feedback to the class, not for a high-stakes decision on its own" if value >= 0.7 else
               "low: treat each learner's score as rough, and look at the questions with r below 0.2")
    return (f"<p>Reliability (KR-20, over {len(records)} learners): <strong>{value:.2f}</strong>, {reading}. "
            "Short tests and classes that all score alike give low values.</p>")


def lesson_section(bank: Bank, learners: list[Learner]) -> str:
    records = [x.record for x in learners]
    percents = [r.percent for r in records]
    passed = sum(r.passed for r in records)
    flagged = sum(bool(x.flags) for x in learners)
    return (
        f'<section class="lesson"><h2>{escape(bank.lesson)}</h2>'
        f"<p>{len(records)} learner(s); median score of record {statistics.median(percents):.0f}%; "
        f"{passed} of {len(records)} at or above the {100 * PASS_MARK:.0f}% pass mark; "
        f"{flagged} learner(s) flagged.</p>"
        "<h3>Score spread</h3>" + _spread_html(records)
        + "<h3>Learners (score of record: the first submitted round)</h3>"
        + _table(["Learner", "Login", "Score", "Result", "Score of record", "Later rounds (practice)", "Flags"],
                 _learner_rows(learners), "learners")
        + "<h3>Question difficulty</h3>" + _difficulty_html(bank, learners)
        + "<h3>What to teach next: questions</h3><p>Difficulty is the share right. Discrimination: r is the "
        "item-rest point-biserial correlation and U−L the difference between the top and bottom 27% of "
        "scores; below about 0.2 the question does not separate stronger from weaker learners.</p>"
        + _table(["Question", "Objective", "Right", "r", "U−L", "Chosen (✔ right)", "Most common wrong answer: what it reveals"],
                 item_rows(bank, learners), "items")
        + _reliability_html(records)
        + "<h3>Mastery per objective</h3>" + _mastery_html(bank, learners)
        + "</section>"
    )


def gain_section(gains: list[Gain], pre: str, final: str) -> str:
    if not gains:
        return ""
    rows = [[escape(g.objective), str(g.learners), f"{g.pre:.0f}%", f"{g.post:.0f}%", f"{g.gain:+.0f}",
             _fmt(g.normalised)] for g in gains]
    return (
        f'<section class="gain"><h2>Pre-test ({escape(pre)}) to final ({escape(final)}): gain per objective</h2>'
        "<p>Learners who took both; the normalised gain is (final − pre) / (100 − pre).</p>"
        + gain_html([(g.objective, g.pre, g.post) for g in gains],
                    _table(["Objective", "Learners", "Pre-test", "Final", "Gain (points)", "Normalised gain"], rows,
                           "gains"))
        + "</section>"
    )


@dataclass
class Report:
    html: str
    csv: str
    problems: list[str]
    learners: list[Learner]
    used: int


def build_report(paths: list[tuple[Path, str]] | list[Path], banks: dict[str, Bank], private: Iterable[str] = ()) -> Report:
    """Read, regrade and summarise. ``paths`` are files or (file, home folder) pairs; ``banks`` maps
    lesson ids to the instructor's banks; ``private`` names the summative (private) ones."""
    private = set(private)
    known = dict(banks)
    exports, problems = [], []
    items = [p if isinstance(p, tuple) else (p, "") for p in paths]
    if len(items) > MAX_FILES:
        problems.append(f"only the first {MAX_FILES:,} of {len(items):,} files were read")
        items = items[:MAX_FILES]
    for path, source in items:
        where = display(f"{source}/{path.name}" if source else path.name, 100)
        try:
            exports.append(read_export(path, known, source, private))
        except BadExport as exc:
            problems.append(f"{where}: {exc}; skipped")
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the report
            problems.append(f"{where}: could not be used ({exc.__class__.__name__}); skipped")
    learners = group_learners(exports)
    by_lesson: dict[str, list[Learner]] = defaultdict(list)
    for x in learners:
        by_lesson[x.lesson].append(x)
    body = "".join(lesson_section(known[lesson], rows) for lesson, rows in sorted(by_lesson.items()))
    finals = [k for k in by_lesson if k == FINAL_LESSON or k in private]
    for lesson in sorted(by_lesson):
        mapping = parallels(known[lesson])
        for final in finals:
            if mapping and final != lesson:
                gains = objective_gains(known[lesson], mapping, known[final], [b for b in known.values()], learners)
                body += gain_section(gains, lesson, final)
    shown = problems[:MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    skipped = "".join(f"<li>{escape(p)}</li>" for p in shown) + (f"<li>… and {more} more</li>" if more else "")
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>CAR-T course: class report</title>"
        "<style>body{font-family:DejaVu Sans,Arial,sans-serif;max-width:75em;margin:2em auto;color:#111;"
        "line-height:1.45}table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #767676;"
        "padding:0.2em 0.6em;text-align:left;vertical-align:top}</style></head><body>"
        "<h1>CAR-T cell therapy: class report</h1>"
        f"<p>Made {made} from {len(items)} file(s): {len(exports)} used, {len(problems)} skipped. Every answer "
        "was regraded with the instructor's bank; the scores and flags inside the files were not used.</p>"
        + (f'<h2>Files skipped</h2><ul class="skipped">{skipped}</ul>' if problems else "")
        + (body or "<p>No valid export files were given.</p>")
        + "<p><em>Contains learners' names and results: keep it with other student records.</em></p></body></html>"
    )
    return Report(html, gradebook_csv(learners), problems, learners, len(exports))
