"""The class report: regrades every answer, flags tampering and duplicate learners, survives every bad file."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from course.cli import main
from course.core.paths import ROOT
from course.engine.item_analysis import kr20, most_common_wrong, point_biserial, upper_lower
from course.engine.progress import ProgressStore
from course.engine.questions.model import all_banks, bank_path, load_bank
from course.engine.report import (
    BadExport,
    build_report,
    csv_cell,
    display,
    normalise_name,
    objective_gains,
    parallels,
    read_export,
)
from course.engine.results import export_document, lesson_result, write_export

LESSON = "00_start_here"
FILES = Path(__file__).parent / "files" / "exam_report"


@pytest.fixture(scope="module")
def banks():
    return {b.lesson: b for b in all_banks()}


def response(q, right: bool):
    """A response a learner could give: right, or a plausible wrong one."""
    if q.type == "single":
        key = q.correct_options()[0]
        return key if right else (key + 1) % len(q.options)
    if q.type == "multiple":
        return q.correct_options() if right else [i for i in range(len(q.options)) if i not in q.correct_options()][:1]
    if q.type == "truefalse":
        return q.answer if right else not q.answer
    if q.type == "numeric":
        return q.answer if right else q.answer + 2 * q.tolerance + 7
    if q.type == "ordering":
        return list(range(len(q.items))) if right else [1, 0, *range(2, len(q.items))]
    chosen = {p.left: p.right for p in q.pairs}
    if not right:
        chosen[q.pairs[0].left] = q.pairs[1].right
    return chosen


def export(folder: Path, learner: str, rights: dict[str, bool] | float, lesson: str = LESSON, mode: str = "practice",
           round: int = 0, seed: int = 0, bank=None) -> Path:
    """A real export file, made by the code a learner's notebook runs."""
    bank = bank or load_bank(bank_path(lesson))
    rng = random.Random(seed)
    store = ProgressStore(folder / "stores" / f"{learner}-{round}", learner)
    for q in bank.questions:
        right = rights.get(q.id, False) if isinstance(rights, dict) else rng.random() < rights
        store.record(bank.lesson, q.id, response(q, right), right, round=round)
    result = lesson_result(bank, store, mode, round)
    return write_export(export_document(result, bank.objectives, bank), folder / "fb", folder / "exports" / f"{learner}-{round}")


def edit(path: Path, change) -> Path:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
    return path


# ------------------------------------------------------------------------------------------
# Regrading and tampering (R4-R10, nbgrader's submitted-cheat-attempt)
# ------------------------------------------------------------------------------------------

def test_cheat_attempt_all_wrong_with_every_flag_and_the_score_set_to_right_is_regraded_to_zero(tmp_path):
    final = _fixture_bank(tmp_path, "final_bank")
    cheat = FILES / "submitted-cheat-attempt.json"  # an all-wrong export, every flag and the score edited
    doc = json.loads(cheat.read_text())
    assert all(a["correct"] for a in doc["answers"]) and doc["score"]["percent"] == 100
    e = read_export(cheat, {final.lesson: final})
    assert e.correct == 0 and e.percent == 0
    assert len(e.notes) == len(doc["answers"]) + 1  # every flag, and the score block
    report = build_report([cheat], {final.lesson: final})
    assert "tampered (submitted-cheat-attempt.json)" in report.html
    assert "0% (0 of 4)" in report.html


def test_honest_file_is_not_flagged_and_scores_as_the_learner_saw_it(tmp_path, banks):
    bank = banks[LESSON]
    rights = {q.id: i % 2 == 0 for i, q in enumerate(bank.questions)}
    path = export(tmp_path, "ana", rights)
    e = read_export(path, banks)
    assert e.notes == () and e.correct == sum(rights.values()) == json.loads(path.read_text())["score"]["correct"]


def test_a_revealed_answer_never_counts_and_is_not_called_tampering(tmp_path, banks):
    path = export(tmp_path, "ana", 1.0)
    def reveal_first(d):
        d["answers"][0].update(revealed=True, correct=False)
        d["score"]["correct"] -= 1
    edit(path, reveal_first)
    e = read_export(path, banks)
    assert not e.answers[0].correct and e.notes == ()


