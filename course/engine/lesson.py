"""A lesson as the notebook sees it: its questions, its score, its references.

Notebook cells stay one line (``lesson.question("q00-car-letters")``); everything else is here.
"""

from __future__ import annotations

import inspect
import json
import re
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from course.core.paths import notebook_path
from course.core.references import keys_in, resolve, set_numbering
from course.engine.mode import course_mode
from course.engine.progress import ProgressStore
from course.engine.questions.model import Bank, Question, bank_path, load_bank
from course.engine.results import ExportError, export_document, lesson_result, write_export
from course.engine.views.html import Static
from course.engine.views.lifecycle import replace_live
from course.engine.views.live import SplitDisplay, show_page_helpers
from course.engine.views.static import (
    answer_html,
    explanation_html,
    question_html,
    question_text,
    score_table_html,
    short_title,
)
from course.engine.views.widgets import QuestionWidget
from course.figures.catalog import show as show_figure
from course.figures.render import FigureView

DISCLAIMER = (
    "This course is for education only. It is not medical advice and does not replace product "
    "labels, local protocols or the judgement of the treating team."
)


QUESTION_CALL = re.compile(r"""\.question\(\s*["']([a-z0-9-]+)["']""")


class QuestionView(SplitDisplay):
    """What a question cell displays: live widget, static HTML and plain text in one bundle."""

    def __init__(self, lesson: Lesson, q: Question, number: int):
        self.lesson, self.q, self.number = lesson, q, number
        self._widget: QuestionWidget | None = None

    def widget(self) -> QuestionWidget:
        if self._widget is None:
            lesson = self.lesson
            rows = lesson.store.attempts(lesson.id, self.q.id, round=lesson.round)
            graded = [a for a in rows if not a.revealed]
            self._widget = QuestionWidget(
                self.q,
                self.number,
                lesson.record,
                attempts=len(graded),
                last_response=graded[-1].response if graded else None,
                revealed=any(a.revealed for a in rows),
                exam=lesson.exam,
                submitted=lesson.exam and lesson.submitted,
                learner=lesson.store.learner,
            )
            replace_live(f"{lesson.id} question {self.q.id}", self._widget.view, on_replaced=self._forget)
        return self._widget

    def _forget(self) -> None:
        self._widget = None

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = dict(self.widget().view._repr_mimebundle_() or {})
        bundle["text/html"] = question_html(self.q, self.number)
        bundle["text/plain"] = question_text(self.q, self.number)
        return bundle


