"""Exam views, in two kinds (``docs/exams.md``).

Formative exam mode (``ExamView``, ``AssessmentView``): a self-check. Answers are saved without
feedback; Submit grades the round, shows results by objective, writes the export file and offers a
retake. The key is in the course's files and kernel, so it is practice, and says so. Because the
results show every key, Submit waits until every question of the round has an answer: a blank
Submit would otherwise print the whole key (reliability review E5).

Summative mode (``start_exam``): the student's kernel loads a questions-only pack built from the
instructor's private bank (``course.engine.pack``). It records answers only: no correctness, no
feedback, before or after Submit; nothing it displays or saves carries an answer. The instructor's
report grades the hand-ins with the private bank.
"""

from __future__ import annotations

import random
from html import escape
from typing import Any, Protocol

import ipywidgets as w

from course.engine.results import PASS_MARK, LessonResult, export_document, lesson_result, write_export
from course.engine.views.lifecycle import replace_live
from course.engine.views.live import SplitDisplay
from course.engine.views.static import question_html, score_table_html
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
    from course.figures.diagrams import score_by_objective_chart  # Matplotlib only once there is a result

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
        self.box = w.VBox([self.status, w.HBox([self.submit, self.retake]), self.result])
        self.box.add_class("cart-exam")
        self.box.add_class("cart-live")
        replace_live(f"{lesson.id} score", self.box)
        lesson._score_views[:] = [self]  # the view shown now; the one it replaces is closed
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
            f'<p class="cart-practice-note"><strong>Practice, not a graded exam.</strong> This self-check shows the '
            "answers after you submit, and the answers are in every copy of the course. An exam that counts "
            "uses your instructor's separate exam pack (summative mode), not this notebook.</p>"
            f"<p><strong>Exam mode, round {self.lesson.round} ({state}).</strong> {s['answered']} of {s['total']} "
            "questions answered. Answers are saved as you go; feedback and your score come when you press "
            f"Submit, once every question has an answer. Pass mark: {PASS_MARK * 100:.0f}%. Your first "
            "submitted round is the one your instructor's report counts; retakes are reported as practice.</p>"
        )

    def unanswered(self) -> list[int]:
        """The numbers (as the learner sees them) of this round's questions without a saved answer."""
        rows = self.lesson.summary()["questions"]
        order = self.lesson._assessments[-1].order() if self.lesson._assessments else self.lesson.bank.ids()
        return [n for n, qid in enumerate(order, start=1) if not rows.get(qid, {}).get("attempts")]

    def on_submit(self) -> None:
        if self.lesson.submitted:
            return
        missing = self.unanswered()
        if missing:  # the results show every key: no Submit before a real attempt at every question
            shown = ", ".join(str(n) for n in missing[:12]) + (" …" if len(missing) > 12 else "")
            self.result.value = (
                f'<p role="alert" class="cart-submit-refused"><span aria-hidden="true">ℹ</span> '
                f"<strong>{len(missing)} of {len(self.lesson.bank.questions)} question(s) have no answer yet</strong> "
                f"(question {shown}). Answer each one and press Save answer (a best guess is fine), then "
                "Submit. The results show every answer, so this self-check is only marked after a full attempt.</p>"
            )
            return
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
                        export_document(result, self.lesson.bank.objectives, self.lesson.bank),
                        self.lesson.store.directory / "exports"
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
        lesson._assessments[:] = [self]  # a retake lays out the assessment shown now, not the ones it replaced
        self.layout()
        replace_live(f"{lesson.id} assessment", self.questions)

    def order(self) -> list[str]:
        ids = self.lesson.bank.ids()
        if self.lesson.round > 1:
            random.Random(f"{self.lesson.store.learner}:{self.lesson.round}").shuffle(ids)
        return ids

    def layout(self) -> None:
        self.questions.children = ()  # nothing may still show the views this replaces, or they stay open
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


# ------------------------------------------------------------------------------------------
# Summative mode: a questions-only pack, answers recorded, nothing graded in the student's kernel
# ------------------------------------------------------------------------------------------

def pack_question_html(q: Any, number: int) -> str:
    """The static view of a pack question (what a saved notebook or nbviewer shows): no answer."""
    from course.engine.views.static import choices_html, header_html

    return (
        f'<div class="cart-question cart-static cart-summative" data-question-id="{escape(q.id)}" '
        'style="border:1px solid #767676;padding:0.5em 0.9em;margin:0.6em 0;max-width:56em">'
        f"{header_html(q, number)}{choices_html(q)}"
        '<p style="font-size:0.9em;color:#333;margin:0.4em 0 0 0"><em>Exam question: run this notebook in '
        "Jupyter to answer.</em></p></div>"
    )