def test_version_1_files_are_read_and_count_only_what_both_the_file_and_the_regrade_say(tmp_path, banks):
    path = export(tmp_path, "ana", 1.0)
    def to_v1(d):
        d["schema"] = "cart-course-export/1"
        for key in ("login", "bank"):
            d.pop(key)
        for a in d["answers"]:
            a.pop("revealed")
        d["answers"][0]["correct"] = False  # a reveal folded into the flag: not counted, not tampering
        d["answers"][1]["response"] = response(banks[LESSON].get(d["answers"][1]["question"]), False)  # right-flagged, wrong
    edit(path, to_v1)
    e = read_export(path, banks)
    assert not e.answers[0].correct and not e.answers[1].correct
    n = len(banks[LESSON].questions)
    assert e.notes[0].startswith(e.answers[1].question) and f"score says {n} right, regraded {n - 2}" in e.notes[1]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(answers=d["answers"][:1]), "incomplete"),  # R6
        (lambda d: d.update(answers=[d["answers"][0]] * 200), "more than once"),  # R7
        (lambda d: d["answers"].__setitem__(1, d["answers"][0]), "more than once"),
        (lambda d: d["answers"][0].update(question="q00-made-up"), "not in this version"),  # R10
        (lambda d: d.update(lesson="42_not_a_lesson"), "not in this version of the course"),
        (lambda d: d.update(schema="cart-course-export/9"), "not a course export"),
        (lambda d: d.update(bank="0123456789abcdef"), "another version of the questions"),
        (lambda d: d.update(learner=""), "'learner'"),
        (lambda d: d.update(learner="\ud800x"), "surrogate"),  # R30
        (lambda d: d.update(round=-1), "'round'"),
        (lambda d: d.update(round=True), "'round'"),
        (lambda d: d.update(mode="cheat"), "'mode'"),
        (lambda d: d.update(mode="summative"), "private bank"),
        (lambda d: d["answers"][0].update(correct="yes"), "true or false"),
        (lambda d: d["answers"][0].update(revealed=None), "true or false"),
        (lambda d: d.update(exported_at="0"), "'exported_at' must be a date and time"),  # R8: it ordered rounds
    ],
)
def test_each_bad_export_has_a_clear_reason(tmp_path, banks, change, words):
    path = edit(export(tmp_path, "ana", 0.5), change)
    with pytest.raises(BadExport, match=words):
        read_export(path, banks)


def test_hostile_responses_cost_only_that_answer(tmp_path, banks):
    bank = banks[LESSON]
    path = export(tmp_path, "ana", 1.0)
    hostile = [{"a": [1]}, [[1], [2]], "x" * 5000, -1e300, {"__class__": "os.system"}]
    edit(path, lambda d: [a.update(response=hostile[i % len(hostile)]) for i, a in enumerate(d["answers"][:5])])
    e = read_export(path, banks)
    assert [a.correct for a in e.answers[:5]] == [False] * 5
    assert e.correct == len(bank.questions) - 5


# ------------------------------------------------------------------------------------------
# Learners: every round kept, first submitted is the score of record, duplicate claims flagged
# ------------------------------------------------------------------------------------------

def test_first_submitted_round_is_the_score_of_record_and_later_rounds_are_practice(tmp_path, banks):
    first = export(tmp_path, "bo", 0.0, mode="exam", round=1)
    second = export(tmp_path, "bo", 1.0, mode="exam", round=2)
    report = build_report([second, first], banks)
    (learner,) = report.learners
    assert learner.record.round == 1 and learner.record.percent == 0
    assert [e.round for e in learner.exports] == [1, 2]
    assert "exam round 2: 100%" in report.html and "Later rounds (practice)" in report.html
    row = next(csv.DictReader(io.StringIO(report.csv.lstrip("\ufeff"))))
    assert row["Score (%)"] == "0.0" and row["Passed"] == "no" and row["Round"] == "1"


def test_two_files_claiming_one_learner_are_both_shown_and_flagged(tmp_path, banks):  # R8, R9
    real = export(tmp_path, "alice", 1.0, mode="exam", round=1)
    impostor = edit(export(tmp_path, "mallory", 0.0, mode="exam", round=1),
                    lambda d: d.update(learner="Alice ", round=1, login="mallory"))
    edit(real, lambda d: d.update(login="alice"))
    report = build_report([real, impostor], banks)
    (learner,) = report.learners
    assert len(learner.exports) == 2
    flags = " ".join(learner.flags)
    assert "different spellings" in flags and "2 files claim exam round 1" in flags and "different accounts" in flags
    assert report.html.count("⚠") >= 3
    # Which file counts is the instructor's call: no score of record, in the gradebook or the report.
    row = next(csv.DictReader(io.StringIO(report.csv.lstrip("\ufeff"))))
    assert row["Score (%)"] == "" and row["Passed"] == "needs review"
    assert "needs review" in report.html


