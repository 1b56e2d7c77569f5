"""Exam mode everywhere: no feedback before Submit, results by objective, export file, retake, restart."""

from __future__ import annotations

import json

import pytest

from course import start_lesson
from course.engine.mode import course_mode
from course.engine.progress import ProgressStore
from course.engine.results import EXPORT_SCHEMA

LESSON = "00_start_here"


@pytest.fixture
def exports(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    monkeypatch.setenv("CART_COURSE_EXPORT_DIR", str(folder))
    return folder


def _exam(tmp_path):
    return start_lesson(LESSON, ProgressStore(tmp_path / "p", "ana"), exam=True)


def _answer(lesson, qid, right=True):
    w = lesson.question(qid).widget()
    q = w.q
    if q.type == "single":
        w.input.radio.value = q.correct_options()[0] if right else (q.correct_options()[0] + 1) % len(q.options)
    elif q.type == "truefalse":
        w.input.radio.value = q.answer if right else not q.answer
    elif q.type == "multiple":
        for i, c in zip(w.input.order, w.input.checks, strict=True):  # display order is the learner's
            c.value = q.options[i].correct if right else not q.options[i].correct
    elif q.type == "numeric":
        w.input.text.value = str(q.answer if right else q.answer + 1)
    elif q.type == "ordering":
        for pos, d in enumerate(w.input.drops):
            d.value = pos if right else (pos + 1) % len(q.items)
    else:
        for p, d in zip(q.pairs, w.input.drops, strict=True):
            d.value = p.right if right else next(c for c in q.match_choices() if c != p.right)
    w.check.click()
    return w


def test_mode_from_variable_and_config_file(monkeypatch, tmp_path):
    monkeypatch.delenv("CART_COURSE_MODE", raising=False)
    monkeypatch.setattr("course.engine.mode.config_dirs", lambda: [tmp_path])
    assert course_mode() == "practice"
    (tmp_path / "car-t-course.json").write_text('{"mode": "exam"}')
    assert course_mode() == "exam"
    (tmp_path / "car-t-course.json").write_text("{broken")
    with pytest.warns(UserWarning, match="not valid JSON"):
        assert course_mode() == "practice"
    monkeypatch.setenv("CART_COURSE_MODE", "EXAM")
    assert course_mode() == "exam"
    monkeypatch.setenv("CART_COURSE_MODE", "quiz")
    with pytest.warns(UserWarning, match="expected practice or exam"):
        assert course_mode() == "practice"


def test_lesson_follows_the_instructor_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("CART_COURSE_MODE", "exam")
    lesson = start_lesson(LESSON, ProgressStore(tmp_path, "ana"))
    assert lesson.exam and lesson.round == 1
    assert lesson.question("q00-car-letters").widget().check.description == "Save answer"


def test_exam_gives_no_feedback_until_submit_then_results_and_export(tmp_path, exports):
    lesson = _exam(tmp_path)
    score = lesson.score()
    w = _answer(lesson, "q00-car-letters", right=False)
    assert "Answer saved" in w.feedback.value and "✘" not in w.feedback.value and "Why:" not in w.feedback.value
    assert "Show answer" not in [b.description for b in w.view.children[2].children]
    for qid in ("q00-targets", "q00-off-the-shelf", "q00-fever-threshold", "q00-five-steps"):
        _answer(lesson, qid)
    n = len(lesson.bank.questions)
    assert f"5 of {n}" in score.status.value
    score.submit.click()
    assert f"{n - 5} question(s) are not answered" in score.result.value
    assert not lesson.submitted
    score.submit.click()
    assert lesson.submitted and score.submit.disabled
    assert f"4 of {n} correct" in score.result.value and "Not passed yet" in score.result.value
    assert "<img" in score.result.value and "pass mark" in score.result.value
    assert "✘" in w.feedback.value and "Why:" not in w.feedback.value  # wrong: feedback, no explanation
    assert w.check.disabled and w.input.radio.disabled
    files = list(exports.glob("*.json"))
    assert len(files) == 1
    doc = json.loads(files[0].read_text())
    assert doc["schema"] == EXPORT_SCHEMA and doc["learner"] == "ana" and doc["round"] == 1
    assert doc["score"] == {
        "correct": 4, "total": n, "percent": round(400 / n, 1), "pass_mark_percent": 80, "passed": False
    }
    assert doc["by_objective"]["O1"] == {"correct": 1, "total": 2}


def test_restart_after_submit_shows_results_and_retake_starts_a_new_round(tmp_path, exports):
    lesson = _exam(tmp_path)
    lesson.score()
    for qid in lesson.bank.ids():
        _answer(lesson, qid)
    lesson._score_views[0].on_submit()
    again = start_lesson(LESSON, ProgressStore(tmp_path / "p", "ana"), exam=True)
    panel = again.score()
    n = len(again.bank.questions)
    assert again.submitted and f"{n} of {n} correct" in panel.result.value and "Passed" in panel.result.value
    w = again.question("q00-targets").widget()
    assert w.check.disabled and "✔" in w.feedback.value
    panel.retake.click()
    assert again.round == 2 and not again.submitted
    assert w.feedback.value == "" and not w.check.disabled
    assert "round 2 (in progress)" in panel.status.value and f"0 of {n}" in panel.status.value


def test_assessment_view_shuffles_on_retake(tmp_path):
    lesson = _exam(tmp_path)
    view = lesson.assessment()
    first = [c._dom_classes for c in view.questions.children]
    n = len(lesson.bank.questions)
    assert len(first) == n
    bundle = view._repr_mimebundle_()
    assert bundle["text/html"].count("cart-static") == n
    panel = lesson.score()
    panel.submit.click()
    panel.submit.click()
    panel.retake.click()
    second = [c._dom_classes for c in view.questions.children]
    assert sorted(map(str, first)) == sorted(map(str, second)) and first != second
    assert "Question 1" in view.questions.children[0].children[0].value


def test_practice_export_and_read_only_export_folder(tmp_path, monkeypatch):
    lesson = start_lesson(LESSON, ProgressStore(tmp_path / "p", "ana"), exam=False)
    _answer(lesson, "q00-car-letters")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CART_COURSE_EXPORT_DIR", str(blocker / "sub"))
    view = lesson.export()
    assert view.path.parent == tmp_path / "p" / "exports"  # fell back to the data folder
    doc = json.loads(view.path.read_text())
    assert doc["mode"] == "practice" and doc["score"]["correct"] == 1
    assert f"1 of {len(lesson.bank.questions)} correct" in view._repr_mimebundle_()["text/plain"]


def test_static_view_is_the_same_in_both_modes(tmp_path):
    practice = start_lesson(LESSON, ProgressStore(tmp_path / "a", "ana"), exam=False).score()._repr_mimebundle_()
    exam = start_lesson(LESSON, ProgressStore(tmp_path / "b", "ana"), exam=True).score()._repr_mimebundle_()
    assert practice["text/html"] == exam["text/html"]
    practice_q = start_lesson(LESSON, ProgressStore(tmp_path / "a", "ana"), exam=False).question("q00-targets")
    exam_q = start_lesson(LESSON, ProgressStore(tmp_path / "b", "ana"), exam=True).question("q00-targets")
    assert practice_q._repr_mimebundle_()["text/html"] == exam_q._repr_mimebundle_()["text/html"]
