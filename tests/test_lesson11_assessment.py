"""Lesson 11, the final assessment: computed answers, coverage of every lesson, and the exam flow."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from course import clinical, start_lesson
from course.core.errors import CourseDataError
from course.core.paths import notebook_path
from course.engine.outline import load_outline
from course.engine.progress import ProgressStore
from course.engine.questions.model import MEASURABLE_VERBS, TYPES, all_banks, bank_path, load_bank
from course.engine.results import PASS_MARK
from course.figures.catalog import show
from course.lessons.l11_final_assessment.model import (
    CASES_FILE,
    LESSON,
    blueprint,
    case_problems,
    coverage_problems,
    keyed_answer,
    load_cases,
    objective_lessons,
    pass_count,
)


@pytest.fixture(scope="module")
def bank():
    return load_bank(bank_path(LESSON))


@pytest.fixture(scope="module")
def cases():
    return load_cases()


# --------------------------------------------------------------------------- computed answers
def test_every_computed_answer_matches_the_bank(bank, cases):
    problems = [p for case in cases for p in case_problems(case, bank)]
    assert problems == []


def test_every_grade_dose_or_number_in_the_bank_has_a_case(bank, cases):
    """Numeric answers and 'Grade N' options are never typed in by hand alone."""
    covered = {c.question for c in cases}
    needs = {
        q.id
        for q in bank.questions
        if q.type == "numeric" or (q.type == "single" and any(o.text.startswith("Grade ") for o in q.options))
    }
    assert needs - covered == set()
    assert covered - {q.id for q in bank.questions} == set()


@pytest.mark.parametrize(
    ("rule", "call"),
    [
        ("crs_grade", lambda i: clinical.crs_grade(**i).grade),
        ("icans_grade", lambda i: clinical.icans_grade(**i).grade),
        ("ice_score", lambda i: clinical.ice_score(**i)),
        ("tocilizumab_dose", lambda i: clinical.tocilizumab_dose(**i).mg),
    ],
)
def test_grades_and_doses_recomputed_with_course_clinical(bank, cases, rule, call):
    """Independently of course.lessons.l11_final_assessment.model: call course.clinical on the stored inputs."""
    ruled = [c for c in cases if c.rule == rule]
    assert ruled, f"no case uses {rule}"
    for case in ruled:
        assert keyed_answer(bank.get(case.question)) == pytest.approx(call(case.inputs)), case.question


def test_the_transfer_cases_cross_the_thresholds_they_were_written_for(bank, cases):
    """Each computed case asks for transfer: a threshold or a trap the lessons did not practise (audit 3.11)."""
    by_id = {c.question: c for c in cases}
    # vasopressin does not count as a second vasopressor: grade 3, with a "Grade 4" option as the trap
    vaso = by_id["q10-crs-vasopressin"]
    assert vaso.inputs["hypotension"] == "one_vasopressor" and vaso.compute().value == 3
    assert "vasopressin" in bank.get("q10-crs-vasopressin").stem
    assert any(o.text.startswith("Grade 4") for o in bank.get("q10-crs-vasopressin").options)
    # a shift chart: afebrile after an antipyretic, graded by 7 L/min of oxygen; "no fever, no CRS" is anticipated
    chart = by_id["q10-crs-shift-chart"]
    assert chart.inputs["antipyretic_or_anticytokine_given"] and chart.inputs["temperature_c"] < 38
    assert chart.inputs["oxygen_flow_l_min"] > 6 and chart.compute().value == 3
    assert "| 18:00 |" in bank.get("q10-crs-shift-chart").stem
    assert {e.value for e in bank.get("q10-crs-shift-chart").common_errors} >= {0, 2}
    # a child of 30 kg or more gets 8 mg/kg, not the 12 mg/kg the order set starts at
    toci = by_id["q10-toci-teen"]
    weight = toci.inputs["weight_kg"]
    assert weight >= 30 and 8 * weight < 800 and toci.compute().value == 8 * weight
    assert any(e.value == 12 * weight for e in bank.get("q10-toci-teen").common_errors)
    # the charted ICE score hides a higher grade than the one the sheet gives
    ice = by_id["q10-ice-sheet"]
    q = bank.get("q10-ice-sheet")
    charted = int(re.search(r"ICE score of \*\*(\d+)\*\*", q.stem).group(1))
    assert clinical.ice_grade(charted).grade < clinical.ice_grade(ice.compute().value).grade
    assert any(e.value == charted for e in q.common_errors)
    # a template copied from another product: the wrong product's dose is an anticipated error
    ld = by_id["q10-ld-order-check"]
    assert ld.compute().value == 250 * 1.7
    assert any(e.value == 500 * ld.inputs["bsa_m2"] for e in bank.get("q10-ld-order-check").common_errors)


def test_carvykti_window_uses_lesson_03_counting_and_is_quoted(bank, cases):
    """Review C1: the latest date is the US text read plainly (4 calendar days after the last chemotherapy day),
    recomputed here by hand; the EU/CARTITUDE-1 date (one day later) is a taught common error, not the key."""
    case = next(c for c in cases if c.question == "q10-carvykti-window")
    q = bank.get("q10-carvykti-window")
    end = case.inputs["ld_end_date"]
    assert case.compute().value == end + 4 == keyed_answer(q)
    explanation = " ".join(q.explanation.split())
    assert case.compute().text in explanation  # the rule's own words, quoted
    errors = {e.value: e.feedback for e in q.common_errors}
    assert end + 3 in errors and "earliest" in errors[end + 3]  # 2 rest days
    assert end - 2 + 7 in errors and "EU" in errors[end - 2 + 7]  # 5 to 7 days after the start (end - 2)
    assert "US" in q.stem and {"carvykti-uspi-2025", "carvykti-epar"} <= set(q.references)


def test_a_wrong_key_is_caught(bank, cases):
    case = next(c for c in cases if c.question == "q10-toci-teen")
    q = bank.get("q10-toci-teen")
    wrong = dataclasses.replace(
        bank, questions=tuple(dataclasses.replace(x, answer=408.0) if x is q else x for x in bank.questions)
    )
    assert any("keyed 408" in p for p in case_problems(case, wrong))
    grade_case = next(c for c in cases if c.question == "q10-crs-vasopressin")
    g = bank.get("q10-crs-vasopressin")
    swapped = tuple(dataclasses.replace(o, correct=o.text.startswith("Grade 4")) for o in g.options)
    wrong = dataclasses.replace(
        bank, questions=tuple(dataclasses.replace(x, options=swapped) if x is g else x for x in bank.questions)
    )
    assert any("keyed grade 4" in p for p in case_problems(grade_case, wrong))
    t = bank.get("q10-icaht-cumulative")
    assert icaht_claim_problems(dataclasses.replace(t, answer=not t.answer))


# --------------------------------------------------------------------------- answers no case rule covers
def _table_row(stem: str, label: str) -> list[str]:
    line = next(x for x in stem.splitlines() if x.strip().startswith(f"| {label}"))
    return [c.strip() for c in line.strip().strip("|").split("|")][1:]


def icaht_claim_problems(q) -> list[str]:
    """The early ICAHT grade of the ANC table in the stem (course.clinical), against the grade the claim states."""
    from course.clinical.icaht import icaht_grade

    days = [int(d) for d in _table_row(q.stem, "Day")]
    anc = [round(float(v) * 1000) for v in _table_row(q.stem, "ANC")]  # × 10⁹/L -> cells/µL
    result = icaht_grade(list(zip(days, anc, strict=True)))
    claimed = int(re.search(r"Early ICAHT grade (\d)", q.stem).group(1))
    if q.answer != (result.early.grade == claimed):
        return [f"{q.id}: keyed {q.answer}, but the ANC table gives early grade {result.early.grade} "
                f"({result.early.criterion}); the claim says {claimed}"]
    return []


def test_the_icaht_key_is_the_grade_course_clinical_reads_from_the_table(bank):
    q = bank.get("q10-icaht-cumulative")
    assert icaht_claim_problems(q) == []
    from course.clinical.icaht import icaht_grade

    days = [int(d) for d in _table_row(q.stem, "Day")]
    anc = [round(float(v) * 1000) for v in _table_row(q.stem, "ANC")]
    grade = icaht_grade(list(zip(days, anc, strict=True))).early
    assert grade.grade == 2 and "12 days" in grade.criterion
    assert "12 days" in " ".join(q.feedback_false.split()) and "grade 2" in q.feedback_false


def test_tocilizumab_decisions_agree_with_the_repeat_rule(bank):
    """The two repeat-dose rows of q10-toci-decisions are what course.clinical.tocilizumab_repeat decides."""
    q = bank.get("q10-toci-decisions")
    by_hours = {int(m.group(1)): p for p in q.pairs if (m := re.search(r"(\d+) hours after the first", p.left))}
    assert set(by_hours) == {6, 9}
    assert clinical.tocilizumab_repeat([9], improved=False).allowed
    assert by_hours[9].right.startswith("A second tocilizumab dose")
    assert "fever has gone" in by_hours[6].left and not clinical.tocilizumab_repeat([6], improved=True).allowed
    assert by_hours[6].right.startswith("No repeat dose")
    assert all("third tocilizumab dose" not in p.right for p in q.pairs)


def test_the_discharge_sheet_dates_follow_the_going_home_rules(bank):
    """Day 0 on 3 November and the 2-week minimums (assets/vein_to_vein.yaml) give 17 November."""
    from course.lessons.l03_the_five_steps.model import journey

    q = bank.get("q10-discharge-errors")
    assert "3 November 2025" in q.stem
    for rule in ("no-driving", "stay-near"):
        assert journey().rule(rule).current_days == 14  # 3 + 14 = 17
    by_line = {o.text.split(":")[0]: o for o in q.options}
    assert "10 November" in by_line["Line 1"].text and by_line["Line 1"].correct  # an error to correct
    assert "17 November" in by_line["Line 2"].text and not by_line["Line 2"].correct  # right as it stands


def _write(tmp_path, cases_list):
    path = tmp_path / "assessment_cases.yaml"
    path.write_text(yaml.safe_dump({"cases": cases_list}, sort_keys=False, allow_unicode=True))
    return path


GOOD = {"question": "q10-x", "rule": "tocilizumab_dose", "inputs": {"weight_kg": 70}, "references": ["actemra-label"]}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"question": "q05-x"}, "'question'"),
        ({"rule": "guess"}, "'rule'"),
        ({"inputs": {"weight_kg": 999}}, "refuses them"),
        ({"inputs": {"kg": 70}}, "refuses them"),
        ({"references": []}, "'references'"),
        ({"colour": "red"}, "'colour'"),
        (
            {"rule": "latest_infusion_date", "inputs": {"regimen": "aucatzyl", "ld_end_date": 3}},
            "no verified infusion window",
        ),
        (
            {"rule": "latest_infusion_date", "inputs": {"regimen": "carvykti", "ld_end_date": 30}},
            "past the end of the month",
        ),
    ],
)
def test_bad_cases_are_refused_with_the_field_named(tmp_path, change, words):
    with pytest.raises(CourseDataError, match=re.escape(words)):
        load_cases(_write(tmp_path, [{**GOOD, **change}]))


def test_duplicate_and_empty_case_files_are_refused(tmp_path):
    with pytest.raises(CourseDataError, match="two cases"):
        load_cases(_write(tmp_path, [GOOD, GOOD]))
    with pytest.raises(CourseDataError, match="non-empty list"):
        load_cases(_write(tmp_path, []))


def test_case_file_rows_cite_sources():
    raw = yaml.safe_load(CASES_FILE.read_text())
    assert all(row["references"] for row in raw["cases"])


# --------------------------------------------------------------------------- coverage
def test_bank_covers_every_lesson_with_the_required_counts_and_types(bank):
    assert coverage_problems(bank) == []
    lessons = [e.id for e in load_outline() if e.id != LESSON]  # every lesson before the final, from the outline
    assert len(lessons) >= 10 and len(bank.objectives) == len(lessons)
    rows = blueprint(bank)
    assert [r.lesson for r in rows] == [e[:2] for e in lessons]
    assert [r.objective for r in rows] == [f"O{i}" for i in range(1, len(lessons) + 1)]
    assert rows[0].total >= 1 and all(r.total >= 2 for r in rows[1:])
    assert 25 <= len(bank.questions) <= 30 and sum(r.total for r in rows) == len(bank.questions)
    assert {q.type for q in bank.questions} == set(TYPES)


def test_objectives_start_with_a_measurable_verb_and_name_their_lesson_early(bank):
    for text in bank.objectives.values():
        assert text.split()[0].lower() in MEASURABLE_VERBS
        assert not re.search(r"\b(understand|know)\b", text, re.I)
    lessons = objective_lessons(bank)
    numbers = [e.id[:2] for e in load_outline() if e.id != LESSON]
    assert lessons == {f"O{i + 1}": number for i, number in enumerate(numbers)}
    # the result chart shows the first 38 characters of each objective: the lesson must be among them
    assert all(f"(lesson {lessons[o]})" in t[:38] for o, t in bank.objectives.items())


def test_coverage_problems_catch_a_thin_bank(bank):
    thin = dataclasses.replace(bank, questions=tuple(q for q in bank.questions if q.objective != "O6")[:20])
    problems = " ".join(coverage_problems(thin))
    assert "lesson 05 (O6) has 0" in problems and "20 questions" in problems


def test_questions_are_new_not_copied_from_the_lessons(bank):
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    others = [q for b in all_banks() if b.lesson != LESSON for q in b.questions]
    other_stems = {norm(q.stem) for q in others}
    other_ids = {q.id for q in others}
    for q in bank.questions:
        assert q.id.startswith("q10-") and q.id not in other_ids
        assert norm(q.stem) not in other_stems, q.id


def test_every_clinical_question_cites_and_every_option_teaches(bank):
    for q in bank.questions:
        assert q.references, q.id
        assert len(q.explanation.split()) >= 15, q.id
        for o in q.options:
            assert len(o.feedback.split()) >= 8, (q.id, o.text)
        for p in q.pairs:
            assert len(p.feedback.split()) >= 8, (q.id, p.left)


# --------------------------------------------------------------------------- notebook and figure
def test_pass_count():
    assert pass_count(27, 0.8) == 22 and pass_count(25, 0.8) == 20 and pass_count(30, 0.8) == 24


def test_notebook_states_the_rules_that_the_code_applies(bank):
    nb = nbformat.read(notebook_path(LESSON), as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    n = len(bank.questions)
    assert f"{PASS_MARK * 100:.0f}%" in text
    assert f"{pass_count(n, PASS_MARK)} of the {n}" in text
    assert "exports" in text and "Retake" in text and "Submit" in text
    for oid, objective in bank.objectives.items():
        assert objective in text, oid
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "exam=True" in code[0] and sum("lesson.assessment()" in c for c in code) == 1
    assert sum("lesson.score()" in c for c in code) == 1


def test_blueprint_figure_matches_the_bank(bank):
    view = show("l11_blueprint")
    assert view.smallest_font_pt >= 9
    for row in blueprint(bank):
        assert f"lesson {row.lesson} {row.title} ({row.objective}): {row.total}" in view.alt
    assert f"the {len(bank.questions)} questions" in view.alt


# --------------------------------------------------------------------------- exam flow
def _answer_right(widget) -> None:
    q, inp = widget.q, widget.input
    if q.type == "single":
        inp.control.value = q.correct_options()[0]
    elif q.type == "truefalse":
        inp.control.value = q.answer
    elif q.type == "multiple":
        for i, box in zip(inp.order, inp.checks, strict=True):  # display order is the learner's
            box.value = q.options[i].correct
    elif q.type == "numeric":
        inp.control.value = f"{q.answer:g}"
    elif q.type == "ordering":
        for position, drop in enumerate(inp.drops):
            drop.value = position
    else:
        for pair, drop in zip(q.pairs, inp.drops, strict=True):
            drop.value = pair.right
    widget.check.click()


def _answer_wrong(widget) -> None:
    """A gradeable but wrong answer of the widget's type (Submit needs every question answered)."""
    q, inp = widget.q, widget.input
    if q.type == "single":
        inp.control.value = next(i for i, o in enumerate(q.options) if not o.correct)
    elif q.type == "truefalse":
        inp.control.value = not q.answer
    elif q.type == "multiple":
        for i, box in enumerate(inp.checks):
            box.value = not q.options[i].correct
    elif q.type == "numeric":
        low = q.minimum if q.minimum is not None else q.answer - 1000
        high = q.maximum if q.maximum is not None else q.answer + 1000
        wrong = high if abs(high - q.answer) > abs(q.answer - low) else low
        inp.control.value = f"{wrong:g}"
    elif q.type == "ordering":
        for position, drop in enumerate(inp.drops):
            drop.value = len(inp.drops) - 1 - position
    else:
        for pair, drop in zip(q.pairs, inp.drops, strict=True):
            drop.value = next(value for _label, value in drop.options if value not in (None, pair.right))
    widget.check.click()


