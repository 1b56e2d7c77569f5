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
from typing import Any

from course.clinical.products import catalogue
from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.yamlio import load_yaml

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
CELL = "text-align:left;vertical-align:top;padding:0.25em 0.5em"  # nbconvert's CSS right-aligns cells otherwise
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

TRIAL_FIELDS = {
    "trial",
    "product",
    "disease",
    "population",
    "design",
    "n",
    "n_basis",
    "overall",
    "overall_measure",
    "complete",
    "complete_measure",
    "follow_up",
    "enrolled",
    "received",
    "enrolment_basis",
    "enrolment_references",
    "note",
    "label",
    "references",
}
LABEL_FIELDS = {"overall", "complete", "n", "complete_measure", "note", "references"}
DURABILITY_FIELDS = {"id", "label", "short", "months", "more_than", "follow_up", "result", "references"}


@dataclass(frozen=True)
class LabelFigures:
    """The label's figures for a trial, where they differ from the publication."""

    overall: float | None
    complete: float | None
    n: int
    complete_measure: str
    note: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class Trial:
    trial: str
    product: str
    disease: str
    population: str
    design: str
    n: int
    n_basis: str
    overall: float
    overall_measure: str
    complete: float | None
    complete_measure: str
    follow_up: str
    enrolled: int | None
    received: int | None
    enrolment_basis: str
    enrolment_references: tuple[str, ...]
    note: str
    label: LabelFigures | None
    references: tuple[str, ...]

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
    months: float
    more_than: bool
    follow_up: str
    result: str
    references: tuple[str, ...]

    @property
    def years(self) -> float:
        return self.months / 12


@dataclass(frozen=True)
class Efficacy:
    as_of: str
    trials: tuple[Trial, ...]
    durability: tuple[Durability, ...]

    def get(self, name: str) -> Trial:
        for t in self.trials:
            if t.trial == name:
                return t
        raise KeyError(f"no trial '{name}'; the table has {', '.join(t.trial for t in self.trials)}")


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


# --------------------------------------------------------------------------- validation
class _Row:
    """Field access with messages that name the file, the row and the field."""

    def __init__(self, path: Path, where: str, raw: dict[str, Any]):
        self.path, self.where, self.raw = path, where, raw

    def fail(self, field: str, problem: str) -> CourseDataError:
        return CourseDataError(f"{self.path.name}: {self.where}: field '{field}': {problem}")

    def text(self, field: str, required: bool = True, allowed: tuple[str, ...] | None = None) -> str:
        value = self.raw.get(field, "")
        value = "" if value is None else value
        if not isinstance(value, str):
            raise self.fail(field, "must be text")
        if required and not value.strip():
            raise self.fail(field, "is missing or empty")
        if allowed is not None and value not in allowed:
            raise self.fail(field, f"'{value}' is not one of {', '.join(allowed)}")
        return value.strip()

    def count(self, field: str, required: bool = True) -> int | None:
        value = self.raw.get(field)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(field, "must be a whole number of patients, 1 or more" + ("" if required else ", or null"))
        return value

    def percent(self, field: str, required: bool = True) -> float | None:
        value = self.raw.get(field)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise self.fail(field, "must be a percentage from 0 to 100" + ("" if required else ", or null"))
        return float(value)

    def references(self, field: str = "references", required: bool = True) -> tuple[str, ...]:
        refs = self.raw.get(field)
        if not required and refs in (None, []):
            return ()
        if not isinstance(refs, list) or not refs or not all(isinstance(k, str) for k in refs):
            raise self.fail(field, "must be a non-empty list of reference keys")
        unknown = [k for k in refs if k not in registry()]
        if unknown:
            raise self.fail(field, f"unknown reference key(s) {unknown}")
        return tuple(refs)

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.raw) - allowed)
        if extra:
            raise self.fail(extra[0], "is not a field of this table")


def _label(row: _Row, raw: Any) -> LabelFigures | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise row.fail("label", "must be a mapping or be left out")
    sub = _Row(row.path, f"{row.where} label", raw)
    sub.unknown(LABEL_FIELDS)
    overall, complete = sub.percent("overall", required=False), sub.percent("complete", required=False)
    if overall is None and complete is None:
        raise sub.fail("overall", "a label entry needs an overall or a complete figure")
    return LabelFigures(
        overall=overall,
        complete=complete,
        n=sub.count("n"),
        complete_measure=sub.text("complete_measure", required=complete is not None),
        note=sub.text("note"),
        references=sub.references(),
    )


