"""Lesson 09 demo: the pivotal-trial response chart, filtered by disease and by target.

``ResponseExplorer`` holds its controls (so tests can set them): a disease dropdown, a target
dropdown and a checkbox for the label figures. Every change redraws the chart and the table below
it; the warning that single-arm trials are not comparable stays visible whatever is chosen. The
data and the table HTML come from ``course.lessons.l09_outcomes_access_future.model``, the drawing from ``course.lessons.l09_outcomes_access_future.figures``.
"""

from __future__ import annotations

import ipywidgets as w

from course.engine.views.demo import Demo, figure_widget
from course.figures.catalog import show
from course.lessons.l09_outcomes_access_future import model as ef

ANY = "any"
STYLE = {"description_width": "initial"}


class ResponseExplorer:
    """Dropdowns (disease, target) and a checkbox (label figures) over the response chart and table."""

    def __init__(self) -> None:
        self.disease = w.Dropdown(
            options=[("All diseases", ANY)] + [(f"{code}: {name}", code) for code, name in ef.DISEASES.items()],
            value=ANY,
            description="Disease:",
            style=STYLE,
        )
        self.target = w.Dropdown(
            options=[("Any target", ANY), ("CD19", "CD19"), ("BCMA", "BCMA")],
            value=ANY,
            description="Target:",
            style=STYLE,
        )
        self.show_label = w.Checkbox(value=True, description="Mark label figures that differ (◇)", indent=False)
        self.disease.add_class("cart-l09-disease")
        self.target.add_class("cart-l09-target")
        self.show_label.add_class("cart-l09-label")
        self.summary = w.HTML(ef.summary_html(self.rows()))
        self.summary.add_class("cart-l09-summary")
        self.caution = w.HTML(ef.comparability_note_html())
        self.caution.add_class("cart-l09-caution-box")
        self.figure = figure_widget(show("l09_response_chart"))
        self.table = w.HTML(ef.table_html(self.rows(), show_label=True))
        self.table.add_class("cart-l09-table")
        for control in (self.disease, self.target, self.show_label):
            control.observe(self.redraw, names="value")

    def choice(self) -> tuple[str | None, str | None]:
        disease = None if self.disease.value == ANY else self.disease.value
        target = None if self.target.value == ANY else self.target.value
        return disease, target

    def rows(self) -> list[ef.Trial]:
        return ef.filter_trials(None, *self.choice())

    def redraw(self, change=None) -> None:
        disease, target = self.choice()
        rows = self.rows()
        self.summary.value = ef.summary_html(rows)
        self.figure.value = show(
            "l09_response_chart", disease=disease, target=target, show_label=self.show_label.value
        ).html()
        self.table.value = ef.table_html(rows, show_label=self.show_label.value)

    def demo(self) -> Demo:
        controls = w.HBox([self.disease, self.target, self.show_label])
        box = w.VBox([controls, self.caution, self.summary, self.figure, self.table])
        static = self.caution.value + self.summary.value + self.figure.value + self.table.value
        return Demo(
            box, static, ef.COMPARABILITY_NOTE + "\n" + ef.table_text(self.rows()), css_class="cart-l09-responses"
        )


def response_demo() -> Demo:
    return ResponseExplorer().demo()

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "response_demo": response_demo,
    "enrolment_table": ef.enrolment_table,
}
