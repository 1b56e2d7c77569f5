"""Lesson 08 (a patient case): the case data, its validation, the pure logic, and the bank's answers.

The key test here recomputes, from the case data and with ``course.clinical``, every grade and dose
that a bank question asks, and checks the bank's answer against it.
"""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from course import clinical
from course.core.references import registry
from course.core.text import plain
from course.engine.questions.model import bank_path, load_bank
from course.lessons.l03_the_five_steps import model as v2v
from course.lessons.l07_after_infusion_and_long_term import model as lt
from course.lessons.l08_patient_case import model as cs
from tests.data_support import assert_refused, read_yaml, write_yaml

LESSON = "08_patient_case"


@pytest.fixture(scope="module")
def case():
    return cs.load_case()


@pytest.fixture(scope="module")
def bank():
    return load_bank(bank_path(LESSON))


@pytest.fixture(scope="module")
def raw():
    return read_yaml(cs.DATA_FILE)


def write(tmp_path, data):
    return write_yaml(tmp_path, "patient_case.yaml", data)


def correct_text(q) -> str:
    (index,) = q.correct_options()
    return q.options[index].text


def case_ids(bank):
    """The bank's case questions; the retrieval questions (ret-...) that open the lesson revisit lesson 07."""
    return [i for i in bank.ids() if not i.startswith("ret-")]


# --- The shipped case -------------------------------------------------------------------------------


def test_case_loads_and_every_row_cites_known_references(case):
    known = set(registry())
    assert case.references() and set(case.references()) <= known
    for group in (case.events, case.stages, case.care_plan, case.education_patient, case.education_caregiver):
        assert group and all(row.references for row in group)
    assert case.patient.references and case.product.references and case.igg_references


def test_the_patient_is_the_brief_s_adult_with_relapsed_lbcl_after_two_lines(case):
    assert case.patient.weight_kg == 92 and case.patient.age >= 18
    assert "large B-cell lymphoma" in case.patient.diagnosis
    assert "two lines" in case.patient.history
    assert (case.product.brand, case.product.generic) == ("Yescarta", "axicabtagene ciloleucel")


def test_every_bank_question_is_a_decision_of_exactly_one_stage(case, bank):
    decided = [d.question for _, d in case.decisions()]
    assert sorted(decided) == sorted(case_ids(bank))
    assert len(decided) == len(set(decided))


def test_decisions_follow_the_story_in_bank_order(case, bank):
    """The bank lists the questions in the order the case asks them (so numbers run 1, 2, 3...)."""
    assert [d.question for _, d in case.decisions()] == case_ids(bank)


# --- Every grade and dose the bank asks, recomputed ---------------------------------------------------


def test_every_computed_answer_in_the_bank_matches_the_case(case, bank):
    checked = 0
    for _, decision in case.decisions():
        q = bank.get(decision.question)
        expected = cs.expected_answer(decision, case)
        if decision.asks == "judgement":
            assert expected is None
            continue
        checked += 1
        if decision.asks == "crs_grade":
            assert q.type == "single"
            assert correct_text(q) == f"Grade {expected}", q.id
            assert all(not o.text.startswith(f"Grade {expected}") for o in q.options if not o.correct)
        elif decision.asks == "icans_grade":
            assert q.type == "single"
            assert correct_text(q).startswith(f"Grade {expected} ICANS"), q.id
            crs_now = case.observation(decision.observation).crs().grade
            assert crs_now == 0 and "without CRS" in correct_text(q)
        elif decision.asks in ("ice_score", "tocilizumab_mg", "cyclophosphamide_mg"):
            assert q.type == "numeric"
            assert abs(q.answer - expected) <= q.tolerance, q.id
            assert all(abs(e.value - expected) > q.tolerance for e in q.common_errors)
        elif decision.asks == "igg_review":
            review = expected
            assert review.at_or_below_trigger and "recurrent" in review.message
            text = correct_text(q)
            assert f"{lt.data().igg_trigger_mg_dl:g} mg/dL" in text and "recurrent infections" in text
            assert f"{review.igg_mg_dl:g} mg/dL" in q.stem
        else:  # pragma: no cover
            pytest.fail(f"untested kind {decision.asks}")
    assert checked == 7


