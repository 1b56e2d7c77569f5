"""Outcomes of the pivotal CAR-T trials (lesson 09): ``assets/efficacy.yaml``, validated and filtered.

Pure data, arithmetic and HTML, no widgets: the lesson's figures (``course.lessons.l09_outcomes_access_future.figures``) and
its demo (``course.lessons.l09_outcomes_access_future.demos``) build on it. Each trial row names an approved product; the
product's target (CD19 or BCMA) and generic name come from the course's product table
(``course.clinical.products``), so they are stated once in the course.

Sources: every trial, label figure and durability row carries reference keys, checked against the
registry on load; the trials are those of the course fact sheet, section 8 (for example
``neelapu2017-zuma1``, ``munshi2021-karmma``, ``berdeja2021-cartitude1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Annotated, Any

from course.clinical.products import catalogue
from course.core import schema
from course.core.paths import ASSETS
from course.core.references import cite_html, registry
from course.core.schema import Convert, Invalid, Note, Range, References, Refs
from course.core.yamlio import load_yaml
from course.engine.views import html as views
from course.engine.views.tables import framed_table

DATA_FILE = ASSETS / "efficacy.yaml"
DISEASES = {
    "B-ALL": "B-cell acute lymphoblastic leukaemia",
    "LBCL": "large B-cell lymphoma",
    "MCL": "mantle cell lymphoma",
    "iNHL": "indolent lymphoma (follicular or marginal zone)",
    "MM": "multiple myeloma",
}
DISEASE_ORDER = tuple(DISEASES)
TARGETS = ("CD19", "BCMA")
CELL = views.CELL_PLAIN  # the padding comes from views.PADDED on each table
COMPARABILITY_NOTE = (
    "These trials are single-arm studies: no control group, and each enrolled different patients "
    "(disease, age, earlier treatment, how ill), used a different measure of response and followed "
    "patients for a different time. A higher bar does not show a better product. Read each trial "
    "on its own, against the definition of its measure."
)
LABEL_NOT_SHOWN = (
    "The label reports its own analysis of this trial (other patients, cut-off or review), not shown here; "
    "read the dated label if you need it."
)
LABEL_NOTE = (
    "Where the US prescribing information (label) gives a different figure from the publication, "
    "the chart uses the published figure and marks the label figure with an open diamond (◇). The "
    "two analyses differ in who was counted, how response was judged or when the data were cut."
)


def _disease(value: Any) -> str:
    if value not in DISEASES:
        raise ValueError(f"'{value}' is not one of {', '.join(DISEASE_ORDER)}")
    return value


def _product(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be text and not empty")
    try:
        catalogue().get(value.strip())
    except KeyError:
        raise ValueError(f"'{value}' is not in the course's product table (assets/products.yaml)") from None
    return value.strip()


Patients = Annotated[int, Range(1, says="must be a whole number of patients, 1 or more")]
PatientsOrNull = Annotated[int, Range(1, says="must be a whole number of patients, 1 or more, or null")] | None
Percent = Annotated[float, Range(0, 100, says="must be a percentage from 0 to 100")]
PercentOrNull = Annotated[float, Range(0, 100, says="must be a percentage from 0 to 100, or null")] | None


@dataclass(frozen=True)
class LabelFigures:
    """The label's figures for a trial, where they differ from the publication."""

    overall: PercentOrNull
    complete: PercentOrNull
    n: Patients
    complete_measure: Note  # needed when ``complete`` is given
    note: str
    references: Refs

    def check(self) -> None:
        if self.overall is None and self.complete is None:
            raise Invalid("overall", "a label entry needs an overall or a complete figure")
        if self.complete is not None and not self.complete_measure:
            raise Invalid("complete_measure", "must be text and not empty")


