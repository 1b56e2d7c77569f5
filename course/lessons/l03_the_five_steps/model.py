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
from typing import Any

from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.yamlio import load_yaml

LYMPHODEPLETION_FILE = ASSETS / "lymphodepletion.yaml"
VEIN_TO_VEIN_FILE = ASSETS / "vein_to_vein.yaml"
BRANDS = ("Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Abecma", "Carvykti", "Aucatzyl")
WHERE = ("hospital", "manufacturing site")


@dataclass(frozen=True)
class Regimen:
    """One product (and indication): its lymphodepletion and when the cells are infused."""

    id: str
    product: str
    indication: str
    regimen: str
    ld_days: tuple[int, ...]  # chemotherapy days, counted from the first infusion; () if not shown
    infusion_days: tuple[int, ...]
    window_after_ld: tuple[int, int] | None  # label window: first infusion N to M days after the last chemo day
    timing: str
    note: str
    verified: bool
    references: tuple[str, ...]
    infusion_note: str = ""  # a short remark drawn beside the infusion marker (for example a permitted delay)

    @property
    def label(self) -> str:
        return f"{self.product} ({self.indication})"

    @property
    def latest_first_infusion_day(self) -> int:
        """The last day the label allows the first infusion, on the chart's day numbering."""
        if self.window_after_ld and self.ld_days:
            return self.ld_days[-1] + self.window_after_ld[1]
        return self.infusion_days[0]

    def days_between_chemo_and_infusion(self) -> int | None:
        """Calendar days from the last chemotherapy day to the first infusion as charted (earliest)."""
        return self.infusion_days[0] - self.ld_days[-1] if self.ld_days else None


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    where: str
    what: str
    duration: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class MonitoringRule:
    id: str
    rule: str
    current_days: int
    current_text: str
    before_days: int | None
    before_text: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class Dropout:
    """Enrolled versus infused patients in one pivotal trial."""

    trial: str
    product: str
    disease: str
    enrolled: int
    infused: int
    references: tuple[str, ...]

    @property
    def not_infused(self) -> int:
        return self.enrolled - self.infused

    @property
    def percent_not_infused(self) -> float:
        return 100.0 * self.not_infused / self.enrolled


@dataclass(frozen=True)
class Journey:
    """Everything in ``vein_to_vein.yaml``."""

    as_of: str
    steps: tuple[Step, ...]
    bridging: str
    bridging_references: tuple[str, ...]
    monitoring_changed: str
    monitoring: tuple[MonitoringRule, ...]
    not_infused: tuple[Dropout, ...]

    def rule(self, rule_id: str) -> MonitoringRule:
        for r in self.monitoring:
            if r.id == rule_id:
                return r
        raise KeyError(f"no monitoring rule '{rule_id}'; rules: {', '.join(r.id for r in self.monitoring)}")


class _Row:
    """Field access for one row, with errors that name the file, the row and the field."""

    def __init__(self, path: Path, where: str, raw: Any):
        self.path, self.where = path, where
        if not isinstance(raw, dict):
            raise self.fail("", "must be a mapping")
        self.raw = raw

    def fail(self, field: str, problem: str) -> CourseDataError:
        at = f": field '{field}'" if field else ""
        return CourseDataError(f"{self.path.name}: {self.where}{at}: {problem}")

    def text(self, name: str, allow_empty: bool = False) -> str:
        value = self.raw.get(name)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self.fail(name, "must be a non-empty text" if not allow_empty else "must be a text")
        return value.strip()

    def integer(self, name: str, minimum: int | None = None, optional: bool = False) -> int | None:
        value = self.raw.get(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, "must be a whole number")
        if minimum is not None and value < minimum:
            raise self.fail(name, f"must be at least {minimum}")
        return value

    def days(self, name: str, allow_empty: bool) -> tuple[int, ...]:
        value = self.raw.get(name)
        if not isinstance(value, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in value):
            raise self.fail(name, "must be a list of whole days")
        if not value and not allow_empty:
            raise self.fail(name, "must not be empty")
        if list(value) != sorted(set(value)):
            raise self.fail(name, "days must be in increasing order without repeats")
        return tuple(value)

    def references(self) -> tuple[str, ...]:
        refs = self.raw.get("references")
        if not isinstance(refs, list) or not refs or not all(isinstance(k, str) for k in refs):
            raise self.fail("references", "must be a non-empty list of reference keys")
        unknown = [k for k in refs if k not in registry()]
        if unknown:
            raise self.fail("references", f"unknown reference key(s) {unknown}")
        return tuple(refs)


