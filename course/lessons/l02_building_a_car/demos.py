"""Lesson 02 demo: build a CAR. Pick the parts; the diagram redraws and says what the design is.

The rules live in ``course.lessons.l02_building_a_car.model`` (pure, unit-tested); the drawing in
``course.lessons.l02_building_a_car.figures``. This module only wires labelled, keyboard-usable controls to them.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from course.engine.views.demo import Demo, figure_widget, label_controls
from course.figures.catalog import show
from course.lessons.l02_building_a_car.model import CarDesign, classify, describe

WIDE = {"description_width": "initial"}
COSTIM_OPTIONS = [("none", "none"), ("CD28", "CD28"), ("4-1BB", "4-1BB"), ("OX40", "OX40")]


def notes_html(design: CarDesign, duplicate: bool = False) -> str:
    verdict = classify(design)
    icon, word = ("\u2714", "Works") if verdict.works else ("\u2718", "Does not work")
    items = "".join(f"<li>{escape(n)}</li>" for n in verdict.notes)
    dup = (
        '<p class="cart-l02-duplicate"><strong>Note:</strong> you chose the same co-stimulatory domain twice; '
        "a second copy adds nothing new, so it counts once.</p>"
        if duplicate
        else ""
    )
    return (
        f'<div class="cart-l02-verdict" role="status" aria-live="polite" style="max-width:52em">'
        f'<p><span aria-hidden="true">{icon}</span> <strong>{word}: {escape(verdict.label)}.</strong> '
        f"{escape(verdict.headline)}</p>{dup}"
        f"<p><strong>What each part does</strong> ({escape(describe(design))})</p>"
        f'<ul style="margin-top:0">{items}</ul></div>'
    )


class CarBuilder:
    """The controls of the builder and the views they update."""

    def __init__(self) -> None:
        self.binder = w.Dropdown(
            options=[("scFv (antibody fragment)", "scFv"), ("two VHH single domains", "VHH"), ("none", "none")],
            value="scFv",
            description="Binder:",
            style=WIDE,
        )
        self.hinge = w.Dropdown(
            options=[("CD8-alpha", "CD8a"), ("CD28", "CD28")],
            value="CD8a",
            description="Hinge and transmembrane:",
            style=WIDE,
        )
        self.costim1 = w.Dropdown(
            options=COSTIM_OPTIONS, value="4-1BB", description="Co-stimulatory domain 1:", style=WIDE
        )
        self.costim2 = w.Dropdown(
            options=COSTIM_OPTIONS, value="none", description="Co-stimulatory domain 2:", style=WIDE
        )
        self.cd3z = w.Checkbox(value=True, description="CD3-zeta (signal 1)", indent=False)
        self.payload = w.Dropdown(
            options=[
                ("none", "none"),
                ("inducible cytokine (e.g. IL-12)", "cytokine"),
                ("IL-2 receptor beta fragment", "il2rb"),
            ],
            value="none",
            description="Extra payload:",
            style=WIDE,
        )
        label_controls(self, "l02", ("binder", "hinge", "costim1", "costim2", "cd3z", "payload"), self.redraw)
        self.figure = figure_widget(show("l02_build_a_car", **self.options()))
        self.notes = w.HTML(notes_html(self.design()))
        self.notes.add_class("cart-l02-notes")

    def design(self) -> CarDesign:
        return CarDesign.from_choices(
            self.binder.value,
            self.hinge.value,
            self.costim1.value,
            self.costim2.value,
            self.cd3z.value,
            self.payload.value,
        )

    def options(self) -> dict:
        d = self.design()
        return {"binder": d.binder, "hinge": d.hinge, "costim": d.costim, "cd3z": d.cd3z, "payload": d.payload}

    def duplicate(self) -> bool:
        return self.costim1.value != "none" and self.costim1.value == self.costim2.value

    def redraw(self, change=None) -> None:
        self.figure.value = show("l02_build_a_car", **self.options()).html()
        self.notes.value = notes_html(self.design(), self.duplicate())

    def demo(self) -> Demo:
        controls = w.VBox(
            [
                w.HBox([self.binder, self.hinge]),
                w.HBox([self.costim1, self.costim2]),
                w.HBox([self.cd3z, self.payload]),
            ]
        )
        static = (
            self.figure.value
            + self.notes.value
            + "<p>In Jupyter you can swap the binder, hinge, co-stimulatory domains and payload, or remove "
            "CD3-zeta, and the diagram and verdict update.</p>"
        )
        verdict = classify(self.design())
        text = f"Build a CAR (default): {verdict.label}. {verdict.headline} {describe(self.design())}"
        return Demo(w.VBox([controls, self.figure, self.notes]), static, text, css_class="cart-l02-builder")


def car_builder() -> Demo:
    return CarBuilder().demo()

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "car_builder": car_builder,
}