def _order(view) -> list[str]:
    return [
        next(c[len("cart-q-") :] for c in child._dom_classes if c.startswith("cart-q-"))
        for child in view.questions.children
    ]


def test_exam_flow_all_right_passes_exports_and_retake_reshuffles(tmp_path, bank):
    lesson = start_lesson(LESSON, ProgressStore(tmp_path / "p", "ana"), exam=True)
    assert lesson.exam and lesson.round == 1
    view = lesson.assessment()
    panel = lesson.score()
    first = _order(view)
    assert first == bank.ids()
    widgets = {w.q.id: w for w in lesson.question_widgets()}
    assert set(widgets) == set(bank.ids())
    for qid in first:
        _answer_right(widgets[qid])
        feedback = widgets[qid].feedback.value
        assert "Answer saved" in feedback and "✔" not in feedback and "Why:" not in feedback
    assert f"{len(first)} of {len(first)} questions answered" in panel.status.value
    panel.submit.click()
    assert lesson.submitted
    n = len(bank.questions)
    assert "Passed" in panel.result.value and f"{n} of {n} correct (100%)" in panel.result.value
    for oid in bank.objectives:
        assert f"<td>{oid}</td>" in panel.result.value
    assert all("✔" in w.feedback.value for w in widgets.values())
    exports = list(Path(os.environ["CART_COURSE_EXPORT_DIR"]).glob("*.json"))  # tmp_path/exports (tests/conftest.py)
    assert len(exports) == 1 and exports[0].name == f"ana-{LESSON}-exam-round1.json"
    doc = json.loads(exports[0].read_text())
    assert doc["score"] == {"correct": n, "total": n, "percent": 100.0, "pass_mark_percent": 80, "passed": True}
    assert set(doc["by_objective"]) == set(bank.objectives)
    assert all(r["correct"] == r["total"] for r in doc["by_objective"].values())
    panel.retake.click()
    assert lesson.round == 2 and not lesson.submitted
    second = _order(view)
    assert sorted(second) == sorted(first) and second != first
    assert "round 2 (in progress)" in panel.status.value and f"0 of {n}" in panel.status.value
    assert all(w.feedback.value == "" and not w.check.disabled for w in lesson.question_widgets())


