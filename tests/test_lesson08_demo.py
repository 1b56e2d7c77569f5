"""Lesson 08: the case explorer (widgets without a kernel) and the lesson's two figures."""

from __future__ import annotations

import ipywidgets as w
import pytest

from course.figures.catalog import catalog, show
from course.figures.style import MIN_FONT_PT
from course.lessons.l08_patient_case import demos as demo
from course.lessons.l08_patient_case import figures as figs
from course.lessons.l08_patient_case import model as cs
from tests.demo_support import static_view

# --- The case explorer ---------------------------------------------------------------------------------


def test_controls_are_labelled_keyboard_widgets_with_test_hooks():
    d = demo.CaseDemo()
    assert isinstance(d.slider, w.IntSlider) and d.slider.description == "Day of the case:"
    assert (d.slider.min, d.slider.max, d.slider.value) == (-38, 90, 90)
    assert isinstance(d.previous, w.Button) and "Previous event" in d.previous.description
    assert isinstance(d.next, w.Button) and "Next event" in d.next.description
    assert "cart-l08-day-slider" in d.slider._dom_classes
    assert "cart-l08-previous" in d.previous._dom_classes and "cart-l08-next" in d.next._dom_classes
    assert "cart-l08-case" in d.box._dom_classes and "cart-l08-state-text" in d.text._dom_classes


def test_moving_the_slider_redraws_the_timeline_and_the_day_s_state():
    d = demo.CaseDemo()
    figure, text = d.figure.value, d.text.value
    d.slider.value = 3
    assert d.figure.value != figure and d.text.value != text
    assert "day 3" in d.figure.value  # the alt text names the day
    assert "Day 3 - Low blood pressure" in d.text.value and "grade 2" in d.text.value
    d.go(5)
    assert "ICANS grade 2" in d.text.value
    d.go(-500)
    assert d.slider.value == -38 and "Referral and eligibility" in d.text.value


def test_previous_and_next_jump_between_days_on_which_something_happens():
    d = demo.CaseDemo(day=-38)
    assert d.previous.disabled and not d.next.disabled
    d.next.click()
    assert d.slider.value == -24
    d.go(90)
    assert d.next.disabled and not d.previous.disabled
    d.previous.click()
    assert d.slider.value == 78  # the sinusitis, the last event before day 90
    d.previous.click()
    assert d.slider.value == 62  # the chest infection
    d.go(4)
    d.step(-1)
    assert d.slider.value == 3


def test_key_days_are_sorted_and_include_each_stage():
    days = demo.key_days()
    assert days == sorted(set(days))
    assert {s.day for s in cs.data().stages} <= set(days)
    assert {0, 2, 3, 5} <= set(days)




def test_bundle_has_the_static_figure_state_and_every_stage():
    case_demo = demo.case_demo()
    bundle = case_demo._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<img" in html and 'alt="Timeline of a fictional patient' in html and "<figcaption" in html
    assert "Case explorer" in html and "To use the controls, run the notebook" in static_view(case_demo)
    for stage in cs.data().stages:
        assert stage.title.split(" (")[0] in html
    assert bundle["text/plain"].startswith("Figure:")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_stage_table_grades_come_from_the_case():
    html = demo.stages_table_html()
    assert html.count('<th scope="row"') == len(cs.data().stages)
    assert ">grade 2<" in html  # day 3 CRS and day 5 ICANS


# --- Figures ----------------------------------------------------------------------------------------------


def test_figures_are_catalogued_under_lesson_names():
    names = set(figs.FIGURES)
    assert names == {"l08_timeline", "l08_vitals"}
    assert names <= set(catalog())


@pytest.mark.parametrize("day", [-38, -10, 0, 2, 3, 5, 14, 90])
def test_timeline_is_readable_and_describes_only_the_story_so_far(day):
    view = show("l08_timeline", day=day)
    assert view.smallest_font_pt >= MIN_FONT_PT
    assert f"day {day}" in view.alt and "Fictional case" in view.caption
    shown = {e.text for e in cs.events_until(day)}
    for event in cs.data().events:
        assert (event.text in view.alt) == (event.text in shown)
    if day < 2:
        assert "CRS grade boxes" not in view.alt


def test_timeline_marks_grades_with_numbers_not_only_colour():
    """Each episode is labelled with its grades in order (student-trial finding 13: no numbers floating
    above and below 15-px boxes): CRS 1 then 2; ICANS 1, 2, then 1."""
    fig = figs.case_timeline(90)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontsize"))]
    assert texts.count("grade 1 → 2") == 1 and texts.count("grade 1 → 2 → 1") == 1


def test_timeline_zooms_the_first_two_weeks_on_an_even_scale():
    fig = figs.case_timeline(90)
    overview, zoom = fig.axes
    assert zoom.get_xlim() == (-1, 16) and list(zoom.get_xticks()) == list(range(-1, 17))
    steps = {b - a for a, b in zip(overview.get_xticks(), overview.get_xticks()[1:], strict=False)}
    assert len(steps) == 1  # no change of scale partway along


@pytest.mark.parametrize("day", [0, 3, 5, 10])
def test_vitals_chart_is_readable_and_its_alt_follows_the_day(day):
    view = show("l08_vitals", day=day)
    assert view.smallest_font_pt >= MIN_FONT_PT
    assert f"day 0 to day {day}" in view.alt
    assert ("dexamethasone" in view.alt) == (day >= 5)
    assert ("tocilizumab" in view.alt) == (day >= 3)


def test_ice_bands_are_read_from_the_grading_rules():
    assert figs._ice_bands() == {1: (7, 9), 2: (3, 6), 3: (0, 2)}


@pytest.mark.parametrize("bad", [91, -39, 3.5, True])
def test_figures_refuse_days_outside_the_case(bad):
    with pytest.raises(ValueError):
        figs.case_timeline(bad)


def test_vitals_refuses_days_after_the_ward_stay():
    with pytest.raises(ValueError):
        figs.vital_signs(11)
