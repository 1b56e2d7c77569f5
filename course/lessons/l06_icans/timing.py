"""Neurotoxicity / ICANS incidence and timing by product: ``assets/icans_timing.yaml``, validated.

Every row names its trial, what was counted (``scale``), the date of its data (``as_of``) and its
reference keys; a bad row fails on load with the file, the row and the field in the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.yamlio import load_yaml
from course.engine.views import html as views

TIMING_FILE = ASSETS / "icans_timing.yaml"
SCALES = {
    "neurologic-events": "neurological events as the trial or label counted them (broader than ICANS)",
    "all-neurotoxicity": "ICANS and other CAR-T neurotoxicities together",
    "astct-icans": "ICANS, ASTCT consensus grading",
}
SCALE_WORDS = {
    "neurologic-events": "neurological events",
    "all-neurotoxicity": "all neurotoxicity",
    "astct-icans": "ASTCT ICANS",
}
TARGETS = ("CD19", "BCMA")
TEXT_FIELDS = ("id", "brand", "generic", "target", "disease", "trial", "scale", "counted", "as_of")
OPTIONAL_TEXT = ("crs_relation", "note", "timing_label", "timing_footnote", "any_grade_source", "grade3_source")
NUMBER_FIELDS = ("any_grade_pct", "grade3_plus_pct", "onset_median_days", "duration_median_days")
RANGE_FIELDS = ("onset_range_days", "duration_range_days")
FIELDS = set(TEXT_FIELDS) | set(OPTIONAL_TEXT) | set(NUMBER_FIELDS) | set(RANGE_FIELDS) | {"approximate", "references"}
FOOTNOTE_MARK = "†"
MAX_DAYS = 1000


@dataclass(frozen=True)
class ProductTiming:
    id: str
    brand: str
    generic: str
    target: str
    disease: str
    trial: str
    scale: str
    counted: str
    any_grade_pct: float
    grade3_plus_pct: float
    onset_median_days: float | None
    onset_range_days: tuple[float, float] | None
    duration_median_days: float | None
    duration_range_days: tuple[float, float] | None
    crs_relation: str | None
    note: str | None
    as_of: str
    references: tuple[str, ...]
    timing_label: str | None = None
    timing_footnote: str | None = None
    any_grade_source: str | None = None
    grade3_source: str | None = None
    approximate: bool = False

    @property
    def label(self) -> str:
        """Short name for figures and tables, e.g. 'Kymriah (ELIANA)'."""
        return f"{self.brand} ({self.trial})"

    @property
    def onset_label(self) -> str:
        """The name where onset and duration are shown: ``timing_label`` when they come from another
        source than the incidence (e.g. 'Kymriah (US label, ELIANA data set)'), else ``label``."""
        return self.timing_label or self.label

    @property
    def timing_mark(self) -> str:
        """'†' after the onset and duration when a footnote qualifies them, else ''."""
        return FOOTNOTE_MARK if self.timing_footnote else ""

    def percent(self, which: str, sources: bool = True) -> str:
        """'21%', 'about 21%' (approximate figures) or '24% (label)' (a per-figure source)."""
        value = self.any_grade_pct if which == "any" else self.grade3_plus_pct
        text = f"about {value:g}%" if self.approximate else f"{value:g}%"
        source = self.any_grade_source if which == "any" else self.grade3_source
        return f"{text} ({source})" if sources and source else text

    def incidence_text(self) -> str:
        """Any grade / grade 3 or higher, in words, for the table and the explorer."""
        text = f"{self.percent('any')} / {self.percent('g3')}"
        if self.approximate:
            text += f" ({SCALE_WORDS[self.scale]}, {self.trial})"
        return text

    @property
    def has_onset(self) -> bool:
        return self.onset_median_days is not None


def _fail(path: Path, row: str, field: str, problem: str) -> CourseDataError:
    return CourseDataError(f"{path.name}: row '{row}': field '{field}': {problem}")


def _number(path: Path, rid: str, name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, rid, name, f"must be a number, got {value!r}")
    if not low <= value <= high:
        raise _fail(path, rid, name, f"must be between {low:g} and {high:g}, got {value:g}")
    return float(value)


def _row(path: Path, raw: Any, index: int, known_refs: set[str]) -> ProductTiming:
    rid = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: row #{index + 1}: must be a mapping")
    unknown = set(raw) - FIELDS
    if unknown:
        raise _fail(path, rid, sorted(unknown)[0], "is not a field of this table")
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, rid, name, "is missing or empty")
        values[name] = value.strip()
    for name in OPTIONAL_TEXT:
        value = raw.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise _fail(path, rid, name, "must be text or null")
        values[name] = value.strip() if isinstance(value, str) else None
    approximate = raw.get("approximate", False)
    if not isinstance(approximate, bool):
        raise _fail(path, rid, "approximate", "must be true or false")
    values["approximate"] = approximate
    if values["scale"] not in SCALES:
        raise _fail(path, rid, "scale", f"must be one of {', '.join(SCALES)}")
    if values["target"] not in TARGETS:
        raise _fail(path, rid, "target", f"must be one of {', '.join(TARGETS)}")
    for name in ("any_grade_pct", "grade3_plus_pct"):
        values[name] = _number(path, rid, name, raw.get(name), 0, 100)
    if values["grade3_plus_pct"] > values["any_grade_pct"]:
        raise _fail(path, rid, "grade3_plus_pct", "cannot exceed any_grade_pct")
    for median_name, range_name in (
        ("onset_median_days", "onset_range_days"),
        ("duration_median_days", "duration_range_days"),
    ):
        median = raw.get(median_name)
        values[median_name] = None if median is None else _number(path, rid, median_name, median, 0, MAX_DAYS)
        span = raw.get(range_name)
        if span is None:
            values[range_name] = None
            continue
        if values[median_name] is None:
            raise _fail(path, rid, range_name, f"a range needs {median_name}")
        if not isinstance(span, list) or len(span) != 2:
            raise _fail(path, rid, range_name, "must be [lowest, highest]")
        low, high = (_number(path, rid, range_name, v, 0, MAX_DAYS) for v in span)
        if not low <= values[median_name] <= high:
            raise _fail(path, rid, range_name, f"must contain the median {values[median_name]:g}")
        values[range_name] = (low, high)
    if values["timing_footnote"] and values["onset_median_days"] is None and values["duration_median_days"] is None:
        raise _fail(path, rid, "timing_footnote", "needs an onset or a duration to qualify")
    refs = raw.get("references")
    if not isinstance(refs, list) or not refs or not all(isinstance(k, str) for k in refs):
        raise _fail(path, rid, "references", "must be a non-empty list of reference keys")
    missing = [k for k in refs if k not in known_refs]
    if missing:
        raise _fail(path, rid, "references", f"unknown key(s) {missing} (add them to assets/references.yaml)")
    values["references"] = tuple(refs)
    return ProductTiming(**values)


def load_icans_timing(path: Path = TIMING_FILE, known_refs: set[str] | None = None) -> tuple[ProductTiming, ...]:
    """Read and validate the table; ``known_refs`` defaults to the course registry."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("products"), list) or not raw["products"]:
        raise CourseDataError(f"{path.name}: expected a mapping with a non-empty list 'products'")
    refs = set(registry()) if known_refs is None else known_refs
    rows = tuple(_row(path, item, i, refs) for i, item in enumerate(raw["products"]))
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise _fail(path, row.id, "id", "used twice")
        seen.add(row.id)
    return rows