def test_exam_with_too_few_right_is_not_passed_and_names_what_to_review(tmp_path, bank):
    lesson = start_lesson(LESSON, ProgressStore(tmp_path / "p", "ben"), exam=True)
    lesson.assessment()
    panel = lesson.score()
    right_needed = pass_count(len(bank.questions), PASS_MARK)
    widgets = [w for w in lesson.question_widgets() if w.q.objective != "O6"][: right_needed - 1]
    for w in widgets:
        _answer_right(w)
    panel.submit.click()  # refused: questions are unanswered
    assert "have no answer" in panel.result.value and not lesson.submitted
    for w in lesson.question_widgets():
        if w not in widgets:
            _answer_wrong(w)
    panel.submit.click()
    assert (
        "Not passed yet" in panel.result.value and f"{right_needed - 1} of {len(bank.questions)}" in panel.result.value
    )
    assert "Review first" in panel.result.value and "lesson 05" in panel.result.value


def test_ice_question_states_the_grade_the_ice_score_alone_sets(bank, cases):
    """The ICE explanation names the ICANS grade course.clinical gives for that score (review finding 4)."""
    case = next(c for c in cases if c.question == "q10-ice-sheet")
    score = case.compute().value
    grade = clinical.ice_grade(score).grade
    text = " ".join(bank.get("q10-ice-sheet").explanation.split())
    assert score == 5 and grade == 2
    assert f"An ICE score of 3-6 is grade {grade} ICANS" in text


