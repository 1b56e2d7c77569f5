"""The neutrophil ICAHT grader at every threshold of the EHA/EBMT 2023 consensus (rejeski2023-icaht),
its day-counting convention, and its refusal of bad input."""

from __future__ import annotations

import pytest

from course.clinical.icaht import early_icaht, icaht_grade, late_icaht


def low_for(days: int, anc: float, start: int = 0) -> list[tuple[int, float]]:
    """ANC ``anc`` from ``start`` for ``days`` days, then a recovery to 2000/µL that lasts."""
    return [(start, anc), (start + days, 2000)]


# Early ICAHT: days at or below 500/µL decide grades 1-3.
@pytest.mark.parametrize(("days", "grade"), [(1, 1), (6, 1), (7, 2), (13, 2), (14, 3), (30, 3)])
def test_early_grade_by_days_at_or_below_500(days, grade):
    result = early_icaht(low_for(days, 500))
    assert result.grade == grade
    assert f"{days} days" in result.criterion


def test_early_501_is_not_neutropenic():
    assert early_icaht(low_for(20, 501)).grade == 0


@pytest.mark.parametrize(("days", "grade"), [(6, 1), (7, 4), (10, 4)])
def test_early_grade4_needs_7_days_below_100(days, grade):
    # 6 days below 100 are still 6 days at or below 500: grade 1, not 4.
    assert early_icaht(low_for(days, 99)).grade == grade


def test_early_exactly_100_is_not_profound():
    result = early_icaht(low_for(10, 100))
    assert (result.grade, "10 days" in result.criterion) == (2, True)


def test_days_after_day_30_do_not_count_as_early():
    result = early_icaht(low_for(20, 300, start=25))
    assert result.grade == 1 and "6 days" in result.criterion  # days 25-30 only


def test_short_recovery_between_two_low_stretches_counts():
    # Low days 0-5 (6), recovery on days 6-7 (2 days, unstable), low days 8-12 (5): 6 + 2 + 5 = 13.
    series = [(0, 300), (6, 800), (8, 300), (13, 2000)]
    assert early_icaht(series).grade == 2
    assert "13 days" in early_icaht(series).criterion


def test_stable_recovery_of_3_days_is_not_counted():
    series = [(0, 300), (6, 800), (9, 300), (14, 2000)]  # 6 + 5 = 11 days; the 3-day gap is recovery
    assert "11 days" in early_icaht(series).criterion


def test_last_result_counts_for_its_own_day_only():
    assert "1 days" in early_icaht([(0, 2000), (10, 400)]).criterion


# Late ICAHT: depth, on at least two results after day 30.
@pytest.mark.parametrize(
    ("anc", "grade"), [(1501, 0), (1500, 1), (1001, 1), (1000, 2), (501, 2), (500, 3), (100, 3), (99, 4), (0, 4)]
)
def test_late_grade_by_depth(anc, grade):
    assert late_icaht([(0, 3000), (40, anc), (47, anc)]).grade == grade


def test_late_single_low_value_is_not_graded():
    result = late_icaht([(40, 200), (47, 1800)])
    assert result.grade == 0 and "one low result" in result.criterion


def test_late_grade_set_by_second_deepest_result():
    # 200 once and 900 once: two results at or below 1000 (grade 2), only one at or below 500.
    assert late_icaht([(35, 200), (42, 900)]).grade == 2


def test_day_30_is_early_and_day_31_late():
    assert late_icaht([(30, 50), (31, 50)]).grade == 0
    assert late_icaht([(31, 50), (32, 50)]).grade == 4


def test_overall_takes_the_worse_period_and_names_it():
    biphasic = [(0, 400), (10, 2500), (45, 400), (52, 450)]  # early 10 days (G2), late <=500 (G3)
    result = icaht_grade(biphasic)
    assert (result.grade, result.period, result.early.grade, result.late.grade) == (3, "late", 2, 3)
    assert result.criterion == result.late.criterion


def test_overall_tie_is_reported_as_early():
    result = icaht_grade([(0, 400), (16, 2500), (40, 300), (47, 300)])
    assert (result.grade, result.period) == (3, "early")