@dataclass(frozen=True)
class Trial:
    ROW_KEY = "trial"  # trials are named, and told apart, by their trial name

    trial: str
    product: Annotated[str, Convert(_product)]
    disease: Annotated[str, Convert(_disease)]
    population: str
    design: str
    n: Patients
    n_basis: str
    overall: Percent
    overall_measure: str
    complete: PercentOrNull
    complete_measure: str
    follow_up: str
    enrolled: PatientsOrNull
    received: PatientsOrNull
    enrolment_basis: Note  # needed when the counts are given
    enrolment_references: Annotated[tuple[str, ...], References(allow_empty=True)]  # likewise
    note: Note
    label: LabelFigures | None
    references: Refs

    def check(self) -> None:
        schema.must_not_exceed(
            self, "complete", "overall", f"{self.complete}% cannot exceed the overall figure {self.overall}%"
        )
        if (self.enrolled is None) != (self.received is None):
            raise Invalid("received", "give both 'enrolled' and 'received', or neither")
        if self.enrolled is None or self.received is None:
            return
        if not self.enrolment_references:
            raise Invalid("enrolment_references", "must be a non-empty list of reference keys")
        schema.must_not_exceed(self, "received", "enrolled", f"{self.received} cannot exceed enrolled ({self.enrolled})")
        if not self.enrolment_basis:
            raise Invalid("enrolment_basis", "must be text and not empty")
        schema.must_not_exceed(self, "n", "enrolled", f"{self.n} patients assessed cannot exceed the {self.enrolled} enrolled")

    @property
    def target(self) -> str:
        return catalogue().get(self.product).target

    @property
    def generic(self) -> str:
        return catalogue().get(self.product).generic

    @property
    def disease_name(self) -> str:
        return DISEASES[self.disease]

    @property
    def not_infused(self) -> int | None:
        """Patients enrolled who never received the product (None where the counts are not given)."""
        if self.enrolled is None or self.received is None:
            return None
        return self.enrolled - self.received

    @property
    def not_infused_pct(self) -> float | None:
        if self.enrolled is None or self.received is None:
            return None
        return not_infused_percent(self.enrolled, self.received)


@dataclass(frozen=True)
class Durability:
    id: str
    label: str
    short: str
    months: Annotated[float, Range(0, 240, says="must be a follow-up time in months, more than 0 and at most 240")]
    more_than: bool
    follow_up: str
    result: str
    references: Refs

    def check(self) -> None:
        if len(self.short) > 50:
            raise Invalid("short", "must be at most 50 characters (it is written on the chart)")
        if self.months <= 0:
            raise Invalid("months", "must be a follow-up time in months, more than 0 and at most 240")

    @property
    def years(self) -> float:
        return self.months / 12


@dataclass(frozen=True)
class Efficacy:
    """Everything in ``efficacy.yaml``, declared as the file is written."""

    as_of: str
    trials: tuple[Trial, ...]
    durability: tuple[Durability, ...]

    def get(self, name: str) -> Trial:
        return schema.find(self.trials, name, "trial", key="trial")


def not_infused_percent(enrolled: int, received: int) -> float:
    """Share of enrolled patients who never received their cells, in % (one decimal)."""
    if isinstance(enrolled, bool) or isinstance(received, bool):
        raise ValueError("counts must be whole numbers")
    if not isinstance(enrolled, int) or not isinstance(received, int):
        raise ValueError("counts must be whole numbers")
    if enrolled <= 0:
        raise ValueError("enrolled must be at least 1")
    if not 0 <= received <= enrolled:
        raise ValueError(f"received ({received}) must lie between 0 and enrolled ({enrolled})")
    return round(100 * (enrolled - received) / enrolled, 1)


def load_efficacy(path: Path = DATA_FILE) -> Efficacy:
    """Read and validate the efficacy table; a bad row fails with file, row and field named."""
    return schema.read_row(Efficacy, load_yaml(path), path.name, known=registry())


@lru_cache(maxsize=1)
def efficacy() -> Efficacy:
    """The course's efficacy table, read once per kernel."""
    return load_efficacy()


