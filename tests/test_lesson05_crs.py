"""Lesson 05 (CRS): data files, pure logic, and the bank's agreement with course.clinical."""

from __future__ import annotations

import re

import pytest
import yaml

from course import clinical
from course.core.errors import CourseDataError
from course.core.references import registry
from course.engine.questions.model import bank_path, load_bank
from course.lessons.l05_cytokine_release_syndrome import model as crs

LESSON = "05_cytokine_release_syndrome"
BANK = load_bank(bank_path(LESSON))
TIMING = {r.id: r for r in crs.load_timing()}


# ------------------------------------------------------------------------------ timing data


def test_timing_rows_are_valid_and_cover_every_product():
    assert {r.product for r in TIMING.values()} >= {"Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Abecma", "Carvykti"}
    for r in TIMING.values():
        assert 0 <= r.grade3_pct <= r.any_pct <= 100
        assert r.scale in crs.SCALES and r.references
        assert _cites_its_scale(r), f"{r.id} must cite the reference of its grading scale"
        if r.onset_spread:
            assert r.onset_spread.low <= r.onset_days <= r.onset_spread.high


def _cites_its_scale(row: crs.TimingRow) -> bool:
    return crs.SCALES[row.scale].reference in row.references


LABEL_KEYS = {"kymriah-label", "yescarta-label", "tecartus-label", "abecma-label"}
TRIAL_PAPERS = {"maude2018-eliana", "neelapu2017-zuma1", "wang2020-zuma2", "munshi2021-karmma"}


def test_label_rows_cite_only_the_label_and_say_the_paper_differs():
    """Label figures are cited to the label, not to the trial paper (whose figures differ)."""
    label_rows = [r for r in TIMING.values() if r.data_from == "label"]
    assert {r.id for r in label_rows} == {"kymriah-ball", "yescarta-lbcl", "tecartus-mcl", "abecma-mm"}
    for r in label_rows:
        assert set(r.references) - {crs.SCALES[r.scale].reference} <= LABEL_KEYS, r.id
        assert not set(r.references) & TRIAL_PAPERS, r.id
        assert "trial publication reports different figures" in r.note, r.id
        assert "label" in r.as_of
    assert "first approval" not in TIMING["tecartus-mcl"].as_of  # ZUMA-2 figures: as reported in the US label
    assert "breyanzi-smpc" in TIMING["breyanzi-lbcl"].references and "SmPC" in TIMING["breyanzi-lbcl"].note


def test_fatal_crs_is_shown_beside_the_grade_3_rate():
    carvykti = TIMING["carvykti-mm"]
    assert carvykti.grade5_patients == 1
    assert carvykti.severe_text == "4% grade 3-4, plus 1 fatal (grade 5)"
    assert TIMING["yescarta-lbcl"].severe_text == "13%"
    table = crs.timing_table()
    assert "4% grade 3-4, plus 1 fatal (grade 5)" in table._repr_mimebundle_()["text/html"]
    assert "plus 1 fatal (grade 5)" in table.text


def test_every_timing_reference_resolves():
    known = registry()
    for r in TIMING.values():
        assert set(r.references) <= set(known), r.id


def test_trials_use_more_than_one_grading_scale():
    """The lesson's warning (rates not comparable) rests on this."""
    assert {r.scale for r in TIMING.values()} == {"penn", "lee2014", "astct2019"}


def _write(tmp_path, data, name="crs_timing.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _raw_timing():
    return yaml.safe_load(crs.TIMING_FILE.read_text())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("grade3_pct", 99, "cannot be higher than any_pct"),
        ("scale", "ctcae", "must be one of"),
        ("references", ["no-such-key"], "unknown reference key"),
        ("references", [], "non-empty list"),
        ("onset_days", 30, "must lie within"),
        ("any_pct", "many", "must be a number"),
        ("data_from", "blog", "must be one of"),
        ("grade5_patients", -1, "whole number of patients"),
        ("grade5_patients", 0.5, "whole number of patients"),
    ],
)
def test_bad_timing_rows_are_refused_with_file_row_and_field(tmp_path, field, value, message):
    data = _raw_timing()
    data["rows"][0][field] = value
    with pytest.raises(CourseDataError, match=message) as info:
        crs.load_timing(_write(tmp_path, data))
    assert "crs_timing.yaml" in str(info.value) and "kymriah-ball" in str(info.value)