def test_no_icaht():
    result = icaht_grade([(0, 2500), (14, 3000), (60, 2800)])
    assert (result.grade, result.period) == (0, None)


def test_generator_input_is_read_once():
    assert icaht_grade(iter([(0, 50), (7, 2000)])).grade == 4


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([], "empty"),
        (None, "list of"),
        ([(0,)], "pair"),
        ([(1.5, 300)], "whole number"),
        ([(True, 300)], "whole number"),
        ([(-3, 300)], "from 0"),
        ([(731, 300)], "from 0"),
        ([(0, "low")], "number in cells/µL"),
        ([(0, float("nan"))], "number in cells/µL"),
        ([(0, -1)], "from 0 to"),
        ([(0, 0.4)], "500 cells/µL"),
        ([(0, 300), (0, 200)], "days must increase"),
        ([(5, 300), (2, 200)], "days must increase"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(series, message):
    with pytest.raises(ValueError, match=message):
        icaht_grade(series)


# The lesson 07 questions: every keyed ICAHT answer is what the grader computes.
from course.engine.questions.model import bank_path, load_bank  # noqa: E402
from course.lessons.l07_after_infusion_and_long_term import demos as l07  # noqa: E402

BANK07 = load_bank(bank_path("07_after_infusion_and_long_term"))


def keyed_text(qid: str) -> str:
    question = BANK07.get(qid)
    return question.options[question.correct_options()[0]].text


def test_numeric_icaht_answer_is_the_graders():
    result = icaht_grade(l07.ICAHT_QUESTIONS["q07-icaht-early-calc"])
    assert BANK07.get("q07-icaht-early-calc").answer == result.early.grade == result.grade
    assert result.period == "early"


@pytest.mark.parametrize("qid", ["q07-icaht-profound", "q07-icaht-late-depth"])
def test_single_choice_icaht_key_is_the_graders(qid):
    result = icaht_grade(l07.ICAHT_QUESTIONS[qid])
    assert keyed_text(qid) == f"{result.period.capitalize()} ICAHT grade {result.grade}"
    wrong = [o.text for o in BANK07.get(qid).options if not o.correct]
    assert f"{result.period.capitalize()} ICAHT grade {result.grade}" not in wrong


def test_fever_question_patient_has_early_icaht():
    # day 2 to 8 at or below 500 (the last result counts for day 9 only): the stem's "since day 2" holds
    result = icaht_grade(l07.ICAHT_QUESTIONS["q07-icaht-fever"])
    assert (result.period, result.grade) == ("early", 2)
    assert "200/µL today" in BANK07.get("q07-icaht-fever").stem


def test_every_demo_patient_is_gradable_and_the_menu_spans_grades():
    grades = {icaht_grade(series).grade for _, series in l07.ICAHT_PATIENTS.values()}
    assert grades >= {1, 3, 4}


def test_demo_grades_the_chosen_patient_and_keeps_bad_input():
    demo = l07.IcahtDemo()
    demo.patient.value = "profound"
    assert "Grade 4</strong>, early ICAHT" in demo.output.value
    assert "What the nurse does" in demo.output.value
    demo.results.value = "3: 400\n12 four hundred"
    demo.grade()
    assert "Not graded" in demo.output.value and "line 2" in demo.output.value
    assert demo.results.value == "3: 400\n12 four hundred"  # nothing the learner typed is lost
    demo.results.value = "35: 900\n42: 800"
    demo.button.click()
    assert "Grade 2</strong>, late ICAHT" in demo.output.value


def test_demo_static_view_grades_every_patient_and_is_listed():
    assert l07.SHOWS["icaht_demo"] is l07.icaht_demo
    html = l07.icaht_demo()._repr_mimebundle_()["text/html"]
    for title, series in l07.ICAHT_PATIENTS.values():
        assert title in html
        assert f"Grade {icaht_grade(series).grade}</strong>" in html
    assert "Grade 4" in html and "below 100/µL" in html
