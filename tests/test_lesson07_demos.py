"""Lesson 07: the interactive demos (widgets without a kernel) and the lesson's figures."""

from __future__ import annotations

import ipywidgets as w
import pytest

from course.figures.catalog import catalog, show
from course.figures.style import MIN_FONT_PT
from course.lessons.l07_after_infusion_and_long_term import demos as demo
from course.lessons.l07_after_infusion_and_long_term import figures as figs
from course.lessons.l07_after_infusion_and_long_term import model as lt
from tests.demo_support import static_view

# --- Journey demo ------------------------------------------------------------------------------------


def test_journey_demo_is_a_labelled_keyboard_dropdown_with_test_hooks():
    d = demo.JourneyDemo()
    assert isinstance(d.dropdown, w.Dropdown)
    assert d.dropdown.description == "Highlight:"
    assert "cart-l07-highlight" in d.dropdown._dom_classes
    assert "cart-l07-journey" in d.box._dom_classes
    assert [v for _, v in d.dropdown.options] == ["all"] + [win.id for win in lt.data().timeline]


def test_choosing_a_row_redraws_the_figure_and_explains_it():
    d = demo.JourneyDemo()
    figure_before, text_before = d.figure.value, d.explanation.value
    assert "All side effects are shown" in text_before
    d.dropdown.value = "b-cell-aplasia"
    assert d.figure.value != figure_before
    assert "B-cell aplasia and low IgG" in d.figure.value  # the alt text names the highlighted row
    assert "on-target, off-tumour" in d.explanation.value
    assert "What the nurse watches for" in d.explanation.value
    d.select("crs")
    assert d.dropdown.value == "crs" and "Cytokine release syndrome" in d.explanation.value
    d.select("all")
    assert d.explanation.value == text_before




def test_journey_demo_bundle_has_static_figure_and_every_explanation():
    journey = demo.journey_demo()
    bundle = journey._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<img" in html and 'alt="Timeline chart' in html and "<figcaption" in html
    for win in lt.data().timeline:
        assert win.name.split(" (")[0] in html
    assert "To use the controls, run the notebook" in static_view(journey)
    assert bundle["text/plain"].startswith("Figure:")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_explanations_cite_their_sources():
    """Each source is a citation link to the lesson's reference list, never the raw key in the text."""
    for win in lt.data().timeline:
        html = demo.journey_explanation_html(win.id)
        for key in win.references:
            assert f'href="#ref-{key}"' in html
            assert f"[{key}]" not in html


# --- Day demo ------------------------------------------------------------------------------------------


def test_day_demo_controls_are_labelled_and_hooked():
    d = demo.DayDemo()
    assert isinstance(d.slider, w.IntSlider) and d.slider.description == "Day after infusion:"
    assert (d.slider.min, d.slider.max, d.slider.value) == (0, 365, 45)
    assert isinstance(d.pattern, w.Dropdown) and d.pattern.description == "Recovery pattern:"
    assert "cart-l07-day-slider" in d.slider._dom_classes and "cart-l07-pattern" in d.pattern._dom_classes


def test_moving_the_slider_updates_figure_and_text():
    d = demo.DayDemo()
    fig0, text0 = d.figure.value, d.summary.value
    assert "Late ICAHT" in text0
    d.slider.value = 10
    assert d.figure.value != fig0 and d.summary.value != text0
    assert "Early ICAHT" in d.summary.value
    assert "yes on day 10" in d.summary.value  # still within the 2-week minimums


def test_changing_the_pattern_changes_the_anc_and_the_prophylaxis():
    d = demo.DayDemo(day=45, pattern="biphasic")
    assert "levofloxacin" in d.summary.value
    d.pattern.value = "quick"
    assert "levofloxacin" not in d.summary.value
    assert "Quick recovery" in d.summary.value




def test_day_demo_static_view_shows_the_default_state():
    bundle = demo.day_demo()._repr_mimebundle_()
    assert "Day 45" in bundle["text/html"] and "Late ICAHT" in bundle["text/html"]
    assert "**" not in bundle["text/plain"]


# --- Figures ---------------------------------------------------------------------------------------------


def test_lesson_figures_are_catalogued_with_l07_names():
    names = [n for n in catalog() if n.startswith("l07_")]
    assert sorted(names) == ["l07_journey", "l07_neutrophils"]


@pytest.mark.parametrize("highlight", [None] + [win.id for win in lt.data().timeline])
def test_every_highlight_state_is_readable_and_described(highlight):
    view = show("l07_journey", highlight=highlight)
    assert view.smallest_font_pt >= MIN_FONT_PT
    assert "Conceptual illustration, not patient data" in view.caption
    if highlight:
        assert lt.data().window(highlight).name in view.alt


@pytest.mark.parametrize(("pattern", "day"), [("all", None), ("quick", 0), ("biphasic", 45), ("prolonged", 365)])
def test_neutrophil_figure_states(pattern, day):
    view = show("l07_neutrophils", pattern=pattern, day=day)
    assert view.smallest_font_pt >= MIN_FONT_PT
    assert "not patient data" in view.caption.lower()
    if day is not None:
        assert f"day {day}" in view.alt


def test_neutrophil_figure_draws_lymphodepletion_before_day_0():
    view = show("l07_neutrophils")
    assert "days −5 to −3" in view.alt and "before the CAR-T cells are given" in view.alt
    assert "days −5 to −3" in view.caption
    assert figs._neutro_x(-5) < figs._neutro_x(-3) < figs._neutro_x(0) == lt.timeline_x(0)
    first_month_per_day = (lt.timeline_x(30) - lt.timeline_x(0)) / 30
    assert figs._neutro_x(-3) == pytest.approx(lt.timeline_x(0) - 3 * first_month_per_day)


def test_figure_functions_refuse_bad_options():
    with pytest.raises(ValueError, match="highlight"):
        figs.journey_timeline("everything")
    with pytest.raises(ValueError, match="pattern"):
        figs.neutrophil_course("slow")
    with pytest.raises(ValueError, match="day"):
        figs.neutrophil_course("quick", day=400)
