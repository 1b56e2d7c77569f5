"""Printable handouts (python -m course handout): real PDFs printed by headless Chromium, read back as text."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from course.cli import main
from course.cli.handout import handout_html, notebook_html
from course.core.paths import NOTEBOOKS
from course.engine.questions.model import bank_path, load_bank

LESSON = "00_start_here"


def _explanation_phrases() -> list[str]:
    """Six words from the start of every explanation of the lesson's questions (markup removed)."""
    phrases = []
    for q in load_bank(bank_path(LESSON)).questions:
        words = re.sub(r"\[[^\]]*\]|[*_`]", "", q.explanation).split()
        phrases.append(" ".join(words[:6]))
    return phrases


def _normalised(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def test_student_html_drops_every_answer_and_instructor_html_opens_them():
    html = notebook_html(NOTEBOOKS / f"{LESSON}.ipynb")
    student, instructor = handout_html(html, "student", LESSON), handout_html(html, "instructor", LESSON)
    assert html.count('class="cart-answer"') >= 5
    assert 'class="cart-answer"' not in student and "Show answer and explanation" not in student
    assert instructor.count('class="cart-answer"') == html.count('class="cart-answer"')
    assert "<details class=\"cart-answer\" open" in instructor
    assert "lesson.question(" not in student  # code cells are left out
    with pytest.raises(ValueError):
        handout_html(html, "teacher", LESSON)


@pytest.mark.browser
def test_handout_command_prints_a_student_and_an_instructor_pdf(tmp_path, capsys):
    from tests.harness.browser import chromium_path

    missing = [name for name, ok in (("Chromium", chromium_path()), ("pdftotext (poppler-utils)",
                                     shutil.which("pdftotext"))) if not ok]
    if missing:
        message = "the handout test needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert main(["handout", "00", "--out", str(tmp_path)]) == 0
    student, instructor = tmp_path / f"{LESSON}-student.pdf", tmp_path / f"{LESSON}-instructor.pdf"
    assert f"wrote {student}" in capsys.readouterr().out
    texts = {}
    for pdf in (student, instructor):
        assert pdf.read_bytes().startswith(b"%PDF-")
        pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                                  text=True, check=True).stdout).group(1))
        assert pages >= 3, (pdf, pages)
        texts[pdf] = _normalised(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                                check=True).stdout)
    for text in texts.values():  # both: the questions, the figures' captions, the disclaimer
        assert 'what do the letters CAR stand for?' in text
        assert "A. Chimeric antigen receptor" in text
        assert "not medical advice" in text
    phrases = _explanation_phrases()
    assert not [p for p in phrases if p in texts[student]], "answer text in the student handout"
    found = [p for p in phrases if p in texts[instructor]]
    assert len(found) >= len(phrases) - 1, f"explanations missing from the instructor handout: {set(phrases) - set(found)}"
    assert "INSTRUCTOR VERSION" in texts[instructor] and "INSTRUCTOR VERSION" not in texts[student]


def test_handout_for_an_unknown_lesson_fails_clearly(capsys, tmp_path):
    assert main(["handout", "42", "--out", str(tmp_path)]) == 2
    assert "no lesson called '42'" in capsys.readouterr().err
