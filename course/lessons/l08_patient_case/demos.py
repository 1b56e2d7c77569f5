"""Interactive demo of lesson 08 (a patient case, day by day): the case explorer.

A day slider (from the referral to day 90) and two buttons that jump to the previous or next day
on which something happens. Below them, the running timeline is redrawn up to the chosen day and
the case's state on that day is written out: the stage, the latest observation, the CRS and ICANS
grades (computed by ``course.clinical`` through ``course.lessons.l08_patient_case.model``), the treatments so far and what the
nurse does. The logic lives in ``course.lessons.l08_patient_case.model``; this module only wires widgets to it.
``CaseDemo`` and ``stages_table_html`` take the case and its timeline figure as arguments, so lesson 10
replays its myeloma case with them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from course.core.text import inline_html, plain
from course.engine.views.demo import Demo, figure_widget
from course.figures.catalog import show
from course.figures.render import FigureView
from course.lessons.l08_patient_case import model as cs

DEFAULT_DAY = 90
DESCRIPTION_STYLE = {"description_width": "initial"}
CELL = cs.CELL


def key_days(case: cs.Case | None = None) -> list[int]:
    """The days on which the story changes: every stage, event and observation day, in order."""
    case = case or cs.data()
    days = {s.day for s in case.stages}
    days |= {int(e.day) for e in case.events}
    days |= {o.day for o in case.observations}
    return sorted(days)


def l08_timeline(day: int) -> FigureView:
    return show("l08_timeline", day=day)


class CaseDemo:
    """Slider + previous/next buttons + timeline + the day's state; ``go(day)`` is what the controls do."""

    def __init__(
        self,
        day: int = DEFAULT_DAY,
        case: cs.Case | None = None,
        timeline: Callable[[int], FigureView] = l08_timeline,
        css: str = "cart-l08",
    ):
        case = case or cs.data()
        self.case, self.timeline = case, timeline
        self.days = key_days(case)
        self.slider = w.IntSlider(
            value=day,
            min=cs.first_day(case),
            max=cs.last_day(case),
            step=1,
            description="Day of the case:",
            continuous_update=False,
            style=DESCRIPTION_STYLE,
            layout=w.Layout(width="36em"),
        )
        self.slider.add_class(f"{css}-day-slider")
        self.previous = w.Button(description="◀ Previous event", tooltip="Go back to the previous day on which something happened")
        self.previous.add_class(f"{css}-previous")
        self.next = w.Button(description="Next event ▶", tooltip="Go on to the next day on which something happens")
        self.next.add_class(f"{css}-next")
        self.initial_view = timeline(day)
        self.figure = figure_widget(self.initial_view)
        self.text = w.HTML(value=cs.state_html(day, case))
        self.text.add_class(f"{css}-state-text")
        self.slider.observe(self._on_change, names="value")
        self.previous.on_click(lambda _: self.step(-1))
        self.next.on_click(lambda _: self.step(+1))
        self._buttons()
        self.box = w.VBox([self.slider, w.HBox([self.previous, self.next]), self.figure, self.text])
        self.box.add_class(f"{css}-case")

    def _on_change(self, change) -> None:
        self._redraw(change["new"])

    def _redraw(self, day: int) -> None:
        self.figure.value = self.timeline(day).html()
        self.text.value = cs.state_html(day, self.case)
        self._buttons()

    def _buttons(self) -> None:
        day = self.slider.value
        self.previous.disabled = not any(d < day for d in self.days)
        self.next.disabled = not any(d > day for d in self.days)

    def set_case(self, case: cs.Case, timeline: Callable[[int], FigureView]) -> None:
        """Show another case (lesson 10: the learner took another path) on the same widgets."""
        self.case, self.timeline, self.days = case, timeline, key_days(case)
        # widen before narrowing, so min never passes max on the way
        self.slider.max = max(self.slider.max, cs.last_day(case))
        self.slider.min, self.slider.max = cs.first_day(case), cs.last_day(case)
        self._redraw(self.slider.value)

    def go(self, day: int) -> None:
        """Move to ``day`` (clamped to the case); the slider's observer redraws."""
        self.slider.value = max(self.slider.min, min(self.slider.max, day))

    def step(self, direction: int) -> None:
        """Jump to the previous (-1) or next (+1) day on which something happens."""
        day = self.slider.value
        later = [d for d in self.days if (d > day if direction > 0 else d < day)]
        if later:
            self.go(later[0] if direction > 0 else later[-1])


def end_of_day_grades(stage: cs.Stage, case: cs.Case) -> tuple[str, str]:
    """CRS and ICANS as the explorer shows them on the stage's day (its last observation so far)."""
    s = cs.state(stage.day, case)
    crs = f"grade {s.crs.grade}" if s.crs is not None else "-"
    icans = f"grade {s.icans.grade}" if s.icans is not None else "-"
    return crs, icans


def stages_table_html(
    case: cs.Case | None = None,
    css: str = "cart-l08-stages",
    grades: Callable[[cs.Stage, cs.Case], tuple[str, str]] = end_of_day_grades,
    when: str = "end of day",
    caption: str = "(grades from the last observation of that day)",
) -> str:
    """Every stage on its day: the two grades ``grades`` gives and the nurse's first action."""
    case = case or cs.data()
    rows = []
    for stage in case.stages:
        crs, icans = grades(stage, case)
        rows.append(
            f'<tr><th scope="row" style="{CELL}">Day {stage.day}</th><td style="{CELL}">{escape(stage.title)}</td>'
            f'<td style="{CELL}">{escape(crs)}</td><td style="{CELL}">{escape(icans)}</td>'
            f'<td style="{CELL}">{inline_html(stage.nurse[0])}</td></tr>'
        )
    head = "".join(
        f'<th scope="col" style="{CELL}">{h}</th>'
        for h in ("Day", "Stage", f"CRS ({when})", f"ICANS ({when})", "First thing the nurse does")
    )
    return (
        f'<table class="cart-table {css} {cs.TABLE_LOOK}" style="{cs.TABLE_STYLE}"><caption style="text-align:left">'
        f"<strong>Every stage of the case</strong> {caption}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def case_demo() -> Demo:
    """The interactive case explorer; its static view is the default day (90) and a table of every stage."""
    demo = CaseDemo()
    static = (
        f"{demo.initial_view.html()}<p><strong>Case explorer.</strong> In Jupyter a slider (<em>Day of the case</em>, "
        f"day {cs.first_day()} to day {cs.last_day()}) and two buttons (<em>Previous event</em>, <em>Next event</em>) "
        "redraw this timeline up to the chosen day and describe that day. Shown here: the default state, "
        f"day {DEFAULT_DAY}.</p>" + cs.state_html(DEFAULT_DAY) + stages_table_html()
    )
    text = (
        f"Figure: {plain(demo.initial_view.caption)}\nDescription: {demo.initial_view.alt}\n"
        f"Case explorer (default state): {cs.state_text(DEFAULT_DAY)}"
    )
    return Demo(demo.box, static, text, css_class="cart-l08-case-demo")

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "patient_card": cs.patient_card,
    "ld_table": cs.ld_table,
    "chart": cs.chart,
    "case_demo": case_demo,
    "care_plan": cs.care_plan,
    "education": cs.education,
}
