"""Lesson 04 demo: sliders and the costimulatory switch redraw figure and summary in well under a second."""

from __future__ import annotations

import ipywidgets as w

from course.lessons.l04_expansion_and_persistence.demos import KineticsDemo, kinetics_demo, summary_html
from course.lessons.l04_expansion_and_persistence.model import Inputs

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_bundle_has_live_widget_and_static_default_view():
    bundle = kinetics_demo()._repr_mimebundle_()
    assert WIDGET_MIME in bundle
    assert 'alt="Three line charts of the conceptual CAR-T model' in bundle["text/html"]
    assert "not a prediction for a patient" in bundle["text/html"]
    assert "conceptual" in bundle["text/plain"]


def test_controls_are_labelled_keyboard_widgets_with_css_hooks():
    demo = KineticsDemo()
    assert isinstance(demo.dose, w.FloatSlider) and isinstance(demo.burden, w.FloatLogSlider)
    assert isinstance(demo.costim, w.RadioButtons)
    for control, hook in (
        (demo.dose, "cart-l04-dose"),
        (demo.burden, "cart-l04-burden"),
        (demo.costim, "cart-l04-costim"),
    ):
        assert control.description
        assert hook in control._dom_classes
    assert not demo.dose.continuous_update and not demo.burden.continuous_update


def test_burden_slider_changes_figure_and_summary():
    demo = KineticsDemo()
    figure, text = demo.figure.value, demo.summary.value
    demo.burden.value = 10
    assert demo.figure.value != figure and demo.summary.value != text
    assert demo.inputs().burden == 10
    assert "tumour burden 10" in demo.view.alt


def test_dose_slider_and_costim_switch_change_the_run():
    demo = KineticsDemo()
    demo.dose.value = 4.0
    assert "dose 4 times" in demo.view.alt
    demo.costim.value = "CD28"
    assert "CD28" in demo.view.alt and "dose 4 times" in demo.view.alt
    demo.dose.value = 1.0  # at the default dose the model's CD28 cells fade within the two years shown
    assert "back above half" in demo.summary.value


def test_summary_reports_relative_numbers_in_words():
    text = summary_html(Inputs())
    assert "day 10" in text and "1.0\u00d7" in text and "B-cell aplasia" in text


