"""The approved CAR-T products: ``assets/products.yaml``, validated, filtered and shown as a table.

Pure data and HTML, no widgets: lesson 01's demo and figures build on it, later lessons can read it
(``load_products()`` is cached). Every product and indication carries reference keys that must
resolve in the course registry; a bad row fails on load with the file, product and field named.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.yamlio import load_yaml

PRODUCTS_FILE = ASSETS / "products.yaml"
BRANDS = ("Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Abecma", "Carvykti", "Aucatzyl")
TARGETS = ("CD19", "BCMA")
COSTIMULATORY = ("CD28", "4-1BB")
VECTORS = ("lentiviral", "gammaretroviral")
DISEASES = {
    "B-ALL": "B-cell acute lymphoblastic leukaemia",
    "LBCL": "large B-cell lymphoma",
    "FL": "follicular lymphoma",
    "MCL": "mantle cell lymphoma",
    "MZL": "marginal zone lymphoma",
    "CLL/SLL": "chronic lymphocytic leukaemia / small lymphocytic lymphoma",
    "MM": "multiple myeloma",
}
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, order=True)
class LabelDate:
    """A date as precise as the sources give it: year, year and month, or a full day."""

    year: int
    month: int = 0
    day: int = 0

    @classmethod
    def parse(cls, text: str) -> LabelDate:
        match = DATE_PATTERN.match(text)
        if not match:
            raise ValueError(f"'{text}' is not a date like 2017-08-30, 2021-02 or 2024")
        year, month, day = (int(g) if g else 0 for g in match.groups())
        if month and not 1 <= month <= 12:
            raise ValueError(f"'{text}' has no month {month}")
        if day:
            dt.date(year, month, day)  # raises ValueError for 2021-02-30
        return cls(year, month, day)

    @property
    def decimal_year(self) -> float:
        """Position on a time axis: mid-year or mid-month when the day or month is not known."""
        if not self.month:
            return self.year + 0.5
        day = self.day or 15
        return self.year + (dt.date(self.year, self.month, day).timetuple().tm_yday - 1) / 365.25

    def __str__(self) -> str:
        if not self.month:
            return str(self.year)
        if not self.day:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return f"{self.day} {MONTHS[self.month - 1]} {self.year}"


@dataclass(frozen=True)
class Indication:
    disease: str
    population: str
    setting: str
    prior_lines: int | None
    approved: LabelDate
    references: tuple[str, ...]

    @property
    def disease_name(self) -> str:
        return DISEASES[self.disease]


@dataclass(frozen=True)
class Product:
    brand: str
    generic: str
    target: str
    costimulatory: str
    vector: str
    first_approval: LabelDate
    notes: str
    references: tuple[str, ...]
    indications: tuple[Indication, ...]

    @property
    def diseases(self) -> tuple[str, ...]:
        """Disease codes in order of first approval, each once."""
        return tuple(dict.fromkeys(i.disease for i in self.indications))


@dataclass(frozen=True)
class Catalogue:
    as_of: str
    products: tuple[Product, ...]

    def get(self, brand: str) -> Product:
        for p in self.products:
            if p.brand == brand:
                return p
        raise KeyError(f"no product '{brand}'; the table has {', '.join(p.brand for p in self.products)}")


class _Row:
    """Field access for one product row with messages naming file, product and field."""

    def __init__(self, path: Path, name: str, raw: dict[str, Any]):
        self.path, self.name, self.raw = path, name, raw

    def fail(self, field: str, problem: str) -> CourseDataError:
        return CourseDataError(f"{self.path.name}: product '{self.name}': field '{field}': {problem}")

    def text(self, field: str, allowed: tuple[str, ...] | None = None, required: bool = True) -> str:
        value = self.raw.get(field, "")
        value = "" if value is None else value
        if not isinstance(value, str):
            raise self.fail(field, "must be text")
        if required and not value.strip():
            raise self.fail(field, "is missing or empty")
        if allowed is not None and value not in allowed:
            raise self.fail(field, f"'{value}' is not one of {', '.join(allowed)}")
        return value.strip()

    def date(self, field: str) -> LabelDate:
        value = self.raw.get(field)
        if isinstance(value, dt.date):
            raise self.fail(field, 'quote the date in the YAML ("2017-08-30") so partial dates stay text')
        if not isinstance(value, str):
            raise self.fail(field, 'must be a quoted date like "2017-08-30", "2021-02" or "2024"')
        try:
            return LabelDate.parse(value)
        except ValueError as exc:
            raise self.fail(field, str(exc)) from None

    def references(self, field: str = "references") -> tuple[str, ...]:
        refs = self.raw.get(field)
        if not isinstance(refs, list) or not refs or not all(isinstance(k, str) for k in refs):
            raise self.fail(field, "must be a non-empty list of reference keys")
        unknown = [k for k in refs if k not in registry()]
        if unknown:
            raise self.fail(field, f"unknown reference key(s) {unknown}")
        return tuple(refs)


def _indication(row: _Row, index: int, raw: Any) -> Indication:
    where = f"indications[{index}]"
    if not isinstance(raw, dict):
        raise row.fail(where, "must be a mapping")
    sub = _Row(row.path, row.name, raw)
    unknown = set(raw) - {"disease", "population", "setting", "prior_lines", "approved", "references"}
    if unknown:
        raise row.fail(f"{where}.{sorted(unknown)[0]}", "is not a field of an indication")
    try:
        disease = sub.text("disease", tuple(DISEASES))
        population, setting = sub.text("population"), sub.text("setting")
        approved = sub.date("approved")
        references = sub.references()
    except CourseDataError as exc:
        raise CourseDataError(str(exc).replace("field '", f"field '{where}.", 1)) from None
    lines = raw.get("prior_lines")
    if lines is not None and (isinstance(lines, bool) or not isinstance(lines, int) or not 1 <= lines <= 10):
        raise row.fail(f"{where}.prior_lines", "must be a whole number of lines from 1 to 10, or null")
    return Indication(disease, population, setting, lines, approved, references)


def _product(path: Path, index: int, raw: Any) -> Product:
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: product #{index + 1}: must be a mapping")
    name = raw.get("brand") if isinstance(raw.get("brand"), str) else f"#{index + 1}"
    row = _Row(path, name, raw)
    known = {
        "brand",
        "generic",
        "target",
        "costimulatory",
        "vector",
        "first_approval",
        "notes",
        "references",
        "indications",
    }
    unknown = set(raw) - known
    if unknown:
        raise row.fail(sorted(unknown)[0], "is not a field of a product")
    brand = row.text("brand", BRANDS)
    items = raw.get("indications")
    if not isinstance(items, list) or not items:
        raise row.fail("indications", "must be a non-empty list")
    indications = tuple(_indication(row, i, item) for i, item in enumerate(items))
    first = row.date("first_approval")
    earliest = min(i.approved for i in indications)
    if first != earliest:
        raise row.fail("first_approval", f"is {first} but the earliest indication is {earliest}")
    if [i.approved for i in indications] != sorted(i.approved for i in indications):
        raise row.fail("indications", "must be listed in order of approval")
    return Product(
        brand=brand,
        generic=row.text("generic"),
        target=row.text("target", TARGETS),
        costimulatory=row.text("costimulatory", COSTIMULATORY),
        vector=row.text("vector", VECTORS),
        first_approval=first,
        notes=row.text("notes", required=False),
        references=row.references(),
        indications=indications,
    )


def load_catalogue(path: Path = PRODUCTS_FILE) -> Catalogue:
    """Read and validate the product table."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("products"), list) or not raw["products"]:
        raise CourseDataError(f"{path.name}: expected a mapping with 'as_of' and a non-empty list 'products'")
    as_of = raw.get("as_of")
    if not isinstance(as_of, str) or not as_of.strip():
        raise CourseDataError(f"{path.name}: field 'as_of' must say when the table was last checked")
    products = tuple(_product(path, i, p) for i, p in enumerate(raw["products"]))
    brands = [p.brand for p in products]
    twice = sorted({b for b in brands if brands.count(b) > 1})
    if twice:
        raise CourseDataError(f"{path.name}: product '{twice[0]}': field 'brand': listed twice")
    return Catalogue(as_of.strip(), products)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The course's product table, read once per kernel."""
    return load_catalogue()


