"""Interactive parts of lesson 10 (a second case: myeloma and cilta-cel): the decision points and the replay.

- ``decision(branch_id)``: the scene (the stage and, where there is one, the observation chart), the
  choices in an order shuffled per learner, and **Decide**. The choice's feedback and the path it
  leads to (what happens next, the timeline of that path, what it teaches) appear at once; the
  choice is saved in the learner's progress file, and **Choose again** lets the learner go back
  and take the other path. After a restart the saved choice and its path come back.
- ``case_demo()``: lesson 08's day explorer (``course.lessons.l08_patient_case.demos.CaseDemo``) on
  the path the learner took, with a table of the decisions taken.

Static views (nbviewer) show the main path and, at each decision point, both paths inside
``<details>``: nothing depends on a kernel to be read. The logic lives in ``model``.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w

from course.core.references import cite_html
from course.core.text import inline_html, plain
from course.engine.progress import ProgressStore
from course.engine.questions.order import shuffled
from course.engine.views import html as views
from course.engine.views.demo import Demo
from course.figures.catalog import show
from course.figures.render import FigureView
from course.lessons.l08_patient_case import demos as l08_demos
from course.lessons.l08_patient_case import model as cs
from course.lessons.l10_myeloma_case import model as mm

CELL = cs.CELL
PATH_TITLE = {"recognised": "If the sign is recognised (the main path)", "missed": "If the sign is missed"}
PATH_ICON = {"recognised": "✔", "missed": "✖"}


def letter(i: int) -> str:
    return "ABCDEFGH"[i]


def _store(lesson: Any) -> tuple[ProgressStore | None, str]:
    if lesson is None:
        return None, ""
    return lesson.store, lesson.store.learner


def _scene_html(branch: mm.Branch) -> str:
    case = mm.main_case()
    stage = case.stage(branch.stage)
    parts = [f"<p><strong>{escape(branch.title)}</strong></p>", f"<p>{inline_html(stage.summary)}</p>"]
    if branch.chart is not None:
        parts.append(cs.chart(branch.chart.day, branch.chart.until, case).html)
    return "".join(parts)


def _path_html(branch: mm.Branch, name: str, figure: bool) -> str:
    """What happens on one path: the story, the outcome, the lesson, and (live) the timeline to the rejoin day."""
    p = branch.path(name)
    paths = tuple(name if b.id == branch.id else mm.MAIN for b in mm.story().branches)
    body = [
        f"<p>{inline_html(p.summary)}</p>",
        f"<p><strong>Outcome:</strong> {inline_html(p.outcome)}</p>",
        f"<p><strong>What this teaches:</strong> {inline_html(p.lesson)} {cite_html(p.references)}</p>",
    ]
    if figure:
        body.append(show("l10_timeline", day=branch.rejoin, paths=paths).html())
    return "".join(body)


def _choice_order(branch: mm.Branch, learner: str) -> list[int]:
    return shuffled(learner, f"l10-{branch.id}", len(branch.choices))


class DecisionView:
    """One decision point: choose, see where it leads, go back and take the other path."""

    def __init__(self, branch: mm.Branch, store: ProgressStore | None = None, learner: str = ""):
        self.branch, self.store = branch, store
        order = _choice_order(branch, learner)
        self.choices = [branch.choices[i] for i in order]
        self.radio = w.RadioButtons(
            options=[(f"{letter(n)}. {c.text}", c.id) for n, c in enumerate(self.choices)],
            value=None,
            description="Your decision:",
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
        )
        inputs = w.VBox([self.radio], layout=w.Layout(width="100%"))
        inputs.add_class("cart-input")
        self.decide = w.Button(description="Decide", tooltip="Take this decision and see what happens", button_style="primary")
        self.decide.add_class("cart-check")
        self.again = w.Button(description="Choose again", tooltip="Go back to the decision and take another path")
        self.again.add_class("cart-again")
        self.result = w.HTML(value="")
        self.result.add_class("cart-feedback")
        self.decide.on_click(lambda _: self.take(self.radio.value))
        self.radio.observe(self._on_select, names="value")
        self.again.on_click(lambda _: self.reopen())
        buttons = w.HBox([self.decide, self.again])
        buttons.add_class("cart-buttons")
        self.box = w.VBox([w.HTML(value=_scene_html(branch)), w.HTML(value=f"<p><strong>{escape(branch.prompt)}</strong></p>"),
                           inputs, buttons, self.result])
        self.box.add_class("cart-question")
        self.box.add_class("cart-l10-decision")
        self.box.add_class(f"cart-l10-{branch.id}")
        saved = mm.taken(store).get(branch.id) if store is not None else None
        if saved is not None:
            self.radio.value = saved
            self._show(self.branch.choice(saved), restored=True)
        else:
            self.reopen()

    def _on_select(self, change) -> None:
        if not self.decide.disabled and change["new"] is not None:
            n = [c.id for c in self.choices].index(change["new"])
            self.result.value = (
                f'<p class="cart-fb" role="status">You chose {letter(n)}. Press <strong>Decide</strong> to see what '
                "happens next.</p>"
            )

    def take(self, choice_id: str | None) -> None:
        """What Decide does: explain the choice, show its path, and save it."""
        if choice_id is None:
            self.result.value = '<p class="cart-fb" role="status">⚠ Choose one of the options first, then press <strong>Decide</strong>.</p>'
            return
        choice = self.branch.choice(choice_id)
        if self.store is not None:
            mm.record_choice(self.store, self.branch, choice)
        self._show(choice)
        for listener in list(_LISTENERS):
            listener()

    def _show(self, choice: mm.Choice, restored: bool = False) -> None:
        other = "missed" if choice.path == "recognised" else "recognised"
        verdict = "You recognised the sign." if choice.path == "recognised" else "The sign was missed."
        note = " (your saved decision)" if restored else ""
        self.result.value = (
            f'<div class="cart-fb" role="status" aria-live="polite"><p><strong>{PATH_ICON[choice.path]} {verdict}</strong>{note} '
            f"{inline_html(choice.feedback)}</p><p><strong>What happens next.</strong></p>"
            f"{_path_html(self.branch, choice.path, figure=True)}"
            f"<p>To see the other path (the sign {'recognised' if other == 'recognised' else 'missed'}), "
            "press <strong>Choose again</strong>. The lesson goes on from the main path.</p></div>"
        )
        self.radio.disabled, self.decide.disabled, self.again.disabled = True, True, False

    def reopen(self) -> None:
        self.radio.disabled, self.decide.disabled, self.again.disabled = False, False, True
        self.result.value = ""


def decision_static(branch: mm.Branch) -> str:
    """nbviewer: the scene, the choices lettered, and both paths (with every choice's feedback) in <details>."""
    items = "".join(f"<li>{letter(i)}. {escape(c.text)}</li>" for i, c in enumerate(branch.choices))
    paths = []
    for name in mm.PATHS:
        letters = ", ".join(letter(i) for i, c in enumerate(branch.choices) if c.path == name)
        feedback = "".join(
            f"<li><strong>{letter(i)}.</strong> {inline_html(c.feedback)}</li>"
            for i, c in enumerate(branch.choices)
            if c.path == name
        )
        paths.append(
            f"<details><summary><strong>{PATH_ICON[name]} {PATH_TITLE[name]}</strong> (choice {letters}): "
            f"{escape(branch.path(name).outcome)}</summary><ul>{feedback}</ul>{_path_html(branch, name, figure=False)}</details>"
        )
    return (
        f'<div class="cart-question cart-l10-decision">{_scene_html(branch)}<p><strong>{escape(branch.prompt)}</strong></p>'
        f'<ol style="list-style:none;padding-left:0.5em">{items}</ol>'
        "<p><strong>Where this branches.</strong> Open each path to see what follows it and why.</p>"
        + "".join(paths)
        + "</div>"
    )


def decision_text(branch: mm.Branch) -> str:
    lines = [plain(branch.title), plain(branch.prompt)]
    lines += [f"  {letter(i)}. {c.text}" for i, c in enumerate(branch.choices)]
    for name in mm.PATHS:
        lines.append(f"{PATH_TITLE[name]}: {branch.path(name).outcome}")
    return "\n".join(lines)


def decision(branch_id: str, lesson: Any = None) -> Demo:
    """A decision point as the notebook shows it (live widget, static twin, plain text)."""
    branch = mm.story().branch(branch_id)
    store, learner = _store(lesson)
    view = DecisionView(branch, store, learner)
    demo = Demo(view.box, decision_static(branch), decision_text(branch), css_class="cart-l10-decision-demo")
    demo.view = view
    return demo


# --------------------------------------------------------------------------------------------
# The replay: lesson 08's explorer on the learner's own path
# --------------------------------------------------------------------------------------------

_LISTENERS: list[Any] = []  # explorers to refresh when a decision is taken in this kernel


def decisions_table_html(choices: dict[str, str] | None) -> str:
    """Each decision point with the choice taken (or both outcomes when ``choices`` is None: the static view)."""
    story = mm.story()
    rows = []
    for n, b in enumerate(story.branches, start=1):
        if choices is None:
            taken = "-"
            outcome = " / ".join(f"{PATH_ICON[p]} {b.path(p).outcome}" for p in mm.PATHS)
        elif b.id in choices:
            c = b.choice(choices[b.id])
            taken = f"{PATH_ICON[c.path]} {'recognised' if c.path == 'recognised' else 'missed'}: {c.text}"
            outcome = b.path(c.path).outcome
        else:
            taken = "not decided yet (the main path is shown)"
            outcome = b.path(mm.MAIN).outcome
        rows.append(
            f'<tr><th scope="row" style="{CELL}">Decision {n} (day {b.day})</th>'
            f'<td style="{CELL}">{escape(taken)}</td><td style="{CELL}">{escape(outcome)}</td></tr>'
        )
    head = "".join(f'<th scope="col" style="{CELL}">{h}</th>' for h in ("Decision point", "Your decision", "What followed"))
    caption = "Your decisions" if choices is not None else "The three decision points and where each path leads"
    return (
        f'<table class="cart-table cart-l10-decisions {cs.TABLE_LOOK}" style="{cs.TABLE_STYLE}"><caption style="text-align:left">'
        f"<strong>{caption}</strong></caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


class PathExplorer:
    """The day explorer on the learner's path; redrawn (same widgets) when a decision is taken or changed."""

    def __init__(self, store: ProgressStore | None):
        self.store = store
        self.table = w.HTML()
        paths = self._paths()
        case = mm.story().case(paths)
        self.demo = l08_demos.CaseDemo(cs.last_day(case), case, self._timeline(paths), css="cart-l10")
        self._write_table(paths)
        self.box = w.VBox([self.table, self.demo.box])
        _LISTENERS[:] = [self.refresh]  # one replay per notebook: the newest run of its cell

    def _paths(self) -> tuple[str, ...]:
        return mm.story().paths_for(mm.taken(self.store) if self.store is not None else {})

    @staticmethod
    def _timeline(paths: tuple[str, ...]):
        def timeline(d: int) -> FigureView:
            return show("l10_timeline", day=d, paths=paths)

        return timeline

    def _write_table(self, paths: tuple[str, ...]) -> None:
        choices = mm.taken(self.store) if self.store is not None else {}
        self.table.value = (
            decisions_table_html(choices) + f"<p><strong>Path shown below:</strong> {escape(mm.path_label(paths))}.</p>"
        )

    def refresh(self) -> None:
        paths = self._paths()
        self.demo.set_case(mm.story().case(paths), self._timeline(paths))
        self._write_table(paths)


def _worst_that_day(kind: str, day: int, case: cs.Case) -> str:
    """The worst CRS or ICANS grade among the observations of ``day``; never carried over from an earlier day."""
    rows = [o for o in case.observations if o.day == day]
    icans = [g.grade for o in rows if (g := o.icans()) is not None]
    grades = [o.crs().grade for o in rows] if kind == "crs" else icans
    return f"grade {max(grades)}" if grades else "not assessed"


def stages_table_html(case: cs.Case) -> str:
    """Every stage on its day: the worst grade of that day's observations ("not assessed" on a day without one)."""
    return l08_demos.stages_table_html(
        case,
        "cart-l10-stages",
        lambda stage, c: (_worst_that_day("crs", stage.day, c), _worst_that_day("icans", stage.day, c)),
        "worst that day",
        "(the worst grade among that day's observations; "
        "<em>not assessed</em> where no observation was graded that day, since a grade is never carried over "
        "from an earlier day). A fever with another proven cause, such as the bloodstream infection of day 48, "
        f"is not graded as CRS {cite_html(['lee2019-astct'])}.",
    )


def case_demo(lesson: Any = None) -> Demo:
    """The replay of the learner's path; its static view is the main path at day 120 and every stage."""
    store, _ = _store(lesson)
    explorer = PathExplorer(store)
    case = mm.main_case()
    last = cs.last_day(case)
    initial = show("l10_timeline", day=last)
    static = (
        decisions_table_html(None)
        + f"{initial.html()}<p><strong>Case explorer.</strong> In Jupyter a slider (<em>Day of the case</em>, "
        f"day {cs.first_day(case)} to day {last}) and two buttons (<em>Previous event</em>, <em>Next event</em>) "
        "replay the case on the path you took at the three decisions. Shown here: the main path on day "
        f"{last}.</p>" + cs.state_html(last, case) + stages_table_html(case)
    )
    text = (
        f"Figure: {plain(initial.caption)}\nDescription: {initial.alt}\n"
        f"Case explorer (main path, day {last}): {cs.state_text(last, case)}"
    )
    demo = Demo(explorer.box, static, text, css_class="cart-l10-case-demo")
    demo.explorer = explorer
    return demo


def patient_card() -> views.Static:
    """Who Mr Nowak is and what he will receive.

    Lesson 08's card says "product facts as in the US label"; for Carvykti that would pass the CARTITUDE
    trials' target dose off as the label's, so this card names the target and the label's range apart.
    """
    case = mm.main_case()
    p, prod = case.patient, case.product
    per_kg, total = prod.cells_per_kg / 1e6, cs.cell_dose(case) / 1e6
    product = (
        f"{prod.brand} ({prod.generic}), one IV infusion on day 0: {per_kg:g} × 10⁶ CAR-positive viable T cells "
        f"per kg (the CARTITUDE trials' target; the US label gives a range of 0.5 to 1.0 × 10⁶ per kg, at most "
        f"{cs.sci(prod.max_cells)} cells); for {p.weight_kg:g} kg that is {total:g} × 10⁶ cells"
    )
    note = f"Label range {views.cite(['carvykti-label'])}; target dose from the trials {views.cite(['berdeja2021-cartitude1'])}"
    return cs.patient_card(case, product, note)


def ld_table() -> views.Static:
    return cs.ld_table(mm.main_case())


def chart(day: int, until: str | None = None) -> views.Static:
    return cs.chart(day, until, mm.main_case())


def care_plan() -> views.Static:
    return cs.care_plan(mm.main_case())


CARVYKTI_GUIDE = "carvykti-uspi-2025"  # the Carvykti Medication Guide, which lists the same call-now symptoms


def education() -> views.Static:
    """Lesson 08's teaching table for Mr Nowak and Ewa, each call-now item also citing Carvykti's own guide."""
    return cs.education(mm.main_case(), 12, call_keys=(CARVYKTI_GUIDE,))


# What the notebook shows by name: ``lesson.show("name")``.
SHOWS = {
    "patient_card": patient_card,
    "ld_table": ld_table,
    "chart": chart,
    "decision": decision,
    "case_demo": case_demo,
    "care_plan": care_plan,
    "education": education,
}