def test_missing_and_unknown_timing_fields_are_named(tmp_path):
    data = _raw_timing()
    del data["rows"][0]["trial"]
    with pytest.raises(CourseDataError, match="'trial'"):
        crs.load_timing(_write(tmp_path, data))
    data = _raw_timing()
    data["rows"][0]["colour"] = "red"
    with pytest.raises(CourseDataError, match="'colour'"):
        crs.load_timing(_write(tmp_path, data))


def test_duplicate_keys_in_timing_file_are_refused(tmp_path):
    path = tmp_path / "crs_timing.yaml"
    path.write_text("rows:\n  - id: a\n    id: b\n")
    with pytest.raises(CourseDataError, match="duplicate key"):
        crs.load_timing(path)


# ------------------------------------------------------------------------------ management ladder


def test_ladder_has_grades_one_to_four_and_a_refractory_step():
    ladder = crs.load_management()
    assert [s.level for s in ladder.steps] == [1, 2, 3, 4]
    assert ladder.refractory.level is None and ladder.practice_varies
    assert ladder.step(3).short and ladder.step(2).nurse


def test_ladder_tocilizumab_text_agrees_with_the_dose_rule():
    """The ladder's numbers are the calculator's: 8 mg/kg, 800 mg cap, 12 mg/kg under 30 kg."""
    text = " ".join(crs.load_management().step(2).treatment)
    assert "8 mg/kg" in text and clinical.tocilizumab_dose(50).mg == 8 * 50
    assert "800 mg" in text and clinical.tocilizumab_dose(150).mg == 800
    assert "12 mg/kg" in text and "30 kg" in text and clinical.tocilizumab_dose(20).mg == 12 * 20
    assert f"{crs.TOCI_MIN_HOURS_APART} hours" in text
    assert f"{crs.TOCI_MAX_PER_24H} doses in 24 hours" in text and f"{crs.TOCI_MAX_TOTAL} doses in total" in text


def test_ladder_nurse_steps_state_the_asco_monitoring_points():
    ladder = crs.load_management()
    assert any("telemetry" in t and "pulse oximetry" in t for t in ladder.step(2).nurse)
    assert any("ICU" in t or "intensive care" in t for t in ladder.step(3).treatment)
    assert any("dexamethasone 10 mg IV every 6 hours" in t for t in ladder.step(3).treatment)
    assert any("methylprednisolone" in t for t in ladder.step(4).treatment)
    assert "anakinra" in " ".join(ladder.refractory.treatment)
    assert f"{clinical.FEVER_C:.1f} °C" in " ".join(ladder.step(1).nurse)


def test_ladder_says_when_grade_2_is_escalated_and_checks_neuro_at_every_grade():
    ladder = crs.load_management()
    grade2 = " ".join(ladder.step(2).treatment)
    assert "does not improve after tocilizumab" in grade2 and "managed as grade 3" in grade2
    assert "dexamethasone" in grade2
    grade1_nurse = " ".join(ladder.step(1).nurse)
    assert "ICE score" in grade1_nurse and "at least twice daily" in grade1_nurse and "lesson 06" in grade1_nurse
    assert "more often than routine" not in grade1_nurse


def test_ladder_out_of_order_is_refused(tmp_path):
    data = yaml.safe_load(crs.MANAGEMENT_FILE.read_text())
    data["steps"][0], data["steps"][1] = data["steps"][1], data["steps"][0]
    path = _write(tmp_path, data, "crs_management.yaml")
    with pytest.raises(CourseDataError, match="level"):
        crs.load_management(path)


# ------------------------------------------------------------------------------ grading report and table


def test_grade_report_names_the_domain_that_set_the_grade():
    r = crs.grade_report(39.4, "one_vasopressor", "bipap")
    assert (r.grade, r.hypotension_grade, r.oxygen_grade, r.set_by) == (4, 3, 4, ("oxygen",))
    r = crs.grade_report(38.6, "no_vasopressor", "nasal_cannula", 3)
    assert r.grade == 2 and r.set_by == ("blood pressure", "oxygen")
    r = crs.grade_report(38.2)
    assert r.grade == 1 and r.set_by == ("fever",)
    r = crs.grade_report(37.0, "one_vasopressor", antipyretic_or_anticytokine_given=True)
    assert r.grade == 3 and r.fever_waived and not r.fever
    r = crs.grade_report(37.0, "one_vasopressor")
    assert r.grade == 0 and r.set_by == ()


