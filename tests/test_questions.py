"""Question banks: validation messages that name file, question and field; grading of every type."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from course.core.errors import CourseDataError, InvalidResponse
from course.engine.questions import grade, load_bank
from course.engine.questions.grading import parse_number
from course.engine.questions.model import all_banks
from tests.data_support import assert_text_refused

BANK = {
    "lesson": "99_test",
    "objectives": {"O1": "Describe things.", "O2": "Calculate doses."},
    "questions": [
        {
            "id": "q-single",
            "type": "single",
            "level": "recall",
            "objective": "O1",
            "stem": "Pick **B**.",
            "explanation": "Because.",
            "references": ["lee2019-astct"],
            "options": [
                {"text": "A", "feedback": "no A"},
                {"text": "B", "correct": True, "feedback": "yes B"},
                {"text": "C", "feedback": "no C"},
            ],
        },
        {
            "id": "q-multi",
            "type": "multiple",
            "level": "application",
            "objective": "O1",
            "stem": "Pick A and C.",
            "explanation": "AC.",
            "references": ["lee2019-astct"],
            "options": [
                {"text": "A", "correct": True, "feedback": "fa"},
                {"text": "B", "feedback": "fb"},
                {"text": "C", "correct": True, "feedback": "fc"},
            ],
        },
        {
            "id": "q-tf",
            "type": "truefalse",
            "level": "application",
            "objective": "O1",
            "stem": "Sky is green.",
            "explanation": "No.",
            "references": ["lee2019-astct"],
            "answer": False,
            "feedback_true": "ft",
            "feedback_false": "ff",
        },
        {
            "id": "q-num",
            "type": "numeric",
            "level": "application",
            "objective": "O2",
            "stem": "Dose?",
            "explanation": "8 x 100 capped.",
            "references": ["actemra-label"],
            "answer": 800,
            "tolerance": 0.5,
            "unit": "mg",
            "minimum": 0,
            "maximum": 2000,
            "common_errors": [{"value": 880, "feedback": "forgot the cap"}],
        },
        {
            "id": "q-order",
            "type": "ordering",
            "level": "application",
            "objective": "O1",
            "stem": "Order.",
            "explanation": "1 2 3 4.",
            "references": ["lee2019-astct"],
            "items": ["one", "two", "three", "four"],
            "item_feedback": ["f1", "f2", "f3", "f4"],
        },
        {
            "id": "q-match",
            "type": "matching",
            "level": "application",
            "objective": "O1",
            "stem": "Match.",
            "explanation": "pairs.",
            "references": ["lee2019-astct"],
            "pairs": [
                {"left": "L1", "right": "R1", "feedback": "p1"},
                {"left": "L2", "right": "R2", "feedback": "p2"},
                {"left": "L3", "right": "R3", "feedback": "p3"},
            ],
            "extra_choices": ["R4"],
        },
    ],
}


def write(tmp_path, data, name="99_test.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def bank(tmp_path):
    return load_bank(write(tmp_path, BANK))


def test_every_course_bank_is_valid():
    banks = all_banks()
    assert banks and all(b.questions for b in banks)


def test_load_reads_all_types(bank):
    assert [q.type for q in bank.questions] == ["single", "multiple", "truefalse", "numeric", "ordering", "matching"]
    assert bank.get("q-num").unit == "mg"
    with pytest.raises(KeyError):
        bank.get("nope")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b["questions"][0].pop("stem"), "'stem'"),
        (lambda b: b["questions"][0].update(type="essay"), "'type'"),
        (lambda b: b["questions"][0].update(objective="O9"), "'objective'"),
        (lambda b: b["questions"][0].update(references=[]), "'references'"),
        (lambda b: b["questions"][0].update(clinical="no"), "'clinical'"),
        (lambda b: b["objectives"].update(O3="Describe more."), "not checked by any question"),
        (lambda b: b["questions"][0]["options"][0].update(correct=True), "'options'"),
        (lambda b: b["questions"][0]["options"][1].pop("feedback"), "options row '#2': field 'feedback'"),
        (lambda b: b["questions"][0].update(answer=3), "'answer'"),
        (
            lambda b: (
                b["questions"][1]["options"][0].update(correct=False)
                or b["questions"][1]["options"][2].update(correct=False)
            ),
            "'options'",
        ),
        (lambda b: b["questions"][2].update(answer="no"), "'answer'"),
        (lambda b: b["questions"][3].update(answer=3000), "'answer'"),
        (lambda b: b["questions"][3].update(tolerance=-1), "'tolerance'"),
        (lambda b: b["questions"][3].update(minimum=5000), "'maximum'"),
        (
            lambda b: b["questions"][3]["common_errors"].append({"value": 800.2, "feedback": "x"}),
            "common_errors row '#2': field 'value'",
        ),
        (lambda b: b["questions"][4]["item_feedback"].pop(), "'item_feedback'"),
        (lambda b: b["questions"][4].update(items=["a", "a", "b"], item_feedback=["x", "y", "z"]), "'items'"),
        (lambda b: b["questions"][5]["pairs"].pop(), "'pairs'"),
        (lambda b: b["questions"][1].update(id="q-single"), "'id'"),
    ],
)
def test_bad_bank_names_file_question_and_field(tmp_path, mutate, field):
    data = copy.deepcopy(BANK)
    mutate(data)
    with pytest.raises(CourseDataError) as info:
        load_bank(write(tmp_path, data))
    message = str(info.value)
    assert "99_test.yaml" in message and field in message


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda b: b.update(lesson="98_other"), "field 'lesson'"),
        (lambda b: b["objectives"].update(O3="Understand everything."), "measurable verb"),
        (lambda b: b["objectives"].update(X1="Describe."), "ids look like"),
        (lambda b: b.update(questions=[]), "'questions'"),
    ],
)
def test_bad_bank_level_fields(tmp_path, mutate, words):
    data = copy.deepcopy(BANK)
    mutate(data)
    with pytest.raises(CourseDataError, match=words):
        load_bank(write(tmp_path, data))


def test_duplicate_yaml_keys_and_broken_yaml_are_refused(tmp_path):
    path = tmp_path / "99_test.yaml"
    assert_text_refused(load_bank, path, "lesson: 99_test\nlesson: 99_test\n", "duplicate key 'lesson'")
    assert_text_refused(load_bank, path, "lesson: [unclosed\n", "not valid YAML")
    with pytest.raises(CourseDataError, match="cannot be read"):
        load_bank(tmp_path / "missing.yaml")


class TestGrading:
    def test_single(self, bank):
        q = bank.get("q-single")
        right = grade(q, 1)
        assert right.correct and right.lines[0].label == "B" and right.lines[0].text == "yes B"
        wrong = grade(q, 0)
        assert not wrong.correct and wrong.lines[0].text == "no A" and "B" not in wrong.summary
        for bad in (None, 3, -1, "1", True):
            with pytest.raises(InvalidResponse):
                grade(q, bad)

    def test_multiple(self, bank):
        q = bank.get("q-multi")
        assert grade(q, [0, 2]).correct
        partial = grade(q, [0])
        assert not partial.correct and "1 correct option is still unticked" in partial.summary
        assert [line.label for line in partial.lines] == ["A"]  # no give-away of unticked answers
        extra = grade(q, {0, 1, 2})
        assert not extra.correct and "1 ticked option should not be ticked" in extra.summary
        assert "1 ticked option should not be ticked and 2 correct options are still unticked" in grade(q, [1]).summary
        for bad in ([], None, "02", [5], [True]):
            with pytest.raises(InvalidResponse):
                grade(q, bad)

    def test_truefalse(self, bank):
        q = bank.get("q-tf")
        assert grade(q, False).correct and grade(q, False).lines[0].text == "ff"
        assert not grade(q, True).correct and grade(q, True).lines[0].text == "ft"
        with pytest.raises(InvalidResponse):
            grade(q, None)

    def test_numeric(self, bank):
        q = bank.get("q-num")
        assert grade(q, "800").correct and grade(q, 800.4).correct and grade(q, "800 mg").correct
        slip = grade(q, "880")
        assert not slip.correct and slip.lines[0].text == "forgot the cap"
        assert "too low" in grade(q, "700").lines[0].text
        assert "too high" in grade(q, "900").lines[0].text
        with pytest.raises(InvalidResponse, match="outside the possible range"):
            grade(q, "2500")
        with pytest.raises(InvalidResponse, match="not a number"):
            grade(q, "eight hundred")
        with pytest.raises(InvalidResponse, match="Type a number"):
            grade(q, "  ")

    @pytest.mark.parametrize(
        ("text", "value"), [("1,000,000", 1e6), ("7,5", 7.5), ("  42 ", 42.0), ("1e3", 1000.0), (".5", 0.5), (3, 3.0)]
    )
    def test_parse_number_accepts_common_forms(self, text, value):
        assert parse_number(text) == value

    @pytest.mark.parametrize("text", ["12abc", "inf", "nan", "--3", True])
    def test_parse_number_refuses_others(self, text):
        with pytest.raises(InvalidResponse):
            parse_number(text)

    def test_ordering(self, bank):
        q = bank.get("q-order")
        assert grade(q, [0, 1, 2, 3]).correct
        swapped = grade(q, [1, 0, 2, 3])
        assert not swapped.correct and "2 of 4" in swapped.summary
        assert "not here" in swapped.lines[0].label and "right place" in swapped.lines[2].label
        with pytest.raises(InvalidResponse, match="more than once"):
            grade(q, [0, 0, 2, 3])
        with pytest.raises(InvalidResponse, match="each of the 4"):
            grade(q, [0, None, 2, 3])
        for bad in (None, "0123", [0, 1, 2, 9]):
            with pytest.raises(InvalidResponse):
                grade(q, bad)

    def test_shuffled_items_are_stable_and_never_the_answer(self, bank):
        q = bank.get("q-order")
        assert q.shuffled_items() == q.shuffled_items()
        assert q.shuffled_items() != sorted(q.shuffled_items())

    def test_matching(self, bank):
        q = bank.get("q-match")
        assert q.match_choices() == ["R1", "R2", "R3", "R4"]
        assert grade(q, {"L1": "R1", "L2": "R2", "L3": "R3"}).correct
        wrong = grade(q, {"L1": "R4", "L2": "R2", "L3": "R3"})
        assert not wrong.correct and "2 of 3" in wrong.summary and "(matches" not in wrong.lines[0].label
        with pytest.raises(InvalidResponse, match="Still open: L3"):
            grade(q, {"L1": "R1", "L2": "R2"})
        with pytest.raises(InvalidResponse):
            grade(q, {"L1": "R9", "L2": "R2", "L3": "R3"})
        with pytest.raises(InvalidResponse):
            grade(q, ["R1"])


def test_units_read_naturally_for_one():
    from course.engine.questions.grading import with_unit

    assert with_unit(1, "years") == "1 year" and with_unit(2, "years") == "2 years"
    assert with_unit(640, "mg") == "640 mg" and with_unit(1, "mg") == "1 mg" and with_unit(5, "") == "5"


# --------------------------------------------------------------------------- per-learner option order
def test_option_order_is_stable_per_learner_and_differs_between_learners():
    from course.engine.questions.order import option_order, shuffled

    q = next(q for b in all_banks() for q in b.questions if q.type == "single" and len(q.options) == 4)
    assert option_order(q, "") == [0, 1, 2, 3]  # the static view keeps the authored (balanced) order
    ana = option_order(q, "ana")
    assert sorted(ana) == [0, 1, 2, 3] and option_order(q, "ana") == ana  # same after a restart
    orders = {tuple(shuffled(f"learner{i}", q.id, 4)) for i in range(40)}
    assert len(orders) > 10  # learners see different orders
    firsts = [shuffled(f"learner{i}", q.id, 4).index(q.correct_options()[0]) for i in range(400)]
    assert all(60 < firsts.count(p) < 140 for p in range(4))  # the key lands in every position


def test_widget_shows_the_learners_order_and_records_bank_indices(tmp_path):
    from course import start_lesson
    from course.engine.progress import ProgressStore
    from course.engine.questions.order import option_order

    lesson = start_lesson("00_start_here", ProgressStore(tmp_path, "zoe"))
    w = lesson.question("q00-targets").widget()
    order = option_order(w.q, "zoe")
    assert [c.description[3:] for c in w.input.checks] == [w.q.options[i].text for i in order]
    for i, c in zip(order, w.input.checks, strict=True):
        c.value = w.q.options[i].correct
    w.check.click()
    assert "Correct" in w.feedback.value
    assert lesson.store.latest("00_start_here", "q00-targets").response == w.q.correct_options()
    single = lesson.bank.get("q00-car-letters")
    radio = lesson.question("q00-car-letters").widget().input.control
    assert [label[3:] for label, _ in radio.options] == [single.options[i].text for i in option_order(single, "zoe")]
    assert [v for _, v in radio.options] == option_order(single, "zoe")


def test_feedback_and_export_name_options_by_text_not_letter(tmp_path):
    from course import start_lesson
    from course.engine.progress import ProgressStore

    lesson = start_lesson("00_start_here", ProgressStore(tmp_path, "kim"))
    w = lesson.question("q00-car-letters").widget()
    wrong = next(i for i, o in enumerate(w.q.options) if not o.correct)
    w.input.control.value = wrong
    w.check.click()
    assert w.q.options[wrong].text in w.feedback.value
    result = grade(w.q, wrong)
    assert result.lines[0].label == w.q.options[wrong].text
    lesson.export()
    (written,) = (tmp_path / "exports").glob("*.json")
    doc = json.loads(written.read_text())
    row = next(a for a in doc["answers"] if a["question"] == "q00-car-letters")
    assert row["response"] == wrong and row["chosen"] == w.q.options[wrong].text
    assert row["level"] == "recall" and len(row["shown"]) == len(w.q.options)


# --------------------------------------------------------------------------- keyed answers from the rules
# Lesson-bank questions whose key is a grade, a score or a dose: the inputs, recomputed with course.clinical
# (the final assessment's own cases live in assets/assessment_cases.yaml).
DERIVED = {
    "pre-crs-grade": ("crs_grade", dict(temperature_c=38.6, hypotension="no_vasopressor",
                                        oxygen_device="nasal_cannula", oxygen_flow_l_min=2)),
    "pre-icans-grade": ("icans_grade", dict(ice=8, consciousness="awakens_to_voice")),
    "ret-06-crs-mask": ("crs_grade", dict(temperature_c=38.2, oxygen_device="facemask")),
    "ret-06-toci-dose": ("tocilizumab_dose", dict(weight_kg=64)),
    "ret-07-ice": ("ice_score", dict(orientation=3, naming=3, following_commands=1, writing=0, attention=1)),
    "ret-07-icans-touch": ("icans_grade", dict(ice=8, consciousness="awakens_to_tactile")),
    "q05-vignette-fluids": ("crs_grade", dict(temperature_c=39.1, hypotension="no_vasopressor")),
    "q06-seizure": ("icans_grade", dict(ice=7, seizure="rapidly_resolving")),
}


@pytest.mark.parametrize("qid", sorted(DERIVED))
def test_lesson_keys_are_what_the_clinical_rules_give(qid):
    from course.lessons.l11_final_assessment.model import RULES, keyed_answer

    bank = next(b for b in all_banks() if qid in b.ids())
    rule, inputs = DERIVED[qid]
    assert keyed_answer(bank.get(qid)) == pytest.approx(RULES[rule](inputs).value)


def test_ice_trend_key_is_the_grade_of_the_last_score():
    from course import clinical

    q = next(b for b in all_banks() if "q06-ice-trend" in b.ids()).get("q06-ice-trend")
    last = int(q.stem.split("| ICE score |")[1].split("|")[-2])
    key = q.options[q.correct_options()[0]].text
    assert f"Grade {clinical.icans_grade(ice=last).grade} ICANS" in key


# --------------------------------------------------------------------------- pre-test and retrieval
def test_pre_test_items_parallel_distinct_final_objectives():
    banks = {b.lesson: b for b in all_banks()}
    pre = [q for q in banks["00_start_here"].questions if q.id.startswith("pre-")]
    final = banks["11_final_assessment"]
    assert 6 <= len(pre) <= 10
    objectives = [final.get(q.parallel).objective for q in pre]  # KeyError if a parallel is not in the final
    assert len(set(objectives)) == len(pre)
    assert all(q.parallel == "" for b in banks.values() for q in b.questions if not q.id.startswith("pre-"))


@pytest.mark.parametrize("lesson", [f"{n:02d}" for n in range(1, 10)])
def test_each_lesson_opens_with_retrieval_questions(lesson):
    import nbformat

    from course.core.paths import notebook_path

    bank = next(b for b in all_banks() if b.lesson.startswith(lesson))
    ret = [q.id for q in bank.questions if q.id.startswith("ret-")]
    assert 2 <= len(ret) <= 3 and bank.ids()[: len(ret)] == ret  # first in the bank, so numbered 1, 2...
    nb = nbformat.read(notebook_path(bank.lesson), 4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert all(f'"{r}"' in code[1 + k] for k, r in enumerate(ret))  # right after the setup cell


@pytest.mark.parametrize("bank", all_banks()[:10], ids=lambda b: b.lesson)
def test_question_numbers_follow_reading_order(bank):
    import re

    import nbformat

    from course.core.paths import notebook_path

    nb = nbformat.read(notebook_path(bank.lesson), 4)
    shown = [m for c in nb.cells if c.cell_type == "code"
             for m in re.findall(r"""\.question\(\s*["']([a-z0-9-]+)["']\s*\)""", c.source)]
    assert shown == bank.ids()


WORKED = {  # cell id: (notebook, the number the cell states, the rule's value)
    "wk05crs1": ("05_cytokine_release_syndrome", "**grade 2 CRS**",
                 lambda c: c.crs_grade(38.7, "no_vasopressor", "nasal_cannula", 3).grade == 2),
    "wk05crs2": ("05_cytokine_release_syndrome", "**grade 3**",
                 lambda c: c.crs_grade(37.6, "one_vasopressor", "nasal_cannula", 5, True).grade == 3),
    "wk05toc1": ("05_cytokine_release_syndrome", "**608 mg**", lambda c: c.tocilizumab_dose(76).mg == 608),
    "wk05toc2": ("05_cytokine_release_syndrome", "**800 mg**", lambda c: c.tocilizumab_dose(125).mg == 800),
    "wk06ice1": ("06_icans", "**6 of 10**", lambda c: c.ice_score(3, 2, 1, 0, 0) == 6),
    "wk06ice2": ("06_icans", "**9**", lambda c: c.ice_score(4, 3, 1, 1, 0) == 9),
    "wk06icans1": ("06_icans", "**grade 3 ICANS**",
                   lambda c: c.icans_grade(ice=8, consciousness="awakens_to_tactile").grade == 3),
    "wk06icans2": ("06_icans", "**Grade 3**", lambda c: c.icans_grade(ice=4, seizure="rapidly_resolving").grade == 3),
}


@pytest.mark.parametrize("cell_id", sorted(WORKED))
def test_worked_examples_come_before_practice_and_agree_with_the_rules(cell_id):
    import nbformat

    from course import clinical
    from course.core.paths import notebook_path

    lesson, stated, rule = WORKED[cell_id]
    cells = nbformat.read(notebook_path(lesson), 4).cells
    k = next(i for i, c in enumerate(cells) if c.get("id") == cell_id)
    assert stated in cells[k].source and rule(clinical)
    first_practice = {"wk05crs": "q05-grade-changers", "wk05toc": "q05-toci-cap", "wk06ice": "q06-ice-calc",
                      "wk06icans": "q06-aphasia"}[cell_id.rstrip("12")]
    assert k < next(i for i, c in enumerate(cells) if f'"{first_practice}"' in c.source)
