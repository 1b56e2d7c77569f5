"""Exam mode: answers are saved without feedback; Submit grades the round, shows the results by
objective with a chart, writes the export file, and offers a retake (with the order shuffled)."""

from __future__ import annotations

import random
from html import escape
from typing import Any, Protocol

import ipywidgets as w

from course.engine.results import PASS_MARK, LessonResult, export_document, lesson_result, write_export
from course.engine.views.live import SplitDisplay
from course.engine.views.static import question_html, score_table_html
from course.figures.diagrams import score_by_objective_chart
from course.figures.render import FigureView


class Lesson(Protocol):
    """What exam mode needs of a lesson (``course.engine.lesson.Lesson``); named here so the two
    modules do not import each other: the lesson creates the exam views, never the reverse."""

    id: str
    bank: Any
    store: Any
    round: int
    submitted: bool
    _score_views: list[Any]
    _assessments: list[Any]

    def summary(self) -> dict[str, Any]: ...
    def question(self, question_id: str, number: int | None = None) -> Any: ...
    def question_widgets(self) -> list[Any]: ...
    def reading_order(self) -> list[str]: ...
    def new_round(self) -> None: ...


def result_html(result: LessonResult, objectives: dict[str, str], export_path: str | None) -> str:
    """The result page: score, pass or not (icon and words), a table and a chart by objective."""
    passed = result.passed
    verdict = (
        '<span aria-hidden="true">✔</span> <strong>Passed</strong>'
        if passed
        else '<span aria-hidden="true">✘</span> <strong>Not passed yet</strong>'
    )
    rows = "".join(
        f"<tr><td>{escape(o)}</td><td>{escape(objectives.get(o, ''))}</td><td>{r['correct']} of {r['total']}</td></tr>"
        for o, r in result.by_objective().items()
    )
    weakest = [o for o, r in result.by_objective().items() if r["total"] and r["correct"] / r["total"] < PASS_MARK]
    advice = (
        "<p>Review first: " + ", ".join(escape(f"{o} ({objectives.get(o, '')})") for o in weakest) + ".</p>"
        if weakest
        else "<p>Every objective is at or above the pass mark.</p>"
    )
    chart = FigureView(
        score_by_objective_chart(result.by_objective(), objectives, PASS_MARK),
        alt="Bar chart of percent correct for each objective, with a dashed line at the 80% pass mark. "
        + "; ".join(f"{o}: {r['correct']} of {r['total']}" for o, r in result.by_objective().items()),
        caption="Your score by objective in this round.",
    ).html()
    saved = (
        f"<p>Your result file, to hand in: <code>{escape(export_path)}</code> (find it in the file browser, "
        "right-click, Download).</p>"
        if export_path
        else ""
    )
    return (
        f'<div class="cart-result" role="status" aria-live="polite"><h3>Result, round {result.round}</h3>'
        f"<p>{verdict}: {result.correct} of {result.total} correct ({result.percent:.0f}%); "
        f"the pass mark is {PASS_MARK * 100:.0f}%.</p>"
        f'<table><thead><tr><th scope="col">Objective</th><th scope="col">What it checks</th>'
        f'<th scope="col">Correct</th></tr></thead><tbody>{rows}</tbody></table>{advice}{chart}{saved}</div>'
    )