# --------------------------------------------------------------------------- retired question ids
# Ids of final questions rewritten for transfer (audit 3.11). A learner's progress file or export can still
# hold answers to them; such answers must never attach to the new questions, and nothing may break.
RETIRED = ("q10-five-steps", "q10-crs-day2", "q10-toci-cap", "q10-ice-day5", "q10-case-night-call")


def test_retired_ids_are_not_in_the_bank_and_new_ids_are_new(bank):
    assert not set(RETIRED) & set(bank.ids())
    others = {q.id for b in all_banks() if b.lesson != LESSON for q in b.questions}
    assert not set(bank.ids()) & others


def test_saved_answers_to_retired_ids_are_ignored_not_reattached(tmp_path, bank):
    """Old attempts stay in the progress file, but no question, summary, result or export counts them."""
    from course.engine.results import export_document, lesson_result

    store = ProgressStore(tmp_path / "p", "eve")
    store.record(LESSON, "q10-crs-day2", 1, True, round=1)  # "Grade 2" of the old item, option 1
    store.record(LESSON, "q10-toci-cap", 800, True, round=1)
    store.record(LESSON, "q10-five-steps", [0, 1, 2, 3, 4], True, round=1)
    lesson = start_lesson(LESSON, store, exam=True)
    assert lesson.round == 1 and not lesson.submitted
    summary = lesson.summary()
    assert set(summary["questions"]) == set(bank.ids()) and summary["answered"] == 0 and summary["correct"] == 0
    lesson.assessment()
    panel = lesson.score()
    assert f"0 of {len(bank.questions)} questions answered" in panel.status.value
    assert all(w.feedback.value == "" for w in lesson.question_widgets())  # nothing restored from the old ids
    result = lesson_result(bank, store, "exam", 1)
    assert [r.question for r in result.questions] == bank.ids()
    assert result.correct == 0 and all(r.response is None and r.attempts == 0 for r in result.questions)
    doc = export_document(result, bank.objectives, bank)
    assert {a["question"] for a in doc["answers"]} == set(bank.ids())
    assert len(store.attempts(LESSON)) == 3  # kept, not deleted: the learner's history is theirs


def test_an_export_that_names_a_retired_id_is_refused_with_a_reason(tmp_path, bank):
    """The class report refuses a hand-in written against the old questions instead of mis-grading it."""
    from course.engine.report import BadExport, read_export
    from course.engine.results import export_document, lesson_result, write_export

    store = ProgressStore(tmp_path / "p", "fay")
    result = lesson_result(bank, store, "exam", 1)
    path = write_export(export_document(result, bank.objectives, bank), tmp_path / "fb", tmp_path / "out")
    doc = json.loads(path.read_text())
    doc["answers"][0]["question"] = "q10-five-steps"
    doc.pop("bank", None)  # without the fingerprint, the id itself must be caught
    path.write_text(json.dumps(doc))
    with pytest.raises(BadExport, match="'q10-five-steps' is not in this version"):
        read_export(path, {bank.lesson: bank})