def test_the_grades_of_the_case_are_those_the_story_needs(case):
    """Day 2 fever alone: CRS 1. Day 3: CRS 2. Day 5 afternoon: ICANS 2 without CRS (course.clinical)."""
    assert clinical.crs_grade(38.4).grade == case.observation("d2-evening").crs().grade == 1
    day3 = case.observation("d3-1500")
    assert day3.crs().grade == clinical.crs_grade(38.8, "no_vasopressor", "nasal_cannula", 2.0, True).grade == 2
    day5 = case.observation("d5-1600")
    assert day5.ice_total == clinical.ice_score(3, 2, 1, 0, 0) == 6
    assert day5.icans().grade == clinical.icans_grade(6).grade == 2
    assert day5.crs().grade == 0
    assert case.observation("d5-0800").icans().grade == 1  # the first fall: ICE 9


def test_tocilizumab_dose_is_the_brief_s_example(case):
    assert cs.tocilizumab(case).mg == clinical.tocilizumab_dose(92).mg == 736.0


def test_every_tocilizumab_dose_written_in_the_bank_or_the_case_is_the_computed_one(case, bank, raw):
    dose = cs.tocilizumab(case).mg
    texts = []
    for q in bank.questions:
        texts += [q.stem, q.explanation, *(o.text for o in q.options), *(o.feedback for o in q.options), *q.items]
        texts += [*q.item_feedback, *(p.right for p in q.pairs), *(e.feedback for e in q.common_errors)]
    for stage in case.stages:
        texts += [stage.summary, *stage.nurse, *stage.escalate]
    texts += [e.text for e in case.events]
    found = 0
    for text in texts:
        for mg in re.findall(r"[Tt]ocilizumab[^.;]{0,40}?(\d+(?:\.\d+)?) mg\b(?!/)", text):
            assert float(mg) in (dose, 800.0), f"{mg} mg in {text!r}"
            found += float(mg) == dose
    assert found >= 3


def test_the_stems_quote_the_case_data(case, bank):
    d2 = case.observation("d2-evening")
    assert f"{d2.temp_c:.1f} °C" in bank.get("q08-day2-grade").stem
    assert f"{d2.sbp}/{d2.dbp}" in bank.get("q08-day2-grade").stem
    d3 = case.observation("d3-1500")
    stem = bank.get("q08-day3-grade").stem
    assert f"{d3.sbp}/{d3.dbp}" in stem and f"{d3.oxygen_flow_l_min:g} L/min" in stem
    assert f"{case.patient.weight_kg:g} kg" in bank.get("q08-toci-dose").stem
    stem = bank.get("q08-cy-dose").stem
    assert f"{case.patient.bsa_m2:g} m²" in stem and f"{case.product.cyclophosphamide_mg_m2:g} mg/m²" in stem
    anc = next(x for x in case.anc if x.day == 2)
    assert f"{anc.value:g} × 10⁹/L" in bank.get("q08-day2-actions").stem
    assert f"{cs.igg_on(-1, case).value:g}" in bank.get("q08-igg").stem


def test_lymphodepletion_matches_lesson_03_and_the_computed_doses(case):
    regimen = v2v.regimen(case.product.regimen_id)
    assert regimen.product == case.product.brand
    assert regimen.ld_days == case.product.ld_days
    assert case.product.infusion_day in regimen.infusion_days
    assert f"{case.product.cyclophosphamide_mg_m2:g} mg/m²" in regimen.regimen
    assert f"{case.product.fludarabine_mg_m2:g} mg/m²" in regimen.regimen
    doses = cs.ld_doses(case)
    assert [d.day for d in doses] == [-5, -4, -3]
    assert {(d.fludarabine_mg, d.cyclophosphamide_mg) for d in doses} == {(63.0, 1050.0)}


def test_cell_dose_is_per_kg_and_capped(case):
    assert math.isclose(cs.cell_dose(case), 2e6 * 92)
    heavy = dataclasses.replace(case, patient=dataclasses.replace(case.patient, weight_kg=130))
    assert cs.cell_dose(heavy) == case.product.max_cells == 2e8
    assert cs.sci(1.84e8) == "1.84 × 10⁸" and cs.sci(2e6) == "2 × 10⁶"


def test_igg_review_reuses_lesson_07_rule(case):
    assert cs.igg_on(-10, case) is None
    assert cs.igg_on(45, case).value == 480
    assert cs.infections_by(70, case) == 1 and cs.infections_by(90, case) == 2
    assert not cs.igg_assessment(45, case).at_or_below_trigger
    review = cs.igg_assessment(90, case)
    assert review == lt.igg_review(350, True)
    assert case.event("igg-90").text.count(f"{review.igg_mg_dl:g} mg/dL") == 1


