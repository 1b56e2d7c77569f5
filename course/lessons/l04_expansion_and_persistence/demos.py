"""Lesson 04 demo: sliders for dose and tumour burden and a costimulatory switch over the kinetics model.

The model is ``course.lessons.l04_expansion_and_persistence.model`` (pure, numpy only) and the drawing ``course.lessons.l04_expansion_and_persistence.figures``; this
module wires labelled, keyboard-usable controls to them and reports what changed in words.
"""

from __future__ import annotations

import time
from typing import Any

import ipywidgets as w

from course.engine.views.demo import Demo, figure_widget, label_controls
from course.figures.catalog import show
from course.lessons.l04_expansion_and_persistence.figures import summary
from course.lessons.l04_expansion_and_persistence.model import BURDEN_RANGE, COSTIM, DOSE_RANGE, Inputs, cached

FIGURE = "l04_kinetics"


def summary_html(inputs: Inputs) -> str:
    """The run in words: peak day, expansion and cytokine proxy against the default, B cells at a year."""
    s = summary(cached(inputs), cached(Inputs()))
    recovery = (
        f"normal B cells are back above half their starting level by about month {s['b_recovery_month']:.0f}"
        if s["b_recovery_month"]
        else "normal B cells stay very low for the two years shown (B-cell aplasia), because CAR-T cells persist"
    )
    return (
        '<div class="cart-l04-summary" role="status" aria-live="polite"><p>'
        f"<strong>In this model run</strong> the CAR-T cells peak on <strong>day {s['peak_day']:.0f}</strong>, "
        f"at <strong>{s['expansion_vs_default']:.1f}\u00d7</strong> the default peak; the cytokine proxy reaches "
        f"<strong>{s['cytokine_vs_default']:.1f}\u00d7</strong> the default; at 12 months normal B cells are at "
        f"{s['b_cells_month_12']:.0f}% of their starting level, and {recovery}.</p>"
        "<p>The cytokine proxy shows CAR-T activation against tumour and normal B cells alike, not how well the "
        "cancer is being cleared.</p>"
        "<p><em>Model units and made-up parameters: a way to see the ideas, not a prediction for a patient.</em>"
        "</p></div>"
    )


def _slider_look() -> dict[str, Any]:
    """What both sliders share: redraw on release (a redraw takes a while), a full label, one width."""
    return {"continuous_update": False, "style": {"description_width": "initial"}, "layout": w.Layout(width="28em")}


class KineticsDemo:
    """Two sliders and a radio choice; each change redraws the three panels and the summary."""

    def __init__(self, dose: float = 1.0, burden: float = 1.0, costim: str = "4-1BB"):
        self.dose = w.FloatSlider(
            value=dose,
            min=DOSE_RANGE[0],
            max=DOSE_RANGE[1],
            step=0.25,
            description="Dose (× default)",
            readout_format=".2f",
            **_slider_look(),
        )
        self.burden = w.FloatLogSlider(
            value=burden,
            base=10,
            min=-1,
            max=1,
            step=0.1,
            description="Tumour burden (× default)",
            readout_format=".2g",
            **_slider_look(),
        )
        self.costim = w.RadioButtons(
            options=list(COSTIM),
            value=costim,
            description="Costimulatory domain:",
            style={"description_width": "initial"},
        )
        self.view = show(FIGURE, dose=dose, burden=burden, costim=costim)
        self.figure = figure_widget(self.view)
        self.figure.add_class("cart-l04-figure")
        self.summary = w.HTML(value=summary_html(self.inputs()))
        self.summary.add_class("cart-l04-summary-widget")
        self.last_redraw_s = 0.0
        label_controls(self, "l04", ("dose", "burden", "costim"), self._changed)
        self.box = w.VBox([w.HBox([w.VBox([self.dose, self.burden]), self.costim]), self.figure, self.summary])

    def inputs(self) -> Inputs:
        burden = min(max(self.burden.value, BURDEN_RANGE[0]), BURDEN_RANGE[1])  # log slider rounding
        return Inputs(dose=self.dose.value, burden=round(burden, 3), costim=self.costim.value)

    def _changed(self, _change=None) -> None:
        self.update()

    def update(self) -> None:
        """Redraw for the current control values and record how long it took."""
        start = time.perf_counter()
        i = self.inputs()
        self.view = show(FIGURE, dose=i.dose, burden=i.burden, costim=i.costim)
        self.figure.value = self.view.html()
        self.summary.value = summary_html(i)
        self.last_redraw_s = time.perf_counter() - start


def kinetics_demo() -> Demo:
    """The demo as the notebook shows it: live sliders in Jupyter; the default run and its summary elsewhere."""
    live = KineticsDemo()
    static = live.view.html() + live.summary.value
    text = "Interactive CAR-T kinetics model (conceptual, made-up parameters). " + live.view.alt
    demo = Demo(live.box, static, text, css_class="cart-l04-demo")
    demo.controls = live
    return demo

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "kinetics_demo": kinetics_demo,
}
