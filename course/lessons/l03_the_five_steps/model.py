"""Lesson 03 data: the five steps, lymphodepletion and infusion days, monitoring rules, drop-out.

Pure: reading and validating ``assets/lymphodepletion.yaml`` and ``assets/vein_to_vein.yaml``, and
the day arithmetic the vein-to-vein timeline draws. No widgets, no drawing. Every row keeps its
reference keys, which must resolve in the registry; a bad row fails with file, row and field named.

Sources: the product labels (``kymriah-label``, ``yescarta-label``, ``tecartus-label``,
``breyanzi-label``, ``abecma-label``, ``carvykti-label``, ``aucatzyl-label``), the June 2025 FDA
change (``fda-rems-2025``) and the pivotal trials cited row by row in the data files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from course.core import schema
from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.schema import CitedText, Convert, Count, Invalid, Note, Range, Refs
from course.core.yamlio import load_yaml

LYMPHODEPLETION_FILE = ASSETS / "lymphodepletion.yaml"
VEIN_TO_VEIN_FILE = ASSETS / "vein_to_vein.yaml"
BRANDS = ("Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Abecma", "Carvykti", "Aucatzyl")


def _brand(value: Any) -> str:
    if not isinstance(value, str) or value.strip() not in BRANDS:
        raise ValueError(f"'{value}' is not one of the brand names {', '.join(BRANDS)}")
    return value.strip()


def _days(value: Any) -> tuple[int, ...]:
    """Whole days in increasing order; emptiness is each row's own rule (see Regimen.check)."""
    if not isinstance(value, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in value):
        raise ValueError("must be a list of whole days")
    if list(value) != sorted(set(value)):
        raise ValueError("days must be in increasing order without repeats")
    return tuple(value)


def _window(value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(d, int) and not isinstance(d, bool) for d in value)
        or not 0 < value[0] <= value[1]
    ):
        raise ValueError("must be [earliest, latest] days, 0 < earliest <= latest")
    return (value[0], value[1])


BrandName = Annotated[str, Convert(_brand)]
DayList = Annotated[tuple[int, ...], Convert(_days)]
Positive = Annotated[int, Range(1, whole=True)]


@dataclass(frozen=True)
class Regimen:
    """One product (and indication): its lymphodepletion and when the cells are infused."""

    id: str
    product: BrandName
    indication: str
    regimen: str
    ld_days: DayList  # chemotherapy days, counted from the first infusion; () if not shown
    infusion_days: DayList
    # label window "infuse N to M days after lymphodepletion ends": the EARLIEST day is always read as N full
    # rest days between the last chemotherapy day and the first infusion (the later of the two readings)
    window_after_ld: Annotated[tuple[int, int], Convert(_window)] | None
    timing: str
    note: Note
    verified: bool
    references: Refs
    infusion_note: Note = ""  # a short remark drawn beside the infusion marker (for example a permitted delay)
    # how the LATEST day of the window is counted (only with a window): "plain" = M calendar days after the last
    # chemotherapy day (the earlier of the two readings, the course's default); "rest" = M full rest days, then
    # the infusion, only where a source confirms it (Abecma: the maker's schedule). See lymphodepletion.yaml.
    last_day: Literal["plain", "rest"] | None = None

    def check(self) -> None:
        if not self.infusion_days:
            raise Invalid("infusion_days", "must not be empty")
        if not self.ld_days and self.verified:
            raise Invalid("ld_days", "must not be empty")
        if self.ld_days and self.ld_days[-1] >= self.infusion_days[0]:
            raise Invalid("ld_days", "chemotherapy must end before the first infusion")
        if self.window_after_ld is not None:
            if not self.ld_days:
                raise Invalid("window_after_ld", "needs ld_days to count from")
            if self.rest_days_before_infusion() != self.window_after_ld[0]:
                raise Invalid(
                    "ld_days",
                    "must end so that the first infusion falls at the earliest day of the window "
                    f"({self.window_after_ld[0]} full rest days after the last chemotherapy day)",
                )
            if self.last_day is None:
                raise Invalid("last_day", "a row with a window must say how its last day is counted: plain or rest")
            if self.latest_first_infusion_day < self.infusion_days[0]:
                raise Invalid(
                    "last_day",
                    f"counted this way the latest day ({self.latest_first_infusion_day}) falls before the first "
                    f"infusion day ({self.infusion_days[0]}): use 'rest', or check the window",
                )
        elif self.last_day is not None:
            raise Invalid("last_day", "only a row with window_after_ld counts a last day; use null")
        if not self.verified and "not verified" not in self.note.lower():
            raise Invalid("note", "an unverified row must say 'Not verified' in its note, for the reader")

    @property
    def label(self) -> str:
        return f"{self.product} ({self.indication})"

    @property
    def latest_first_infusion_day(self) -> int:
        """The last day the course draws for the first infusion, on the chart's day numbering.

        The course draws only the days that BOTH readings of "infuse N to M days after lymphodepletion ends"
        allow. For the latest day that is the plain reading, M calendar days after the last chemotherapy day
        (``last_day: plain``); only where a source confirms the rest-day reading (``last_day: rest``: Abecma,
        the maker's schedule) do M full rest days come first, putting the infusion on calendar day M + 1.
        """
        if self.window_after_ld and self.ld_days:
            extra = 1 if self.last_day == "rest" else 0
            return self.ld_days[-1] + self.window_after_ld[1] + extra
        return self.infusion_days[0]

    @property
    def latest_confirmed(self) -> bool:
        """True where a source confirms how the last day is counted (rest days); False for the plain reading."""
        return self.last_day == "rest"

    def days_between_chemo_and_infusion(self) -> int | None:
        """Calendar days from the last chemotherapy day to the first infusion as charted (earliest)."""
        return self.infusion_days[0] - self.ld_days[-1] if self.ld_days else None

    def rest_days_before_infusion(self) -> int | None:
        """Full days without chemotherapy between the last chemotherapy day and the first infusion (charted)."""
        gap = self.days_between_chemo_and_infusion()
        return None if gap is None else gap - 1


