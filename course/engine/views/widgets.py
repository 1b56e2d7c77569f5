"""The live view of a question: labelled, keyboard-usable ipywidgets with feedback in words.

Stable CSS classes (``cart-question``, ``cart-input``, ``cart-check``, ``cart-retry``,
``cart-reveal``, ``cart-feedback``) are the hooks the browser tests use.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from course.core.errors import InvalidResponse
from course.core.text import letter
from course.engine.questions.grading import ORDINALS, Result, grade, gradeable
from course.engine.questions.model import Question
from course.engine.questions.order import match_choice_order, option_order
from course.engine.views.static import ICON_NO, ICON_OK, answer_html, explanation_html, header_html, inline_html

OK_COLOUR = "#009E73"  # Okabe-Ito bluish green: a second cue beside icon and words
NO_COLOUR = "#D55E00"  # Okabe-Ito vermillion
PLACEHOLDER = "— choose —"

RecordFn = Callable[[Question, Any, bool, bool], int]


def feedback_html(q: Question, result: Result, attempts: int, restored: bool = False) -> str:
    """Verdict with icon and words, per-part feedback, and the explanation once it is right."""
    icon, word, colour = (ICON_OK, "Correct", OK_COLOUR) if result.correct else (ICON_NO, "Not yet right", NO_COLOUR)
    parts = [
        f'<div role="status" aria-live="polite" class="cart-fb {"cart-fb-correct" if result.correct else "cart-fb-wrong"}" '
        f'style="border-left:6px solid {colour};padding:0.3em 0.8em;margin-top:0.4em">',
        f'<p style="margin:0.2em 0"><span aria-hidden="true">{icon}</span> <strong>{word}.</strong> '
        f"{escape(result.summary)}</p><ul style='margin:0.2em 0'>",
    ]
    for line in result.lines:
        mark = ICON_OK if line.ok else ICON_NO
        verdict = "right" if line.ok else "wrong"
        parts.append(
            f'<li><span aria-hidden="true">{mark}</span> <strong>{verdict}</strong> · {inline_html(line.label)}: '
            f"{inline_html(line.text)}</li>"
        )
    parts.append("</ul>")
    if result.correct:
        parts.append(explanation_html(q))
    else:
        parts.append(
            '<p style="margin:0.2em 0"><em>Change your answer and press Check again, or press Show answer.</em></p>'
        )
    note = " (restored from your saved answers)" if restored else ""
    parts.append(
        f'<p class="cart-attempts" style="margin:0.2em 0;font-size:0.9em">Attempts: {attempts}{note}</p></div>'
    )
    return "".join(parts)


def message_html(text: str) -> str:
    """A short note for input that cannot be graded; it never counts as an attempt."""
    return (
        '<div role="status" aria-live="polite" class="cart-fb cart-fb-message" '
        'style="border-left:6px solid #E69F00;padding:0.3em 0.8em;margin-top:0.4em">'
        f'<p style="margin:0.2em 0"><span aria-hidden="true">ℹ</span> <strong>Check your input:</strong> '
        f"{escape(text)}</p></div>"
    )


def reveal_html(q: Question, learner: str = "") -> str:
    return (
        '<div role="status" aria-live="polite" class="cart-fb cart-fb-revealed" '
        'style="border-left:6px solid #0072B2;padding:0.3em 0.8em;margin-top:0.4em">'
        f"{answer_html(q, learner)}{explanation_html(q)}"
        '<p style="font-size:0.9em"><em>The answer is shown, so this question no longer counts toward '
        "your score; you can still answer it to practise.</em></p></div>"
    )


class _Input:
    """One kind of answer control: builds widgets, reads and restores a response."""

    def __init__(self, q: Question, learner: str = ""):
        self.q, self.learner = q, learner
        self.box = w.VBox(self.build(), layout=w.Layout(width="100%"))
        self.box.add_class("cart-input")

    def build(self) -> list[w.Widget]:
        raise NotImplementedError

    def read(self) -> Any:
        raise NotImplementedError

    def restore(self, response: Any) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError


class _OneControl(_Input):
    """An answer held by one widget's value (radio buttons, a text box): read and cleared the same way."""

    empty: Any = None  # the value of a cleared control
    control: w.ValueWidget

    def build(self) -> list[w.Widget]:
        self.control = self.make()
        return [self.control]

    def make(self) -> w.ValueWidget:
        raise NotImplementedError

    def read(self) -> Any:
        return self.control.value

    def clear(self) -> None:
        self.control.value = self.empty


