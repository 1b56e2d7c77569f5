"""The class report from learners' export files: aggregates right, escapes everything, skips bad files."""

from __future__ import annotations

import json
import random

import pytest

from course.cli import main
from course.engine.progress import ProgressStore
from course.engine.questions.model import bank_path, load_bank
from course.engine.report import BadExport, build_report, read_export
from course.engine.results import export_document, lesson_result, write_export

LESSON = "00_start_here"


def make_exports(folder, learners: int = 24, seed: int = 7) -> list:
    """Real export files, made by the same code a learner's notebook uses, with varied answers."""
    bank = load_bank(bank_path(LESSON))
    rng = random.Random(seed)
    paths = []
    for n in range(learners):
        store = ProgressStore(folder / "stores", f"student{n:02d}")
        skill = rng.random()
        for q in bank.questions:
            right = rng.random() < 0.35 + 0.6 * skill
            if q.type == "single":
                response = q.correct_options()[0] if right else (q.correct_options()[0] + 1) % len(q.options)
            elif q.type == "multiple":
                response = q.correct_options() if right else [0, 2]
            elif q.type == "truefalse":
                response = q.answer if right else not q.answer
            elif q.type == "numeric":
                response = q.answer if right else q.answer + 2
            elif q.type == "ordering":
                response = list(range(len(q.items))) if right else [1, 0, *range(2, len(q.items))]
            else:
                response = {p.left: p.right for p in q.pairs}
                if not right:
                    response[q.pairs[0].left] = q.pairs[1].right
            store.record(LESSON, q.id, response, right)
        result = lesson_result(bank, store, "practice", 0)
        paths.append(write_export(export_document(result, bank.objectives), folder / "fallback", folder / "exports"))
    return paths


def test_report_from_24_learners_with_bad_and_hostile_files(tmp_path):
    good = make_exports(tmp_path)
    hostile = json.loads(good[0].read_text())
    hostile["learner"] = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    (tmp_path / "exports" / "hostile.json").write_text(json.dumps(hostile))
    (tmp_path / "exports" / "broken.json").write_text("{not json")
    (tmp_path / "exports" / "other.json").write_text(json.dumps({"schema": "something-else"}))
    (tmp_path / "exports" / "huge.json").write_text(" " * 1_000_001)
    wrong_type = json.loads(good[1].read_text())
    wrong_type["answers"][0]["correct"] = "yes"
    (tmp_path / "exports" / "wrong-type.json").write_text(json.dumps(wrong_type))
    files = sorted((tmp_path / "exports").glob("*.json"))
    html, problems = build_report(files)
    assert len(problems) == 4
    assert {p.split(":")[0] for p in problems} == {"broken.json", "other.json", "huge.json", "wrong-type.json"}
    assert "<script>" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in html
    assert "25 learner result(s) used" in html
    assert html.count("<img") == 3 and 'alt="Bar chart of the percent' in html
    for qid in load_bank(bank_path(LESSON)).ids():
        assert qid in html
    assert "Objective mastery" in html and "Score distribution" in html


def test_difficulty_numbers_are_right(tmp_path):
    paths = make_exports(tmp_path, learners=4, seed=1)
    docs = [json.loads(p.read_text()) for p in paths]
    right = sum(a["correct"] for d in docs for a in d["answers"] if a["question"] == "q00-car-letters")
    html, _ = build_report(paths)
    assert f"<td>q00-car-letters</td><td>{100 * right / 4:.0f}%</td><td>4</td>" in html


def test_latest_round_per_learner_is_used(tmp_path):
    paths = make_exports(tmp_path, learners=1)
    doc = json.loads(paths[0].read_text())
    doc["round"] = 2
    for a in doc["answers"]:
        a["correct"] = True
    later = tmp_path / "later.json"
    later.write_text(json.dumps(doc))
    html, _ = build_report([paths[0], later])
    assert "1 learner result(s) used" in html and "100% (practice, round 2)" in html


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d.update(learner=""), "'learner'"),
        (lambda d: d.update(lesson="../../etc"), "'lesson'"),
        (lambda d: d.update(round=-1), "'round'"),
        (lambda d: d.update(answers=[]), "'answers'"),
        (lambda d: d["answers"][0].update(question="Q!"), "question id"),
        (lambda d: d["answers"][0].update(objective="X"), "objective id"),
        (lambda d: d.update(objectives={"O1": 5}), "'objectives'"),
        (lambda d: d.update(mode="cheat"), "'mode'"),
    ],
)
def test_each_bad_field_has_a_clear_reason(tmp_path, mutate, words):
    doc = json.loads(make_exports(tmp_path, learners=1)[0].read_text())
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(BadExport, match=words):
        read_export(path)


def test_report_command_reads_a_folder_and_goes_on_past_bad_files(tmp_path, capsys):
    make_exports(tmp_path, learners=3)
    (tmp_path / "exports" / "broken.json").write_text("nope")
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "exports"), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "skipped broken.json: is not valid JSON" in captured.err
    assert "from 3 of 4 file(s)" in captured.out
    assert "3 learner result(s) used" in out.read_text()


def test_no_valid_files_still_makes_a_report(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("[]")
    html, problems = build_report([bad, tmp_path / "missing.json"])
    assert "No valid export files" in html and len(problems) == 2
