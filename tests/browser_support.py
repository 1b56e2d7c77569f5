"""Shared pieces of the browser tests: skip-or-fail policy, answers derived from the banks, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course.core.paths import ROOT
from course.core.text import letter
from course.engine.questions.model import Question
from course.engine.questions.order import match_choice_order, option_order
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


# The learner tests/harness/serve.py sets for JupyterLab: options are shown in this learner's order.
BROWSER_LEARNER = "browser"


def answers(q: Question, learner: str = BROWSER_LEARNER) -> tuple[object, object]:
    """A wrong and a right answer for a question, as ``learner`` sees it (the labels to choose)."""
    if q.type == "single":
        right = q.correct_options()[0]
        wrong = next(i for i in range(len(q.options)) if i != right)
        return [_label(q, wrong, learner)], [_label(q, right, learner)]
    if q.type == "multiple":
        right = q.correct_options()
        wrong = right[:1] if len(right) > 1 else right + [i for i in range(len(q.options)) if i not in right][:1]
        return [_label(q, i, learner) for i in wrong], [_label(q, i, learner) for i in right]
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
    choices = match_choice_order(q, learner)
    right = [f"{letter(choices.index(p.right))}. {p.right}" for p in q.pairs]
    return right[1:] + right[:1], right


def _label(q: Question, index: int, learner: str) -> str:
    """The option's label as shown: its letter is its position in the learner's order."""
    return f"{letter(option_order(q, learner).index(index))}. {q.options[index].text}"


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


# Every answer control of the visible notebook must show all of its text: the measure below finds
# text cut (scrollWidth/Height beyond the box), labels drawn over the next label, and inputs
# (radio circles, checkboxes) that sit outside their own label's box. Returns readable findings.
FIT_PROBLEMS_JS = """
(panel) => {
  const out = [];
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const where = (e) => { const q = e.closest('.cart-question'); const id = q ? [...q.classList].find(c => c.startsWith('cart-q-')) : '?';
                         return id + ': ' + (e.textContent || e.value || '').trim().slice(0, 50); };
  const root = document.querySelector(panel);
  const labels = [...root.querySelectorAll(
      '.cart-question .cart-input label, .cart-question .cart-input .widget-label-basic span, .cart-question .cart-row-label,'
    + ' .cart-question .cart-choice-text, .cart-question button, .cart-twin .cart-q-options')].filter(visible);
  for (const e of labels) {
    if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 2)
      out.push('text cut: ' + where(e) + ` (${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight})`);
    const r = e.getBoundingClientRect();
    const box = e.closest('.cart-question').getBoundingClientRect();
    if (r.right > box.right + 1 || r.left < box.left - 1) out.push('outside its question: ' + where(e));
  }
  for (const group of root.querySelectorAll('.cart-question .widget-radio-box')) {
    const rows = [...group.querySelectorAll('label')].filter(visible);
    rows.forEach((row, i) => {
      const r = row.getBoundingClientRect();
      const input = row.querySelector('input');
      const ir = input.getBoundingClientRect();
      if (ir.top < r.top - 1 || ir.bottom > r.bottom + 1 || ir.left < r.left - 1 || ir.right > r.right + 1)
        out.push('radio outside its label: ' + where(row));
      if (i + 1 < rows.length && rows[i + 1].getBoundingClientRect().top < r.bottom - 1)
        out.push('label overlaps the next: ' + where(row));
      // Only where the notebook's own scroll area shows the radio: above or below it, JupyterLab's
      // toolbar and status bar lie over every cell, which says nothing about the question's layout.
      const x = ir.left + ir.width / 2, y = ir.top + ir.height / 2;
      const view = (root.querySelector('.jp-WindowedPanel-outer') || root).getBoundingClientRect();
      if (y < view.top || y > view.bottom || x < view.left || x > view.right) return;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit !== input && !row.contains(hit)) out.push('radio covered: ' + where(row) + ' (by ' + hit.className + ')');
    });
  }
  for (const row of root.querySelectorAll('.cart-question .widget-checkbox label.widget-label-basic')) {
    if (!visible(row)) continue;
    const r = row.getBoundingClientRect(), ir = row.querySelector('input').getBoundingClientRect();
    if (ir.top < r.top - 1 || ir.bottom > r.bottom + 1) out.push('checkbox outside its label: ' + where(row));
  }
  return out;
}
"""


def choose_longest(box) -> None:
    """In every dropdown of a question, choose its longest option: the hardest text to show."""
    for select in box.locator(".cart-input select").all():
        labels = [o.text_content() for o in select.locator("option").all()]
        select.select_option(label=max(labels, key=len))