class _Radio(_OneControl):
    def choices(self) -> list[tuple[str, Any]]:
        if self.q.type == "truefalse":
            return [("True", True), ("False", False)]
        order = option_order(self.q, self.learner)
        return [(f"{letter(pos)}. {self.q.options[i].text}", i) for pos, i in enumerate(order)]

    def make(self) -> w.ValueWidget:
        return w.RadioButtons(
            options=self.choices(),
            value=self.empty,
            description="Your answer:",
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
        )

    def restore(self, response: Any) -> None:
        if response in [v for _, v in self.choices()]:
            self.control.value = response


class _Checks(_Input):
    def build(self) -> list[w.Widget]:
        self.order = option_order(self.q, self.learner)  # checkbox n shows bank option order[n]
        self.checks = [
            w.Checkbox(
                value=False,
                description=f"{letter(pos)}. {self.q.options[i].text}",
                indent=False,
                layout=w.Layout(width="auto"),
            )
            for pos, i in enumerate(self.order)
        ]
        return [w.HTML("<em>Tick every option that applies.</em>"), *self.checks]

    def read(self) -> Any:
        return sorted(i for i, c in zip(self.order, self.checks, strict=True) if c.value)

    def restore(self, response: Any) -> None:
        picked = set(response or [])
        for i, c in zip(self.order, self.checks, strict=True):
            c.value = i in picked

    def clear(self) -> None:
        for c in self.checks:
            c.value = False


class _Number(_OneControl):
    empty = ""

    def make(self) -> w.ValueWidget:
        unit = self.q.unit
        return w.Text(
            value=self.empty,
            description=f"Your answer ({unit}):" if unit else "Your answer:",
            placeholder="type a number",
            style={"description_width": "initial"},
            layout=w.Layout(width="22em"),
        )

    def restore(self, response: Any) -> None:
        self.control.value = "" if response is None else str(response)


class _Order(_Input):
    def build(self) -> list[w.Widget]:
        shown = self.q.shuffled_items()
        options = [(PLACEHOLDER, None)] + [(f"{letter(pos)}. {self.q.items[i]}", i) for pos, i in enumerate(shown)]
        self.drops = [
            w.Dropdown(
                options=options,
                value=None,
                description=f"{ORDINALS[n]}:",
                style={"description_width": "3em"},
                layout=w.Layout(width="100%"),
            )
            for n in range(len(self.q.items))
        ]
        listing = "<br>".join(f"{letter(pos)}. {inline_html(self.q.items[i])}" for pos, i in enumerate(shown))
        intro = w.HTML(f"<p class='cart-row-label'>{listing}</p><em>Choose what comes 1st, 2nd, and so on.</em>")
        return [intro, *_with_readback(self.drops)]

    def read(self) -> Any:
        return [d.value for d in self.drops]

    def restore(self, response: Any) -> None:
        for d, value in zip(self.drops, response or [], strict=False):
            if value in range(len(self.q.items)):
                d.value = value

    def clear(self) -> None:
        for d in self.drops:
            d.value = None


class _Match(_Input):
    def build(self) -> list[w.Widget]:
        shown = match_choice_order(self.q, self.learner)
        choices = [(PLACEHOLDER, None)] + [(f"{letter(i)}. {c}", c) for i, c in enumerate(shown)]
        self.drops = [
            w.Dropdown(options=choices, value=None, description="Match:", style={"description_width": "4.5em"},
                       layout=w.Layout(width="100%"))
            for _ in self.q.pairs
        ]
        rows: list[w.Widget] = [w.HTML("<em>Choose a match for each row.</em>")]
        readbacks = _with_readback(self.drops)
        for n, p in enumerate(self.q.pairs, start=1):
            label = w.HTML(f"<p class='cart-row-label'><strong>{n}. {inline_html(p.left)}</strong></p>")
            rows += [label, *readbacks[2 * (n - 1): 2 * n]]
        return rows

    def read(self) -> Any:
        return {p.left: d.value for p, d in zip(self.q.pairs, self.drops, strict=True)}

    def restore(self, response: Any) -> None:
        if isinstance(response, dict):
            valid = set(self.q.match_choices())
            for p, d in zip(self.q.pairs, self.drops, strict=True):
                if response.get(p.left) in valid:
                    d.value = response[p.left]

    def clear(self) -> None:
        for d in self.drops:
            d.value = None