@dataclass(frozen=True)
class Step:
    number: Positive
    name: str
    where: Literal["hospital", "manufacturing site"]
    what: str
    duration: str
    references: Refs


@dataclass(frozen=True)
class MonitoringRule:
    id: str
    rule: str
    current_days: Positive
    current_text: str
    before_days: Positive | None
    before_text: str
    references: Refs

    def check(self) -> None:
        schema.must_exceed(self, "before_days", "current_days", "the rule before June 2025 was longer; check the numbers")


@dataclass(frozen=True)
class Dropout:
    """Enrolled versus infused patients in one pivotal trial."""

    trial: str
    product: BrandName
    disease: str
    enrolled: Positive
    infused: Count
    references: Refs

    def check(self) -> None:
        schema.must_not_exceed(self, "infused", "enrolled")

    @property
    def not_infused(self) -> int:
        return self.enrolled - self.infused

    @property
    def percent_not_infused(self) -> float:
        return 100.0 * self.not_infused / self.enrolled


@dataclass(frozen=True)
class _Monitoring:
    changed: str
    rules: tuple[MonitoringRule, ...]


@dataclass(frozen=True)
class _Trip:
    """What the file and Journey hold alike, declared once: the steps, the bridging note, who was never infused."""

    as_of: str
    steps: tuple[Step, ...]
    bridging: CitedText
    not_infused: tuple[Dropout, ...]


@dataclass(frozen=True)
class _JourneyFile(_Trip):
    """``vein_to_vein.yaml`` as written; Journey is what the lesson reads."""

    monitoring: _Monitoring

    def check(self) -> None:
        if [s.number for s in self.steps] != [1, 2, 3, 4, 5]:
            raise Invalid("steps", "must be the five steps numbered 1 to 5 in order")


@dataclass(frozen=True)
class Journey(_Trip):
    """Everything in ``vein_to_vein.yaml``, its monitoring section flattened."""

    monitoring_changed: str
    monitoring: tuple[MonitoringRule, ...]

    def rule(self, rule_id: str) -> MonitoringRule:
        return schema.find(self.monitoring, rule_id, "monitoring rule")


def load_regimens(path: Path = LYMPHODEPLETION_FILE) -> tuple[Regimen, ...]:
    """Every row of the lymphodepletion table, validated; ids unique, every brand present."""
    rows: tuple[Regimen, ...] = schema.load_rows(path, "regimens", Regimen, what="regimen", known=registry())
    missing = sorted(set(BRANDS) - {r.product for r in rows})
    if missing:
        raise CourseDataError(f"{path.name}: no row for {', '.join(missing)}")
    return rows


def load_journey(path: Path = VEIN_TO_VEIN_FILE) -> Journey:
    """The five steps, the bridging note, the monitoring rules and the trial drop-out rows."""
    f: _JourneyFile = schema.read_row(_JourneyFile, load_yaml(path), path.name, known=registry())
    return Journey(
        **schema.shared(_Trip, f), monitoring_changed=f.monitoring.changed, monitoring=f.monitoring.rules
    )


@lru_cache(maxsize=1)
def regimens() -> tuple[Regimen, ...]:
    """The course table, read once per kernel."""
    return load_regimens()


@lru_cache(maxsize=1)
def journey() -> Journey:
    return load_journey()


def regimen(regimen_id: str) -> Regimen:
    return schema.find(regimens(), regimen_id, "regimen")


def dropout_range() -> tuple[float, float]:
    """The lowest and highest share (%) of enrolled patients never infused, across the trials listed."""
    shares = [d.percent_not_infused for d in journey().not_infused]
    return min(shares), max(shares)
