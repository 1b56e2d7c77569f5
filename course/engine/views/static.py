"""Static views of a question: the ``text/html`` nbviewer shows and a readable ``text/plain``.

Options are lettered in the text itself (nbconvert's CSS renumbers ``<ol type="A">``), and the
answer with every option's feedback sits inside ``<details>`` so a reader can reveal it.
"""

from __future__ import annotations

from html import escape

from course.core.references import cite_html, keys_in, render_bracket_keys
from course.core.text import inline_html as _inline
from course.core.text import letter, plain
from course.engine.questions.grading import with_unit
from course.engine.questions.model import Bank, Question
from course.engine.questions.order import match_choice_order, option_order


def inline_html(text: str) -> str:
    """Safe inline HTML with any ``[key]`` citation shown as the lesson's numbered mark."""
    return render_bracket_keys(_inline(text))

ICON_OK = "✔"
ICON_NO = "✘"
# The box, the meta line and the sources line are drawn by the course stylesheet (``live.COURSE_CSS``,
# classes ``cart-static``, ``cart-q-meta``, ``cart-q-refs``): one rule a page instead of the same
# inline style on every question (about 40 bytes of style a question saved per element).


def header_html(q: Question, number: int) -> str:
    """Question number, type and objective, then the stem."""
    return (
        f'<p class="cart-q-meta">'
        f"<strong>Question {number}</strong> · {escape(q.type_name)} · objective {escape(q.objective)}</p>"
        f'<div class="cart-q-stem">{inline_html(q.stem)}</div>'
    )


def _verdict(ok: bool) -> str:
    return (
        f'<span aria-hidden="true">{ICON_OK}</span> <strong>Right</strong>'
        if ok
        else (f'<span aria-hidden="true">{ICON_NO}</span> <strong>Wrong</strong>')
    )


def choices_html(q: Question) -> str:
    """What the learner chooses from, lettered or numbered in the text."""
    if q.type in ("single", "multiple"):
        hint = "Choose one." if q.type == "single" else "Tick every option that applies."
        rows = "<br>".join(f"{letter(i)}. {inline_html(o.text)}" for i, o in enumerate(q.options))
        return f'<p class="cart-q-hint"><em>{hint}</em></p><p class="cart-q-options">{rows}</p>'
    if q.type == "truefalse":
        return '<p class="cart-q-options">True or false?</p>'
    if q.type == "numeric":
        unit = f" in {escape(q.unit)}" if q.unit else ""
        return f'<p class="cart-q-options">Give a number{unit}.</p>'
    if q.type == "ordering":
        rows = "<br>".join(f"{letter(pos)}. {inline_html(q.items[i])}" for pos, i in enumerate(q.shuffled_items()))
        return f'<p class="cart-q-hint"><em>Put these in order.</em></p><p class="cart-q-options">{rows}</p>'
    rows = "<br>".join(f"{n}. {inline_html(p.left)}" for n, p in enumerate(q.pairs, start=1))
    choices = "<br>".join(f"{letter(i)}. {inline_html(c)}" for i, c in enumerate(q.match_choices()))
    return (
        '<p class="cart-q-hint"><em>Match each numbered item with one lettered choice.</em></p>'
        f'<p class="cart-q-options">{rows}</p><p class="cart-q-options">Choices:<br>{choices}</p>'
    )