def load_products() -> tuple[Product, ...]:
    return catalogue().products


def filter_products(
    products: tuple[Product, ...] | list[Product], disease: str | None = None, target: str | None = None
) -> list[Product]:
    """Products approved for ``disease`` (a code from DISEASES) and/or aimed at ``target``; None = any."""
    if disease is not None and disease not in DISEASES:
        raise ValueError(f"unknown disease '{disease}'; choose from {', '.join(DISEASES)}")
    if target is not None and target not in TARGETS:
        raise ValueError(f"unknown target '{target}'; choose from {', '.join(TARGETS)}")
    return [
        p for p in products if (target is None or p.target == target) and (disease is None or disease in p.diseases)
    ]


def products_with(costimulatory: str | None = None, target: str | None = None) -> list[str]:
    """Brands with a given co-stimulatory domain and/or target, in order of first approval."""
    rows = sorted(load_products(), key=lambda p: p.first_approval)
    return [
        p.brand
        for p in rows
        if (costimulatory is None or p.costimulatory == costimulatory) and (target is None or p.target == target)
    ]


def _cite(keys: tuple[str, ...]) -> str:
    return " ".join(f'<a href="#ref-{escape(k)}">[{escape(k)}]</a>' for k in keys)


def table_html(products: list[Product] | tuple[Product, ...], disease: str | None = None) -> str:
    """An accessible HTML table: one row per product, its indications listed with their dates.

    With ``disease``, the matching indications are marked in words (not colour alone).
    """
    if not products:
        return (
            '<p class="cart-products-empty"><strong>No approved product matches this choice.</strong> '
            "Try another disease or target.</p>"
        )
    cell = 'style="text-align:left;vertical-align:top;padding:0.3em 0.5em"'
    rows = []
    for p in products:
        items = []
        for i in p.indications:
            mark = " <strong>(matches)</strong>" if disease is not None and i.disease == disease else ""
            items.append(
                f'<li style="text-align:left"><strong>{escape(i.disease)}</strong>, {escape(i.population)}: '
                f"{escape(i.setting)} ({escape(str(i.approved))}){mark}</li>"
            )
        note = f'<br><span style="font-size:0.9em">{escape(p.notes)}</span>' if p.notes else ""
        keys = tuple(dict.fromkeys(p.references + tuple(k for i in p.indications for k in i.references)))
        rows.append(
            f'<tr><th scope="row" {cell}>{escape(p.brand)}<br><span style="font-weight:normal">'
            f"({escape(p.generic)})</span></th><td {cell}>{escape(p.target)}</td>"
            f"<td {cell}>{escape(p.costimulatory)}</td><td {cell}>{escape(p.vector)}</td>"
            f"<td {cell}>{escape(str(p.first_approval))}{note}</td>"
            f'<td {cell}><ul style="margin:0;padding-left:1.1em">{"".join(items)}</ul></td>'
            f"<td {cell}>{_cite(keys)}</td></tr>"
        )
    head = "".join(
        f'<th scope="col" {cell}>{name}</th>'
        for name in (
            "Product",
            "Target",
            "Co-stimulatory domain",
            "Vector",
            "First US approval",
            "Indications (disease, patients, setting, date)",
            "Sources",
        )
    )
    return (
        '<table class="cart-products" style="font-size:0.92em;border-collapse:collapse">'
        f'<caption style="text-align:left">Approved CAR-T products in the US (sources checked up to '
        f"{escape(catalogue().as_of)}). All are autologous second-generation CARs.</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def table_text(products: list[Product] | tuple[Product, ...]) -> str:
    """The same table as plain text, one product per line."""
    if not products:
        return "No approved product matches this choice."
    return "\n".join(
        f"{p.brand} ({p.generic}): {p.target}, {p.costimulatory}, {p.vector}, first US approval "
        f"{p.first_approval}; " + "; ".join(f"{i.disease} ({i.approved})" for i in p.indications)
        for p in products
    )


class ProductTable:
    """``lesson``-style display object: the full table as static HTML and text."""

    def __init__(self, disease: str | None = None, target: str | None = None):
        self.disease, self.target = disease, target
        self.rows = filter_products(load_products(), disease, target)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/html": table_html(self.rows, self.disease), "text/plain": table_text(self.rows)}
