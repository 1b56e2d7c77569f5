"""The class report: learners' export files in, one self-contained HTML page out.

Export files are untrusted input: each is size-limited, parsed as JSON only, validated field by
field, and every string shown is escaped. A bad file is reported and skipped; the rest go on.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from course.engine.results import EXPORT_SCHEMA, PASS_MARK
from course.figures.render import FigureView
from course.figures.style import OKABE_ITO, apply_style

MAX_BYTES = 1_000_000
LESSON_PATTERN = re.compile(r"^\d\d_[a-z0-9_]{1,60}$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
OBJECTIVE_PATTERN = re.compile(r"^O[1-9][0-9]?$")


class BadExport(ValueError):
    """An export file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Export:
    path: Path
    learner: str
    lesson: str
    round: int
    mode: str
    exported_at: str
    objectives: dict[str, str]
    answers: tuple[tuple[str, str, bool], ...]  # (question, objective, correct)

    @property
    def percent(self) -> float:
        return 100.0 * sum(c for _, _, c in self.answers) / len(self.answers)


def _text(value: Any, field: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadExport(f"field '{field}' must be text of 1 to {limit} characters")
    return value


def read_export(path: Path) -> Export:
    """Validate one export file; raises BadExport with a short reason."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadExport(f"cannot be read ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise BadExport(f"is {size:,} bytes; an export is at most {MAX_BYTES:,}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadExport(f"is not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("schema") != EXPORT_SCHEMA:
        raise BadExport(f"is not a course export (schema must be '{EXPORT_SCHEMA}')")
    learner = _text(data.get("learner"), "learner")
    lesson = _text(data.get("lesson"), "lesson", 80)
    if not LESSON_PATTERN.match(lesson):
        raise BadExport("field 'lesson' is not a lesson id such as 05_cytokine_release_syndrome")
    round_ = data.get("round")
    if isinstance(round_, bool) or not isinstance(round_, int) or not 0 <= round_ <= 1000:
        raise BadExport("field 'round' must be a whole number from 0 to 1000")
    exported_at = _text(data.get("exported_at"), "exported_at", 40)
    mode = data.get("mode", "practice")
    if mode not in ("practice", "exam"):
        raise BadExport("field 'mode' must be practice or exam")
    objectives = data.get("objectives", {})
    if not isinstance(objectives, dict) or not all(
        isinstance(k, str) and OBJECTIVE_PATTERN.match(k) and isinstance(v, str) and len(v) <= 300
        for k, v in objectives.items()
    ):
        raise BadExport("field 'objectives' must map ids like O1 to short texts")
    answers = data.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= 200:
        raise BadExport("field 'answers' must be a list of 1 to 200 answers")
    rows = []
    for i, a in enumerate(answers):
        if not isinstance(a, dict):
            raise BadExport(f"answers[{i}] must be a mapping")
        qid, objective, correct = a.get("question"), a.get("objective"), a.get("correct")
        if not isinstance(qid, str) or not ID_PATTERN.match(qid):
            raise BadExport(f"answers[{i}].question is not a question id")
        if not isinstance(objective, str) or not OBJECTIVE_PATTERN.match(objective):
            raise BadExport(f"answers[{i}].objective is not an objective id")
        if not isinstance(correct, bool):
            raise BadExport(f"answers[{i}].correct must be true or false")
        rows.append((qid, objective, correct))
    return Export(path, learner, lesson, round_, mode, exported_at, objectives, tuple(rows))


def latest_per_learner(exports: list[Export]) -> list[Export]:
    """One export per learner and lesson: the latest round (then the latest export time)."""
    best: dict[tuple[str, str], Export] = {}
    for e in exports:
        key = (e.learner, e.lesson)
        if key not in best or (e.round, e.exported_at) > (best[key].round, best[key].exported_at):
            best[key] = e
    return list(best.values())


def _bar_chart(labels: list[str], values: list[float], xlabel: str, mark: float | None = None) -> Figure:
    apply_style()
    height = 1.3 + 0.38 * len(labels)
    fig = Figure(figsize=(8.5, height))
    ax = fig.add_axes((0.3, 0.8 / height, 0.62, 1 - 1.3 / height))
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, color=OKABE_ITO["blue"], edgecolor="black", linewidth=0.6)
    for yy, v in zip(y, values, strict=True):
        ax.text(min(v + 1.5, 90), yy, f"{v:.0f}%", va="center", fontsize=10)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    if mark is not None:
        ax.axvline(mark, color="black", linestyle="--", linewidth=1.2)
    return fig


def _histogram(percents: list[float]) -> Figure:
    apply_style()
    fig = Figure(figsize=(8.5, 3.4))
    ax = fig.add_axes((0.1, 0.2, 0.85, 0.7))
    bins = list(range(0, 101, 10))
    ax.hist(percents, bins=bins, color=OKABE_ITO["orange"], edgecolor="black", linewidth=0.8, hatch="//")
    ax.axvline(100 * PASS_MARK, color="black", linestyle="--", linewidth=1.2)
    ax.text(100 * PASS_MARK, ax.get_ylim()[1] * 0.92, f" pass mark {100 * PASS_MARK:.0f}%", fontsize=10)
    ax.set_xlabel("Score (percent correct)")
    ax.set_ylabel("Learners")
    ax.set_xlim(0, 100)
    return fig


def lesson_section(lesson: str, exports: list[Export]) -> str:
    """Difficulty per question, mastery per objective and the score distribution for one lesson."""
    n = len(exports)
    per_question: dict[str, list[bool]] = defaultdict(list)
    per_objective: dict[str, list[float]] = defaultdict(list)
    objectives: dict[str, str] = {}
    for e in exports:
        objectives.update(e.objectives)
        by_obj: dict[str, list[bool]] = defaultdict(list)
        for qid, objective, correct in e.answers:
            per_question[qid].append(correct)
            by_obj[objective].append(correct)
        for objective, marks in by_obj.items():
            per_objective[objective].append(sum(marks) / len(marks))
    questions = sorted(per_question, key=lambda q: sum(per_question[q]) / len(per_question[q]))
    q_pct = [100 * sum(per_question[q]) / len(per_question[q]) for q in questions]
    q_rows = "".join(
        f"<tr><td>{escape(q)}</td><td>{p:.0f}%</td><td>{len(per_question[q])}</td></tr>"
        for q, p in zip(questions, q_pct, strict=True)
    )
    objs = sorted(per_objective, key=lambda o: int(o[1:]))
    mastered = [100 * sum(1 for v in per_objective[o] if v >= PASS_MARK) / len(per_objective[o]) for o in objs]
    o_rows = "".join(
        f"<tr><td>{escape(o)}</td><td>{escape(objectives.get(o, ''))}</td><td>{m:.0f}%</td></tr>"
        for o, m in zip(objs, mastered, strict=True)
    )
    percents = [e.percent for e in exports]
    passed = sum(1 for p in percents if p >= 100 * PASS_MARK)
    difficulty = FigureView(
        _bar_chart(questions, q_pct, "Learners who answered correctly (%)"),
        alt="Bar chart of the percent of learners answering each question correctly, hardest first: "
        + "; ".join(f"{q} {p:.0f}%" for q, p in zip(questions, q_pct, strict=True)),
        caption="Question difficulty: the share of learners whose answer was correct, hardest at the top.",
    ).html()
    mastery = FigureView(
        _bar_chart(objs, mastered, "Learners at or above 80% on the objective (%)", 100 * PASS_MARK),
        alt="Bar chart of mastery per objective: "
        + "; ".join(f"{o} {m:.0f}%" for o, m in zip(objs, mastered, strict=True)),
        caption="Objective mastery: the share of learners with at least 80% of that objective's questions right.",
    ).html()
    spread = FigureView(
        _histogram(percents),
        alt=f"Histogram of {n} learners' scores in 10-point bins with the pass mark at 80%; median "
        f"{statistics.median(percents):.0f}%, {passed} of {n} at or above the pass mark.",
        caption="Score distribution.",
    ).html()
    return (
        f'<section class="lesson"><h2>{escape(lesson)}</h2>'
        f"<p>{n} learner(s); median score {statistics.median(percents):.0f}%; "
        f"{passed} of {n} at or above the {100 * PASS_MARK:.0f}% pass mark.</p>"
        f"{spread}<h3>Question difficulty</h3>{difficulty}"
        f'<table><thead><tr><th scope="col">Question</th><th scope="col">Correct</th>'
        f'<th scope="col">Answers</th></tr></thead><tbody>{q_rows}</tbody></table>'
        f"<h3>Objective mastery</h3>{mastery}"
        f'<table><thead><tr><th scope="col">Objective</th><th scope="col">Text</th>'
        f'<th scope="col">Mastered by</th></tr></thead><tbody>{o_rows}</tbody></table>'
        f"<h3>Learners</h3><ul>"
        + "".join(
            f"<li>{escape(e.learner)}: {e.percent:.0f}% ({e.mode}, round {e.round})</li>"
            for e in sorted(exports, key=lambda e: e.learner.lower())
        )
        + "</ul></section>"
    )


def build_report(paths: list[Path]) -> tuple[str, list[str]]:
    """The HTML report and the list of problems with skipped files."""
    exports, problems = [], []
    for path in paths:
        try:
            exports.append(read_export(path))
        except BadExport as exc:
            problems.append(f"{path.name}: {exc}; skipped")
    exports = latest_per_learner(exports)
    by_lesson: dict[str, list[Export]] = defaultdict(list)
    for e in exports:
        by_lesson[e.lesson].append(e)
    skipped = "".join(f"<li>{escape(p)}</li>" for p in problems)
    body = "".join(lesson_section(lesson, rows) for lesson, rows in sorted(by_lesson.items()))
    if not body:
        body = "<p>No valid export files were given.</p>"
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>CAR-T course: class report</title>"
        "<style>body{font-family:DejaVu Sans,Arial,sans-serif;max-width:60em;margin:2em auto;color:#111;"
        "line-height:1.45}table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #767676;"
        "padding:0.2em 0.6em;text-align:left}img{max-width:100%}</style></head><body>"
        "<h1>CAR-T cell therapy: class report</h1>"
        f"<p>Made {made} from {len(paths)} file(s): {len(exports)} learner result(s) used"
        f"{f', {len(problems)} skipped' if problems else ''}.</p>"
        + (f'<h2>Files skipped</h2><ul class="skipped">{skipped}</ul>' if problems else "")
        + body
        + "</body></html>"
    )
    return html, problems
