"""Lesson 05 widgets: set each control, the output changes; labels, CSS hooks and static views are there."""

from __future__ import annotations

import pytest

from course import clinical
from course.figures.catalog import catalog, show
from course.lessons.l05_cytokine_release_syndrome import demos as lesson05
from course.lessons.l05_cytokine_release_syndrome import model as crs
from tests.demo_support import assert_labelled, static_view


def test_grader_default_is_grade_1_set_by_fever():
    g = lesson05.CrsGrader()
    assert g.grade() == 1
    assert "ASTCT CRS grade 1" in g.result.value and "Set by:</strong> fever" in g.result.value
    assert "Grade 1 ◀ this patient" in g.table.value


def test_grader_follows_each_control():
    g = lesson05.CrsGrader()
    g.device.value = "nasal_cannula"  # flow is set to 2 L/min automatically
    assert g.flow.value == 2.0 and g.grade() == 2 and "grade 2" in g.result.value
    g.flow.value = 8.0
    assert g.grade() == 3 and "above 6 L/min" in g.result.value and "Grade 3 ◀ this patient" in g.table.value
    g.flow.value = 3.0
    g.hypotension.value = "multiple_vasopressors"
    assert g.grade() == 4 and "Set by:</strong> blood pressure" in g.result.value
    g.temperature.value = 37.0
    assert g.grade() == 0 and "criteria are not met" in g.result.value
    g.given.value = True
    assert g.grade() == 4 and "not required" in g.result.value


def test_grader_box_names_the_narrow_fever_rule():
    """The waiver needs CRS diagnosed and treated first; premedication alone must not tick it."""
    g = lesson05.CrsGrader()
    assert g.given.description == "CRS already diagnosed and treated with an antipyretic or anti-cytokine drug"
    g.hypotension.value, g.temperature.value = "one_vasopressor", 37.0
    assert g.grade() == 0 and "sepsis" in g.result.value
    g.given.value = True
    assert g.grade() == 3 and "already diagnosed" in g.result.value
    assert "premedication" in lesson05.crs_grader()._repr_mimebundle_()["text/html"]


def test_grader_agrees_with_clinical_and_shows_its_criterion():
    g = lesson05.CrsGrader()
    g.temperature.value, g.hypotension.value, g.device.value = 39.4, "one_vasopressor", "bipap"
    expected = clinical.crs_grade(39.4, "one_vasopressor", "bipap")
    assert g.grade() == expected.grade
    assert expected.criterion.replace("'", "&#x27;") in g.result.value


def test_grader_explains_bad_input_instead_of_failing():
    g = lesson05.CrsGrader()
    g.device.value = "nasal_cannula"
    g.flow.value = 0.0
    assert "Check the inputs" in g.result.value and g.grade() is None




def test_grader_grades_a_high_flow_cannula_by_its_flow():
    """Review F29a: ASTCT counts above 6 L/min as high flow (grade 3), 6 L/min or less as low flow (grade 2)."""
    g = lesson05.CrsGrader()
    g.device.value = "high_flow_nasal_cannula"  # flow is set to 30 L/min automatically
    assert g.flow.value == 30.0 and g.grade() == 3 and "at 30 L/min" in g.result.value
    g.flow.value = 6.0
    assert g.grade() == 2 and "Grade 2 ◀ this patient" in g.table.value
    g.flow.value = 6.5
    assert g.grade() == 3
    assert g.flow.max >= 60  # high-flow devices run at tens of litres a minute


def test_grader_states_what_it_does_not_do():
    """Review F29: no grade 5, and every grade assumes the signs are not caused by something else."""
    g = lesson05.CrsGrader()
    static = lesson05.crs_grader()._repr_mimebundle_()["text/html"]
    for html in (static, "".join(c.value for c in g.widget.children if hasattr(c, "value") and isinstance(c.value, str))):
        assert "no grade 5" in html and "another cause" in html


def test_grader_controls_are_labelled_and_hooked():
    g = lesson05.CrsGrader()
    assert_labelled(g.widget, 5, "cart-l05-")
    assert "cart-l05-result" in g.result._dom_classes