class AnswerOnlyWidget:
    """A question's live view in summative mode: Save answer and Clear; the save says nothing of right or wrong."""

    def __init__(self, exam: SummativeExam, q: Any, number: int):
        from course.engine.views.static import header_html
        from course.engine.views.widgets import INPUTS, saved_html

        self.exam, self.q, self._saved_html = exam, q, saved_html
        self.input = INPUTS[q.type](q)
        self.save = w.Button(description="Save answer", button_style="primary",
                             tooltip="Save your answer (you can change it until you hand in)")
        self.save.add_class("cart-check")
        self.clear = w.Button(description="Clear", tooltip="Clear your answer")
        self.clear.add_class("cart-retry")
        self.feedback = w.HTML("")
        self.feedback.add_class("cart-feedback")
        self.save.on_click(lambda _: self.on_save())
        self.clear.on_click(lambda _: self.input.clear())
        self.view = w.VBox(
            [w.HTML(header_html(q, number)), self.input.box, w.HBox([self.save, self.clear]), self.feedback],
            layout=w.Layout(border="1px solid #767676", padding="0.5em 0.9em", margin="0.6em 0", max_width="56em"),
        )
        for cls in ("cart-question", f"cart-type-{q.type}", f"cart-q-{q.id}", "cart-summative"):
            self.view.add_class(cls)
        saved = exam.saved(q.id)
        if saved is not None:
            from course.engine.pack import widget_response

            restored = widget_response(q, saved)
            if restored is not None:
                self.input.restore(restored)
            self.feedback.value = self._saved_html(exam.saves(q.id), restored=True)
        if exam.submitted:
            self.lock()

    def on_save(self) -> None:
        from course.core.errors import InvalidResponse
        from course.engine.pack import pack_response
        from course.engine.views.widgets import message_html

        if self.exam.submitted:
            return
        try:
            response = pack_response(self.q, self.input.read())
        except InvalidResponse as exc:
            self.feedback.value = message_html(str(exc))
            return
        self.exam.store.record(self.exam.pack.exam, self.q.id, response, False, round=1)
        self.feedback.value = self._saved_html(self.exam.saves(self.q.id))
        self.exam.refresh()

    def lock(self) -> None:
        from course.engine.views.widgets import _descendants

        self.save.disabled = self.clear.disabled = True
        for child in _descendants(self.input.box):
            if hasattr(child, "disabled"):
                child.disabled = True


class SummativeQuestions:
    """Every question of the pack, in pack order, as one display object."""

    def __init__(self, exam: SummativeExam):
        self.exam = exam
        self.widgets = [AnswerOnlyWidget(exam, q, n) for n, q in enumerate(exam.pack.questions, start=1)]
        self.box = w.VBox([x.view for x in self.widgets])
        self.box.add_class("cart-assessment")
        replace_live(f"{exam.pack.exam} summative questions", self.box)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_() or {})
        pack = self.exam.pack
        bundle["text/html"] = (
            f'<p class="cart-assessment-static"><strong>{len(pack.questions)} exam questions.</strong> Run this '
            "notebook in Jupyter to answer them.</p>"
            + "".join(pack_question_html(q, n) for n, q in enumerate(pack.questions, start=1))
        )
        bundle["text/plain"] = f"Exam: {len(pack.questions)} questions (run the notebook to answer)."
        return bundle


