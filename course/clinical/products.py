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
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from course.core import schema
from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.schema import Convert, Invalid, Note, Range, Refs
from course.core.yamlio import load_yaml

PRODUCTS_FILE = ASSETS / "products.yaml"
Brand = Literal["Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Abecma", "Carvykti", "Aucatzyl"]
Target = Literal["CD19", "BCMA"]
Costimulatory = Literal["CD28", "4-1BB"]
Vector = Literal["lentiviral", "gammaretroviral"]
Disease = Literal["B-ALL", "LBCL", "FL", "MCL", "MZL", "CLL/SLL", "MM"]
BRANDS, TARGETS, COSTIMULATORY, VECTORS = get_args(Brand), get_args(Target), get_args(Costimulatory), get_args(Vector)
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


def _date(value: Any) -> LabelDate:
    if isinstance(value, dt.date):
        raise ValueError('quote the date in the YAML ("2017-08-30") so partial dates stay text')
    if not isinstance(value, str):
        raise ValueError('must be a quoted date like "2017-08-30", "2021-02" or "2024"')
    return LabelDate.parse(value)


Date = Annotated[LabelDate, Convert(_date)]


@dataclass(frozen=True)
class Indication:
    disease: Disease
    population: str
    setting: str
    prior_lines: Annotated[int, Range(1, 10, says="must be a whole number of lines from 1 to 10, or null")] | None
    approved: Date
    references: Refs

    @property
    def disease_name(self) -> str:
        return DISEASES[self.disease]


@dataclass(frozen=True)
class Product:
    brand: Brand
    generic: str
    target: Target
    costimulatory: Costimulatory
    vector: Vector
    first_approval: Date
    notes: Note
    references: Refs
    indications: tuple[Indication, ...]

    def check(self) -> None:
        dates = [i.approved for i in self.indications]
        if self.first_approval != min(dates):
            raise Invalid("first_approval", f"is {self.first_approval} but the earliest indication is {min(dates)}")
        if dates != sorted(dates):
            raise Invalid("indications", "must be listed in order of approval")

    @property
    def diseases(self) -> tuple[str, ...]:
        """Disease codes in order of first approval, each once."""
        return tuple(dict.fromkeys(i.disease for i in self.indications))


@dataclass(frozen=True)
class Catalogue:
    as_of: str
    products: tuple[Product, ...]

    def get(self, brand: str) -> Product:
        return schema.find(self.products, brand, "product", key="brand")


def load_catalogue(path: Path = PRODUCTS_FILE) -> Catalogue:
    """Read and validate the product table."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("products"), list) or not raw["products"]:
        raise CourseDataError(f"{path.name}: expected a mapping with 'as_of' and a non-empty list 'products'")
    as_of = raw.get("as_of")
    if not isinstance(as_of, str) or not as_of.strip():
        raise CourseDataError(f"{path.name}: field 'as_of' must say when the table was last checked")
    products = schema.read_rows(
        path, raw["products"], Product, what="product", key="brand", twice="listed twice", known=registry()
    )
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
