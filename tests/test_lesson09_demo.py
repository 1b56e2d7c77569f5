"""Lesson 09: the response-chart demo (widgets without a kernel) and the lesson's figures."""

from __future__ import annotations

import ipywidgets as w
import pytest

from course.figures.catalog import show
from course.figures.style import MIN_FONT_PT
from course.lessons.l09_outcomes_access_future import figures as figs
from course.lessons.l09_outcomes_access_future.demos import ANY, ResponseExplorer, response_demo
from tests.demo_support import static_view


def test_controls_are_labelled_keyboard_widgets_with_test_hooks():
    d = ResponseExplorer()
    assert isinstance(d.disease, w.Dropdown) and d.disease.description == "Disease:"
    assert isinstance(d.target, w.Dropdown) and d.target.description == "Target:"
    assert isinstance(d.show_label, w.Checkbox) and "label" in d.show_label.description
    assert "cart-l09-disease" in d.disease._dom_classes
    assert "cart-l09-target" in d.target._dom_classes
    assert "cart-l09-label" in d.show_label._dom_classes
    assert d.disease.value == ANY and d.target.value == ANY and d.show_label.value is True


def test_filtering_redraws_summary_figure_and_table_and_keeps_the_warning():
    d = ResponseExplorer()
    figure, table = d.figure.value, d.table.value
    assert "10 of 10 pivotal trials" in d.summary.value
    d.disease.value = "MM"
    assert "2 of 10" in d.summary.value and "KarMMa, CARTITUDE-1" in d.summary.value
    assert d.figure.value != figure and d.table.value != table
    assert "ZUMA-1" not in d.table.value and "KarMMa" in d.figure.value  # alt text names the trials
    d.target.value = "CD19"
    assert "0 of 10" in d.summary.value and "No pivotal trial" in d.table.value
    assert "Not a league table" in d.caution.value
    d.disease.value = ANY
    assert "8 of 10" in d.summary.value


def test_label_checkbox_hides_and_shows_the_label_figures():
    d = ResponseExplorer()
    assert "◇ Label differs" in d.table.value and "label figures" in d.figure.value
    d.show_label.value = False
    assert "◇ Label differs" not in d.table.value and "Label figures are hidden" in d.figure.value
    d.show_label.value = True
    assert "◇ Label differs" in d.table.value


def test_static_view_shows_warning_figure_and_full_table():
    demo = response_demo()
    bundle = demo._repr_mimebundle_()
    html = bundle["text/html"]
    assert "Not a league table" in html and "<img" in html and 'alt="Horizontal bar chart' in html
    assert all(name in html for name in ("ELIANA", "FELIX", "CARTITUDE-1", "TRANSCEND NHL 001"))
    assert "To use the controls, run the notebook" in static_view(demo)
    assert "single-arm" in bundle["text/plain"]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({}, "CARTITUDE-1 (Carvykti, MM, BCMA, n 97): overall 97%"),
        ({"target": "BCMA"}, "KarMMa"),
        ({"disease": "MM", "target": "CD19"}, "Empty chart"),
    ],
)
def test_response_chart_alt_text_follows_the_options(options, words):
    view = show("l09_response_chart", **options)
    assert words in view.alt
    assert view.smallest_font_pt >= MIN_FONT_PT


def test_response_chart_refuses_unknown_options():
    with pytest.raises(ValueError, match="disease"):
        figs.response_chart(disease="AML")
    with pytest.raises(ValueError, match="target"):
        figs.response_chart(target="CD22")


def test_lesson09_figures_have_captions_and_conceptual_label_where_needed():
    solid = show("l09_solid_tumours")
    assert "Conceptual illustration, not patient data" in solid.caption
    durability = show("l09_durability")
    assert "42.6%" in durability.alt and "more than 10.0 years" in durability.alt
    assert "not comparable" in show("l09_response_chart").caption
    assert "[jagannath2025-cartitude1-5y]" in durability.caption and "[melenhorst2022-decade]" in durability.caption
    for view in (solid, durability):
        assert view.smallest_font_pt >= MIN_FONT_PT


def test_response_chart_caption_cites_papers_and_explains_karmma_and_zuma5():
    caption = show("l09_response_chart").caption
    assert "assets/" not in caption and "course's" not in caption
    assert "[neelapu2017-zuma1]" in caption and "[abecma-label]" in caption
    assert "pool follicular and marginal zone" in caption
    assert "stringent complete response (28%)" in caption and "complete response or better (33%)" in caption
    hidden = show("l09_response_chart", show_label=False).caption
    assert "[abecma-label]" not in hidden and "stringent" not in hidden
    assert "ZUMA-5" not in show("l09_response_chart", disease="MM").caption