def _regimen(path: Path, index: int, raw: Any) -> Regimen:
    rid = raw.get("id") if isinstance(raw, dict) else None
    row = _Row(path, f"regimen '{rid}'" if isinstance(rid, str) else f"regimen #{index + 1}", raw)
    product = row.text("product")
    if product not in BRANDS:
        raise row.fail("product", f"'{product}' is not one of the brand names {', '.join(BRANDS)}")
    verified = raw.get("verified")
    if not isinstance(verified, bool):
        raise row.fail("verified", "must be true or false")
    ld_days = row.days("ld_days", allow_empty=not verified)
    infusion_days = row.days("infusion_days", allow_empty=False)
    if ld_days and ld_days[-1] >= infusion_days[0]:
        raise row.fail("ld_days", "chemotherapy must end before the first infusion")
    window = raw.get("window_after_ld")
    if window is not None:
        if (
            not isinstance(window, list)
            or len(window) != 2
            or not all(isinstance(d, int) and not isinstance(d, bool) for d in window)
            or not 0 < window[0] <= window[1]
        ):
            raise row.fail("window_after_ld", "must be [earliest, latest] days, 0 < earliest <= latest")
        if not ld_days:
            raise row.fail("window_after_ld", "needs ld_days to count from")
        if infusion_days[0] - ld_days[-1] != window[0]:
            raise row.fail("ld_days", "must end so that the first infusion falls at the earliest day of the window")
        window = (window[0], window[1])
    note = row.text("note", allow_empty=True)
    if not verified and "not verified" not in note.lower():
        raise row.fail("note", "an unverified row must say 'Not verified' in its note, for the reader")
    return Regimen(
        id=row.text("id"),
        product=product,
        indication=row.text("indication"),
        regimen=row.text("regimen"),
        ld_days=ld_days,
        infusion_days=infusion_days,
        window_after_ld=window,
        timing=row.text("timing"),
        note=note,
        verified=verified,
        references=row.references(),
        infusion_note=row.text("infusion_note", allow_empty=True) if "infusion_note" in raw else "",
    )


def load_regimens(path: Path = LYMPHODEPLETION_FILE) -> tuple[Regimen, ...]:
    """Every row of the lymphodepletion table, validated; ids unique, every brand present."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("regimens"), list) or not raw["regimens"]:
        raise CourseDataError(f"{path.name}: expected 'regimens:' with a list of rows")
    rows = tuple(_regimen(path, i, r) for i, r in enumerate(raw["regimens"]))
    seen: set[str] = set()
    for r in rows:
        if r.id in seen:
            raise CourseDataError(f"{path.name}: regimen '{r.id}': field 'id': used twice")
        seen.add(r.id)
    missing = sorted(set(BRANDS) - {r.product for r in rows})
    if missing:
        raise CourseDataError(f"{path.name}: no row for {', '.join(missing)}")
    return rows


def load_journey(path: Path = VEIN_TO_VEIN_FILE) -> Journey:
    """The five steps, the bridging note, the monitoring rules and the trial drop-out rows."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise CourseDataError(f"{path.name}: expected a mapping with steps, bridging, monitoring, not_infused")
    for key in ("steps", "bridging", "monitoring", "not_infused"):
        if key not in raw:
            raise CourseDataError(f"{path.name}: '{key}' is missing")
    steps = []
    for i, s in enumerate(raw["steps"] or []):
        row = _Row(path, f"step #{i + 1}", s)
        where = row.text("where")
        if where not in WHERE:
            raise row.fail("where", f"must be one of {WHERE}")
        steps.append(
            Step(
                row.integer("number", 1),
                row.text("name"),
                where,
                row.text("what"),
                row.text("duration"),
                row.references(),
            )
        )
    if [s.number for s in steps] != [1, 2, 3, 4, 5]:
        raise CourseDataError(f"{path.name}: 'steps' must be the five steps numbered 1 to 5 in order")
    bridging = _Row(path, "bridging", raw["bridging"])
    monitoring_raw = raw["monitoring"]
    if not isinstance(monitoring_raw, dict) or not isinstance(monitoring_raw.get("rules"), list):
        raise CourseDataError(f"{path.name}: 'monitoring' needs 'changed' and a list of 'rules'")
    rules = []
    for i, m in enumerate(monitoring_raw["rules"]):
        row = _Row(path, f"monitoring rule #{i + 1}", m)
        current = row.integer("current_days", 1)
        before = row.integer("before_days", 1, optional=True)
        if before is not None and before <= current:
            raise row.fail("before_days", "the rule before June 2025 was longer; check the numbers")
        rules.append(
            MonitoringRule(
                row.text("id"),
                row.text("rule"),
                current,
                row.text("current_text"),
                before,
                row.text("before_text"),
                row.references(),
            )
        )
    dropouts = []
    for i, d in enumerate(raw["not_infused"] or []):
        row = _Row(path, f"not_infused #{i + 1}", d)
        enrolled, infused = row.integer("enrolled", 1), row.integer("infused", 0)
        if infused > enrolled:
            raise row.fail("infused", "cannot exceed 'enrolled'")
        product = row.text("product")
        if product not in BRANDS:
            raise row.fail("product", f"'{product}' is not one of {', '.join(BRANDS)}")
        dropouts.append(Dropout(row.text("trial"), product, row.text("disease"), enrolled, infused, row.references()))
    if not dropouts:
        raise CourseDataError(f"{path.name}: 'not_infused' needs at least one trial")
    return Journey(
        as_of=str(raw.get("as_of", "")),
        steps=tuple(steps),
        bridging=bridging.text("what"),
        bridging_references=bridging.references(),
        monitoring_changed=str(monitoring_raw.get("changed", "")),
        monitoring=tuple(rules),
        not_infused=tuple(dropouts),
    )


@lru_cache(maxsize=1)
def regimens() -> tuple[Regimen, ...]:
    """The course table, read once per kernel."""
    return load_regimens()


@lru_cache(maxsize=1)
def journey() -> Journey:
    return load_journey()


def regimen(regimen_id: str) -> Regimen:
    for r in regimens():
        if r.id == regimen_id:
            return r
    raise KeyError(f"no regimen '{regimen_id}'; the table has {', '.join(r.id for r in regimens())}")


def dropout_range() -> tuple[float, float]:
    """The lowest and highest share (%) of enrolled patients never infused, across the trials listed."""
    shares = [d.percent_not_infused for d in journey().not_infused]
    return min(shares), max(shares)