def _trial(path: Path, index: int, raw: Any) -> Trial:
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: trial #{index + 1}: must be a mapping")
    name = raw.get("trial") if isinstance(raw.get("trial"), str) else f"#{index + 1}"
    row = _Row(path, f"trial '{name}'", raw)
    row.unknown(TRIAL_FIELDS)
    product = row.text("product")
    try:
        catalogue().get(product)
    except KeyError:
        raise row.fail("product", f"'{product}' is not in the course's product table (assets/products.yaml)") from None
    overall, complete = row.percent("overall"), row.percent("complete", required=False)
    if complete is not None and complete > overall:
        raise row.fail("complete", f"{complete}% cannot exceed the overall figure {overall}%")
    enrolled, received = row.count("enrolled", required=False), row.count("received", required=False)
    if (enrolled is None) != (received is None):
        raise row.fail("received", "give both 'enrolled' and 'received', or neither")
    enrolment_references = row.references("enrolment_references", required=enrolled is not None)
    if enrolled is not None:
        if received > enrolled:
            raise row.fail("received", f"{received} cannot exceed enrolled ({enrolled})")
        basis = row.text("enrolment_basis")
    else:
        basis = row.text("enrolment_basis", required=False)
    n = row.count("n")
    if received is not None and n > enrolled:
        raise row.fail("n", f"{n} patients assessed cannot exceed the {enrolled} enrolled")
    return Trial(
        trial=row.text("trial"),
        product=product,
        disease=row.text("disease", allowed=DISEASE_ORDER),
        population=row.text("population"),
        design=row.text("design"),
        n=n,
        n_basis=row.text("n_basis"),
        overall=overall,
        overall_measure=row.text("overall_measure"),
        complete=complete,
        complete_measure=row.text("complete_measure"),
        follow_up=row.text("follow_up"),
        enrolled=enrolled,
        received=received,
        enrolment_basis=basis,
        enrolment_references=enrolment_references,
        note=row.text("note", required=False),
        label=_label(row, raw.get("label")),
        references=row.references(),
    )


def _durability(path: Path, index: int, raw: Any) -> Durability:
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: durability #{index + 1}: must be a mapping")
    name = raw.get("id") if isinstance(raw.get("id"), str) else f"#{index + 1}"
    row = _Row(path, f"durability '{name}'", raw)
    row.unknown(DURABILITY_FIELDS)
    months = raw.get("months")
    if len(str(raw.get("short", ""))) > 50:
        raise row.fail("short", "must be at most 50 characters (it is written on the chart)")
    if isinstance(months, bool) or not isinstance(months, (int, float)) or not 0 < months <= 240:
        raise row.fail("months", "must be a follow-up time in months, more than 0 and at most 240")
    if not isinstance(raw.get("more_than"), bool):
        raise row.fail("more_than", "must be true or false")
    return Durability(
        id=row.text("id"),
        label=row.text("label"),
        short=row.text("short"),
        months=float(months),
        more_than=raw["more_than"],
        follow_up=row.text("follow_up"),
        result=row.text("result"),
        references=row.references(),
    )


def load_efficacy(path: Path = DATA_FILE) -> Efficacy:
    """Read and validate the efficacy table; a bad row fails with file, row and field named."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("trials"), list) or not raw["trials"]:
        raise CourseDataError(f"{path.name}: expected a mapping with 'as_of', a list 'trials' and a list 'durability'")
    as_of = raw.get("as_of")
    if not isinstance(as_of, str) or not as_of.strip():
        raise CourseDataError(f"{path.name}: field 'as_of' must say when the table was last checked")
    extra = sorted(set(raw) - {"as_of", "trials", "durability"})
    if extra:
        raise CourseDataError(f"{path.name}: field '{extra[0]}' is not part of this file")
    trials = tuple(_trial(path, i, t) for i, t in enumerate(raw["trials"]))
    names = [t.trial for t in trials]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CourseDataError(f"{path.name}: trial '{twice[0]}': field 'trial': listed twice")
    items = raw.get("durability")
    if not isinstance(items, list) or not items:
        raise CourseDataError(f"{path.name}: field 'durability' must be a non-empty list")
    durability = tuple(_durability(path, i, d) for i, d in enumerate(items))
    ids = [d.id for d in durability]
    if len(set(ids)) != len(ids):
        raise CourseDataError(f"{path.name}: durability ids must be unique")
    return Efficacy(as_of.strip(), trials, durability)


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


def _cite(keys: tuple[str, ...]) -> str:
    return " ".join(f'<a href="#ref-{escape(k)}" style="text-decoration:underline">[{escape(k)}]</a>' for k in keys)


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
        f"{_cite(t.label.references)}"
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
        cells.append(_cite(t.references))
        body.append("<tr>" + cells[0] + "".join(f'<td style="{CELL}">{c}</td>' for c in cells[1:]) + "</tr>")
    header = "".join(f'<th scope="col" style="{CELL}">{h}</th>' for h in head)
    return (
        '<table class="cart-l09-trials" style="font-size:0.9em;border-collapse:collapse">'
        f'<caption style="text-align:left">Pivotal trials of the approved CAR-T products: published primary '
        f"analyses (as of {escape(efficacy().as_of)}).</caption>"
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


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
            f'<td style="{CELL}">{escape(t.enrolment_basis)}</td><td style="{CELL}">{_cite(t.enrolment_references)}</td></tr>'
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
        '<table class="cart-l09-enrolment" style="font-size:0.9em;border-collapse:collapse">'
        '<caption style="text-align:left">Enrolled and treated patients in the pivotal trials shown, as '
        "counted in each trial's primary publication, highest share never infused first. Counts come from "
        "different data cut-offs.</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


class EnrolmentTable:
    """Display object: the enrolment table as HTML and text (no widgets)."""

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        text = "\n".join(
            f"{t.trial}: {t.enrolled} enrolled, {t.received} received, {t.not_infused} ({t.not_infused_pct:.1f}%) not"
            for t in with_enrolment()
        )
        return {"text/html": enrolment_table_html(), "text/plain": text}


def enrolment_table() -> EnrolmentTable:
    return EnrolmentTable()