# --- Pure logic: the case up to a day --------------------------------------------------------------


def test_stage_on_boundaries(case):
    assert cs.stage_on(-38, case).id == "referral"
    assert cs.stage_on(-25, case).id == "referral"
    assert cs.stage_on(-24, case).id == "apheresis"
    assert cs.stage_on(3, case).id == "hypotension"
    assert cs.stage_on(45, case).id == "two-weeks"
    assert cs.stage_on(90, case).id == "day90"
    with pytest.raises(ValueError, match="starts on day -38"):
        cs.stage_on(-39, case)


@pytest.mark.parametrize("bad", [True, "3", float("nan"), -41, 93])
def test_days_are_validated(bad):
    with pytest.raises(ValueError):
        cs.check_day(bad)


def test_events_until_shows_only_what_has_happened(case):
    assert [e.id for e in cs.events_until(-1, case)][-1] == "lymphodepletion"
    assert "infusion" in {e.id for e in cs.events_until(0, case)}
    assert "tocilizumab" not in {e.id for e in cs.events_until(2, case)}
    assert "tocilizumab" in {e.id for e in cs.events_until(3, case)}  # given in the afternoon of day 3
    assert len(cs.events_until(90, case)) == len(case.events)


def test_grade_spans_and_worst_grades(case):
    assert cs.grade_spans("crs", 1, case) == []
    assert [s.grade for s in cs.grade_spans("crs", 90, case)] == [1, 2]
    assert [s.grade for s in cs.grade_spans("icans", 90, case)] == [1, 2, 1]
    cut = cs.grade_spans("crs", 3, case)
    assert cut[-1].end == 4  # cut at the end of the day shown
    assert cs.worst_grade("crs", 2, case) == 1 and cs.worst_grade("crs", 90, case) == 2
    assert cs.worst_grade("icans", 4, case) == 0 and cs.worst_grade("icans", 5, case) == 2
    with pytest.raises(ValueError, match="kind"):
        cs.grade_spans("hlh", 5, case)


def test_no_crs_after_day_4_and_no_icans_after_day_7(case):
    for obs in case.observations:
        if obs.t >= 4.3:
            assert obs.crs().grade == 0, obs.id
        if obs.t >= 7.3 and obs.icans() is not None:
            assert obs.icans().grade == 0, obs.id


def test_timeline_axis_is_monotonic_and_spans_zero_to_one():
    xs = [cs.timeline_x(d) for d in range(-40, 93)]
    assert xs == sorted(xs) and xs[0] == 0.0 and xs[-1] == 1.0
    assert math.isclose(cs.timeline_x(0), 0.2 + 6 / 21 * 0.56)
    assert cs.timeline_x(-100) == 0.0 and cs.timeline_x(500) == 1.0
    with pytest.raises(ValueError):
        cs.timeline_x("day 3")


def test_state_of_the_key_days(case):
    s = cs.state(3, case)
    assert s.crs.grade == 2 and "nasal cannula" in s.crs.criterion and s.icans.grade == 0
    assert [e.id for e in s.treatments][-1] == "tocilizumab"
    s5 = cs.state(5, case)
    assert s5.icans.grade == 2 and s5.crs.grade == 0 and "ICE score" in s5.icans_sentence
    assert cs.state(-10, case).observation is None
    assert cs.state(90, case).igg.at_or_below_trigger
    assert [r.applies for r in cs.state(10, case).rules] == [True, True]
    assert [r.applies for r in cs.state(15, case).rules] == [False, False]
    with pytest.raises(ValueError):
        cs.state(3.5, case)


def test_state_html_says_what_the_nurse_does_and_cites(case):
    html = cs.state_html(5, case)
    assert "What the nurse does" in html and "Escalate at once" in html and 'href="#ref-santomasso2021-asco"' in html and "[santomasso2021-asco]" not in html
    assert "ICANS grade 2" in html and 'role="status"' in html
    assert "No ward observations yet" in cs.state_html(-24, case)
    assert "IgG 350 mg/dL" in cs.state_html(90, case)
    assert "Going home (US labels since June 2025)" in cs.state_html(12, case)
    assert cs.state_text(3, case).startswith("Day 3 - ")


# --- Tables ------------------------------------------------------------------------------------------


