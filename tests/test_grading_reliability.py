"""Grading input, saved answers of the wrong type, and export files (attacks G1-G3, E8, E12).

Real lessons, real progress files and real export folders throughout.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import threading
from pathlib import Path

import pytest

from course.core.errors import InvalidResponse
from course.engine.lesson import Lesson
from course.engine.progress import ProgressStore, ProgressWarning
from course.engine.questions import grade
from course.engine.questions.grading import parse_number
from course.engine.questions.model import bank_path, load_bank
from course.engine.results import ExportError, export_document, lesson_result, write_export
from course.engine.views.widgets import QuestionWidget

LESSON = "00_start_here"


# -- G1: European decimals --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("0,5", 0.5), ("0,500", 0.5), ("0,500 mg", 0.5), ("38,0", 38.0), ("-0,25", -0.25), ("12,50", 12.5),
     ("1234,5", 1234.5), ("1.000,5", 1000.5), ("1.000.000", 1e6), ("1,000,000", 1e6), ("1,000.5", 1000.5),
     ("1 000", 1000.0), ("2\u202f500", 2500.0), (",5", 0.5), ("1.125", 1.125)],
)
def test_european_and_grouped_numbers_are_read_as_meant(text, value):
    assert parse_number(text, "mg") == value


@pytest.mark.parametrize("text", ["1,000", "264,000", "264,000 mg", "-1,500"])
def test_ambiguous_commas_are_refused_with_both_readings(text):
    with pytest.raises(InvalidResponse) as info:
        parse_number(text, "mg")
    digits = text.split()[0].lstrip("-")
    whole, part = digits.split(",")
    assert f"{whole}{part}" in str(info.value) and "without the comma" in str(info.value)


def test_an_ambiguous_answer_in_the_widget_is_not_an_attempt():
    q = load_bank(bank_path(LESSON)).get("q00-fever-threshold")
    calls = []
    widget = QuestionWidget(q, 1, lambda *args: calls.append(args) or len(calls))
    widget.input.control.value = "38,000"
    widget.on_check()
    assert calls == [] and "could mean 38000 or 38" in widget.feedback.value
    widget.input.control.value = "38,0"
    widget.on_check()
    assert len(calls) == 1 and calls[0][2] is True  # 38,0 °C is 38.0: right


# -- G2: wrong types are InvalidResponse, never a crash ------------------------------------------------
WRONG = [[[0]], [{"a": 1}], {"x": [1]}, [None], 5, "0", 1.5, True, {"a": {"b": 1}}, [[0], [1]], object()]


def _stable_id(value: object) -> str:
    """repr, except for a bare object, whose repr holds its address (xdist workers must collect the same ids)."""
    return "object()" if type(value) is object else repr(value)


@pytest.mark.parametrize("response", WRONG, ids=_stable_id)
def test_grade_refuses_every_wrong_type_cleanly(response):
    bank = load_bank(bank_path(LESSON))
    for q in bank.questions:
        try:
            grade(q, response)
        except InvalidResponse as exc:
            assert str(exc)


def test_unhashable_matching_and_multiple_responses_are_invalid_input():
    bank = load_bank(bank_path(LESSON))
    matching, multiple = bank.get("q00-watch-for"), bank.get("q00-targets")
    with pytest.raises(InvalidResponse):
        grade(matching, {p.left: [p.right] for p in matching.pairs})
    with pytest.raises(InvalidResponse):
        grade(multiple, [[0]])


# -- G3: a progress file holding wrong-typed answers, read back after a restart ------------------------
SAVED = {"single": [0], "multiple": [[0]], "truefalse": "yes", "numeric": {"v": 1}, "ordering": [[1], [0]],
         "matching": ["a"]}


def _tampered_store(tmp_path: Path, round: int) -> ProgressStore:
    store = ProgressStore(tmp_path / "data", "ana")
    for q in load_bank(bank_path(LESSON)).questions:
        response = {p.left: [p.right] for p in q.pairs} if q.type == "matching" else SAVED[q.type]
        store.record(LESSON, q.id, response, True, round=round)
    return ProgressStore(tmp_path / "data", "ana")  # as after a kernel restart


def test_wrong_typed_saved_answers_restore_as_unanswered_in_practice(tmp_path):
    lesson = Lesson(LESSON, _tampered_store(tmp_path, 0), exam=False)
    for qid in lesson.bank.ids():
        bundle = lesson.question(qid)._repr_mimebundle_()
        assert "text/html" in bundle
        widget = lesson._views[qid]._widget
        shown = widget.input.read()
        values = list(shown.values()) if isinstance(shown, dict) else shown if isinstance(shown, list) else [shown]
        assert widget.feedback.value == "" and all(v in (None, "") for v in values), (qid, shown)
    result = lesson_result(lesson.bank, lesson.store, "practice", 0)
    assert result.correct == 0 and result.total == len(lesson.bank.questions)
    view = lesson.export()._repr_mimebundle_()
    assert "Saved your results (0 of" in view["text/plain"]
    exported = list(Path(os.environ["CART_COURSE_EXPORT_DIR"]).glob("*.json"))
    assert len(exported) == 1 and json.loads(exported[0].read_text())["score"]["correct"] == 0


def test_wrong_typed_saved_answers_survive_exam_submit(tmp_path):
    lesson = Lesson(LESSON, _tampered_store(tmp_path, 1), exam=True)
    for qid in lesson.bank.ids():
        lesson.question(qid)._repr_mimebundle_()
    panel = lesson.score()
    panel.on_submit()
    panel.on_submit()  # confirm: ungradeable answers count as not answered
    assert lesson.submitted and f"0 of {len(lesson.bank.questions)} correct" in panel.result.value
    assert all("Not answered" in w.feedback.value for w in lesson.question_widgets())


# -- E8: exports at the same moment --------------------------------------------------------------------
def _document(learner: str = "ana", size: int = 2000) -> dict:
    bank = load_bank(bank_path(LESSON))
    store = ProgressStore(None, learner)
    doc = export_document(lesson_result(bank, store, "exam", 1), bank.objectives)
    doc["padding"] = "x" * size
    return doc


def test_simultaneous_exports_never_collide(tmp_path):
    folder, fallback = tmp_path / "exports", tmp_path / "fallback"
    document = _document(size=300_000)
    written, errors = [], []
    barrier = threading.Barrier(4)

    def export():
        barrier.wait()
        for _ in range(5):
            try:
                written.append(write_export(document, fallback, folder))
            except OSError as exc:
                errors.append(exc)

    threads = [threading.Thread(target=export) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(set(written)) == 20 and all(p.parent == folder for p in written)
    assert all(json.loads(p.read_text())["padding"] == document["padding"] for p in written)
    assert written[0].name.startswith("ana-00_start_here-exam-round1")
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)  # no temp files left


# -- E12: a full disk ---------------------------------------------------------------------------------
def test_a_full_disk_leaves_no_partial_file_and_a_clear_message(tmp_path, monkeypatch):
    folder, fallback = tmp_path / "exports", tmp_path / "fallback"

    def full_disk(fd):  # delayed allocation: the data was accepted, the flush to disk fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ExportError) as info:
        write_export(_document(), fallback, folder)
    monkeypatch.undo()
    assert "could not be saved" in str(info.value) and "No space left" in str(info.value)
    assert [p for d in (folder, fallback) if d.exists() for p in d.iterdir()] == []


def _export_with_file_size_limit(folder: str, fallback: str, limit: int) -> str:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # writes past it fail with EFBIG
    try:
        write_export(_document(size=200_000), Path(fallback), Path(folder))
    except OSError as exc:
        return f"refused: {exc}"
    return "written"


def test_a_real_file_size_limit_leaves_no_partial_file(tmp_path):
    folder, fallback = tmp_path / "exports", tmp_path / "fallback"
    with multiprocessing.get_context("fork").Pool(1) as pool:
        outcome = pool.apply(_export_with_file_size_limit, (str(folder), str(fallback), 50_000))
    assert outcome.startswith("refused") and "could not be saved" in outcome
    assert [p for d in (folder, fallback) if d.exists() for p in d.iterdir()] == []


def test_lesson_export_reports_a_failure_in_words(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CART_COURSE_EXPORT_DIR", str(blocker / "exports"))
    # The progress folder is blocked too (the export's fallback folder is beside it): the learner is
    # first told that answers are kept in memory only.
    with pytest.warns(ProgressWarning, match="kept in memory only"):
        lesson = Lesson(LESSON, ProgressStore(blocker / "data", "ana"), exam=False)
        text = lesson.export()._repr_mimebundle_()["text/plain"]
    assert "could not be saved" in text and "Not a directory" in text


def test_an_export_for_a_name_with_a_lone_surrogate_is_written(tmp_path):
    document = _document(learner="caf\udce9")
    path = write_export(document, tmp_path / "fallback", tmp_path / "exports")
    assert path.name.isascii() and json.loads(path.read_text(encoding="utf-8"))["learner"] == "caf\udce9"
