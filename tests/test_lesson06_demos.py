"""Lesson 06 demos and figures: controls are labelled and hooked, and changing them changes the output."""

from __future__ import annotations

import pytest

from course import clinical
from course.figures.catalog import show
from course.lessons.l06_icans import demos as lesson06
from course.lessons.l06_icans import timing as icans_timing
from tests.demo_support import assert_labelled, static_view


@pytest.fixture(scope="module")
def grader_demo():
    return lesson06.icans_grader()


@pytest.fixture(scope="module")
def explorer_demo():
    return lesson06.product_explorer()


def test_grader_controls_are_labelled_and_have_css_hooks(grader_demo):
    assert_labelled(grader_demo.widget, 11, "cart-l06-")
    assert "cart-l06-grader" in grader_demo.widget._dom_classes


def test_grader_default_is_no_icans_and_static_view_has_the_figure(grader_demo):
    bundle = grader_demo._repr_mimebundle_()
    assert "No ICANS" in bundle["text/html"] and 'alt="' in bundle["text/html"]
    assert "To use the controls, run the notebook" in static_view(grader_demo)
    assert "no ICANS" in bundle["text/plain"]


def test_lowering_ice_tasks_changes_grade_and_figure():
    g = lesson06.icans_grader().grader
    before_html, before_fig = g.result.value, g.figure.value
    g.orientation.value = 1
    g.naming.value = 0
    g.writing.value = False
    score = clinical.ice_score(1, 0, 1, 0, 1)
    expected = clinical.icans_grade(score)
    assert g.result.value != before_html and g.figure.value != before_fig
    assert f"{score} of 10" in g.result.value
    assert f"ICANS grade {expected.grade}" in g.result.value
    assert "set by the ICE score domain" in g.result.value


def test_worse_domain_sets_the_grade_and_is_named():
    g = lesson06.icans_grader().grader
    g.seizure.value = "prolonged_or_repetitive"
    assert "ICANS grade 4, set by the seizure domain" in g.result.value
    g.seizure.value = "none"
    g.raised_icp.value = "focal_edema"
    assert "ICANS grade 3, set by the raised ICP / cerebral edema domain" in g.result.value


def test_unarousable_disables_the_ice_tasks_and_gives_grade_4():
    g = lesson06.icans_grader().grader
    g.consciousness.value = "unarousable"
    assert all(c.disabled for c in g.ice_controls)
    assert "cannot be done" in g.result.value
    assert f"ICANS grade {clinical.icans_grade(None, 'unarousable').grade}" in g.result.value
    g.consciousness.value = "alert"
    assert not any(c.disabled for c in g.ice_controls)


def test_tremor_and_hemorrhage_add_notes_but_not_a_grade():
    g = lesson06.icans_grader().grader
    g.orientation.value = 2  # ICE 8: grade 1
    grade_line = g.assessment().sentence()
    g.tremor.value = True
    g.hemorrhage.value = True
    assert g.assessment().sentence() == grade_line
    assert "does not change the ICANS grade" in g.result.value
    assert "excluded from ICANS grading" in g.result.value




def test_explorer_card_follows_the_dropdown(explorer_demo):
    ex = explorer_demo.explorer
    assert ex.choice.description and "cart-l06-product" in ex.choice._dom_classes
    assert "All products" in ex.card.value
    for row in icans_timing.products():
        ex.choice.value = row.id
        assert row.brand in ex.card.value and row.trial in ex.card.value
        assert f"{row.any_grade_pct:g}%" in ex.card.value
    ex.choice.value = "abecma-mm"
    assert "day 2" in ex.card.value and "before CRS in 3" in ex.card.value
    ex.choice.value = "carvykti-mm"
    assert "day 8" in ex.card.value  # CARTITUDE-1 ICANS onset, the latest of the table
    ex.choice.value = ""
    assert "All products" in ex.card.value


def test_explorer_static_view_shows_the_chart(explorer_demo):
    bundle = explorer_demo._repr_mimebundle_()
    assert "<img" in bundle["text/html"] and "drop-down" in bundle["text/html"]


def test_product_card_escapes_text():
    row = icans_timing.get("abecma-mm")
    fake = type(row)(**{**row.__dict__, "brand": "<b>x</b>"})
    assert "<b>x</b>" not in lesson06.product_card(fake)


def test_domain_figure_alt_text_states_grade_and_deciding_domain():
    view = show("l06_icans_domains", consciousness="awakens_to_tactile")
    assert "ICANS grade 3" in view.alt and "level of consciousness" in view.alt
    view = show("l06_icans_domains", consciousness="unarousable")
    assert "cannot be done" in view.alt


def test_onset_figure_highlight_changes_the_picture_and_alt_lists_products():
    plain, picked = show("l06_onset_by_product"), show("l06_onset_by_product", highlight="abecma-mm")
    assert plain.png != picked.png
    for row in icans_timing.products():
        assert (row.onset_label if row.has_onset else row.label) in plain.alt
    assert "Kymriah (US label, ELIANA data set)" in plain.alt
    assert "The bar joins two medians" in plain.caption


def test_explorer_names_the_kymriah_timing_source_and_marks_it(explorer_demo):
    ex = explorer_demo.explorer
    labels = dict((value, text) for text, value in ex.choice.options)
    assert labels["kymriah-all"] == "Kymriah (US label, ELIANA data set)"
    ex.choice.value = "kymriah-all"
    assert "day 6 (range 1 to 359)†" in ex.card.value and "broader definition" in ex.card.value
    ex.choice.value = "carvykti-mm"
    assert "about 21%" in ex.card.value and "about 10%" in ex.card.value
    ex.choice.value = ""


def test_incidence_figure_shows_approximate_figures_as_such():
    view = show("l06_incidence_by_product")
    assert "Carvykti (CARTITUDE-1): any grade about 21%, grade 3 or higher about 10%" in view.alt
    assert "7.1% (FELIX publication" in view.alt