class ScoreView(SplitDisplay):
    """The lesson's score: live (updates as answers come in) and a static table for nbviewer."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.html = w.HTML(value=self.live_html())
        self.html.add_class("cart-score")
        self.html.add_class("cart-live")
        replace_live(f"{lesson.id} score", self.html)
        lesson._score_views[:] = [self]  # the view shown now; the one it replaces is closed

    def live_html(self) -> str:
        s = self.lesson.summary()
        rows = "".join(
            f"<tr><td>{n}</td><td>{escape(short_title(q))}</td><td>{escape(q.type_name)}</td>"
            f"<td>{escape(q.objective)}</td><td>{self._state(s['questions'][q.id])}</td></tr>"
            for n, q in enumerate(self.lesson.questions_in_reading_order(), start=1)
        )
        where = (
            "kept in memory only (see the warning above)"
            if self.lesson.store.in_memory
            else f"saved in <code>{escape(str(self.lesson.store.path))}</code> (one file for every lesson)"
        )
        return (
            f'<div class="cart-score-live"><p><strong>Your score: {s["correct"]} of {s["total"]} correct</strong> '
            f"({s['answered']} answered; {s['first_try']} right at the first try). Progress is {where}.</p>"
            f'<table><thead><tr><th scope="col">Question</th><th scope="col">Begins</th><th scope="col">Type</th>'
            f'<th scope="col">Objective</th><th scope="col">Status</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )

    @staticmethod
    def _state(row: dict[str, Any]) -> str:
        if row["correct"]:
            return f"✔ correct ({row['attempts']} attempt{'s' if row['attempts'] != 1 else ''})"
        if row["revealed"]:
            return "ℹ answer shown"
        if row["attempts"]:
            return f"✘ not yet right ({row['attempts']} attempt{'s' if row['attempts'] != 1 else ''})"
        return "○ not answered"

    def refresh(self) -> None:
        self.html.value = self.live_html()

    def static_html(self) -> str:
        return score_table_html(self.lesson.bank, self.lesson.reading_order())

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = dict(self.html._repr_mimebundle_() or {})
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = (
            f"Score summary: {len(self.lesson.bank.questions)} questions (run the notebook to see yours)."
        )
        return bundle


def export_view(path: Path | None, correct: int, total: int, problem: str = "") -> Static:
    """Where the export was written, shown to the learner."""
    text = problem or (
        f"Saved your results ({correct} of {total} correct) to {path}. "
        "Download it from the file browser and hand it in."
    )
    return Static(f'<p class="cart-export">{escape(text)}</p>', text)


def references_view(keys: list[str], where: str) -> Static:
    """The bibliography of the keys this lesson cites, numbered in order of first citation.

    The numbers are the ones the prose (``python -m course cite``), the feedback and the tables show.
    """
    refs = resolve(keys, where)
    items = "".join(
        f'<li id="ref-{r.key}"><strong>[{n}]</strong> {r.citation_html()}</li>'
        for n, r in enumerate(refs, start=1)
    )
    # The plain-text twin is one line: every reader of a notebook (JupyterLab, nbviewer, GitHub,
    # VS Code) shows the HTML list, and a second copy of it cost 5 to 10 KB per notebook file.
    text = f"References: {len(refs)} sources, numbered as this lesson cites them (the list with its links is the HTML view)."
    return Static(f'<ol class="cart-references" style="list-style:none;padding-left:0.5em">{items}</ol>', text)


def question_keys(q: Question) -> list[str]:
    """A question's sources and any key its feedback or explanation cites, in the order shown."""
    return list(dict.fromkeys(keys_in(answer_html(q) + explanation_html(q)) + list(q.references)))