def test_the_order_of_rounds_comes_from_real_times_not_from_the_files_text(tmp_path, banks):  # R8
    late = edit(export(tmp_path, "cy", 1.0, mode="exam", round=1), lambda d: d.update(exported_at="2026-12-01T08:00:00Z"))
    early = edit(export(tmp_path, "cy", 0.0, mode="exam", round=1, seed=1),
                 lambda d: d.update(exported_at="2026-12-01T09:30:00+02:00"))  # 07:30 UTC: later as text, earlier in time
    (learner,) = build_report([late, early], banks).learners
    assert learner.record.exported_at == "2026-12-01T09:30:00+02:00" and learner.needs_review
    assert normalise_name("  ALICE\u00a0 ") == normalise_name("alice")


# ------------------------------------------------------------------------------------------
# Robustness (issue 9): one bad file is skipped with a reason, never hangs, never wipes a report
# ------------------------------------------------------------------------------------------

def _bad_files(folder: Path) -> dict[str, str]:
    """name -> words of the reason. Made in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bigint.json").write_text('{"schema": "cart-course-export/2", "round": ' + "9" * 5000 + "}")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "latin1.json").write_bytes('{"learner": "José"}'.encode("latin-1"))
    (folder / "nan.json").write_text('{"round": NaN}')
    (folder / "inf.json").write_text('{"round": 1e999}')
    (folder / "huge.json").write_text(" " * 1_000_001)
    (folder / "folder.json").mkdir()
    (folder / "zero.json").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.json")
    return {"bigint.json": "digits", "deep.json": "nested", "latin1.json": "UTF-8", "nan.json": "NaN",
            "inf.json": "too large", "huge.json": "at most", "folder.json": "a folder", "zero.json": "symbolic link",
            "pipe.json": "a pipe"}


def test_every_bad_file_is_skipped_with_its_reason_and_the_rest_go_on(tmp_path, banks):
    folder = tmp_path / "exports"
    reasons = _bad_files(folder)
    good = export(tmp_path, "ana", 1.0)
    signal.alarm(60)  # a pipe or /dev/zero must never hang the run
    try:
        report = build_report(sorted(folder.iterdir()) + [good], banks)
    finally:
        signal.alarm(0)
    assert report.used == 1
    for name, words in reasons.items():
        (line,) = [p for p in report.problems if p.startswith(name)]
        assert words in line, line


def test_an_unreadable_file_is_skipped(tmp_path, banks, monkeypatch):
    path = export(tmp_path, "ana", 1.0)
    def refuse(*args):  # what a mode-000 file gives a non-root instructor (the tests may run as root)
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr("course.engine.report.os.open", refuse)
    report = build_report([path], banks)
    assert report.problems == [f"{path.name}: cannot be read (Permission denied); skipped"]


def test_report_size_stays_bounded_with_made_up_question_ids(tmp_path, banks):  # R20
    folder = tmp_path / "many"
    folder.mkdir()
    template = json.loads(export(tmp_path, "ana", 1.0).read_text())
    for n in range(50):
        doc = dict(template, learner=f"x{n}", answers=[
            {"question": f"q-made-up-{n}-{i}", "objective": "O1", "correct": True, "response": 0, "revealed": False}
            for i in range(200)])
        (folder / f"x{n}.json").write_text(json.dumps(doc))
    report = build_report(sorted(folder.iterdir()) + [export(tmp_path, "bo", 1.0)], banks)
    assert report.used == 1 and len(report.problems) == 50
    after_skipped_list = report.html.split("Files skipped", 1)[1].split("</ul>", 1)[1]
    assert "q-made-up" not in after_skipped_list  # made-up ids are named only in the skip reasons
    assert len(report.html) < 200_000


def test_a_long_path_is_shortened_in_the_middle_and_keeps_its_file_name():
    path = "/srv/home/" + "deep/" * 40 + "ana-05_cytokine_release_syndrome-practice-round0.json"
    shown = display(path, 120)
    assert len(shown) == 120
    assert shown.startswith("/srv/home/deep/") and "…" in shown
    assert shown.endswith("/ana-05_cytokine_release_syndrome-practice-round0.json")
    assert display("short.json", 120) == "short.json"


def test_names_and_file_names_are_printed_safely(tmp_path, capsys):
    weird = os.fsdecode(b"caf\xe9-\x1b]0;pwned\x07.json")
    path = tmp_path / "exports" / weird
    path.parent.mkdir()
    path.write_text("{}")
    assert display(weird) == "caf\\xe9-\\x1b]0;pwned\\x07.json"
    assert main(["report", str(tmp_path / "exports"), "--out", str(tmp_path / "r.html")]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "caf\\xe9" in err


# ------------------------------------------------------------------------------------------
# The command: clear messages, non-zero exits, atomic output, outside the repository by default
# ------------------------------------------------------------------------------------------

def test_command_writes_html_and_csv_and_reads_collected_home_folders(tmp_path, capsys):
    collected = tmp_path / "collected"
    for user in ("ana", "bo", "cy"):
        source = export(tmp_path, user, 0.9, seed=len(user))
        (collected / f"jupyter-{user}").mkdir(parents=True)
        (collected / f"jupyter-{user}" / source.name).write_bytes(source.read_bytes())
    (collected / "broken.json").write_text("nope")
    out = tmp_path / "out" / "report.html"
    assert main(["report", str(collected), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "skipped broken.json: is not valid JSON" in captured.err
    assert "from 3 of 4 file(s)" in captured.out
    rows = list(csv.DictReader(io.StringIO(out.with_suffix(".csv").read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert [r["SIS Login ID"] for r in rows] == ["jupyter-ana", "jupyter-bo", "jupyter-cy"]
    assert "What to teach next" in out.read_text()


@pytest.mark.parametrize("case", ["out-is-folder", "missing-folder", "no-valid-file"])
def test_command_fails_clearly_and_keeps_the_previous_report(tmp_path, capsys, case):
    out = tmp_path / "report.html"
    out.write_text("LAST WEEK")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "bad.json").write_text("[]")
    args = {"out-is-folder": [str(folder), "--out", str(tmp_path)],
            "missing-folder": [str(tmp_path / "typo"), "--out", str(out)],
            "no-valid-file": [str(folder), "--out", str(out)]}[case]
    code = main(["report", *args])
    err = capsys.readouterr().err
    assert code == (1 if case == "no-valid-file" else 2)
    assert {"out-is-folder": "is a folder", "missing-folder": "no such file or folder",
            "no-valid-file": "no valid export file"}[case] in err
    assert out.read_text() == "LAST WEEK"


def test_a_failed_write_leaves_the_previous_report_whole(tmp_path, monkeypatch):  # R30, R32
    out = tmp_path / "report.html"
    out.write_text("LAST WEEK")
    good = export(tmp_path, "ana", 1.0)
    def broken(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("course.cli.report.os.replace", broken)
    assert main(["report", str(good), "--out", str(out)]) == 1
    assert out.read_text() == "LAST WEEK"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_default_report_location_is_outside_the_repository():
    from course.cli.report import DEFAULT_OUT

    assert ROOT not in DEFAULT_OUT.expanduser().resolve().parents


# ------------------------------------------------------------------------------------------
# What to teach next
# ------------------------------------------------------------------------------------------

def test_point_biserial_and_upper_lower_against_hand_computed_values():
    item = [1, 1, 0, 0, 1, 0]
    rest = [5.0, 4.0, 2.0, 1.0, 3.0, 3.0]
    # by hand: sum((i - 0.5)(r - 3)) = 1 + 0.5 + 0.5 + 1 = 3; sum((i - 0.5)^2) = 1.5; sum((r - 3)^2) = 10
    assert point_biserial(item, rest) == pytest.approx(3.0 / (1.5 * 10) ** 0.5)
    assert point_biserial([1, 1, 1], [1.0, 2.0, 3.0]) is None
    total = [6.0, 5.0, 2.0, 1.0, 4.0, 3.0]
    assert upper_lower(item, total) == pytest.approx(1.0 - 0.0)  # top 2 both right, bottom 2 both wrong
    assert upper_lower([1, 0, 1], [1.0, 2.0, 3.0]) is None


def test_kr20_against_a_hand_computed_value_and_in_the_report(tmp_path, banks):
    # totals 3, 2, 1, 0: mean 1.5, variance 1.25; item p = 3/4, 2/4, 1/4, so sum pq = 0.625;
    # KR-20 = 3/2 * (1 - 0.625 / 1.25) = 0.75
    assert kr20([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]) == pytest.approx(0.75)
    assert kr20([[1, 0], [1, 0], [1, 0]]) is None  # every learner the same score
    assert kr20([[1, 0], [0, 1]]) is None  # too few learners
    html = build_report(class_of(tmp_path, banks), banks).html
    assert "Reliability (KR-20, over 12 learners): <strong>" in html


def test_most_common_wrong_answer_names_the_misconception_from_the_option_feedback(banks):
    q = next(q for q in banks[LESSON].questions if q.type == "single")
    key = q.correct_options()[0]
    wrong = (key + 1) % len(q.options)
    other = (key + 2) % len(q.options)
    found = most_common_wrong(q, [wrong, wrong, other, key, None])
    assert found.count == 2 and found.misconception == q.options[wrong].feedback.replace("**", "")
    assert most_common_wrong(q, [key, key]) is None


def test_item_table_shows_choice_counts_difficulty_and_misconception(tmp_path, banks):
    q = next(q for q in banks[LESSON].questions if q.type == "single")
    paths = [export(tmp_path, f"s{n}", {q.id: n < 3}, seed=n) for n in range(5)]
    report = build_report(paths, banks)
    assert f"<td>{q.id}</td><td>{q.objective}</td><td>60%</td>" in report.html
    wrong = q.options[(q.correct_options()[0] + 1) % len(q.options)]
    assert f"{wrong.text[:40]}" in report.html and "(2):" in report.html


def test_gradebook_cells_cannot_become_formulas():
    for payload in ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(payload).startswith("'")
    assert csv_cell("Ana Lima") == "Ana Lima"


def test_gradebook_row_for_a_hostile_name_is_quoted(tmp_path, banks):
    path = edit(export(tmp_path, "x", 1.0), lambda d: d.update(learner="=HYPERLINK(\"http://x\")", login="@evil"))
    report = build_report([path], banks)
    row = next(csv.DictReader(io.StringIO(report.csv.lstrip("\ufeff"))))
    assert row["Student"].startswith("'=") and row["SIS Login ID"] == "'@evil"


# ------------------------------------------------------------------------------------------
# Pre-test to final gain (field ``parallel`` on lesson 00's pre- questions)
# ------------------------------------------------------------------------------------------

def _fixture_bank(tmp_path: Path, name: str):
    """Load a fixture bank whatever the model thinks of ``parallel``: strip it for loading, keep the file."""
    source = FILES / f"{name}.yaml"
    raw = yaml.safe_load(source.read_text())
    for q in raw["questions"]:
        q.pop("parallel", None)
    copy = tmp_path / f"{raw['lesson']}.yaml"
    copy.write_text(yaml.safe_dump(raw, sort_keys=False))
    return replace(load_bank(copy), path=source)


def test_gain_per_objective_from_fixture_banks(tmp_path):
    pre = _fixture_bank(tmp_path, "pre_bank")
    final = _fixture_bank(tmp_path, "final_bank")
    mapping = parallels(pre)
    assert mapping == {"pre-a": "fin-a1", "pre-b": "O2", "pre-c": "O2"}
    banks = {pre.lesson: pre, final.lesson: final}
    paths = []
    # ana: pre all wrong, final all right; bo: pre right on O1 only, final right on O1 only
    paths.append(export(tmp_path, "ana", 0.0, lesson=pre.lesson, bank=pre))
    paths.append(export(tmp_path, "ana", 1.0, lesson=final.lesson, bank=final))
    paths.append(export(tmp_path, "bo", {"pre-a": True}, lesson=pre.lesson, bank=pre))
    paths.append(export(tmp_path, "bo", {"fin-a1": True, "fin-a2": True}, lesson=final.lesson, bank=final))
    paths.append(export(tmp_path, "cy", 1.0, lesson=pre.lesson, bank=pre))  # no final: not counted
    report = build_report(paths, banks)
    gains = objective_gains(pre, mapping, final, [], report.learners)
    by = {g.objective: g for g in gains}
    assert by["O1"].learners == 2 and by["O1"].pre == 50 and by["O1"].post == 100 and by["O1"].normalised == 1.0
    assert by["O2"].pre == 0 and by["O2"].post == 50 and by["O2"].gain == 50
    assert "Pre-test (00_pre_fixture) to final (11_final_assessment)" in report.html
    assert "<td>O2</td><td>2</td><td>0%</td><td>50%</td><td>+50</td>" in report.html


# ------------------------------------------------------------------------------------------
# Charts: each a PNG with alt text, its numbers in the table beside it, all from the regrade
# ------------------------------------------------------------------------------------------

FINAL = "11_final_assessment"


def class_of(tmp_path: Path, banks, size: int = 12) -> list[Path]:
    """A class taking the final: learner n gets each question right with probability (n + 1) / (size + 1)."""
    return [export(tmp_path, f"learner{n:02d}", (n + 1) / (size + 1), lesson=FINAL, seed=n) for n in range(size)]


def _figures(html: str) -> list[tuple[str, str]]:
    """(alt text, PNG bytes) of every <img> in the report, in page order."""
    import base64
    import re
    from html import unescape

    found = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', html)
    return [(unescape(alt), base64.b64decode(data)) for data, alt in found]


def _table_rows(html: str, cls: str) -> list[list[str]]:
    import re
    from html import unescape

    table = re.search(rf'<table class="{cls}">(.*?)</table>', html).group(1)
    body = table.split("<tbody>", 1)[1]
    return [[unescape(re.sub("<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_report_has_histogram_difficulty_and_mastery_charts_with_alt_text(tmp_path, banks):
    report = build_report(class_of(tmp_path, banks), banks)
    figures = _figures(report.html)
    assert len(figures) == 3
    for alt, png in figures:
        assert png.startswith(b"\x89PNG") and len(png) > 2000 and len(alt) > 60
    spread, hardest, mastered = (alt for alt, _ in figures)
    assert spread.startswith("Histogram of 12 learners") and "80% pass mark" in spread
    assert hardest.startswith("Bar chart of the share of learners answering each question right, hardest first")
    assert mastered.startswith("Bar chart of mastery per objective") and "O10" in mastered
    assert report.html.count('class="chart-and-table"') == 3


def test_chart_tables_hold_the_regraded_numbers(tmp_path, banks):
    paths = class_of(tmp_path, banks)
    # tamper one file: every flag says right; the charts must follow the regrade, not the file
    edit(paths[0], lambda d: [a.update(correct=True) for a in d["answers"]])
    report = build_report(paths, banks)
    records = [read_export(p, banks) for p in paths]
    bank = banks[FINAL]
    # score spread: learners per band from the regraded percents
    bands = [0] * 10
    for r in records:
        bands[min(int(r.percent // 10), 9)] += 1
    assert [int(n) for _, n in _table_rows(report.html, "spread")] == bands
    assert sum(bands) == 12 and records[0].percent < 50
    # difficulty: hardest first, each share equal to the regraded answers of that question
    rows = _table_rows(report.html, "difficulty")
    expected = {q.id: sum(r.answers[i].correct for r in records) for i, q in enumerate(bank.questions)}
    assert {qid: int(right.split(" of ")[0]) for qid, _, right in rows} == expected
    shares = [int(p.rstrip("%")) for _, p, _ in rows]
    assert shares == sorted(shares) and len(set(shares)) > 1
    hardest = next(alt for alt, _ in _figures(report.html) if "hardest first" in alt)
    assert f"{rows[0][0]} {rows[0][1]}" in hardest and f"{rows[-1][0]} {rows[-1][1]}" in hardest
    # mastery: learners with at least 80% of the objective's questions right
    for objective, _, _, share in _table_rows(report.html, "mastery"):
        marks = [r.by_objective()[objective] for r in records]
        assert int(share.rstrip("%")) == round(100 * sum(c / t >= 0.8 for c, t in marks) / len(marks))
        assert f"{objective} {share}" in next(alt for alt, _ in _figures(report.html) if "mastery" in alt)


def test_gain_chart_appears_with_pre_test_data_only(tmp_path):
    pre = _fixture_bank(tmp_path, "pre_bank")
    final = _fixture_bank(tmp_path, "final_bank")
    banks = {pre.lesson: pre, final.lesson: final}
    finals = [export(tmp_path, "ana", 1.0, lesson=final.lesson, bank=final),
              export(tmp_path, "bo", {"fin-a1": True}, lesson=final.lesson, bank=final)]
    without = build_report(finals, banks)
    assert not any("pre-test" in alt for alt, _ in _figures(without.html))
    pres = [export(tmp_path, "ana", 0.0, lesson=pre.lesson, bank=pre),
            export(tmp_path, "bo", {"pre-a": True}, lesson=pre.lesson, bank=pre)]
    report = build_report(finals + pres, banks)
    alt = next(alt for alt, _ in _figures(report.html) if "pre-test" in alt)
    # ana: O1 0 -> 100, O2 0 -> 100; bo: O1 100 -> 50 (fin-a1 right, fin-a2 wrong), O2 0 -> 0
    assert "O1 pre-test 50%, final 75%" in alt and "O2 pre-test 0%, final 50%" in alt
    assert _table_rows(report.html, "gains")[1][:5] == ["O2", "2", "0%", "50%", "+50"]


def test_an_old_hand_in_under_the_finals_former_id_is_regraded_against_todays_bank(tmp_path, banks):
    """An export written while the final was ``10_final_assessment`` (course.core.paths.RENAMED): read as
    ``11_final_assessment``, regraded against today's bank, and one learner with the same learner's new files."""
    from course.engine.results import bank_fingerprint

    old = "10_final_assessment"
    bank = banks[FINAL]
    rights = {q.id: i % 3 != 0 for i, q in enumerate(bank.questions)}
    handed_in = export(tmp_path, "ana", rights, lesson=FINAL, round=1, mode="exam")

    def as_written_then(d):  # what the course wrote before the rename: the old id, in the file and in its fingerprint
        d["lesson"] = old
        d["bank"] = bank_fingerprint(replace(bank, lesson=old))
        d["answers"][0]["correct"] = not d["answers"][0]["correct"]  # and one flag edited: the regrade decides
    edit(handed_in, as_written_then)
    e = read_export(handed_in, banks)
    assert e.lesson == FINAL and e.correct == sum(rights.values()) and e.total == len(bank.questions)
    assert len(e.notes) == 1 and e.notes[0].startswith(f"{bank.questions[0].id}: the file says")
    later = export(tmp_path, "ana", 1.0, lesson=FINAL, round=2, mode="exam")
    other = export(tmp_path, "bo", 1.0, lesson=FINAL, round=1, mode="exam")
    report = build_report([handed_in, later, other], banks)
    assert report.problems == [] and report.used == 3
    assert [(x.lesson, x.name, len(x.exports), x.record.round) for x in report.learners] == [
        (FINAL, "ana", 2, 1), (FINAL, "bo", 1, 1)]  # the old file is ana's score of record
    rows = list(csv.reader(io.StringIO(report.csv)))
    assert [r[2] for r in rows[1:]] == [FINAL, FINAL] and old not in report.csv
    assert f"{100 * sum(rights.values()) / len(bank.questions):.1f}" in rows[1]
    # the former id buys no leniency: other questions under the old id are still refused
    edit(handed_in, lambda d: d.update(bank="0123456789abcdef"))
    with pytest.raises(BadExport, match="another version of the questions"):
        read_export(handed_in, banks)


@pytest.mark.browser
def test_report_page_renders_its_charts_in_chromium(tmp_path, banks):
    from tests.browser_support import require_chromium, screenshot_path
    from tests.harness.browser import chromium

    require_chromium()
    paths = class_of(tmp_path, banks) + [export(tmp_path, "late", 0.5, lesson=FINAL, round=2, seed=99)]
    out = tmp_path / "class-report.html"
    out.write_text(build_report(paths, banks).html, encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(out.as_uri())
        images = page.evaluate("""() => [...document.images].map(i => ({w: i.naturalWidth, alt: i.alt,
            shown: i.getBoundingClientRect().width}))""")
        page.screenshot(path=str(screenshot_path("class-report")), full_page=True)
    assert len(images) == 3
    assert all(i["w"] > 300 and i["shown"] > 300 and len(i["alt"]) > 60 for i in images)
