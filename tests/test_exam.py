"""Exam mode everywhere: no feedback before Submit, results by objective, export file, retake, restart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course import start_lesson
from course.core.errors import CourseDataError
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
        w.input.control.value = q.correct_options()[0] if right else (q.correct_options()[0] + 1) % len(q.options)
    elif q.type == "truefalse":
        w.input.control.value = q.answer if right else not q.answer
    elif q.type == "multiple":
        for i, c in zip(w.input.order, w.input.checks, strict=True):  # display order is the learner's
            c.value = q.options[i].correct if right else not q.options[i].correct
    elif q.type == "numeric":
        w.input.control.value = str(q.answer if right else q.answer + 1)
    elif q.type == "ordering":
        for pos, d in enumerate(w.input.drops):
            d.value = pos if right else (pos + 1) % len(q.items)
    else:
        for p, d in zip(q.pairs, w.input.drops, strict=True):
            d.value = p.right if right else next(c for c in q.match_choices() if c != p.right)
    w.check.click()
    return w


@pytest.fixture
def config(monkeypatch, tmp_path):
    """A system folder (the instructor's) and a user folder (the student's), both empty."""
    system, user = tmp_path / "etc-jupyter", tmp_path / "home-jupyter"
    system.mkdir()
    user.mkdir()
    monkeypatch.delenv("CART_COURSE_MODE", raising=False)
    monkeypatch.setattr("course.engine.mode.system_config_dirs", lambda: [system])
    monkeypatch.setattr("course.engine.mode.user_config_dirs", lambda: [user])
    return system, user


def test_mode_from_variable_and_user_config_file_without_an_instructor_setting(config, monkeypatch):
    _, user = config
    assert course_mode() == "practice"
    (user / "car-t-course.json").write_text('{"mode": "exam"}')
    assert course_mode() == "exam"
    (user / "car-t-course.json").write_text("{broken")
    with pytest.warns(UserWarning, match="not valid JSON"):
        assert course_mode() == "practice"
    monkeypatch.setenv("CART_COURSE_MODE", "EXAM")
    assert course_mode() == "exam"
    monkeypatch.setenv("CART_COURSE_MODE", "quiz")
    with pytest.warns(UserWarning, match="expected practice or exam"):
        assert course_mode() == "practice"


def test_the_instructors_system_setting_wins_over_the_students_home_and_environment(config, monkeypatch):  # E10, E6
    system, user = config
    (system / "car-t-course.json").write_text('{"mode": "exam"}')
    (user / "car-t-course.json").write_text('{"mode": "practice"}')
    assert course_mode() == "exam"
    monkeypatch.setenv("CART_COURSE_MODE", "practice")
    with pytest.warns(UserWarning, match="is ignored"):
        assert course_mode() == "exam"


@pytest.mark.parametrize("text", ['{"mode": "exam",}', '["exam"]', '{"mod": "exam"}', '{"mode": "exams"}', "",
                                  '{"mode": "exam", "extra": 1}'])
def test_a_broken_instructor_file_fails_closed_to_exam_mode(config, monkeypatch, text):  # E11
    system, _ = config
    (system / "car-t-course.json").write_text(text)
    monkeypatch.setenv("CART_COURSE_MODE", "practice")
    with pytest.warns(UserWarning, match="using exam mode"):
        assert course_mode() == "exam"


def test_system_folders_are_not_taken_from_the_environment(monkeypatch, tmp_path):
    from course.engine.mode import system_config_dirs, user_config_dirs

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "also-mine"))
    assert Path("/etc/jupyter") in system_config_dirs()
    assert not any(str(tmp_path) in str(p) for p in system_config_dirs())
    assert tmp_path / "mine" in user_config_dirs() and tmp_path / "also-mine" in user_config_dirs()


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
    for qid in lesson.bank.ids():
        if not lesson.summary()["questions"][qid]["attempts"]:
            _answer(lesson, qid, right=False)
    score.submit.click()
    assert lesson.submitted and score.submit.disabled
    assert f"4 of {n} correct" in score.result.value and "Not passed yet" in score.result.value
    assert "<img" in score.result.value and "pass mark" in score.result.value
    assert "✘" in w.feedback.value and "Why:" not in w.feedback.value  # wrong: feedback, no explanation
    assert w.check.disabled and w.input.control.disabled
    files = list(exports.glob("*.json"))
    assert len(files) == 1
    doc = json.loads(files[0].read_text())
    assert doc["schema"] == EXPORT_SCHEMA and doc["learner"] == "ana" and doc["round"] == 1
    assert doc["score"] == {
        "correct": 4, "total": n, "percent": round(400 / n, 1), "pass_mark_percent": 80, "passed": False
    }
    assert doc["by_objective"]["O1"] == {"correct": 1, "total": 2}


def _shown_keys(lesson) -> list[str]:
    """Question ids whose live feedback shows an answer or an explanation."""
    return [qid for qid in lesson.bank.ids()
            if any(word in lesson.question(qid).widget().feedback.value for word in ("Answer:", "Why:", "✔", "✘"))]


def test_blank_submit_is_refused_and_shows_no_key(tmp_path, exports):  # E5
    lesson = start_lesson("11_final_assessment", ProgressStore(tmp_path / "p", "ana"), exam=True)
    view = lesson.assessment()
    score = lesson.score()
    for _ in range(3):  # pressing again (the old confirmation) changes nothing
        score.submit.click()
    total = len(lesson.bank.questions)
    assert f"{total} of {total} question(s) have no answer yet" in score.result.value
    assert 'role="alert"' in score.result.value
    assert not lesson.submitted and not score.submit.disabled and not list(exports.glob("*.json"))
    assert _shown_keys(lesson) == [] and "Result" not in score.result.value
    # answer all but one; the message names the open question by the number the learner sees
    order = view.order()
    for qid in order[:-1]:
        _answer(lesson, qid, right=False)
    score.submit.click()
    assert f"1 of {total} question(s) have no answer yet</strong> (question {total})" in score.result.value
    assert not lesson.submitted and _shown_keys(lesson) == []
    _answer(lesson, order[-1], right=True)
    score.submit.click()
    assert lesson.submitted and f"1 of {total} correct" in score.result.value  # a real attempt: keys may show now
    assert len(list(exports.glob("*.json"))) == 1


def test_the_exam_panel_says_it_is_practice_and_names_the_summative_pack(tmp_path):
    lesson = _exam(tmp_path)
    status = lesson.score().status.value
    assert "Practice, not a graded exam" in status
    assert "exam pack" in status and "summative" in status


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
    (written,) = (tmp_path / "p" / "exports").glob("*.json")  # fell back to the data folder
    assert str(written) in view._repr_mimebundle_()["text/plain"]
    doc = json.loads(written.read_text())
    assert doc["mode"] == "practice" and doc["score"]["correct"] == 1
    assert f"1 of {len(lesson.bank.questions)} correct" in view._repr_mimebundle_()["text/plain"]


def test_static_view_is_the_same_in_both_modes(tmp_path):
    practice = start_lesson(LESSON, ProgressStore(tmp_path / "a", "ana"), exam=False).score()._repr_mimebundle_()
    exam = start_lesson(LESSON, ProgressStore(tmp_path / "b", "ana"), exam=True).score()._repr_mimebundle_()
    assert practice["text/html"] == exam["text/html"]
    practice_q = start_lesson(LESSON, ProgressStore(tmp_path / "a", "ana"), exam=False).question("q00-targets")
    exam_q = start_lesson(LESSON, ProgressStore(tmp_path / "b", "ana"), exam=True).question("q00-targets")
    assert practice_q._repr_mimebundle_()["text/html"] == exam_q._repr_mimebundle_()["text/html"]


# ------------------------------------------------------------------------------------------
# Summative mode: pack, answer-only kernel, hand-in, graded by the instructor's report
# ------------------------------------------------------------------------------------------

PRIVATE = Path(__file__).parent / "files" / "exam" / "private_final_form_b.yaml"


@pytest.fixture(scope="module")
def private_bank():
    from course.engine.pack import load_private_bank

    return load_private_bank(PRIVATE)


@pytest.fixture
def pack_dir(tmp_path):
    from course.cli import main

    out = tmp_path / "pack"
    assert main(["exam", "pack", "--bank", str(PRIVATE), "--out", str(out), "--title", "Final, form B"]) == 0
    return out


def key_texts(bank) -> list[str]:
    from course.cli.exam import key_texts as texts

    return texts(bank)


def right_texts(q):
    """The right answer in pack terms (texts), from the instructor's question."""
    if q.type == "single":
        return q.options[q.correct_options()[0]].text
    if q.type == "multiple":
        return [q.options[i].text for i in q.correct_options()]
    if q.type == "truefalse":
        return q.answer
    if q.type == "numeric":
        return f"{q.answer:g}"
    if q.type == "ordering":
        return list(q.items)
    return {p.left: p.right for p in q.pairs}


