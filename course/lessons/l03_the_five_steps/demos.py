"""Lesson 03 demo: pick a product and see its lymphodepletion days, infusion window and monitoring.

The data and the day arithmetic live in ``course.lessons.l03_the_five_steps.model``; the drawing in
``course.lessons.l03_the_five_steps.figures``. This module only wires labelled, keyboard-usable controls to them.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from course.core.references import cite_html
from course.engine.views import html as views
from course.engine.views.demo import Demo, figure_widget
from course.figures.catalog import show
from course.lessons.l03_the_five_steps.model import Regimen, journey, regimen, regimens

DEFAULT = "yescarta"
FIGURE = "l03_vein_to_vein"


def _flag_text(note: str) -> str:
    """The warning of an unverified row: its note, with "Not verified" in bold once (escaped)."""
    prefix = "not verified"
    if note.lower().startswith(prefix):
        return f"<strong>{escape(note[: len(prefix)])}</strong>{escape(note[len(prefix) :])}"
    return f"<strong>Not verified.</strong> {escape(note)}"


def regimen_html(r: Regimen) -> str:
    """What the chart shows for one product, in words (every string escaped, sources as numbered marks)."""
    flag = (
        '<p class="cart-l03-unverified" style="border-left:6px solid #D55E00;padding:0.2em 0.6em">'
        f'<span aria-hidden="true">⚠</span> {_flag_text(r.note)}</p>'
        if not r.verified
        else ""
    )
    note = f"<li><strong>Note:</strong> {escape(r.note)}</li>" if r.note and r.verified else ""
    return (
        f'<div class="cart-l03-regimen"><p><strong>{escape(r.product)}</strong>: {escape(r.indication)}</p>{flag}'
        f"<ul><li><strong>Lymphodepletion:</strong> {escape(r.regimen)}</li>"
        f"<li><strong>Infusion:</strong> {escape(r.timing)}</li>{note}"
        f"<li><strong>Source:</strong> {cite_html(r.references)}</li></ul></div>"
    )


def table_html() -> str:
    """Every product in one table, for readers without a kernel (nbviewer, GitHub)."""
    rows = "".join(
        f"<tr><td>{escape(r.product)}</td><td>{escape(r.indication)}</td><td>{escape(r.regimen)}</td>"
        f"<td>{escape(r.timing)}"
        f"{f' <em>{escape(r.note)}</em>' if r.note else ''}</td>"
        f"<td>{cite_html(r.references)}</td></tr>"
        for r in regimens()
    )
    return (
        '<table class="cart-l03-table"><caption>Lymphodepletion and infusion timing by product, from the US labels '
        "in the revisions the course holds: June 2025 for the six products whose REMS ended (Carvykti: October "
        "2025); for Aucatzyl only the first-approval label of 2024, so check the current one. Where a label says "
        "\"infuse N to M days after lymphodepleting chemotherapy ends\", the course draws only the days both "
        "readings allow: the earliest after N full rest days, the latest M calendar days after the last dose "
        "(only Abecma's count is confirmed, by the maker's schedule). Before planning an infusion at either end "
        "of a window, check the current label with your pharmacy and protocol.</caption>"
        '<thead><tr><th scope="col">Product</th><th scope="col">Indication</th>'
        '<th scope="col">Lymphodepleting chemotherapy</th><th scope="col">Infusion</th>'
        f'<th scope="col">Source</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def monitoring_table() -> views.Static:
    """The monitoring rules before and since June 2025, drawn from ``assets/vein_to_vein.yaml``."""
    j = journey()
    rows = "".join(
        f"<tr><td>{escape(r.rule)}</td><td>{escape(r.before_text)}</td><td>{escape(r.current_text)}</td>"
        f"<td>{cite_html(r.references)}</td></tr>"
        for r in j.monitoring
    )
    html = (
        f'<table class="cart-l03-monitoring"><caption>Monitoring after infusion: before and since '
        f"{escape(j.monitoring_changed)} (US labels as revised {escape(j.monitoring_changed)}, for the six "
        "products whose REMS ended: Abecma, Breyanzi, Carvykti, Kymriah, Tecartus and Yescarta. Aucatzyl never "
        "had a REMS: follow the Aucatzyl label.)</caption><thead><tr>"
        f'<th scope="col">Rule</th><th scope="col">Before {escape(j.monitoring_changed)}</th>'
        f'<th scope="col">Since {escape(j.monitoring_changed)}</th><th scope="col">Source</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    text = f"US labels as revised {j.monitoring_changed}, for the six products whose REMS ended.\n" + "\n".join(
        f"{r.rule}: before {j.monitoring_changed} {r.before_text}; since then {r.current_text}."
        for r in j.monitoring
    )
    return views.Static(html, text)


class TimelineDemo:
    """The live controls: a product dropdown and a checkbox for the rules before June 2025."""

    def __init__(self, regimen_id: str = DEFAULT, show_before: bool = True):
        self.product = w.Dropdown(
            options=[(r.label, r.id) for r in regimens()],
            value=regimen_id,
            description="Product:",
            style={"description_width": "initial"},
            layout=w.Layout(width="32em"),
        )
        self.product.add_class("cart-l03-product")
        self.before = w.Checkbox(value=show_before, description="Show the rules before June 2025", indent=False)
        self.before.add_class("cart-l03-before")
        self.view = show(FIGURE, regimen_id=regimen_id, show_before=show_before)
        self.figure = figure_widget(self.view)
        self.figure.add_class("cart-l03-figure")
        self.details = w.HTML(value=regimen_html(regimen(regimen_id)))
        self.details.add_class("cart-l03-details")
        self.product.observe(self._changed, names="value")
        self.before.observe(self._changed, names="value")
        self.box = w.VBox([w.HBox([self.product, self.before]), self.figure, self.details])

    def _changed(self, _change=None) -> None:
        self.update()

    def update(self) -> None:
        """Redraw the chart and the details for the current control values."""
        self.view = show(FIGURE, regimen_id=self.product.value, show_before=self.before.value)
        self.figure.value = self.view.html()
        self.details.value = regimen_html(regimen(self.product.value))


def timeline_demo(regimen_id: str = DEFAULT) -> Demo:
    """The demo as the notebook shows it: live in Jupyter; the default chart and the full table elsewhere."""
    live = TimelineDemo(regimen_id)
    static = live.view.html() + live.details.value + table_html()
    text = (
        "Interactive vein-to-vein timeline: choose a product to see its lymphodepletion days, infusion window and "
        "monitoring rules. " + live.view.alt
    )
    demo = Demo(live.box, static, text, css_class="cart-l03-demo")
    demo.controls = live  # for tests and for curious readers
    return demo

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "timeline_demo": timeline_demo,
    "monitoring_table": monitoring_table,
}
