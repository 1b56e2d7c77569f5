"""Lesson 06 demos: an ICE and ICANS grader, and a product timing explorer.

The widgets only collect inputs and show results: grades come from ``course.lessons.l06_icans.model`` (which calls
``course.clinical``) and product figures from ``course.lessons.l06_icans.timing``.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from course.core.references import cite_html
from course.core.text import inline_html
from course.engine.views.demo import Demo, label_controls
from course.figures.catalog import show
from course.lessons.l06_icans import model as icans
from course.lessons.l06_icans import timing as icans_timing

WIDE = {"description_width": "initial"}
ALL = "All products"


def _status(html: str, css: str) -> str:
    return (
        f'<div role="status" aria-live="polite" class="{css}" '
        f'style="border-left:6px solid #0072B2;padding:0.3em 0.8em;margin:0.4em 0">{html}</div>'
    )


def assessment_html(result: icans.Assessment, notes: list[str]) -> str:
    """The grader's verdict in words: ICE score, grade, the deciding domain(s) and bedside notes."""
    ice = "cannot be done (the patient is unarousable)" if result.ice is None else f"{result.ice} of 10"
    parts = [
        f"<p style='margin:0.2em 0'><strong>ICE score:</strong> {escape(ice)}</p>",
        f"<p style='margin:0.2em 0'><strong>{escape(result.sentence())}</strong></p>",
    ]
    if result.grade.grade:
        rows = "".join(
            f"<li>{escape(d.name)}: {'grade ' + str(d.grade) if d.grade else 'no grade'}"
            f"{' <strong>(sets the grade)</strong>' if d in result.deciding else ''}</li>"
            for d in result.domains
        )
        parts.append(f"<ul style='margin:0.2em 0'>{rows}</ul>")
    for note in notes:
        parts.append(f"<p style='margin:0.2em 0'><span aria-hidden='true'>ℹ</span> {escape(note)}</p>")
    return _status("".join(parts), "cart-l06-result")


class IcansGrader:
    """Five ICE tasks, four other domains and two findings that do not count; the grade updates live."""

    def __init__(self) -> None:
        self.orientation = w.IntSlider(
            value=4,
            min=0,
            max=4,
            description="Orientation: year, month, city, hospital (0-4)",
            style=WIDE,
            layout=w.Layout(width="520px"),
        )
        self.naming = w.IntSlider(
            value=3, min=0, max=3, description="Naming: three objects (0-3)", style=WIDE, layout=w.Layout(width="520px")
        )
        self.commands = w.Checkbox(value=True, description="Follows a simple command (1 point)", indent=False)
        self.writing = w.Checkbox(value=True, description="Writes a standard sentence (1 point)", indent=False)
        self.attention = w.Checkbox(value=True, description="Counts back from 100 in tens (1 point)", indent=False)
        self.consciousness = self._dropdown("consciousness", "Level of consciousness")
        self.seizure = self._dropdown("seizure", "Seizure")
        self.motor = self._dropdown("motor", "Motor findings")
        self.raised_icp = self._dropdown("raised_icp", "Raised ICP / cerebral edema")
        self.tremor = w.Checkbox(value=False, description="New tremor or myoclonus", indent=False)
        self.hemorrhage = w.Checkbox(value=False, description="Intracranial hemorrhage on a scan", indent=False)
        ice = ("orientation", "naming", "commands", "writing", "attention")
        label_controls(self, "l06", (*ice, "consciousness", "seizure", "motor", "raised_icp", "tremor", "hemorrhage"), self.update)
        self.result = w.HTML()
        self.result.add_class("cart-l06-summary")
        self.figure = w.HTML()
        self.figure.add_class("cart-demo-figure")
        self.ice_controls = (self.orientation, self.naming, self.commands, self.writing, self.attention)
        self.update()
        self.widget = w.VBox(
            [
                w.HTML("<strong>ICE tasks</strong> (what the patient manages today)"),
                *self.ice_controls,
                w.HTML("<strong>Other ICANS domains</strong>"),
                self.consciousness,
                self.seizure,
                self.motor,
                self.raised_icp,
                w.HTML("<strong>Also seen at the bedside</strong> (do they change the grade?)"),
                self.tremor,
                self.hemorrhage,
                self.result,
                self.figure,
            ]
        )

    @staticmethod
    def _dropdown(key: str, label: str) -> w.Dropdown:
        options = [(text, value) for value, text in icans.CHOICE_LABELS[key].items()]
        return w.Dropdown(
            options=options, value=options[0][1], description=label, style=WIDE, layout=w.Layout(width="620px")
        )

    def values(self) -> dict:
        """The current inputs, in the names ``icans_domains_figure`` and ``icans.assess`` use."""
        return dict(
            orientation=self.orientation.value,
            naming=self.naming.value,
            following_commands=int(self.commands.value),
            writing=int(self.writing.value),
            attention=int(self.attention.value),
            consciousness=self.consciousness.value,
            seizure=self.seizure.value,
            motor=self.motor.value,
            raised_icp=self.raised_icp.value,
        )

    def assessment(self) -> icans.Assessment:
        v = self.values()
        unarousable = v["consciousness"] == "unarousable"
        ice = (
            None
            if unarousable
            else icans.ice_from_items(
                orientation=v["orientation"],
                naming=v["naming"],
                following_commands=v["following_commands"],
                writing=v["writing"],
                attention=v["attention"],
            )
        )
        return icans.assess(ice, v["consciousness"], v["seizure"], v["motor"], v["raised_icp"])

    def update(self, change=None) -> None:
        unarousable = self.consciousness.value == "unarousable"
        for control in self.ice_controls:
            control.disabled = unarousable
        notes = icans.bedside_notes(self.tremor.value, self.hemorrhage.value)
        if unarousable:
            notes.insert(
                0, "The ICE tasks cannot be done: an unarousable patient scores 0 and the ICE domain is grade 4."
            )
        figure = show("l06_icans_domains", **self.values()).html()
        self.figure.value = figure  # the chart first, so it is never behind the words below it
        self.result.value = assessment_html(self.assessment(), notes)