def answer(widget, texts) -> None:
    """Set a summative widget's controls to ``texts`` and press Save answer, as a student would."""
    from course.engine.pack import widget_response

    q, inp = widget.q, widget.input
    value = widget_response(q, texts)
    if q.type in ("single", "truefalse"):
        inp.control.value = value
    elif q.type == "multiple":
        for i, box in enumerate(inp.checks):
            box.value = i in value
    elif q.type == "numeric":
        inp.control.value = str(value)
    elif q.type == "ordering":
        for drop, index in zip(inp.drops, value, strict=True):
            drop.value = index
    else:
        for drop, row in zip(inp.drops, q.pairs, strict=True):
            drop.value = value[row.left]
    widget.save.click()


def test_pack_carries_no_key_and_its_notebook_no_output(pack_dir, private_bank):
    text = (pack_dir / "exam-pack.json").read_text()
    doc = json.loads(text)
    assert doc["exam"] == "11_final_form_b" and len(doc["questions"]) == len(private_bank.questions)
    for q in doc["questions"]:
        assert not {"answer", "correct", "feedback", "explanation", "pairs", "references"} & set(q)
    for secret in key_texts(private_bank):
        assert secret not in text
    ordering = next(q for q in private_bank.questions if q.type == "ordering")
    assert next(q for q in doc["questions"] if q["id"] == ordering.id)["items"] != list(ordering.items)
    notebook = (pack_dir / "exam.ipynb").read_text()
    assert '"outputs": []' in notebook and "start_exam" in notebook and "education only" in notebook
    assert not any(secret in notebook for secret in key_texts(private_bank))


