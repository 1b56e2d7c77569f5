"""Neurotoxicity / ICANS incidence and timing by product: ``assets/icans_timing.yaml``, validated.

Every row names its trial, what was counted (``scale``), the date of its data (``as_of``) and its
reference keys; a bad row fails on load with the file, the row and the field in the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from course.core import schema
from course.core.paths import ASSETS
from course.core.references import CITE_RUN, cite_html, keys_in, registry, render_bracket_keys
from course.core.schema import Convert, Invalid, Pct, Range, Refs
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
FOOTNOTE_MARKS = ("†", "‡", "§", "¶")  # one per distinct footnote, in table order
MAX_DAYS = 1000
Scale = Literal["neurologic-events", "all-neurotoxicity", "astct-icans"]  # the keys of SCALES
DaysAfter = Annotated[float, Range(0, MAX_DAYS)]


def _span(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("must be [lowest, highest]")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"must be a number, got {v!r}")
        if not 0 <= v <= MAX_DAYS:
            raise ValueError(f"must be between 0 and {MAX_DAYS:g}, got {v:g}")
    return (float(value[0]), float(value[1]))


Span = Annotated[tuple[float, float], Convert(_span)]


@dataclass(frozen=True)
class ProductTiming:
    id: str
    brand: str
    generic: str
    target: Literal["CD19", "BCMA"]
    disease: str
    trial: str
    scale: Scale
    counted: str
    any_grade_pct: Pct
    grade3_plus_pct: Pct
    onset_median_days: DaysAfter | None
    onset_range_days: Span | None
    duration_median_days: DaysAfter | None
    duration_range_days: Span | None
    crs_relation: str | None
    note: str | None
    as_of: str
    references: Refs
    timing_label: str | None = None
    timing_footnote: str | None = None
    any_grade_source: str | None = None
    grade3_source: str | None = None
    approximate: bool = False

    def check(self) -> None:
        schema.must_not_exceed(self, "grade3_plus_pct", "any_grade_pct", "cannot exceed any_grade_pct")
        for median, span, name in (
            (self.onset_median_days, self.onset_range_days, "onset"),
            (self.duration_median_days, self.duration_range_days, "duration"),
        ):
            if span is None:
                continue
            if median is None:
                raise Invalid(f"{name}_range_days", f"a range needs {name}_median_days")
            if not span[0] <= median <= span[1]:
                raise Invalid(f"{name}_range_days", f"must contain the median {median:g}")
        if self.timing_footnote and self.onset_median_days is None and self.duration_median_days is None:
            raise Invalid("timing_footnote", "needs an onset or a duration to qualify")

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
        """The mark after the onset and duration when a footnote qualifies them ('†', then '‡' for the
        table's second distinct footnote, and so on), else ''."""
        if not self.timing_footnote:
            return ""
        notes = list(dict.fromkeys(r.timing_footnote for r in products() if r.timing_footnote))
        index = notes.index(self.timing_footnote) if self.timing_footnote in notes else 0
        return FOOTNOTE_MARKS[min(index, len(FOOTNOTE_MARKS) - 1)]

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


def load_icans_timing(path: Path = TIMING_FILE, known_refs: set[str] | None = None) -> tuple[ProductTiming, ...]:
    """Read and validate the table; ``known_refs`` defaults to the course registry."""
    return schema.load_rows(path, "products", ProductTiming, known=registry() if known_refs is None else known_refs)


@lru_cache(maxsize=1)
def products() -> tuple[ProductTiming, ...]:
    """The course table, read once per kernel."""
    return load_icans_timing()


def get(product_id: str) -> ProductTiming:
    return schema.find(products(), product_id, f"product in {TIMING_FILE.name}")


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
    rows = [r for r in products() if r.timing_footnote]
    return list(dict.fromkeys(f"{r.timing_mark}{r.timing_footnote}." for r in rows))


def numbered(static: views.Static) -> views.Static:
    """``static`` with its ``[key]`` marks shown as the lesson's numbered citations (``[1, 3]``), never raw keys.

    The text twin keeps the keys; the HTML links each number to the lesson's reference list.
    """
    html = CITE_RUN.sub(lambda run: cite_html(keys_in(run.group(0))), render_bracket_keys(static.html))
    return views.Static(html, static.text, static.rows)


def timing_table() -> views.Static:
    """The data file as a table for the notebook, sources as numbered links to the lesson's reference list."""
    rows = [
        [
            f"**{r.brand}** ({r.generic}), {r.target}",
            f"{r.trial}: {r.disease}",
            r.counted,
            r.incidence_text(),
            _days(r.onset_median_days, r.onset_range_days, r.timing_mark),
            _length(r.duration_median_days, r.duration_range_days, r.timing_mark),
            f"{r.as_of} {views.cite(r.references)}",
        ]
        for r in products()
    ]
    table = views.table(
        "**Neurotoxicity by product.** Any grade / grade 3 or higher; median onset after infusion "
        "(range); median duration. What was counted differs between rows, so compare with care.",
        ["Product", "Trial and disease", "What was counted", "Any / grade ≥3", "Onset", "Duration", "Source"],
        rows,
        css_class="cart-table cart-icans-timing",
        notes=footnotes(),
    )
    return numbered(table)
