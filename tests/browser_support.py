"""Shared pieces of the browser tests: skip-or-fail policy, answers derived from the banks, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course.core.paths import ROOT
from course.core.text import letter
from course.engine.questions.model import Question
from tests.harness.browser import chromium_path

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def require_chromium() -> None:
    """Skip without Chromium on a developer machine; in CI (CI=true) a missing browser is a failure."""
    if chromium_path() is None:
        message = "Chromium is not installed (Debian: apt-get install chromium); browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def answers(q: Question) -> tuple[object, object]:
    """A wrong and a right answer for a question, in the form the UI needs (labels to choose)."""
    if q.type == "single":
        right = q.correct_options()[0]
        wrong = next(i for i in range(len(q.options)) if i != right)
        return [_label(q, wrong)], [_label(q, right)]
    if q.type == "multiple":
        right = q.correct_options()
        wrong = right[:1] if len(right) > 1 else right + [i for i in range(len(q.options)) if i not in right][:1]
        return [_label(q, i) for i in wrong], [_label(q, i) for i in right]
    if q.type == "truefalse":
        return ["False" if q.answer else "True"], ["True" if q.answer else "False"]
    if q.type == "numeric":
        wrong = q.answer + max(q.tolerance * 4, abs(q.answer) * 0.1, 1)
        if q.maximum is not None and wrong > q.maximum:
            wrong = q.answer - max(q.tolerance * 4, abs(q.answer) * 0.1, 1)
        return f"{wrong:g}", f"{q.answer:g}"
    if q.type == "ordering":
        shown = {i: pos for pos, i in enumerate(q.shuffled_items())}
        labels = [f"{letter(shown[i])}. {q.items[i]}" for i in range(len(q.items))]
        return labels[1:] + labels[:1], labels
    choices = q.match_choices()
    right = [f"{letter(choices.index(p.right))}. {p.right}" for p in q.pairs]
    return right[1:] + right[:1], right


def _label(q: Question, index: int) -> str:
    return f"{letter(index)}. {q.options[index].text}"


def fill_answer(box, q: Question, answer) -> None:
    """Put an answer into a question's live widget through its labelled controls."""
    if q.type in ("single", "truefalse"):
        box.get_by_label(answer[0], exact=True).check()
    elif q.type == "multiple":
        for checkbox in box.locator(".cart-input input[type=checkbox]").all():
            checkbox.uncheck()
        for label in answer:
            box.get_by_label(label, exact=True).check()
    elif q.type == "numeric":
        field = box.locator(".cart-input input[type=text]")
        field.fill(answer)
        field.press("Tab")  # ipywidgets syncs a Text value on change
    else:
        selects = box.locator(".cart-input select").all()
        assert len(selects) == len(answer)
        for select, label in zip(selects, answer, strict=True):
            select.select_option(label=label)