# --------------------------------------------------------------------------- queries
def filter_trials(
    trials: tuple[Trial, ...] | list[Trial] | None = None, disease: str | None = None, target: str | None = None
) -> list[Trial]:
    """Trials in ``disease`` (a code of DISEASES) and/or of products aimed at ``target``; None = any.

    Rows come back grouped by disease, in DISEASE_ORDER, and in table order within a disease.
    """
    if disease is not None and disease not in DISEASES:
        raise ValueError(f"unknown disease '{disease}'; choose from {', '.join(DISEASES)}")
    if target is not None and target not in TARGETS:
        raise ValueError(f"unknown target '{target}'; choose from {', '.join(TARGETS)}")
    rows = efficacy().trials if trials is None else trials
    chosen = [t for t in rows if (disease is None or t.disease == disease) and (target is None or t.target == target)]
    return sorted(chosen, key=lambda t: DISEASE_ORDER.index(t.disease))


def with_enrolment() -> list[Trial]:
    """Trials whose enrolled and received counts are given, highest share never infused first."""
    rows = [t for t in efficacy().trials if t.enrolled is not None]
    return sorted(rows, key=lambda t: (-t.not_infused_pct, t.trial))


def not_infused_range() -> tuple[float, float]:
    """Lowest and highest share never infused across the trials with counts, in %."""
    values = [t.not_infused_pct for t in with_enrolment()]
    return min(values), max(values)


def label_differences() -> list[Trial]:
    return [t for t in efficacy().trials if t.label is not None]


def trial_table_keys() -> list[str]:
    """Every reference key the trials table and chart cite (trial rows and label figures), in table order."""
    keys: list[str] = []
    for t in filter_trials():
        for k in t.references + (t.label.references if t.label else ()):
            if k not in keys:
                keys.append(k)
    return keys


def enrolment_table_keys() -> list[str]:
    """Every reference key the enrolment table cites, in table order."""
    keys: list[str] = []
    for t in with_enrolment():
        keys.extend(k for k in t.enrolment_references if k not in keys)
    return keys


# --------------------------------------------------------------------------- HTML and text
def _pct(value: float | None) -> str:
    return "not shown" if value is None else f"{value:g}%"


def _cite_linked(keys: tuple[str, ...]) -> str:
    """The lesson's numbered citation links (never a raw key)."""
    return cite_html(keys)


def _label_cell(t: Trial) -> str:
    if t.label is None:
        return escape(t.note) if t.note else escape(LABEL_NOT_SHOWN)
    parts = []
    if t.label.overall is not None:
        parts.append(f"overall {_pct(t.label.overall)}")
    if t.label.complete is not None:
        parts.append(f"{escape(t.label.complete_measure)} {_pct(t.label.complete)}")
    return (
        f"<strong>◇ Label differs:</strong> {'; '.join(parts)} (n = {t.label.n}). {escape(t.label.note)}. "
        f"{_cite_linked(t.label.references)}"
    )


def comparability_note_html() -> str:
    return (
        '<div class="cart-l09-caution" role="note" style="border-left:5px solid #D55E00;padding:0.4em 0.8em;'
        'margin:0.5em 0;max-width:52em"><p style="margin:0"><strong>⚠ Not a league table.</strong> '
        f"{escape(COMPARABILITY_NOTE)}</p></div>"
    )


def table_html(rows: list[Trial] | tuple[Trial, ...], show_label: bool = True) -> str:
    """One row per trial: who, how many, each figure with its exact definition, follow-up, sources."""
    if not rows:
        return (
            '<p class="cart-l09-empty"><strong>No pivotal trial in this table matches this choice.</strong> '
            "CD19 products treat B-cell leukaemias and lymphomas; BCMA products treat myeloma. Try another choice.</p>"
        )
    head = ["Trial and product", "Patients", "Overall response or remission", "Deepest response reported", "Follow-up"]
    if show_label:
        head.append("Label figures")
    head.append("Sources")
    body = []
    for t in rows:
        cells = [
            f'<th scope="row" style="{CELL}">{escape(t.trial)}<br><span style="font-weight:normal">'
            f"{escape(t.product)} ({escape(t.generic)}), {escape(t.target)}</span></th>",
            f"{escape(t.population)}. {escape(t.design.capitalize())}. <strong>n = {t.n}</strong> "
            f"({escape(t.n_basis)}).",
            f"<strong>{_pct(t.overall)}</strong>: {escape(t.overall_measure)}.",
            f"<strong>{_pct(t.complete)}</strong>: {escape(t.complete_measure)}.",
            escape(t.follow_up) + ".",
        ]
        if show_label:
            cells.append(_label_cell(t))
        cells.append(_cite_linked(t.references))
        body.append("<tr>" + cells[0] + "".join(f'<td style="{CELL}">{c}</td>' for c in cells[1:]) + "</tr>")
    caption = f"Pivotal trials of the approved CAR-T products: published primary analyses (as of {escape(efficacy().as_of)})."
    return framed_table(f"cart-l09-trials {views.PADDED}", "0.9em", caption, head, body)