def icans_grader() -> Demo:
    """The interactive grader; on nbviewer, its default state (ICE 10, alert) as a figure and words."""
    grader = IcansGrader()
    static = (
        grader.result.value
        + grader.figure.value
        + "<p>In Jupyter, sliders and tick boxes set the five ICE tasks and drop-down lists set the other "
        "four domains; the grade, the domain that set it and the chart update as you change them.</p>"
    )
    text = (
        "ICE and ICANS grader (interactive in Jupyter). Default: ICE 10 of 10, alert, no seizure, motor or "
        "edema findings, so no ICANS."
    )
    demo = Demo(grader.widget, static, text, css_class="cart-l06-grader")
    demo.grader = grader  # for tests
    return demo


# --- Product explorer: one product's row of assets/icans_timing.yaml in words, with the onset chart.


def product_card(row: icans_timing.ProductTiming) -> str:
    onset = "not found in our sources" if row.onset_median_days is None else f"day {row.onset_median_days:g}"
    if row.onset_range_days:
        onset += f" (range {row.onset_range_days[0]:g} to {row.onset_range_days[1]:g})"
    duration = "not found" if row.duration_median_days is None else f"{row.duration_median_days:g} days"
    if row.timing_footnote:
        onset, duration = onset + row.timing_mark, duration + row.timing_mark
    incidence = f"Any grade {row.percent('any')}, grade 3 or higher {row.percent('g3')}"
    if row.approximate:
        incidence += f" (approximate figures; {icans_timing.SCALE_WORDS[row.scale]}, {row.trial})"
    items = [
        f"<strong>{escape(row.brand)}</strong> ({escape(row.generic)}), {escape(row.target)}: "
        f"{escape(row.disease)}; trial {escape(row.trial)}",
        f"What was counted: {escape(row.counted)}",
        escape(incidence),
        f"Median onset: {escape(onset)}; median duration: {escape(duration)}",
    ]
    if row.timing_footnote:
        items.append(f"{escape(row.timing_mark)} Onset and duration: {escape(row.timing_footnote)}")
    if row.crs_relation:
        items.append(f"Timing against CRS: {escape(row.crs_relation)}")
    if row.note:
        items.append(f"Note: {inline_html(row.note)}")
    items.append(f"Data: {escape(row.as_of)} Sources: {cite_html(row.references)}")
    return _status("<ul style='margin:0.2em 0'>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>", "cart-l06-card")


class ProductExplorer:
    """Pick a product: its data in words, and the onset chart with that product picked out."""

    def __init__(self) -> None:
        options = [(ALL, "")] + [(r.onset_label, r.id) for r in icans_timing.products()]
        self.choice = w.Dropdown(
            options=options, value="", description="Product (trial)", style=WIDE, layout=w.Layout(width="420px")
        )
        self.choice.add_class("cart-l06-product")
        self.card = w.HTML()
        self.figure = w.HTML()
        self.figure.add_class("cart-demo-figure")
        self.choice.observe(self.update, names="value")
        self.update()
        self.widget = w.VBox([self.choice, self.card, self.figure])

    def update(self, change=None) -> None:
        if not self.choice.value:
            self.figure.value = show("l06_onset_by_product").html()
            self.card.value = _status(
                "<p style='margin:0.2em 0'>All products are shown. Pick one to read its row of the table in words "
                "(incidence, onset, duration, what was counted, sources).</p>",
                "cart-l06-card",
            )
            return
        row = icans_timing.get(self.choice.value)
        self.figure.value = show("l06_onset_by_product", highlight=row.id).html()
        self.card.value = product_card(row)


def product_explorer() -> Demo:
    explorer = ProductExplorer()
    static = (
        explorer.figure.value
        + "<p>In Jupyter, a drop-down list picks each product in turn, picks it out on the chart and shows its "
        "row of the table in words. The same rows are in the table above.</p>"
    )
    demo = Demo(
        explorer.widget,
        static,
        "Product timing explorer (interactive in Jupyter); default: all products.",
        css_class="cart-l06-explorer",
    )
    demo.explorer = explorer
    return demo

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "ice_items_table": icans.ice_items_table,
    "grading_table": icans.grading_table,
    "icans_grader": icans_grader,
    "worked_examples": icans.worked_examples,
    "timing_table": icans_timing.timing_table,
    "product_explorer": product_explorer,
}
