"""Lesson 01 demos: which B-lineage cells a CAR target reaches, and the approved-product explorer.

Each demo is a small class holding its controls (so tests can set them) and a ``demo()`` method that
returns the ``Demo`` the notebook displays: live widgets in Jupyter, the default state as static
HTML on nbviewer. The logic lives in ``course.clinical.products`` and ``course.lessons.l01_what_car_t_treats.figures``.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from course.clinical.products import DISEASES, filter_products, load_products
from course.engine.views.demo import Demo, figure_widget
from course.figures.catalog import show
from course.lessons.l01_what_car_t_treats.model import hit_stages, table_html, table_text

ANY = "any"
LINEAGE_NOTES = {
    ANY: (
        "Both markers are shown. Choose a CAR target to see which cells a CAR against it can reach: "
        "the cancer cells, and the normal cells that carry the same protein."
    ),
    "CD19": (
        "A CD19 CAR reaches B-cell leukaemia and lymphoma cells, and also normal B cells from the pro-B stage "
        "onwards. Losing normal B cells (B-cell aplasia) is therefore an expected, on-target effect, and "
        "antibody (IgG) levels fall. Stem cells do not carry CD19, so the body can make new B cells later."
    ),
    "BCMA": (
        "A BCMA CAR reaches myeloma cells, and also normal plasmablasts and plasma cells (and a few late B "
        "cells), and possibly some brain cells (see lesson 06). Plasma cells are the body's antibody "
        "factories, so antibody levels often fall after BCMA products as well."
    ),
}


def lineage_note_html(target: str) -> str:
    reached = hit_stages(None if target == ANY else target)
    cells = f"<br><strong>Cells reached:</strong> {escape(', '.join(reached))}." if reached else ""
    return f'<p class="cart-l01-note" style="max-width:52em">{escape(LINEAGE_NOTES[target])}{cells}</p>'


class LineageExplorer:
    """Radio buttons (none / CD19 / BCMA) that redraw the B-lineage diagram with the reached cells."""

    def __init__(self) -> None:
        self.choice = w.RadioButtons(
            options=[("Show both markers", ANY), ("CD19 CAR", "CD19"), ("BCMA CAR", "BCMA")],
            value=ANY,
            description="CAR target:",
            style={"description_width": "initial"},
        )
        self.choice.add_class("cart-l01-target-choice")
        self.figure = figure_widget(show("l01_b_lineage"))
        self.note = w.HTML(lineage_note_html(ANY))
        self.note.add_class("cart-l01-lineage-note")
        self.choice.observe(self.redraw, names="value")

    def redraw(self, change=None) -> None:
        target = self.choice.value
        self.figure.value = show("l01_b_lineage", highlight=None if target == ANY else target).html()
        self.note.value = lineage_note_html(target)

    def demo(self) -> Demo:
        static = (
            self.figure.value
            + lineage_note_html(ANY)
            + "".join(f"<p><strong>{t} CAR.</strong> {escape(LINEAGE_NOTES[t])}</p>" for t in ("CD19", "BCMA"))
        )
        text = " ".join(LINEAGE_NOTES.values())
        return Demo(w.VBox([self.choice, self.figure, self.note]), static, text, css_class="cart-l01-lineage")


def lineage_demo() -> Demo:
    return LineageExplorer().demo()


class ProductExplorer:
    """Filter the approved products by disease and target: summary, timeline and table update together."""

    def __init__(self) -> None:
        self.products = load_products()
        self.disease = w.Dropdown(
            options=[("All diseases", ANY)] + [(f"{code}: {name}", code) for code, name in DISEASES.items()],
            value=ANY,
            description="Disease:",
        )
        self.target = w.Dropdown(
            options=[("Any target", ANY), ("CD19", "CD19"), ("BCMA", "BCMA")], value=ANY, description="Target:"
        )
        self.disease.add_class("cart-l01-disease")
        self.target.add_class("cart-l01-target")
        self.summary = w.HTML(self.summary_html())
        self.summary.add_class("cart-l01-summary")
        self.figure = figure_widget(show("l01_approval_timeline"))
        self.table = w.HTML(table_html(self.rows(), None))
        self.table.add_class("cart-l01-table")
        for control in (self.disease, self.target):
            control.observe(self.redraw, names="value")

    def _choice(self) -> tuple[str | None, str | None]:
        disease = None if self.disease.value == ANY else self.disease.value
        target = None if self.target.value == ANY else self.target.value
        return disease, target

    def rows(self):
        return filter_products(self.products, *self._choice())

    def summary_html(self) -> str:
        rows = self.rows()
        names = ", ".join(p.brand for p in rows) or "none"
        return (
            f'<p class="cart-l01-count"><strong>{len(rows)} of {len(self.products)} products match:</strong> '
            f"{escape(names)}.</p>"
        )

    def redraw(self, change=None) -> None:
        disease, target = self._choice()
        self.summary.value = self.summary_html()
        self.figure.value = show("l01_approval_timeline", disease=disease, target=target).html()
        self.table.value = table_html(self.rows(), disease)

    def demo(self) -> Demo:
        controls = w.HBox([self.disease, self.target])
        static = self.summary.value + self.figure.value + self.table.value
        return Demo(
            w.VBox([controls, self.summary, self.figure, self.table]),
            static,
            table_text(self.rows()),
            css_class="cart-l01-products",
        )


def product_demo() -> Demo:
    return ProductExplorer().demo()

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "lineage_demo": lineage_demo,
    "product_demo": product_demo,
}