def test_tocilizumab_checker_follows_each_control():
    c = lesson05.TocilizumabChecker()
    assert "560 mg" in c.result.value and "May be given now" in c.result.value
    c.weight.value = 110
    assert "800 mg" in c.result.value and "capped" in c.result.value
    c.weight.value = 22
    assert f"{clinical.tocilizumab_dose(22).mg:g} mg" in c.result.value
    c.doses.value, c.hours.value = 1, 5.0
    assert "Not now" in c.result.value and "wait 3 h" in c.result.value
    c.hours.value = 8.0
    assert "May be given now" in c.result.value
    c.doses.value = crs.TOCI_MAX_TOTAL
    assert "Not now" in c.result.value and "maximum" in c.result.value


def test_tocilizumab_checker_counts_24_hours_and_asks_about_improvement():
    """Review F29b and c: a 4th dose 24 h after the first is refused; no repeat once CRS has improved."""
    c = lesson05.TocilizumabChecker()
    c.doses.value, c.hours.value, c.first.value = 3, 8.0, 24.0
    assert "Not now" in c.result.value and "at most 3 in any 24 hours" in c.result.value
    c.first.value = 24.5
    assert "May be given now" in c.result.value
    c.improved.value = True
    assert "Not now" in c.result.value and "no clinical improvement" in c.result.value
    assert c.improved.description == "CRS has improved since the last dose"


def test_tocilizumab_checker_controls_are_labelled_and_hooked():
    assert_labelled(lesson05.TocilizumabChecker().widget, 5, "cart-l05-")


@pytest.mark.parametrize("make", [lesson05.crs_grader, lesson05.tocilizumab_checker])
def test_demos_have_a_static_view_of_the_default_state(make):
    demo = make()
    bundle = demo._repr_mimebundle_()
    assert "cart-demo-static" in bundle["text/html"] and bundle["text/plain"]
    assert "cart-demo" in demo.widget._dom_classes
    assert "To use the controls, run the notebook" in static_view(demo)


def test_static_grader_shows_the_default_grade_and_table():
    html = lesson05.crs_grader()._repr_mimebundle_()["text/html"]
    assert "ASTCT CRS grade 1" in html and "Grade 1 ◀ this patient" in html


@pytest.mark.parametrize("name", ["l05_mechanism", "l05_onset_timeline", "l05_management_ladder"])
def test_lesson_figures_are_catalogued_readable_and_described(name):
    assert name in catalog()
    view = show(name)
    assert view.smallest_font_pt >= 9
    assert len(view.alt.split()) >= 15


def test_timeline_alt_text_and_caption_come_from_the_data():
    view = show("l05_onset_timeline")
    for r in crs.load_timing():
        assert f"{r.product} ({r.trial}), day {r.onset_days:g}" in view.alt
        assert r.scale_name in view.alt
    assert "not comparable" in view.caption


@pytest.mark.parametrize("name", ["l05_mechanism", "l05_management_ladder"])
def test_conceptual_figures_are_labelled_conceptual(name):
    assert "Conceptual illustration, not patient data" in show(name).caption


def test_timeline_states_where_its_figures_come_from_and_the_fatal_case():
    view = show("l05_onset_timeline")
    assert "first US label or the trial publication" in view.caption
    assert "4% grade 3 to 4 plus 1 fatal (grade 5)" in view.alt


def test_timeline_bar_says_it_joins_two_medians():
    """Review F27: the duration bar is a schematic, as in lesson 06's ICANS twin figure."""
    view = show("l05_onset_timeline")
    assert "joins two medians" in view.caption and "schematic" in view.caption
    assert "joins two medians" in view.alt


def test_drug_boxes_sit_over_the_steps_they_act_on():
    """Review F27: anakinra at step 4 (IL-1), beside tocilizumab; steroids over steps 2 and 3."""
    from course.lessons.l05_cytokine_release_syndrome import figures

    steps = [title for title, _ in figures.MECHANISM_STEPS]
    where = {text.split(":")[0]: (steps[first], steps[last]) for first, last, _, _, text in figures.DRUGS}
    assert where["Anakinra"] == where["Tocilizumab"] == ("4  IL-6 and IL-1", "4  IL-6 and IL-1")
    assert where["Steroids"] == ("2  CAR-T activated", "3  Macrophages")
    alt = show("l05_mechanism").alt
    assert "over steps 2 and 3" in alt and "over step 4" in alt