@lru_cache(maxsize=1)
def products() -> tuple[ProductTiming, ...]:
    """The course table, read once per kernel."""
    return load_icans_timing()


def get(product_id: str) -> ProductTiming:
    for row in products():
        if row.id == product_id:
            return row
    raise KeyError(f"no product '{product_id}' in {TIMING_FILE.name}; ids: {', '.join(r.id for r in products())}")


def earliest_onset() -> ProductTiming:
    """The row with the earliest median onset among rows that report one."""
    return min((r for r in products() if r.has_onset), key=lambda r: r.onset_median_days)


def _days(value: float | None, span: tuple[float, float] | None, mark: str = "") -> str:
    if value is None:
        return "not found"
    text = f"day {value:g}" if span is None else f"day {value:g} ({span[0]:g}–{span[1]:g})"
    return text + mark


def _length(value: float | None, span: tuple[float, float] | None, mark: str = "") -> str:
    if value is None:
        return "not found"
    text = f"{value:g} days" if span is None else f"{value:g} days ({span[0]:g}–{span[1]:g})"
    return text + mark


def footnotes() -> list[str]:
    """The table's footnotes, one per row whose onset and duration are qualified."""
    return [f"{r.timing_mark}{r.timing_footnote}." for r in products() if r.timing_footnote]


def timing_table() -> views.Static:
    """The data file as a table for the notebook, sources shown as keys in square brackets."""
    rows = [
        [
            f"**{r.brand}** ({r.generic}), {r.target}",
            f"{r.trial}: {r.disease}",
            r.counted,
            r.incidence_text(),
            _days(r.onset_median_days, r.onset_range_days, r.timing_mark),
            _length(r.duration_median_days, r.duration_range_days, r.timing_mark),
            f"{r.as_of} " + " ".join(f"[{k}]" for k in r.references),
        ]
        for r in products()
    ]
    return views.table(
        "**Neurotoxicity by product.** Any grade / grade 3 or higher; median onset after infusion "
        "(range); median duration. What was counted differs between rows, so compare with care.",
        ["Product", "Trial and disease", "What was counted", "Any / grade ≥3", "Onset", "Duration", "Source"],
        rows,
        css_class="cart-table cart-icans-timing",
        notes=footnotes(),
    )