def answer_html(q: Question, learner: str = "") -> str:
    """The answer and every part's feedback, as HTML (inside <details> in the static view).

    Letters follow the order ``learner`` sees (``order.py``; the bank's order without a learner),
    and every answer also names the option's text, so it never depends on a letter alone.
    """
    if q.type in ("single", "multiple"):
        shown = [(letter(pos), q.options[i]) for pos, i in enumerate(option_order(q, learner))]
        right = "; ".join(f"{mark}. {inline_html(o.text)}" for mark, o in shown if o.correct)
        items = "".join(
            f"<li>{mark}. {inline_html(o.text)}: {_verdict(o.correct)}. {inline_html(o.feedback)}</li>"
            for mark, o in shown
        )
        return f"<p><strong>Answer: {right}</strong></p><ul>{items}</ul>"
    if q.type == "truefalse":
        return (
            f"<p><strong>Answer: {'True' if q.answer else 'False'}</strong></p><ul>"
            f"<li>True: {_verdict(q.answer is True)}. {inline_html(q.feedback_true)}</li>"
            f"<li>False: {_verdict(q.answer is False)}. {inline_html(q.feedback_false)}</li></ul>"
        )
    if q.type == "numeric":
        tol = f" (within ±{q.tolerance:g})" if q.tolerance else ""
        errors = "".join(
            f"<li>If you got {escape(with_unit(e.value, q.unit))}: {inline_html(e.feedback)}</li>"
            for e in q.common_errors
        )
        extra = f"<ul>{errors}</ul>" if errors else ""
        return f"<p><strong>Answer: {escape(with_unit(q.answer, q.unit))}{tol}</strong></p>{extra}"
    if q.type == "ordering":
        shown = {i: letter(pos) for pos, i in enumerate(q.shuffled_items())}
        right = ", ".join(shown[i] for i in range(len(q.items)))
        items = "".join(
            f"<li>{n}. {inline_html(item)}: {inline_html(fb)}</li>"
            for n, (item, fb) in enumerate(zip(q.items, q.item_feedback, strict=True), start=1)
        )
        return f"<p><strong>Answer: {right}</strong></p><ul style=\"list-style:none;padding-left:1em\">{items}</ul>"
    choices = match_choice_order(q, learner)
    items = "".join(
        f"<li>{n}. {inline_html(p.left)} → {letter(choices.index(p.right))}. {inline_html(p.right)}: "
        f"{inline_html(p.feedback)}</li>"
        for n, p in enumerate(q.pairs, start=1)
    )
    return f"<p><strong>Answer</strong></p><ul>{items}</ul>"


def explanation_html(q: Question) -> str:
    """The explanation, then the question's sources numbered as in the lesson's reference list.

    Sources the explanation already cites are not listed again (the same marks twice cost about
    4 KB a notebook); a line names the others, and there is no line when none are left.
    """
    text = inline_html(q.explanation)
    why = f'<p class="cart-q-why"><strong>Why:</strong> {text}</p>'
    cited = set(keys_in(text))
    rest = [k for k in q.references if k not in cited]
    if not rest:
        return why
    label = "Further sources" if cited else "Sources"
    return f'{why}<p class="cart-q-refs">{label}: {cite_html(rest)}</p>'



def question_html(q: Question, number: int) -> str:
    """The whole static view: header, choices, and the answer behind 'Show answer'."""
    return (
        f'<div class="cart-question cart-static" data-question-id="{escape(q.id)}">'
        f"{header_html(q, number)}{choices_html(q)}"
        '<details class="cart-answer"><summary>Show answer and explanation</summary>'
        f"{answer_html(q)}{explanation_html(q)}</details></div>"
    )


def question_text(q: Question, number: int) -> str:
    """A readable plain-text view for consoles and text-only renderers."""
    lines = [f"Question {number} ({q.type_name}, objective {q.objective}): {plain(q.stem)}"]
    if q.type in ("single", "multiple"):
        lines += [f"  {letter(i)}. {plain(o.text)}" for i, o in enumerate(q.options)]
    elif q.type == "truefalse":
        lines.append("  True or false?")
    elif q.type == "numeric":
        lines.append(f"  Answer in {q.unit}." if q.unit else "  Answer with a number.")
    elif q.type == "ordering":
        lines += [f"  {letter(pos)}. {plain(q.items[i])}" for pos, i in enumerate(q.shuffled_items())]
    else:
        lines += [f"  {n}. {plain(p.left)}" for n, p in enumerate(q.pairs, start=1)]
        lines.append("  Choices: " + "; ".join(f"{letter(i)}. {c}" for i, c in enumerate(q.match_choices())))
    lines.append("  (To answer, run the notebook's cells in JupyterLab: Run > Run All Cells.)")
    return "\n".join(lines)


def short_title(q: Question, words: int = 9) -> str:
    """The first words of the stem: enough to tell score-table rows apart."""
    parts = plain(q.stem).split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def score_table_html(bank: Bank, order: list[str] | None = None) -> str:
    """The lesson's static score table, the same in practice and exam mode: nbviewer never depends on the mode.

    ``order`` is the reading order of the question ids (default: the bank's order).
    """
    questions = [bank.get(i) for i in order] if order else bank.questions
    rows = "".join(
        f"<tr><td>{n}</td><td>{escape(short_title(q))}</td><td>{escape(q.type_name)}</td><td>{escape(q.objective)}</td></tr>"
        for n, q in enumerate(questions, start=1)
    )
    return (
        f'<div class="cart-score-static"><p><strong>This lesson has {len(questions)} questions.'
        "</strong> Once the notebook runs, your own score appears here; it is saved as you answer.</p>"
        f'<table><thead><tr><th scope="col">Question</th><th scope="col">Begins</th><th scope="col">Type</th>'
        f'<th scope="col">Objective</th></tr></thead><tbody>{rows}</tbody></table></div>'
    )