def _with_readback(drops: list[w.Dropdown]) -> list[w.Widget]:
    """Each dropdown followed by the full text of its choice, wrapped: a closed <select> cuts long text."""
    out: list[w.Widget] = []
    for drop in drops:
        readback = w.HTML("")
        readback.add_class("cart-choice-text")

        def show(change: dict, target: w.HTML = readback, source: w.Dropdown = drop) -> None:
            target.value = "" if source.value is None else f"Chosen: {inline_html(source.label)}"

        drop.observe(show, names="value")
        out += [drop, readback]
    return out


INPUTS: dict[str, type[_Input]] = {
    "single": _Radio,
    "truefalse": _Radio,
    "multiple": _Checks,
    "numeric": _Number,
    "ordering": _Order,
    "matching": _Match,
}


def saved_html(attempts: int, restored: bool = False) -> str:
    """Exam mode: the answer is kept, with no hint of whether it is right."""
    note = " (restored from your saved answers)" if restored else ""
    return (
        '<div role="status" aria-live="polite" class="cart-fb cart-fb-saved" '
        'style="border-left:6px solid #0072B2;padding:0.3em 0.8em;margin-top:0.4em">'
        '<p style="margin:0.2em 0"><span aria-hidden="true">💾</span> <strong>Answer saved.</strong> '
        "Feedback comes after you submit the assessment; you can change your answer until then.</p>"
        f'<p class="cart-attempts" style="margin:0.2em 0;font-size:0.9em">Saves: {attempts}{note}</p></div>'
    )


