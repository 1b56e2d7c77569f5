"""Lesson 03 demo: the product selector redraws the timeline and the details, fast, with labelled controls."""

from __future__ import annotations

import ipywidgets as w

from course.lessons.l03_the_five_steps.demos import (
    TimelineDemo,
    monitoring_table,
    regimen_html,
    table_html,
    timeline_demo,
)
from course.lessons.l03_the_five_steps.model import BRANDS, regimen, regimens
from tests.demo_support import static_view

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_bundle_has_live_widget_and_a_static_view_with_every_product():
    demo = timeline_demo()
    bundle = demo._repr_mimebundle_()
    assert WIDGET_MIME in bundle
    html = bundle["text/html"]
    assert '<img src="data:image/png;base64,' in html and 'alt="Gantt chart' in html
    for brand in BRANDS:
        assert brand in html
    assert "To use the controls, run the notebook" in static_view(demo)
    assert bundle["text/plain"].startswith("Interactive vein-to-vein timeline")


def test_controls_are_labelled_and_have_css_hooks():
    demo = TimelineDemo()
    assert demo.product.description and demo.before.description
    assert "cart-l03-product" in demo.product._dom_classes
    assert "cart-l03-before" in demo.before._dom_classes
    assert "cart-l03-figure" in demo.figure._dom_classes
    assert isinstance(demo.product, w.Dropdown) and isinstance(demo.before, w.Checkbox)
    assert [value for _, value in demo.product.options] == [r.id for r in regimens()]


def test_choosing_a_product_redraws_chart_and_details():
    demo = TimelineDemo()
    before_html, before_details = demo.figure.value, demo.details.value
    demo.product.value = "kymriah-all"
    assert demo.figure.value != before_html
    assert "Kymriah" in demo.details.value and demo.details.value != before_details
    assert "2 to 14 days" in demo.details.value


def test_unverified_product_shows_a_visible_warning():
    demo = TimelineDemo()
    demo.product.value = "aucatzyl"
    assert "Not verified" in demo.details.value and "cart-l03-unverified" in demo.details.value
    assert "not verified" in demo.view.alt.lower()


def test_old_rules_checkbox_redraws():
    demo = TimelineDemo()
    first = demo.figure.value
    demo.before.value = False
    assert demo.figure.value != first and "before June 2025" not in demo.view.alt




def test_html_is_escaped():
    from dataclasses import replace

    evil = replace(regimen("yescarta"), indication="<script>x</script>")
    assert "<script>" not in regimen_html(evil) and "&lt;script&gt;" in regimen_html(evil)
    assert table_html().count("<tr>") == len(regimens()) + 1


def test_monitoring_table_comes_from_the_data():
    bundle = monitoring_table()._repr_mimebundle_()
    assert bundle["text/html"].count("<tr>") == 4  # header and three rules
    assert "at least 8 weeks" in bundle["text/html"] and "June 2025" in bundle["text/plain"]
    assert "fda-rems-2025" in bundle["text/html"]


def test_static_table_shows_the_notes():
    html = table_html()
    assert "up to 7 days only if" in html and "active infection" in html  # Abecma's delay, with its conditions
    assert "1×10⁹/L" in html and "within 1 week before" in html  # Kymriah may skip lymphodepletion
    assert "both readings allow" in html  # how the table counts a window


def test_monitoring_table_is_dated_and_names_the_six_products():
    html = monitoring_table()._repr_mimebundle_()["text/html"]
    assert "as revised June 2025" in html and "Aucatzyl" in html
    for brand in ("Abecma", "Breyanzi", "Carvykti", "Kymriah", "Tecartus", "Yescarta"):
        assert brand in html
    assert "check each current label" in html  # the daily-monitoring wording is not verified label by label