class ExamView(SplitDisplay):
    """Submit, results and retake for a lesson in exam mode."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.status = w.HTML()
        self.status.add_class("cart-exam-status")
        self.submit = w.Button(
            description="Submit", button_style="primary", tooltip="Submit your answers and see your results"
        )
        self.submit.add_class("cart-submit")
        self.retake = w.Button(description="Retake", tooltip="Start a new round, questions in a new order")
        self.retake.add_class("cart-retake")
        self.result = w.HTML()
        self.result.add_class("cart-result-box")
        self.submit.on_click(lambda _: self.on_submit())
        self.retake.on_click(lambda _: self.on_retake())
        self._confirming = False
        self.box = w.VBox([self.status, w.HBox([self.submit, self.retake]), self.result])
        self.box.add_class("cart-exam")
        self.box.add_class("cart-live")
        lesson._score_views.append(self)
        self.refresh()
        if lesson.submitted:
            self.show_results(write=False)

    def refresh(self) -> None:
        s = self.lesson.summary()
        submitted = self.lesson.submitted
        self.submit.disabled = submitted
        self.retake.layout.display = None if submitted else "none"
        state = "submitted" if submitted else "in progress"
        self.status.value = (
            f"<p><strong>Exam mode, round {self.lesson.round} ({state}).</strong> {s['answered']} of {s['total']} "
            "questions answered. Answers are saved as you go; feedback and your score come when you press "
            f"Submit. Pass mark: {PASS_MARK * 100:.0f}%.</p>"
        )

    def on_submit(self) -> None:
        s = self.lesson.summary()
        open_questions = s["total"] - s["answered"]
        if open_questions and not self._confirming:
            self._confirming = True
            self.result.value = (
                f'<p role="status"><span aria-hidden="true">ℹ</span> <strong>{open_questions} question(s) are not '
                "answered</strong> and will count as wrong. Press Submit again to submit anyway.</p>"
            )
            return
        self._confirming = False
        result = lesson_result(self.lesson.bank, self.lesson.store, "exam", self.lesson.round)
        self.lesson.store.record_event(
            self.lesson.id,
            "submit",
            self.lesson.round,
            {"correct": result.correct, "total": result.total, "passed": result.passed},
        )
        self.show_results(write=True)

    def show_results(self, write: bool) -> None:
        result = lesson_result(self.lesson.bank, self.lesson.store, "exam", self.lesson.round)
        path = None
        if write:
            try:
                path = str(
                    write_export(
                        export_document(result, self.lesson.bank.objectives), self.lesson.store.directory / "exports"
                    )
                )
            except OSError as exc:
                path = f"(could not be written: {exc})"
        for view in self.lesson.question_widgets():
            answer = next((q.response for q in result.questions if q.question == view.q.id), None)
            view.show_result(answer)
        self.result.value = result_html(result, self.lesson.bank.objectives, path)
        self.refresh()

    def on_retake(self) -> None:
        self.lesson.store.record_event(self.lesson.id, "retake", self.lesson.round)
        self.result.value = ""
        self.lesson.new_round()
        self.refresh()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_() or {})
        bundle["text/html"] = score_table_html(self.lesson.bank, self.lesson.reading_order())
        bundle["text/plain"] = f"Score summary: {len(self.lesson.bank.questions)} questions."
        return bundle


class AssessmentView(SplitDisplay):
    """A whole bank as one assessment: questions in bank order, reshuffled on every retake."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.questions = w.VBox()
        self.questions.add_class("cart-assessment")
        self.questions.add_class("cart-live")
        lesson._assessments.append(self)
        self.layout()

    def order(self) -> list[str]:
        ids = self.lesson.bank.ids()
        if self.lesson.round > 1:
            random.Random(f"{self.lesson.store.learner}:{self.lesson.round}").shuffle(ids)
        return ids

    def layout(self) -> None:
        widgets = []
        for number, qid in enumerate(self.order(), start=1):
            view = self.lesson.question(qid, number=number)
            widgets.append(view.widget().view)
        self.questions.children = widgets

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = dict(self.questions._repr_mimebundle_() or {})
        bank = self.lesson.bank
        intro = (
            f'<p class="cart-assessment-static"><strong>{len(bank.questions)} questions.</strong> In Jupyter this is '
            "an exam: answers are saved, and feedback comes after Submit. Here every answer can be revealed.</p>"
        )
        bundle["text/html"] = intro + "".join(question_html(q, n) for n, q in enumerate(bank.questions, start=1))
        bundle["text/plain"] = f"Assessment: {len(bank.questions)} questions (run the notebook to take it)."
        return bundle