class HandInView:
    """Hand in: confirm open questions, write the answers file, lock; no score, no feedback."""

    def __init__(self, exam: SummativeExam):
        self.exam = exam
        self.status = w.HTML()
        self.status.add_class("cart-exam-status")
        self.submit = w.Button(description="Hand in", button_style="primary", tooltip="Hand in your answers")
        self.submit.add_class("cart-submit")
        self.result = w.HTML()
        self.result.add_class("cart-result-box")
        self.submit.on_click(lambda _: self.on_submit())
        self._confirming = False
        self.box = w.VBox([self.status, self.submit, self.result])
        self.box.add_class("cart-exam")
        replace_live(f"{exam.pack.exam} hand-in", self.box)
        exam.views[:] = [self]  # the panel shown now; the one it replaces is closed
        self.refresh()

    def refresh(self) -> None:
        exam = self.exam
        answered = sum(exam.saved(q.id) is not None for q in exam.pack.questions)
        total = len(exam.pack.questions)
        self.submit.disabled = exam.submitted
        if exam.submitted:
            self.status.value = (
                f"<p><strong>Handed in.</strong> {answered} of {total} questions answered. Your instructor grades "
                "the exam; no score or answers are shown here.</p>"
            )
            if not self.result.value:
                self.result.value = self._file_note(exam.handed_in_file())
        else:
            self.status.value = (
                f"<p><strong>Graded exam.</strong> {answered} of {total} questions answered. Answers are saved as "
                "you go and can be changed until you press Hand in (once). No feedback or score is shown.</p>"
            )

    @staticmethod
    def _file_note(path: str) -> str:
        return (f'<p role="status">Your answers file: <code>{escape(path)}</code>. Hand it in as your instructor '
                "asked (on a hub it is collected from your home).</p>") if path else ""

    def on_submit(self) -> None:
        exam = self.exam
        if exam.submitted:
            return
        open_questions = sum(exam.saved(q.id) is None for q in exam.pack.questions)
        if open_questions and not self._confirming:
            self._confirming = True
            self.result.value = (
                f'<p role="status"><span aria-hidden="true">ℹ</span> <strong>{open_questions} question(s) have no '
                "saved answer</strong> and will count as wrong. Press Hand in again to hand in anyway.</p>"
            )
            return
        self._confirming = False
        self.result.value = self._file_note(exam.hand_in())
        exam.refresh()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_() or {})
        text = f"Hand-in panel: {len(self.exam.pack.questions)} questions (run the notebook in Jupyter)."
        bundle["text/html"] = f'<p class="cart-exam-static">{escape(text)}</p>'
        bundle["text/plain"] = text
        return bundle


class SummativeExam:
    """A student's exam session: the pack (no key), their saved answers and the hand-in."""

    def __init__(self, pack: Any, store: Any):
        self.pack, self.store = pack, store
        self.views: list[Any] = []
        self._questions: SummativeQuestions | None = None

    @property
    def submitted(self) -> bool:
        return any(e.kind == "submit" for e in self.store.events(self.pack.exam))

    def saved(self, qid: str) -> Any:
        rows = self.store.attempts(self.pack.exam, qid, round=1)
        return rows[-1].response if rows else None

    def saves(self, qid: str) -> int:
        return len(self.store.attempts(self.pack.exam, qid, round=1))

    def questions(self) -> SummativeQuestions:
        self._questions = SummativeQuestions(self)
        return self._questions

    def hand_in_panel(self) -> HandInView:
        return HandInView(self)

    def document(self) -> dict[str, Any]:
        """The hand-in: who, which exam (its fingerprint), and the answers as texts. Nothing graded."""
        from datetime import UTC, datetime

        from course.engine.progress import login_name
        from course.engine.results import EXPORT_SCHEMA

        return {
            "schema": EXPORT_SCHEMA,
            "learner": self.store.learner,
            "login": login_name(),
            "bank": self.pack.fingerprint,
            "lesson": self.pack.exam,
            "mode": "summative",
            "round": 1,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "answers": [{"question": q.id, "response": self.saved(q.id)} for q in self.pack.questions],
        }

    def hand_in(self) -> str:
        """Write the answers file and record the hand-in; the first hand-in is final."""
        from course.engine.results import write_export

        try:
            path = str(write_export(self.document(), self.store.directory / "exports"))
        except OSError as exc:
            return f"(could not be written: {exc}; ask your instructor)"
        self.store.record_event(self.pack.exam, "submit", 1, {"file": path})
        if self._questions:
            for widget in self._questions.widgets:
                widget.lock()
        return path

    def handed_in_file(self) -> str:
        events = [e for e in self.store.events(self.pack.exam) if e.kind == "submit"]
        return str(events[0].detail.get("file", "")) if events else ""

    def refresh(self) -> None:
        for view in self.views:
            view.refresh()


def start_exam(pack_file: str | Any = "exam-pack.json", store: Any = None) -> SummativeExam:
    """The one call of a summative notebook's setup cell: load the pack next to the notebook."""
    from pathlib import Path

    from course.engine.pack import load_pack
    from course.engine.progress import ProgressStore
    from course.engine.views.live import show_page_helpers
    from course.figures.style import apply_style

    apply_style()
    show_page_helpers()
    return SummativeExam(load_pack(Path(pack_file)), store or ProgressStore())