def table_text(rows: list[Trial] | tuple[Trial, ...]) -> str:
    if not rows:
        return "No pivotal trial in this table matches this choice."
    return "\n".join(
        f"{t.trial} ({t.product}, {t.target}, {t.disease}): n={t.n}; overall {_pct(t.overall)}; "
        f"deepest {_pct(t.complete)}; follow-up: {t.follow_up}"
        for t in rows
    )


def summary_html(rows: list[Trial] | tuple[Trial, ...]) -> str:
    total = len(efficacy().trials)
    names = ", ".join(t.trial for t in rows) or "none"
    return (
        f'<p class="cart-l09-count"><strong>{len(rows)} of {total} pivotal trials shown:</strong> {escape(names)}.</p>'
    )


def _share_bar(t: Trial) -> str:
    """A small HTML bar: received (solid green) and never infused (striped red), with words for screen readers."""
    got = 100 - t.not_infused_pct
    return (
        f'<div role="img" aria-label="{got:.1f}% received, {t.not_infused_pct:.1f}% never infused" '
        'style="display:flex;width:12em;height:1.1em;border:1px solid #444">'
        f'<div style="width:{got:.1f}%;background:#009E73"></div>'
        f'<div style="width:{t.not_infused_pct:.1f}%;background:repeating-linear-gradient(45deg,#D55E00 0 2px,'
        '#FFFFFF 2px 5px)"></div></div>'
    )


def enrolment_table_html() -> str:
    """Enrolled versus treated, per trial with counts, for the 'who never gets infused' section."""
    rows = []
    for t in with_enrolment():
        rows.append(
            f'<tr><th scope="row" style="{CELL}">{escape(t.trial)} ({escape(t.product)})</th>'
            f'<td style="{CELL}">{t.enrolled}</td><td style="{CELL}">{t.received}</td>'
            f'<td style="{CELL}"><strong>{t.not_infused} ({t.not_infused_pct:.1f}%)</strong></td>'
            f'<td style="{CELL}">{_share_bar(t)}</td>'
            f'<td style="{CELL}">{escape(t.enrolment_basis)}</td><td style="{CELL}">{_cite_linked(t.enrolment_references)}</td></tr>'
        )
    head = "".join(
        f'<th scope="col" style="{CELL}">{h}</th>'
        for h in (
            "Trial",
            "Enrolled",
            "Received the cells",
            "Never received them",
            "Bar (solid = received, striped = never)",
            "Counted as",
            "Source",
        )
    )
    return (
        f'<table class="cart-l09-enrolment {views.PADDED}" style="font-size:0.9em;border-collapse:collapse">'
        '<caption style="text-align:left">Enrolled and treated patients in the pivotal trials shown, as '
        "counted in each trial's primary publication, highest share never infused first. Counts come from "
        "different data cut-offs.</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def enrolment_table() -> views.Static:
    """The enrolment table as HTML and text (no widgets)."""
    text = "\n".join(
        f"{t.trial}: {t.enrolled} enrolled, {t.received} received, {t.not_infused} ({t.not_infused_pct:.1f}%) not"
        for t in with_enrolment()
    )
    return views.Static(enrolment_table_html(), text)