class QuestionWidget:
    """A question's live view; ``record`` saves an attempt and returns the attempt count.

    In exam mode Check becomes "Save answer", feedback waits for the submission (``show_result``),
    and there is no "Show answer".
    """

    def __init__(
        self,
        q: Question,
        number: int,
        record: RecordFn,
        attempts: int = 0,
        last_response: Any = None,
        revealed: bool = False,
        exam: bool = False,
        submitted: bool = False,
        learner: str = "",
    ):
        self.q, self.record, self.attempts, self.exam, self.learner = q, record, attempts, exam, learner
        self.input = INPUTS[q.type](q, learner)
        if exam:
            self.check = w.Button(
                description="Save answer",
                tooltip="Save your answer (feedback after you submit)",
                button_style="primary",
            )
        else:
            self.check = w.Button(description="Check", tooltip="Check your answer", button_style="primary")
        self.retry = w.Button(
            description="Try again" if not exam else "Clear", tooltip="Clear your answer and start again"
        )
        self.confirming = False
        self.last: tuple[Any, bool] | None = None
        self.feedback = w.HTML(value="")
        self.feedback.add_class("cart-feedback")
        self.check.on_click(lambda _: self.on_check())
        self.retry.on_click(lambda _: self.on_retry())
        buttons = [(self.check, "cart-check"), (self.retry, "cart-retry")]
        # Exam mode has no Show answer: building its two buttons anyway cost six widget models a question.
        self.reveal: w.Button | None = None
        self.cancel: w.Button | None = None
        if not exam:
            self.reveal = w.Button(description="Show answer", tooltip="Show the answer and explanation")
            self.cancel = w.Button(description="Cancel", tooltip="Keep trying: do not show the answer")
            self.cancel.layout.display = "none"
            self.reveal.on_click(lambda _: self.on_reveal())
            self.cancel.on_click(lambda _: self.cancel_reveal())
            buttons += [(self.reveal, "cart-reveal"), (self.cancel, "cart-reveal-cancel")]
        for button, cls in buttons:
            button.add_class(cls)
        self.header = w.HTML(header_html(q, number))
        button_row = w.HBox([button for button, _ in buttons])
        button_row.add_class("cart-buttons")
        self.view = w.VBox(
            [self.header, self.input.box, button_row, self.feedback],
            layout=w.Layout(border="1px solid #767676", padding="0.5em 0.9em", margin="0.6em 0", max_width="56em"),
        )
        self.view.add_class("cart-question")
        self.view.add_class("cart-live")
        self.view.add_class(f"cart-type-{q.type}")
        self.view.add_class(f"cart-q-{q.id}")
        if last_response is not None and not gradeable(q, last_response):
            last_response = None  # a saved answer of the wrong shape (an edited file): start empty
        if last_response is not None:
            self.last = (last_response, False)
            self.input.restore(last_response)
            if exam and not submitted:
                self.feedback.value = saved_html(attempts, restored=True)
            else:
                try:
                    self.feedback.value = feedback_html(q, grade(q, last_response), attempts, restored=True)
                except InvalidResponse:
                    self.feedback.value = ""
        elif revealed and not exam:
            self.feedback.value = reveal_html(q, learner)
        if exam and submitted:
            self.lock(True)
            if last_response is None:
                self.feedback.value = unanswered_html(q, learner)

    def on_check(self) -> None:
        self.cancel_reveal(clear=False)
        response = self.input.read()
        try:
            result = grade(self.q, response)
        except InvalidResponse as exc:
            self.feedback.value = message_html(str(exc))
            return
        repeat = self.last is not None and self.last == (_jsonable(response), True) and result.correct
        if not repeat:  # checking the same right answer again is not a new attempt
            self.attempts = self.record(self.q, _jsonable(response), result.correct, False)
        self.last = (_jsonable(response), result.correct)
        self.feedback.value = saved_html(self.attempts) if self.exam else feedback_html(self.q, result, self.attempts)

    def on_retry(self) -> None:
        self.cancel_reveal(clear=False)
        self.input.clear()
        self.feedback.value = ""

    def on_reveal(self) -> None:
        """First press asks (the same button, so keyboard focus stays); the second gives the answer."""
        if self.reveal is None or self.cancel is None:  # exam mode: no answers before Submit
            return
        if not self.confirming:
            self.confirming = True
            self.reveal.description = "Yes, show the answer"
            self.cancel.layout.display = None
            self.feedback.value = confirm_html()
            return
        self.cancel_reveal(clear=False)
        self.record(self.q, None, False, True)
        self.feedback.value = reveal_html(self.q, self.learner)

    def cancel_reveal(self, clear: bool = True) -> None:
        if self.reveal is None or self.cancel is None:
            return
        if self.confirming and clear:
            self.feedback.value = ""
        self.confirming = False
        self.reveal.description = "Show answer"
        self.cancel.layout.display = "none"

    def lock(self, locked: bool) -> None:
        """After an exam is submitted the answers are final until a retake."""
        self.check.disabled = self.retry.disabled = locked
        for child in _descendants(self.input.box):
            if hasattr(child, "disabled"):
                child.disabled = locked

    def show_result(self, response: Any) -> None:
        """Exam submitted: graded feedback for the saved answer (or a note that none was given)."""
        self.lock(True)
        if response is None or not gradeable(self.q, response):
            self.feedback.value = unanswered_html(self.q, self.learner)
            return
        self.feedback.value = feedback_html(self.q, grade(self.q, response), self.attempts)

    def reset(self, number: int | None = None) -> None:
        """A retake: clear the answer, unlock, and optionally renumber."""
        self.input.clear()
        self.feedback.value = ""
        self.attempts = 0
        self.last = None
        self.lock(False)
        if number is not None:
            self.header.value = header_html(self.q, number)


def confirm_html() -> str:
    return (
        '<div role="status" aria-live="polite" class="cart-fb cart-fb-confirm" '
        'style="border-left:6px solid #E69F00;padding:0.3em 0.8em;margin-top:0.4em">'
        '<p style="margin:0.2em 0"><span aria-hidden="true">⚠</span> <strong>Show the answer?</strong> '
        "This question will then stop counting toward your score. Press <strong>Yes, show the answer</strong> "
        "to see it, or <strong>Cancel</strong> to keep trying.</p></div>"
    )


def unanswered_html(q: Question, learner: str = "") -> str:
    return (
        '<div role="status" class="cart-fb cart-fb-wrong" '
        f'style="border-left:6px solid {NO_COLOUR};padding:0.3em 0.8em;margin-top:0.4em">'
        f'<p style="margin:0.2em 0"><span aria-hidden="true">{ICON_NO}</span> <strong>Not answered.</strong> '
        "It counts as wrong.</p>"
        f"{answer_html(q, learner)}{explanation_html(q)}</div>"
    )


def _descendants(widget: w.Widget) -> list[w.Widget]:
    out = [widget]
    for child in getattr(widget, "children", ()):
        out += _descendants(child)
    return out


def _jsonable(response: Any) -> Any:
    """Responses as JSON values, so they can be saved and restored."""
    if isinstance(response, (set, tuple)):
        return sorted(response)
    return response
