"""The progress store against real files: restart, concurrency, corruption, unwritable folders."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
import warnings

import pytest

from course.engine.progress import ProgressStore, ProgressWarning, default_dir, default_learner, safe_name


def test_attempts_survive_a_new_store_like_a_kernel_restart(tmp_path):
    first = ProgressStore(tmp_path, "ana")
    first.record("00", "q1", 1, False)
    first.record("00", "q1", 2, True)
    again = ProgressStore(tmp_path, "ana")
    rows = again.attempts("00", "q1")
    assert [a.response for a in rows] == [1, 2]
    assert again.latest("00", "q1").correct
    summary = again.summary("00", ["q1", "q2"])
    assert summary["correct"] == 1 and summary["answered"] == 1 and summary["total"] == 2
    assert summary["questions"]["q1"]["attempts"] == 2
    assert summary["first_try"] == 0 and not summary["questions"]["q1"]["first_try"]  # right only at the 2nd try
    again.record("00", "q2", 1, True)
    assert again.summary("00", ["q1", "q2"])["first_try"] == 1


def test_answer_after_reveal_does_not_count(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    store.record("00", "q1", None, False, revealed=True)
    store.record("00", "q1", 2, True)
    row = store.summary("00", ["q1"])["questions"]["q1"]
    assert row["revealed"] and row["attempts"] == 1 and not row["correct"]


def test_file_is_valid_json_and_no_temp_files_are_left(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    store.record("00", "q1", {"a": "é"}, True)
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["learner"] == "ana" and data["attempts"][0]["response"] == {"a": "é"}
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def _write_many(args):
    directory, worker = args
    store = ProgressStore(directory, "shared")
    for i in range(25):
        store.record("00", f"w{worker}", i, True)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_write_many, [(str(tmp_path), 1), (str(tmp_path), 2)])
    store = ProgressStore(tmp_path, "shared")
    assert len(store.attempts("00", "w1")) == 25
    assert len(store.attempts("00", "w2")) == 25


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"schema": 0, "attempts": []}),
        json.dumps({"schema": 1, "attempts": [{"lesson": 1}]}),
        "",
    ],
)
def test_corrupt_file_is_kept_aside_with_a_warning(tmp_path, content):
    store = ProgressStore(tmp_path, "ana")
    store.path.write_text(content)
    with pytest.warns(ProgressWarning, match="damaged"):
        assert store.attempts() == []
    aside = list(tmp_path.glob("progress-ana.corrupt-*.json"))
    assert len(aside) == 1 and aside[0].read_text() == content
    store.record("00", "q1", 1, True)
    assert ProgressStore(tmp_path, "ana").latest("00", "q1").correct


def _unwritable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return blocker / "progress"


def test_unwritable_folder_falls_back_to_memory_with_one_warning(tmp_path):
    store = ProgressStore(_unwritable(tmp_path), "ana")
    with pytest.warns(ProgressWarning, match="memory only") as caught:
        store.record("00", "q1", 1, False)
        store.record("00", "q1", 2, True)
    assert len([w for w in caught if issubclass(w.category, ProgressWarning)]) == 1
    assert store.in_memory
    assert [a.response for a in store.attempts("00", "q1")] == [1, 2]


def _as_reader(directory: str, conn) -> None:
    """In a child: drop to an unprivileged user (root ignores permissions), then try to save."""
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store = ProgressStore(directory, "ana")
        store.record("00", "q2", 2, True)
        store.record("00", "q3", 3, True)
    conn.send(
        (
            [a.question for a in store.attempts()],
            store.in_memory,
            [str(w.message) for w in caught if issubclass(w.category, ProgressWarning)],
        )
    )


def test_read_only_folder_keeps_earlier_answers_and_warns_once():
    directory = tempfile.mkdtemp(prefix="cart-ro-")
    try:
        store = ProgressStore(directory, "ana")
        store.record("00", "q1", 1, True)
        os.chmod(directory, 0o555)
        os.chmod(store.path, 0o444)
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_as_reader, args=(directory, child))
        proc.start()
        questions, in_memory, messages = parent.recv()
        proc.join(10)
        assert questions == ["q1", "q2", "q3"] and in_memory
        assert len(messages) == 1 and "memory only" in messages[0]
        assert [a.question for a in ProgressStore(directory, "ana").attempts()] == ["q1"]  # file untouched
    finally:
        os.chmod(directory, 0o755)
        shutil.rmtree(directory)


def test_read_only_file_in_writable_folder_is_replaced_atomically(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    store.record("00", "q1", 1, True)
    os.chmod(store.path, 0o400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.record("00", "q2", 1, True)
    assert len(ProgressStore(tmp_path, "ana").attempts()) == 2


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("CART_COURSE_DATA_DIR", str(tmp_path / "x"))
    assert default_dir() == tmp_path / "x"
    monkeypatch.delenv("CART_COURSE_DATA_DIR")
    assert default_dir().name == "car-t-course"
    monkeypatch.setenv("CART_COURSE_LEARNER", "Zoë Ng")
    assert default_learner() == "Zoë Ng"
    monkeypatch.delenv("CART_COURSE_LEARNER")
    monkeypatch.setenv("JUPYTERHUB_USER", "student7")
    assert default_learner() == "student7"
    assert safe_name("asmith") == "asmith"
    assert safe_name("../../etc/passwd").startswith("etc_passwd+")
    assert safe_name("...").startswith("learner+")


def test_attempts_under_a_renamed_lesson_id_are_read_as_the_new_lesson(tmp_path):
    """A progress file written while the final assessment was ``10_final_assessment`` (paths.RENAMED):
    its answers, its submit and its retake belong to ``11_final_assessment``; the next save writes the new id."""
    from course.core.paths import RENAMED
    from course.engine.lesson import start_lesson

    old, new = "10_final_assessment", "11_final_assessment"
    store = ProgressStore(tmp_path, "ana")
    store.path.write_text(json.dumps({
        "schema": 1,
        "learner": "ana",
        "attempts": [
            {"lesson": old, "question": "q10-five-steps", "response": [0, 1, 2, 3, 4], "correct": True,
             "time": "2026-11-30T10:00:00+00:00", "round": 1},
            {"lesson": "00_start_here", "question": "q00-car-letters", "response": 1, "correct": True,
             "time": "2026-11-30T09:00:00+00:00"},
        ],
        "events": [
            {"lesson": old, "kind": "submit", "round": 1, "detail": {"correct": 1}, "time": "2026-11-30T10:30:00+00:00"},
            {"lesson": old, "kind": "retake", "round": 1, "detail": {}, "time": "2026-11-30T10:31:00+00:00"},
        ],
    }))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an old id is not damage: no warning, nothing set aside
        rows = store.attempts(new)
    assert [(a.lesson, a.question, a.correct, a.round) for a in rows] == [(new, "q10-five-steps", True, 1)]
    assert store.attempts(old) == [] and store.summary(new, ["q10-five-steps"], round=1)["correct"] == 1
    assert [e.kind for e in store.events(new)] == ["submit", "retake"] and store.events(old) == []
    assert [a.lesson for a in store.attempts()] == [new, "00_start_here"]  # other lessons untouched
    final = start_lesson(new, store, exam=True)
    assert final.round == 2 and not final.submitted  # the old retake counts: the learner is in round 2
    store.record(new, "q10-five-steps", [0, 1, 2, 3, 4], True, round=2)
    saved = json.loads(store.path.read_text(encoding="utf-8"))
    assert {a["lesson"] for a in saved["attempts"]} == {new, "00_start_here"}
    assert {e["lesson"] for e in saved["events"]} == {new}
    assert not list(tmp_path.glob("*.corrupt-*")) and RENAMED[old] == new


def test_reads_parse_the_file_once_until_it_changes(tmp_path, monkeypatch):
    """Showing the final assessment reads the store about 90 times: an unchanged file is parsed once."""
    from course.engine import progress

    parsed = []
    real = progress.parse_record
    monkeypatch.setattr(progress, "parse_record", lambda raw, learner: parsed.append(1) or real(raw, learner))
    store = ProgressStore(tmp_path, "ana")
    store.record("00", "q1", 1, True)
    parsed.clear()
    for _ in range(5):
        assert len(store.attempts("00")) == 1 and store.events("00") == []
    assert len(parsed) == 1
    ProgressStore(tmp_path, "ana").record("00", "q2", 2, False)  # another notebook of the same learner
    assert [a.question for a in store.attempts("00")] == ["q1", "q2"]


def test_a_failed_write_leaves_no_phantom_answer_in_what_is_read(tmp_path, monkeypatch):
    import pytest

    from course.engine.progress import ProgressWarning

    ProgressStore(tmp_path, "ana").record("00", "q1", 1, True)
    store = ProgressStore(tmp_path, "ana")  # a new session: nothing of its own in memory yet
    assert len(store.attempts()) == 1  # the parsed file is now shared by readers

    def fail(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_write", fail)
    with pytest.warns(ProgressWarning, match="kept in memory"):
        store.record("00", "q2", 2, True)
    assert [a.question for a in store.attempts()] == ["q1", "q2"]  # once each, not q2 twice