def test_grade_report_matches_clinical_for_every_combination():
    for hypo in clinical.HYPOTENSION:
        for device in clinical.OXYGEN_DEVICES:
            for given in (False, True):
                for temp in (37.5, 38.0):
                    flow = 3.0 if device in clinical.CANNULAS else 0.0
                    expected = clinical.crs_grade(temp, hypo, device, flow, given)
                    report = crs.grade_report(temp, hypo, device, flow, given)
                    assert (report.grade, report.criterion) == (expected.grade, expected.criterion)


def test_astct_table_rows_come_from_the_rule():
    rows = crs.astct_rows()
    assert [r["grade"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["hypotension"] == rows[0]["hypoxia"] == "none"
    assert "6 L/min or less" in rows[1]["hypoxia"] and "above 6 L/min" in rows[2]["hypoxia"]
    assert "BiPAP" in rows[3]["hypoxia"] and "several vasopressors" in rows[3]["hypotension"]
    for device in clinical.OXYGEN_DEVICES:
        if device not in ("none", *clinical.CANNULAS):
            grade = clinical.oxygen_grade(device).grade
            assert crs.DEVICE_NAMES[device] in rows[grade - 1]["hypoxia"]
    # both cannulas, standard or high-flow, are graded by their flow (review F29a)
    for device in clinical.CANNULAS:
        assert clinical.oxygen_grade(device, 6).grade == 2 and clinical.oxygen_grade(device, 6.5).grade == 3
    assert "high-flow device) at 6 L/min or less" in rows[1]["hypoxia"]
    assert "high-flow device) above 6 L/min" in rows[2]["hypoxia"]


def test_astct_footnote_waives_fever_only_after_diagnosis_and_treatment():
    for text in (crs.astct_table_html(), crs.astct_table_text()):
        assert "Once CRS has been diagnosed" in text and "premedication" in text
        assert "once an antipyretic or anti-cytokine treatment" not in text


def test_astct_table_marks_the_highlighted_grade_in_words():
    html = crs.astct_table_html(highlight=3)
    assert html.count("◀ this patient") == 1
    assert "Grade 3 ◀ this patient" in html
    assert "◀" not in crs.astct_table_html(None)


def test_tables_render_html_and_text_with_sources():
    for view in (crs.astct_table(), crs.timing_table(), crs.management_table()):
        bundle = view._repr_mimebundle_()
        assert bundle["text/html"].startswith("<div") and bundle["text/plain"]
    timing = crs.timing_table()._repr_mimebundle_()
    assert "not directly comparable" in timing["text/plain"]
    for r in TIMING.values():
        for key in r.references:
            assert f"#ref-{key}" in timing["text/html"]
    assert "Where practice varies by centre" in crs.management_table().html


# ------------------------------------------------------------------------------ tocilizumab next dose


@pytest.mark.parametrize(
    ("weight", "given", "hours", "first", "allowed", "mg"),
    [
        (110, 0, None, None, True, 800),
        (70, 1, 8, None, True, 560),
        (70, 1, 7.5, None, False, 560),
        (22, 2, 12, 24, True, 264),
        (70, 3, 10, 30, True, 560),
        (70, 4, 20, None, False, 560),
    ],
)
def test_next_tocilizumab_dose(weight, given, hours, first, allowed, mg):
    decision = crs.next_tocilizumab_dose(weight, given, hours, first)
    assert decision.allowed is allowed
    assert decision.dose == clinical.tocilizumab_dose(weight)
    assert decision.dose.mg == mg


def test_next_tocilizumab_dose_says_how_long_to_wait_and_refuses_bad_input():
    decision = crs.next_tocilizumab_dose(70, 1, 5)
    assert decision.wait_hours == 3 and "8 h apart" in decision.reason
    assert "maximum" in crs.next_tocilizumab_dose(70, 4, 12).reason
    with pytest.raises(ValueError, match="doses given"):
        crs.next_tocilizumab_dose(70, 5, 12)
    with pytest.raises(ValueError, match="hours since"):
        crs.next_tocilizumab_dose(70, 1, None)
    with pytest.raises(ValueError, match="weight"):
        crs.next_tocilizumab_dose(1, 0)
    with pytest.raises(ValueError, match="hours since the first dose"):
        crs.next_tocilizumab_dose(70, 2, 8)  # from 2 doses on, the first dose's time is needed
    with pytest.raises(ValueError, match="at least 16 h before the last"):
        crs.next_tocilizumab_dose(70, 3, 8, 20)  # three doses 8 h apart cannot fit in 12 hours


@pytest.mark.parametrize(
    ("first", "last", "allowed"),
    [(24.0, 8.0, False), (24.5, 8.5, True), (24.5, 8.0, True), (30.0, 8.0, True)],
)
def test_a_fourth_dose_24_hours_after_the_first_is_refused(first, last, allowed):
    """Review F29b: doses at 0, 8 and 16 h; a 4th at 24 h would be 4 in a closed 24-hour window.

    8-hour spacing alone would allow it; the window check refuses it until more than 24 h have passed.
    """
    decision = crs.next_tocilizumab_dose(70, 3, last, first)
    assert decision.allowed is allowed
    if not allowed:
        assert "at most 3 in any 24 hours" in decision.reason
        assert decision.wait_hours == pytest.approx(24 - first)


def test_a_repeat_dose_needs_no_clinical_improvement():
    """Review F29c: the label repeats tocilizumab only if CRS has not improved."""
    assert crs.next_tocilizumab_dose(70, 1, 10).allowed
    improved = crs.next_tocilizumab_dose(70, 1, 10, improved=True)
    assert not improved.allowed and "no clinical improvement" in improved.reason
    assert crs.next_tocilizumab_dose(70, 0, improved=True).allowed  # the first dose is not a repeat


# ------------------------------------------------------------------------------ the bank and the rules


VIGNETTES = crs.load_vignettes()


def test_every_vignette_is_a_question_of_the_bank():
    assert {v.question for v in VIGNETTES} <= set(BANK.ids())
    assert len(VIGNETTES) >= 4


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.question)
def test_vignette_answer_is_what_crs_grade_gives(vignette):
    q = BANK.get(vignette.question)
    grade = clinical.crs_grade(**vignette.inputs)
    (right,) = [o for o in q.options if o.correct]
    assert right.text == f"Grade {grade.grade}"
    assert vignette.explanation() in q.explanation, "the explanation must quote the rule's own criterion"
    assert grade.criterion in q.explanation


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.question)
def test_vignette_stem_states_the_inputs(vignette):
    q, i = BANK.get(vignette.question), vignette.inputs
    assert f"{i['temperature_c']:.1f} °C" in q.stem
    if i["oxygen_device"] == "nasal_cannula":
        assert f"{i['oxygen_flow_l_min']:g} L/min" in q.stem
    if i["oxygen_device"] == "bipap":
        assert "BiPAP" in q.stem
    if i["hypotension"] == "one_vasopressor":
        assert "norepinephrine" in q.stem
    if i["antipyretic_or_anticytokine_given"]:
        # the fever waiver needs an earlier diagnosis (fever >= 38.0 °C), then treatment
        assert "tocilizumab" in q.stem and "diagnosed with CRS" in q.stem
        earlier = re.search(r"fever of (\d+\.\d) °C", q.stem)
        assert earlier and float(earlier.group(1)) >= clinical.FEVER_C