def test_two_packs_shuffle_differently_but_grade_the_same(tmp_path, private_bank):
    from course.engine.pack import pack_document

    a, b = pack_document(private_bank), pack_document(private_bank)
    assert a["fingerprint"] == b["fingerprint"]
    assert [q.get("options") or q.get("items") for q in a["questions"]] != [
        q.get("options") or q.get("items") for q in b["questions"]]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda q: q.update(correct=True), "field 'correct': is not a field of a pack question"),
        (lambda q: q.update(answer="B"), "field 'answer': is not a field of a pack question"),
        (lambda q: q.pop("stem"), "field 'stem': is missing"),
        (lambda q: q.update(type="essay"), "field 'type': must be one of single, multiple"),
        (lambda q: q.update(options=[f"o{i}" for i in range(27)]), "field 'options': must be a list of up to 26"),
        (lambda q: q.update(options="A or B"), "field 'options': must be a list"),
    ],
)
def test_a_pack_that_carries_a_key_or_is_malformed_is_refused_by_name(pack_dir, change, words):
    from course.engine.pack import load_pack

    path = pack_dir / "exam-pack.json"
    doc = json.loads(path.read_text())
    first = doc["questions"][0]
    change(first)
    path.write_text(json.dumps(doc))
    with pytest.raises(CourseDataError, match=re.escape(f"questions row '{first.get('id')}': {words}")):
        load_pack(path)


def test_pack_command_refuses_a_bad_bank_and_a_file_as_folder(tmp_path, capsys):
    from course.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("lesson: 10_x\nobjectives: {}\nquestions: []\n")
    assert main(["exam", "pack", "--bank", str(bad), "--out", str(tmp_path / "p")]) == 2
    (tmp_path / "file").write_text("x")
    assert main(["exam", "pack", "--bank", str(PRIVATE), "--out", str(tmp_path / "file")]) == 2
    assert "error:" in capsys.readouterr().err


def test_student_answers_without_feedback_hands_in_once_and_the_report_grades_it(pack_dir, private_bank, tmp_path,
                                                                               monkeypatch):
    from course.cli import main
    from course.engine.exam import start_exam

    monkeypatch.setenv("CART_COURSE_EXPORT_DIR", str(tmp_path / "handins"))
    store = ProgressStore(tmp_path / "data", "nurse01")
    exam = start_exam(pack_dir / "exam-pack.json", store)
    view = exam.questions()
    panel = exam.hand_in_panel()
    secrets = key_texts(private_bank)
    wrong_id = private_bank.questions[2].id
    for widget in view.widgets:
        bq = private_bank.get(widget.q.id)
        if bq.id == wrong_id:
            continue  # left unanswered: counts as wrong
        answer(widget, right_texts(bq))
        shown = widget.feedback.value
        assert "Answer saved" in shown and not any(m in shown for m in ("Correct", "✔", "✘", "Not yet"))
    for bundle in (view._repr_mimebundle_(), panel._repr_mimebundle_()):
        assert not any(secret in bundle["text/html"] for secret in secrets)
    panel.submit.click()
    assert "1 question(s) have no saved answer" in panel.result.value and not exam.submitted
    panel.submit.click()
    assert exam.submitted and panel.submit.disabled and "Handed in" in panel.status.value
    assert all(w.save.disabled for w in view.widgets)
    assert "%" not in panel.status.value + panel.result.value  # no score
    (handin,) = (tmp_path / "handins").glob("*.json")
    doc = json.loads(handin.read_text())
    assert doc["mode"] == "summative" and "score" not in doc
    assert all(set(a) == {"question", "response"} for a in doc["answers"])
    again = start_exam(pack_dir / "exam-pack.json", ProgressStore(tmp_path / "data", "nurse01"))
    assert again.submitted and all(w.save.disabled for w in again.questions().widgets)

    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "handins"), "--bank", str(PRIVATE), "--out", str(out)]) == 0
    total = len(private_bank.questions)
    assert f"({total - 1} of {total})" in out.read_text()
    assert main(["report", str(tmp_path / "handins"), "--out", str(tmp_path / "r2.html")]) == 1  # no key, no grade