class Lesson:
    """One notebook's questions, progress and references, in practice or exam mode."""

    def __init__(self, lesson_id: str, store: ProgressStore | None = None, exam: bool | None = None):
        self.id = lesson_id
        self.bank: Bank = load_bank(bank_path(lesson_id))
        self.store = store or ProgressStore()
        self.exam = course_mode() == "exam" if exam is None else exam
        self._views: dict[str, QuestionView] = {}
        self._score_views: list[Any] = []
        self._assessments: list[Any] = []
        set_numbering(self.cited_keys())

    @property
    def mode(self) -> str:
        return "exam" if self.exam else "practice"

    @property
    def round(self) -> int:
        """0 in practice; in exam mode 1, plus one for every retake."""
        if not self.exam:
            return 0
        return 1 + sum(1 for e in self.store.events(self.id) if e.kind == "retake")

    @property
    def submitted(self) -> bool:
        return self.exam and any(e.kind == "submit" and e.round == self.round for e in self.store.events(self.id))

    def question(self, question_id: str, number: int | None = None) -> QuestionView:
        """The display object for one question of this lesson (number = its place in the bank)."""
        try:
            q = self.bank.get(question_id)
        except KeyError:
            raise KeyError(
                f"'{question_id}' is not a question of lesson {self.id}; its questions are {', '.join(self.bank.ids())}"
            ) from None
        number = number or self.reading_order().index(question_id) + 1
        self._views[question_id] = QuestionView(self, q, number)
        return self._views[question_id]

    def _notebook_cells(self) -> list[dict[str, Any]]:
        path = notebook_path(self.id)
        if not path.exists():
            return []
        return json.loads(path.read_text(encoding="utf-8")).get("cells", [])

    def reading_order(self) -> list[str]:
        """Question ids in the order the notebook shows them (then any the notebook does not show)."""
        shown: list[str] = []
        for cell in self._notebook_cells():
            if cell.get("cell_type") == "code":
                shown += [i for i in QUESTION_CALL.findall("".join(cell.get("source", ""))) if i in self.bank.ids()]
        return list(dict.fromkeys(shown + self.bank.ids()))

    def questions_in_reading_order(self) -> list[Question]:
        return [self.bank.get(i) for i in self.reading_order()]

    def question_widgets(self) -> list[QuestionWidget]:
        """The live widgets shown so far in this kernel (for exam results and retakes)."""
        return [v._widget for v in self._views.values() if v._widget is not None]

    def record(self, q: Question, response: Any, correct: bool, revealed: bool) -> int:
        self.store.record(self.id, q.id, response, correct, revealed, round=self.round)
        for view in self._score_views:
            view.refresh()
        return len([a for a in self.store.attempts(self.id, q.id, round=self.round) if not a.revealed])

    def summary(self) -> dict[str, Any]:
        return self.store.summary(self.id, self.bank.ids(), round=self.round)

    def score(self) -> Any:
        """The live score (practice) or the Submit, results and Retake panel (exam)."""
        if self.exam:
            from course.engine.exam import ExamView

            return ExamView(self)
        return ScoreView(self)

    def assessment(self) -> Any:
        """Every question of the bank as one assessment (used by the final assessment)."""
        from course.engine.exam import AssessmentView

        return AssessmentView(self)

    def new_round(self) -> None:
        """After a retake: every shown question starts empty; assessments reshuffle."""
        for widget in self.question_widgets():
            widget.reset()
        for assessment in self._assessments:
            assessment.layout()
        for widget in self.question_widgets():
            widget.reset()

    def export(self) -> Static:
        """Write this lesson's results to a JSON file the learner can hand in."""
        result = lesson_result(self.bank, self.store, self.mode, self.round)
        try:
            path = write_export(
                export_document(result, self.bank.objectives, self.bank), self.store.directory / "exports"
            )
        except ExportError as exc:
            return export_view(None, result.correct, result.total, problem=str(exc))
        return export_view(path, result.correct, result.total)

    def show(self, name: str, *args: Any, **options: Any) -> Any:
        """A table or demo of this lesson by name: its ``demos.py`` lists them in ``SHOWS``."""
        from course import lessons

        shows = getattr(lessons.module(self.id[:2], "demos"), "SHOWS", {})
        if name not in shows:
            known = ", ".join(shows) or "none"
            raise KeyError(f"lesson {self.id} has nothing called '{name}' to show; it has: {known}")
        show = shows[name]
        place = f"{self.id} show {name} {args!r} {sorted(options.items())!r}"
        if "lesson" in inspect.signature(show).parameters:  # a demo that saves to the learner's progress
            options.setdefault("lesson", self)
        shown = show(*args, **options)
        if isinstance(getattr(shown, "widget", None), w.Widget):  # a live demo, not a static table
            replace_live(place, shown.widget)
        return shown

    def figure(self, name: str, **options: Any) -> FigureView:
        """A catalogued course figure with its alt text and caption (see course.figures.catalog)."""
        return show_figure(name, **options)

    def cited_keys(self) -> list[str]:
        """Keys in reading order: the Markdown's citations and each question's sources where it stands."""
        keys: dict[str, None] = {}
        for cell in self._notebook_cells():
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") == "markdown":
                found = keys_in(source)
            else:
                ids = [i for i in QUESTION_CALL.findall(source) if i in self.bank.ids()]
                found = [k for i in ids for k in question_keys(self.bank.get(i))]
            for key in found:
                keys.setdefault(key, None)
        for q in self.questions_in_reading_order():  # questions the notebook does not show one by one
            for key in question_keys(q):
                keys.setdefault(key, None)
        return list(keys)

    def references(self) -> Static:
        return references_view(self.cited_keys(), f"lesson {self.id}")


def start_lesson(lesson_id: str, store: ProgressStore | None = None, exam: bool | None = None) -> Lesson:
    """Open a lesson; the one call of a notebook's setup cell (the figure style is set by whatever
    draws, so a lesson whose figures all come from the cache never imports Matplotlib).

    ``exam`` forces exam mode (the final assessment); by default the instructor's setting decides
    (see course.engine.mode).
    """
    show_page_helpers()
    return Lesson(lesson_id, store, exam)