def test_dose_answers_are_what_tocilizumab_dose_gives():
    cap, child = BANK.get("q05-toci-cap"), BANK.get("q05-toci-child")
    assert "110 kg" in cap.stem and cap.answer == clinical.tocilizumab_dose(110).mg == 800
    assert any(e.value == 8 * 110 for e in cap.common_errors), "the uncapped 880 mg slip must get feedback"
    assert clinical.tocilizumab_dose(110).rule in cap.explanation
    assert "22 kg" in child.stem and child.answer == clinical.tocilizumab_dose(22).mg
    assert clinical.tocilizumab_dose(22).rule in child.explanation


def test_repeat_dose_question_agrees_with_the_checker():
    q = BANK.get("q05-toci-repeat")
    (right,) = [o for o in q.options if o.correct]
    hours = int(right.text.split(":")[0]) - int(re.search(r"\*\*(\d\d):00\*\*", q.stem).group(1))
    assert crs.next_tocilizumab_dose(70, 1, hours).allowed
    assert not crs.next_tocilizumab_dose(70, 1, hours - 0.5).allowed


def test_onset_matching_agrees_with_the_timing_data():
    q = BANK.get("q05-onset-match")
    labels = {f"{r.product} ({r.trial})": r for r in TIMING.values()}
    for pair in q.pairs:
        assert pair.right == f"Day {labels[pair.left].onset_days:g}"
    medians = {f"Day {r.onset_days:g}" for r in TIMING.values()}
    assert not set(q.extra_choices) & medians


