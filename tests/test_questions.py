"""Question banks: validation messages that name file, question and field; grading of every type."""

from __future__ import annotations

import copy

import pytest
import yaml

from course.core.errors import CourseDataError, InvalidResponse
from course.engine.questions import grade, load_bank
from course.engine.questions.grading import parse_number
from course.engine.questions.model import all_banks

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
        (lambda b: b["questions"][0]["options"][1].pop("feedback"), "'options[1].feedback'"),
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
            "'common_errors[1].value'",
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
    path.write_text("lesson: 99_test\nlesson: 99_test\n")
    with pytest.raises(CourseDataError, match="duplicate key 'lesson'"):
        load_bank(path)
    path.write_text("lesson: [unclosed\n")
    with pytest.raises(CourseDataError, match="not valid YAML"):
        load_bank(path)
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
        assert not partial.correct and "1 correct option(s) are still unticked" in partial.summary
        assert [line.label for line in partial.lines] == ["A"]  # no give-away of unticked answers
        extra = grade(q, {0, 1, 2})
        assert not extra.correct and "1 ticked option(s) should not be ticked" in extra.summary
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
        ("text", "value"), [("1,000", 1000.0), ("7,5", 7.5), ("  42 ", 42.0), ("1e3", 1000.0), (".5", 0.5), (3, 3.0)]
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