def test_the_students_kernel_holds_no_key(pack_dir, private_bank, tmp_path):
    """A fresh interpreter runs the pack as a student's kernel would; nothing in its memory is a key."""
    import subprocess
    import sys

    code = f"""
import gc, json, os, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
os.environ["CART_COURSE_EXPORT_DIR"] = {str(tmp_path / "out")!r}
from course.engine.exam import start_exam
from course.engine.progress import ProgressStore
exam = start_exam({str(pack_dir / "exam-pack.json")!r}, ProgressStore({str(tmp_path / "d")!r}, "s"))
view = exam.questions(); exam.hand_in_panel()
w = view.widgets[0]; w.input.clear(); w.save.click()
from course.engine.questions.model import Bank, Question
found = [type(o).__name__ for o in gc.get_objects() if isinstance(o, (Bank, Question))]
strings = list({{r for o in gc.get_objects() for r in gc.get_referents(o) if isinstance(r, str) and len(r) > 20}})
print(json.dumps({{"objects": found, "strings": strings}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["objects"] == []
    memory = "\n".join(data["strings"])
    leaked = [s for s in key_texts(private_bank) if s in memory]
    assert leaked == []
    assert private_bank.questions[0].stem in memory  # the scan does see what the pack holds


def test_collect_copies_each_homes_exports_and_skips_what_it_cannot_read(tmp_path, capsys):
    import os

    from course.cli import main

    homes = tmp_path / "home"
    for user in ("ana", "bo"):
        folder = homes / user / "cart-course" / "notebooks" / "exports"
        folder.mkdir(parents=True)
        (folder / f"{user}-00_start_here-practice-round0.json").write_text(json.dumps({"learner": user}))
    bad = homes / "bo" / "cart-course" / "notebooks" / "exports"
    (bad / "secret.json").symlink_to("/etc/shadow")
    os.mkfifo(bad / "pipe.json")
    (bad / "dir.json").mkdir()
    (homes / "cy" / "cart-course" / "notebooks").mkdir(parents=True)  # no exports folder: simply nothing
    out = tmp_path / "collected"
    assert main(["collect", str(homes / "*" / "cart-course" / "notebooks" / "exports"), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.json")) == [
        "ana/ana-00_start_here-practice-round0.json", "bo/bo-00_start_here-practice-round0.json"]
    for words in ("secret.json: is a symbolic link", "pipe.json: is a pipe", "dir.json: is a folder"):
        assert words in captured.err
    assert "copied 2 file(s) from 2 home(s)" in captured.out
    assert main(["collect", str(tmp_path / "nobody" / "*"), "--out", str(tmp_path / "o2")]) == 1


# ------------------------------------------------------------------------------------------
# The example private bank (form B) is a full parallel form of the final
# ------------------------------------------------------------------------------------------

FORM_B_CASES = PRIVATE.with_name("private_final_form_b_cases.yaml")
FINAL = "11_final_assessment"


@pytest.fixture(scope="module")
def final_bank():
    from course.engine.questions.model import bank_path, load_bank

    return load_bank(bank_path(FINAL))


def _blueprint(bank) -> dict[str, dict[str, int]]:
    from collections import Counter

    out: dict[str, Counter] = {o: Counter() for o in bank.objectives}
    for q in bank.questions:
        out[q.objective][q.type] += 1
    return {o: dict(c) for o, c in out.items()}


def test_form_b_follows_the_finals_blueprint(private_bank, final_bank):
    from course.lessons.l11_final_assessment.model import blueprint, objective_lessons

    assert private_bank.objectives == final_bank.objectives
    assert _blueprint(private_bank) == _blueprint(final_bank)
    assert objective_lessons(private_bank) == objective_lessons(final_bank)
    assert [r.counts for r in blueprint(private_bank)] == [r.counts for r in blueprint(final_bank)]
    # a parallel form, not a copy: no stem, option or item of the final reappears
    def texts(bank):
        return {t for q in bank.questions for t in (q.stem, *(o.text for o in q.options), *q.items, *(p.left for p in q.pairs))}
    bare_grades = {f"Grade {n}" for n in range(5)}
    assert texts(private_bank) & texts(final_bank) - bare_grades == set()


def _form_b_cases():
    import yaml

    from course.lessons.l11_final_assessment.model import Case

    raw = yaml.safe_load(FORM_B_CASES.read_text())["cases"]
    return [Case(c["question"], c["rule"], dict(c["inputs"]), tuple(c["references"]), c.get("claim")) for c in raw]


def test_form_b_keys_equal_what_the_courses_rules_compute(private_bank):
    from course import clinical
    from course.lessons.l11_final_assessment.model import GRADE_OPTION, case_problems, keyed_answer

    cases = _form_b_cases()
    problems = [p for case in cases for p in case_problems(case, private_bank)]
    assert problems == []
    # every grade, dose or score asked has a case: numeric questions and single questions keyed "Grade N"
    computed = [q.id for q in private_bank.questions
                if q.type == "numeric" or (q.type == "single" and any(GRADE_OPTION.match(o.text) for o in q.options))]
    assert len(computed) == 9 and set(computed) <= {c.question for c in cases}
    # and the clinical rules themselves, called directly, give the keyed answers
    by_id = {c.question: c for c in cases}
    for qid, rule in (("fb-crs-grade", clinical.crs_grade), ("fb-crs-after-treatment", clinical.crs_grade),
                      ("fb-case-grade4", clinical.crs_grade), ("fb-icans-grade", clinical.icans_grade)):
        assert keyed_answer(private_bank.get(qid)) == rule(**by_id[qid].inputs).grade
    assert private_bank.get("fb-ice-score").answer == clinical.ice_score(**by_id["fb-ice-score"].inputs)
    assert private_bank.get("fb-tocilizumab-dose").answer == clinical.tocilizumab_dose(
        **by_id["fb-tocilizumab-dose"].inputs).mg


def test_form_b_keys_are_spread_and_not_guessable(private_bank):
    from collections import Counter

    singles = [q for q in private_bank.questions if q.type == "single"]
    positions = Counter(q.correct_options()[0] for q in singles)
    assert max(positions.values()) <= 0.4 * len(singles), positions
    answers = [q.answer for q in private_bank.questions if q.type == "truefalse"]
    assert 0.4 <= sum(answers) / len(answers) <= 0.6, answers
    choice = [q for q in private_bank.questions if q.type in ("single", "multiple")]
    longest_is_key = [q.id for q in choice if q.options[max(range(len(q.options)),
                                                            key=lambda i: len(q.options[i].text))].correct]
    assert len(longest_is_key) <= 0.3 * len(choice), longest_is_key


def test_form_b_cites_registered_sources_and_gives_feedback_everywhere(private_bank):
    import re

    from course.core.references import registry

    known = registry()
    for q in private_bank.questions:
        assert q.references and set(q.references) <= set(known), q.id
        assert set(re.findall(r"\[([a-z][a-z0-9-]*[a-z0-9])\]", q.explanation)) == set(q.references), q.id
        assert all(o.feedback.strip() for o in q.options), q.id
        assert all(p.feedback.strip() for p in q.pairs), q.id
        if q.type == "truefalse":
            assert q.feedback_true.strip() and q.feedback_false.strip()
        if q.type == "ordering":
            assert len(q.item_feedback) == len(q.items) and all(t.strip() for t in q.item_feedback)


def test_the_exam_notebook_shows_the_stylesheet_and_keyboard_helper_once(pack_dir, tmp_path, monkeypatch):
    """Questions carry no stylesheet of their own: the exam's setup cell must show it, as a lesson's does."""
    import IPython
    import IPython.display

    from course.engine.exam import start_exam
    from course.engine.views import live

    shown: list[dict] = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    start_exam(pack_dir / "exam-pack.json", ProgressStore(tmp_path / "data", "nurse02"))
    assert [sorted(b) for b in shown] == [["text/html", "text/plain"], ["application/javascript", "text/plain"]]
    assert live.COURSE_CSS in shown[0]["text/html"]