def test_duration_matching_agrees_with_the_timing_data():
    q = BANK.get("q05-duration-match")
    labels = {f"{r.product} ({r.trial})": r for r in TIMING.values()}
    for pair in q.pairs:
        assert pair.right == f"{labels[pair.left].duration_days:g} days"
    durations = {f"{r.duration_days:g} days" for r in TIMING.values() if r.duration_days is not None}
    assert not set(q.extra_choices) & durations
    assert BANK.get("q05-duration-match").objective == "O3" and "how long it lasts" in BANK.objectives["O3"]


def test_rate_and_scale_statements_agree_with_the_timing_data():
    q = BANK.get("q05-compare-rates")
    eliana, zuma1 = TIMING["kymriah-ball"], TIMING["yescarta-lbcl"]
    assert f"{eliana.grade3_pct:g}%" in q.stem and f"{zuma1.grade3_pct:g}%" in q.stem
    assert eliana.data_from == zuma1.data_from == "label" and q.stem.count("first US label") == 2
    assert eliana.scale != zuma1.scale
    assert eliana.scale_name in q.feedback_true and zuma1.scale_name in q.feedback_true
    medians = sorted(r.onset_days for r in TIMING.values())
    tf = BANK.get("q05-not-allergy")
    assert f"median day {medians[0]:g} to day {medians[-1]:g}" in tf.feedback_false


# Mr F's baseline in q05-grade-changers and, per option, the inputs after that single change (None: the
# change is not an input of the ASTCT rule, such as an organ toxicity, so the grade cannot move).
GRADE_CHANGER_BASE = dict(
    temperature_c=38.6, hypotension="no_vasopressor", oxygen_device="nasal_cannula", oxygen_flow_l_min=4
)
GRADE_CHANGER_OPTIONS = {
    "vasopressor instead of fluids": dict(GRADE_CHANGER_BASE, hypotension="one_vasopressor"),
    "non-rebreather": dict(GRADE_CHANGER_BASE, oxygen_device="non_rebreather", oxygen_flow_l_min=0),
    "38.6 °C to 39.8 °C": dict(GRADE_CHANGER_BASE, temperature_c=39.8),
    "Creatinine doubles": None,
    "from 4 to 6 L/min": dict(GRADE_CHANGER_BASE, oxygen_flow_l_min=6),
}


def test_grade_changer_options_agree_with_the_rule():
    """Each option's key is whether crs_grade gives a different grade from Mr F's stated baseline."""
    q = BANK.get("q05-grade-changers")
    base = clinical.crs_grade(**GRADE_CHANGER_BASE)
    assert base.grade == 2 and "grade 2 CRS" in q.stem
    assert "38.6 °C" in q.stem and "4 L/min" in q.stem and "fluids" in q.stem
    assert len(q.options) == len(GRADE_CHANGER_OPTIONS)
    for option in q.options:
        (key,) = [k for k in GRADE_CHANGER_OPTIONS if k in option.text]
        inputs = GRADE_CHANGER_OPTIONS[key]
        changes = inputs is not None and clinical.crs_grade(**inputs).grade != base.grade
        assert option.correct is changes, option.text
        if changes:
            assert f"grade rises from {base.grade} to {clinical.crs_grade(**inputs).grade}" in option.feedback


def test_every_objective_is_checked_and_types_are_varied():
    assert 4 <= len(BANK.objectives) <= 6
    assert {q.objective for q in BANK.questions} == set(BANK.objectives)
    assert len(BANK.questions) >= 8 and len({q.type for q in BANK.questions}) >= 3
    for q in BANK.questions:
        assert q.id.startswith(("q05-", "ret-05-"))
        assert all(o.feedback for o in q.options)
