"""Interactive demos of lesson 07 (after infusion and the long term).

- ``journey_demo()``: the whole-journey timeline; a dropdown highlights one side effect (the others
  greyed) and the chosen one is explained in words below the figure. Its static view is the figure
  itself (default state, with alt text and caption) plus every explanation, so the figure is drawn
  and stored once.
- ``day_demo()``: a day slider and a recovery-pattern dropdown over the conceptual neutrophil
  course; below it, what the lesson says about that day (ICAHT period, infection period, typical
  prophylaxis examples, going-home rules before and since June 2025).

The logic lives in ``course.lessons.l07_after_infusion_and_long_term.model``; this module only wires widgets to it. Each demo is a
``Demo``: the live widget in Jupyter, a static HTML fallback (the default state in words) elsewhere.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from course.core.text import inline_html, plain
from course.engine.views.demo import Demo, figure_widget
from course.figures.catalog import show
from course.lessons.l07_after_infusion_and_long_term import model as lt

ALL = "all"
CELL = lt.CELL_STYLE
DESCRIPTION_STYLE = {"description_width": "initial"}


def _refs(keys: tuple[str, ...]) -> str:
    return " ".join(f"[{escape(k)}]" for k in keys)


def journey_explanation_html(highlight: str) -> str:
    """The words under the journey figure for one highlighted row (or the overview for ``all``)."""
    table = lt.data()
    if highlight == ALL:
        items = "".join(f"<li><strong>{escape(win.name)}</strong></li>" for win in table.timeline)
        return (
            '<div class="cart-l07-explain" role="status" aria-live="polite">'
            "<p><strong>All side effects are shown.</strong> Choose one in the menu to highlight it; the others turn "
            f"grey and the chosen one is explained here. The rows are:</p><ul>{items}</ul></div>"
        )
    win = table.window(highlight)
    return (
        '<div class="cart-l07-explain" role="status" aria-live="polite">'
        f"<p><strong>▶ {escape(win.name)}.</strong> {inline_html(win.explanation)}</p>"
        f"<p><strong>What the nurse watches for:</strong> {inline_html(win.watch_for)}</p>"
        f'<p style="font-size:0.9em">Sources: {_refs(win.references)}</p></div>'
    )


def _journey_options() -> list[tuple[str, str]]:
    return [("All side effects", ALL)] + [(win.name, win.id) for win in lt.data().timeline]


class JourneyDemo:
    """Dropdown + figure + explanation; ``select(id)`` is what the dropdown does (used by tests)."""

    def __init__(self, highlight: str = ALL):
        self.dropdown = w.Dropdown(
            options=_journey_options(), value=highlight, description="Highlight:", style=DESCRIPTION_STYLE
        )
        self.dropdown.add_class("cart-l07-highlight")
        self.initial_view = self._view(highlight)
        self.figure = figure_widget(self.initial_view)
        self.explanation = w.HTML(value=journey_explanation_html(highlight))
        self.explanation.add_class("cart-l07-journey-text")
        self.dropdown.observe(self._on_change, names="value")
        self.box = w.VBox([self.dropdown, self.figure, self.explanation])
        self.box.add_class("cart-l07-journey")

    @staticmethod
    def _view(highlight: str):
        return show("l07_journey", highlight=None if highlight == ALL else highlight)

    def _on_change(self, change) -> None:
        self.select(change["new"])

    def select(self, highlight: str) -> None:
        if self.dropdown.value != highlight:
            self.dropdown.value = highlight  # triggers _on_change, which calls select again
            return
        self.figure.value = self._view(highlight).html()
        self.explanation.value = journey_explanation_html(highlight)


def journey_static_html(figure_html: str = "") -> str:
    """What a reader without a kernel gets: the figure (default state) and every row explained."""
    rows = "".join(
        f'<tr><th scope="row" style="{CELL}">{escape(win.name)}</th><td style="{CELL}">{inline_html(win.explanation)}'
        f'</td><td style="{CELL}">{inline_html(win.watch_for)}</td><td style="{CELL}">{_refs(win.references)}</td></tr>'
        for win in lt.data().timeline
    )
    return (
        f"{figure_html}<p><strong>Interactive timeline.</strong> In Jupyter a menu (<em>Highlight</em>) picks one "
        "side effect; the figure is redrawn with that row highlighted and the others grey, and the explanation "
        "appears under it. Shown here: the default state, all rows. Every explanation the menu can show:</p>"
        '<table class="cart-table cart-l07-table"><thead><tr>'
        + "".join(
            f'<th scope="col" style="{CELL}">{h}</th>'
            for h in ("Side effect or rule", "When and why", "What the nurse watches for", "Sources")
        )
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def journey_demo() -> Demo:
    """The interactive whole-journey timeline (dropdown highlight)."""
    demo = JourneyDemo()
    text = f"Figure: {plain(demo.initial_view.caption)}\nDescription: {demo.initial_view.alt}\n" + " ".join(
        f"{win.name}: {win.explanation}" for win in lt.data().timeline
    )
    return Demo(demo.box, journey_static_html(demo.initial_view.html()), text, css_class="cart-l07-journey-demo")


def day_summary_html(day: int, pattern: str) -> str:
    """The words under the neutrophil figure for one day and one conceptual recovery pattern."""
    s = lt.day_summary(day, pattern)
    severe = "below" if s.anc < lt.SEVERE_NEUTROPENIA else "above"
    prophylaxis = "".join(f"<li>{inline_html(p.against)}: {inline_html(p.examples)}</li>" for p in s.prophylaxis)
    now = "".join(f"<li>{inline_html(r.sentence(day))}</li>" for r in s.current_rules)
    before = "".join(f"<li>{inline_html(r.sentence(day))}</li>" for r in s.before_rules)
    return (
        '<div class="cart-l07-day" role="status" aria-live="polite">'
        f"<p><strong>Day {s.day}</strong>, pattern <em>{escape(lt.PATTERNS[pattern])}</em>: conceptual ANC about "
        f"{s.anc:.1f} × 10⁹/L, {severe} the severe-neutropenia line of 0.5 (conceptual, not patient data).</p>"
        f"<p><strong>ICAHT period:</strong> {escape(s.icaht.name)} ({escape(s.icaht.days)}).</p>"
        f"<p><strong>Infection period:</strong> {escape(s.period.name)} ({escape(s.period.days)}). "
        f"{inline_html(s.period.typical)}</p>"
        f"<p><strong>Prophylaxis examples that typically apply</strong> (centres differ):</p><ul>{prophylaxis}</ul>"
        f"<p><strong>Going home, US labels since June 2025:</strong></p><ul>{now}</ul>"
        f"<p><strong>Under the labels before June 2025:</strong></p><ul>{before}</ul></div>"
    )


class DayDemo:
    """Day slider + pattern dropdown + neutrophil figure + the day's summary."""

    def __init__(self, day: int = 45, pattern: str = "biphasic"):
        self.slider = w.IntSlider(
            value=day,
            min=0,
            max=lt.TIMELINE_END_DAY,
            step=1,
            description="Day after infusion:",
            continuous_update=False,
            style=DESCRIPTION_STYLE,
            layout=w.Layout(width="32em"),
        )
        self.slider.add_class("cart-l07-day-slider")
        self.pattern = w.Dropdown(
            options=[(title, key) for key, title in lt.PATTERNS.items()],
            value=pattern,
            description="Recovery pattern:",
            style=DESCRIPTION_STYLE,
        )
        self.pattern.add_class("cart-l07-pattern")
        self.figure = figure_widget(self._view())
        self.summary = w.HTML(value=day_summary_html(day, pattern))
        self.summary.add_class("cart-l07-day-text")
        self.slider.observe(self._redraw, names="value")
        self.pattern.observe(self._redraw, names="value")
        self.box = w.VBox([w.HBox([self.slider, self.pattern]), self.figure, self.summary])
        self.box.add_class("cart-l07-day-demo-box")

    def _view(self):
        return show("l07_neutrophils", pattern=self.pattern.value, day=self.slider.value)

    def _redraw(self, change=None) -> None:
        self.figure.value = self._view().html()
        self.summary.value = day_summary_html(self.slider.value, self.pattern.value)


def day_static_html(day: int = 45, pattern: str = "biphasic") -> str:
    return (
        "<p><strong>Day explorer.</strong> In Jupyter a slider (<em>Day after infusion</em>, 0 to 365) and a menu "
        "(<em>Recovery pattern</em>) redraw the conceptual neutrophil figure of section 4 with a marker on the chosen day and "
        f"update the text below. Default state, day {day}:</p>" + day_summary_html(day, pattern)
    )


def day_demo() -> Demo:
    """The interactive day explorer over the conceptual neutrophil course."""
    demo = DayDemo()
    text = "Day explorer (default state): " + plain(" ".join(lt.day_summary(45, "biphasic").lines()))
    return Demo(demo.box, day_static_html(), text, css_class="cart-l07-day-demo")

# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "journey_demo": journey_demo,
    "going_home_table": lt.going_home_table,
    "call_now_list": lt.call_now_list,
    "infection_table": lt.infection_table,
    "prophylaxis_table": lt.prophylaxis_table,
    "day_demo": day_demo,
}