def test_chart_shows_measurements_but_not_the_answers(case):
    day5 = cs.chart(5, case=case)
    assert "9/10" in day5.html and "see the question below" in day5.html
    assert "6/10" not in day5.html and "grade" not in day5.html.lower()
    day3 = cs.chart(3, until="15:00", case=case)
    assert [row.split(":")[0].strip() for row in day3.text.splitlines()[1:]] == ["06", "14", "15"]
    assert "0.3 × 10⁹/L" in cs.chart(2, case=case).html
    with pytest.raises(ValueError, match="no observations"):
        cs.chart(11, case=case)
    with pytest.raises(ValueError, match="24-hour"):
        cs.chart(3, until="3pm", case=case)


def test_care_plan_has_the_four_columns_and_sources(case):
    view = cs.care_plan(case)
    for header in ("Problem", "Goal", "Nursing actions", "Escalate at once", "Sources"):
        assert f">{header}</th>" in view.html
    assert view.html.count("<tr>") == len(case.care_plan) + 1
    assert "38.0 °C" in view.html and "400 mg/dL" in view.html
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}


def test_education_reuses_lesson_07_call_now_list_and_has_the_caregiver(case):
    view = cs.education(case)
    for symptom in lt.data().call_now:
        assert plain(symptom.text).split(",")[0] in view.text
    assert "For her sister, the caregiver" in view.html
    assert "label minimum until day 14" in view.html
    assert "donate blood" in view.html


def test_patient_card_and_ld_table(case):
    card = cs.patient_card(case)
    assert "1.84 × 10⁸" in card.html and "Ms Ruth Adeyemi" in card.text and ".." not in card.text
    assert "1050 mg" in cs.ld_table(case).html


# --- Validation of the data file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["events"][0].update(references=["no-such-key"]), "unknown reference key"),
        (lambda d: d["events"][0].update(lane="ward"), "field 'lane'"),
        (lambda d: d["events"][2].update(end=-30), "field 'end'"),
        (lambda d: d["events"][0].update(then="tapered"), "field 'then'"),
        (lambda d: d["observations"]["rows"][0].__setitem__(2, "8am"), "24-hour time"),
        (lambda d: d["observations"]["rows"][0].__setitem__(12, [5, 3, 1, 1, 1]), "ICE orientation"),
        (lambda d: d["observations"]["rows"][0].__setitem__(8, "helmet"), "oxygen device"),
        (lambda d: d["observations"]["rows"].reverse(), "time order"),
        (lambda d: d["observations"]["rows"][0].pop(), "one per column"),
        (lambda d: d["observations"].update(columns=["id"]), "'columns' must be"),
        (lambda d: d["stages"][1]["decisions"].append({"question": "q08-eligibility", "asks": "judgement"}),
         "asked twice"),
        (lambda d: d["stages"][4]["decisions"][0].update(observation="d99"), "unknown observation"),
        (lambda d: d["stages"][4]["decisions"][0].pop("observation"), "needed exactly"),
        (lambda d: d["stages"][0]["decisions"][0].update(asks="guess"), "must be one of"),
        (lambda d: d["stages"][0]["decisions"][0].update(question="q07-x"), "questions of one lesson"),
        (lambda d: d["stages"].reverse(), "stages must be in time order"),
        (lambda d: d["labs"]["igg"].reverse(), "time order"),
        (lambda d: d["labs"].update(infection_days="twice"), "infection_days"),
        (lambda d: d["patient"].update(weight_kg=-92), "weight_kg"),
        (lambda d: d["product"].update(ld_days=[-3, -5]), "ld_days"),
        (lambda d: d.update(extra={}), "field 'extra': is not a field"),
        (lambda d: d["education"].pop("caregiver"), "education: field 'caregiver': is missing"),
        (lambda d: d["care_plan"][0].pop("escalate"), "field 'escalate'"),
    ],
)
def test_bad_data_is_refused_with_file_and_field(raw, tmp_path, mutate, message):
    assert_refused(cs.load_case, raw, mutate, message, tmp_path, "patient_case.yaml")


def test_the_shipped_file_round_trips(raw, tmp_path):
    assert cs.load_case(write(tmp_path, raw)) == cs.load_case()


def test_low_igg_is_reported_the_same_day_not_escalated_at_once(case):
    day90 = case.stage("day90")
    assert any("400 mg/dL" in t for t in day90.report)
    assert not any("IgG" in t for t in day90.escalate)
    assert "Report to the team (same day)" in cs.state_html(90, case)
    assert case.stage("fever").report == ()
