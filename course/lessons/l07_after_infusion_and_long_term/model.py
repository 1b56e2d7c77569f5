"""After infusion and the long term (lesson 07): data loader, pure rules and a conceptual model.

The data live in ``assets/long_term.yaml`` (every row cites reference keys); this module reads and
validates them and answers the questions the lesson's figures and demos ask:

- which ICAHT phase and which infection period a day after infusion falls in
  (``rejeski2023-icaht``, ``hill2018-infections``, ``baird2021-immune``);
- which going-home rules still apply on a given day, under the US labels before and since the
  June 2025 change (``fda-rems-2025``);
- whether an IgG result is at or below the commonly used replacement trigger (``wat2022-hypogamma``);
- a CONCEPTUAL neutrophil course (made-up parameters, not patient data, no ICAHT grade thresholds);
- the piecewise time axis that lets the first weeks and a whole year share one figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from course.core import schema
from course.core.paths import ASSETS
from course.core.references import CITE_RUN, cite_html, keys_in, registry, render_bracket_keys
from course.core.schema import CitedText, Collapsed, Invalid, Range, Refs, Text
from course.core.yamlio import load_yaml
from course.engine.views import html as views

DATA_FILE = ASSETS / "long_term.yaml"
Colour = Literal["vermillion", "reddish_purple", "orange", "blue", "bluish_green", "sky_blue", "yellow", "grey", "black"]
BarKind = Literal["main", "tail", "line"]
Trigger = Literal["always", "severe-neutropenia", "risk-based", "low-igg", "schedule"]
COLOURS, BAR_KINDS, TRIGGERS = get_args(Colour), get_args(BarKind), get_args(Trigger)
Weeks = Annotated[float, Range(0)]
SEVERE_NEUTROPENIA = 0.5  # ANC in 10^9/L; the usual trigger for antibacterial/antifungal prophylaxis
ERAS = ("current", "before")
TIMELINE_END_DAY = 365
LAST_DAY_SHOWN = 400
CELL_STYLE = views.CELL_PLAIN


@dataclass(frozen=True)
class Rule:
    id: Collapsed
    rule: Collapsed
    before: Collapsed
    current: Collapsed
    before_weeks: Weeks | None
    current_weeks: Weeks | None
    references: Refs

    def check(self) -> None:
        if (self.before_weeks is None) != (self.current_weeks is None):
            raise Invalid("current_weeks", "give both before_weeks and current_weeks, or neither")


class Symptom(CitedText):
    """A call-now symptom and what to do, with its sources."""


@dataclass(frozen=True)
class Phase:
    id: Collapsed
    name: Collapsed
    days: Collapsed
    description: Collapsed
    references: Refs


@dataclass(frozen=True)
class InfectionPeriod:
    id: Collapsed
    name: Collapsed
    days: Collapsed
    last_day: Annotated[int, Range(0)] | None
    why: Collapsed
    typical: Collapsed
    references: Refs


@dataclass(frozen=True)
class Prophylaxis:
    id: Collapsed
    against: Collapsed
    examples: Collapsed
    when: Collapsed
    trigger: Trigger
    references: Refs


@dataclass(frozen=True)
class Bar:
    start: Annotated[float, Range(0)]
    end: Annotated[float, Range(0)]
    kind: BarKind
    text: Annotated[str, Text(allow_empty=True, collapse=True)]

    def check(self) -> None:
        if self.end <= self.start or self.end > LAST_DAY_SHOWN:
            raise Invalid("end", f"must be after 'start' and at most day {LAST_DAY_SHOWN}")


@dataclass(frozen=True)
class Window:
    id: Collapsed
    name: Collapsed
    short: Collapsed
    colour: Colour
    bars: tuple[Bar, ...]
    explanation: Collapsed
    watch_for: Collapsed
    references: Refs


# The file's sections as written in long_term.yaml; LongTerm below is what the lesson reads.
@dataclass(frozen=True)
class _GoingHome:
    change_date: Collapsed
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class _CallNow:
    threshold_c: Annotated[float, Range(37.0, 40.0, says="must be a fever threshold from 37 to 40 °C")]
    symptoms: tuple[Symptom, ...]


@dataclass(frozen=True)
class _Icaht:
    early_last_day: Annotated[int, Range(0)]
    phases: tuple[Phase, ...]

    def check(self) -> None:
        if [p.id for p in self.phases] != ["early", "late"]:
            raise Invalid("phases", "must be 'early' then 'late'")


@dataclass(frozen=True)
class _IgG:
    trigger_mg_dl: Annotated[float, Range(0)]
    grey_zone_upper_mg_dl: Annotated[float, Range(0)]
    monitoring: Collapsed
    references: Refs

    def check(self) -> None:
        if not 0 < self.trigger_mg_dl < self.grey_zone_upper_mg_dl:
            raise Invalid("grey_zone_upper_mg_dl", "must be above trigger_mg_dl")


@dataclass(frozen=True)
class _Tables:
    """What the file and LongTerm hold alike, declared once: the row lists the lesson reads as written."""

    infection_periods: tuple[InfectionPeriod, ...]
    prophylaxis: tuple[Prophylaxis, ...]
    timeline: tuple[Window, ...]


@dataclass(frozen=True)
class _File(_Tables):
    going_home: _GoingHome
    call_now: _CallNow
    icaht: _Icaht
    igg: _IgG

    def check(self) -> None:
        previous = -1
        for i, period in enumerate(self.infection_periods):
            row = (("infection_periods", period.id),)
            if period.last_day is None and i != len(self.infection_periods) - 1:
                raise Invalid("last_day", "only the last period may be open-ended (null)", row)
            if period.last_day is not None and period.last_day <= previous:
                raise Invalid("last_day", "periods must be in time order", row)
            previous = period.last_day if period.last_day is not None else previous
        if self.infection_periods[-1].last_day is not None:
            raise Invalid("infection_periods", "the last period must be open-ended (last_day: null)")


@dataclass(frozen=True)
class LongTerm(_Tables):
    """Everything in ``long_term.yaml``, its sections (going home, call now, ICAHT, IgG) flattened."""

    change_date: str
    rules: tuple[Rule, ...]
    fever_threshold_c: float
    call_now: tuple[Symptom, ...]
    icaht_early_last_day: int
    icaht_phases: tuple[Phase, ...]
    igg_trigger_mg_dl: float
    igg_grey_zone_upper_mg_dl: float
    igg_monitoring: str
    igg_references: tuple[str, ...]

    def rule(self, rule_id: str) -> Rule:
        return schema.find(self.rules, rule_id, "rule")

    def window(self, window_id: str) -> Window:
        return schema.find(self.timeline, window_id, "timeline row")

    def references(self) -> list[str]:
        """Every reference key the table cites, in order of first use."""
        return schema.cited(
            self.rules,
            self.call_now,
            self.icaht_phases,
            self.infection_periods,
            self.prophylaxis,
            self.timeline,
            extra=self.igg_references,
        )


def load_long_term(path: Path = DATA_FILE, known: set[str] | None = None) -> LongTerm:
    """Read and validate the lesson 07 tables; any problem names the file, section, row and field."""
    f: _File = schema.read_row(_File, load_yaml(path), path.name, known=registry() if known is None else known)
    return LongTerm(
        **schema.shared(_Tables, f),
        change_date=f.going_home.change_date,
        rules=f.going_home.rules,
        fever_threshold_c=f.call_now.threshold_c,
        call_now=f.call_now.symptoms,
        icaht_early_last_day=f.icaht.early_last_day,
        icaht_phases=f.icaht.phases,
        igg_trigger_mg_dl=f.igg.trigger_mg_dl,
        igg_grey_zone_upper_mg_dl=f.igg.grey_zone_upper_mg_dl,
        igg_monitoring=f.igg.monitoring,
        igg_references=f.igg.references,
    )


@lru_cache(maxsize=1)
def data() -> LongTerm:
    """The lesson's tables, read once per kernel."""
    return load_long_term()


# --- Pure rules -----------------------------------------------------------------------------------


def _check_day(day: float) -> float:
    if isinstance(day, bool) or not isinstance(day, (int, float)) or not math.isfinite(day):
        raise ValueError(f"day must be a number of days after infusion, not {day!r}")
    if day < 0:
        raise ValueError(f"day must be 0 (the infusion) or later, not {day}")
    return float(day)


def icaht_phase(day: float, table: LongTerm | None = None) -> Phase:
    """Early ICAHT for day 0 to 30, late ICAHT after day 30 (EHA/EBMT consensus, ``rejeski2023-icaht``)."""
    table = table or data()
    d = _check_day(day)
    return table.icaht_phases[0] if d <= table.icaht_early_last_day else table.icaht_phases[1]


def infection_period(day: float, table: LongTerm | None = None) -> InfectionPeriod:
    """The infection period that contains ``day`` (borders at day 30 and 90 in this course)."""
    table = table or data()
    d = _check_day(day)
    for period in table.infection_periods:
        if period.last_day is None or d <= period.last_day:
            return period
    raise AssertionError("the last infection period is open-ended")  # pragma: no cover


@dataclass(frozen=True)
class RuleStatus:
    rule: Rule
    era: str
    weeks: float
    applies: bool

    @property
    def last_day(self) -> int:
        return int(round(self.weeks * 7))

    def sentence(self, day: float) -> str:
        if self.applies:
            return f"{self.rule.rule}: yes on day {day:g} (label minimum until day {self.last_day})."
        return f"{self.rule.rule}: the label minimum ended on day {self.last_day}; after that the team decides."


def going_home_status(day: float, era: str = "current", table: LongTerm | None = None) -> list[RuleStatus]:
    """For each timed going-home rule: does the label minimum still apply on ``day``? (``fda-rems-2025``)

    ``era`` is ``"current"`` (labels since the June 2025 change) or ``"before"`` (the earlier labels).
    A rule applies through its last day: 2 weeks = days 0 to 14.
    """
    if era not in ERAS:
        raise ValueError(f"era must be one of {ERAS}, not {era!r}")
    table = table or data()
    d = _check_day(day)
    out = []
    for rule in table.rules:
        weeks = rule.current_weeks if era == "current" else rule.before_weeks
        if weeks is None:
            continue
        out.append(RuleStatus(rule, era, weeks, d <= weeks * 7))
    return out


@dataclass(frozen=True)
class IgGReview:
    igg_mg_dl: float
    at_or_below_trigger: bool
    grey_zone: bool
    message: str


def igg_review(igg_mg_dl: float, serious_or_recurrent_infections: bool, table: LongTerm | None = None) -> IgGReview:
    """Compare an IgG result with the commonly used replacement trigger (``wat2022-hypogamma``).

    Not a prescription: it says whether the result meets the trigger most often quoted (IgG at or
    below 400 mg/dL, especially with serious or recurrent infections); practice varies
    (``kampouri2022-igrt``).
    """
    table = table or data()
    if isinstance(igg_mg_dl, bool) or not isinstance(igg_mg_dl, (int, float)) or not math.isfinite(igg_mg_dl):
        raise ValueError(f"IgG must be a number in mg/dL, not {igg_mg_dl!r}")
    if not 0 <= igg_mg_dl <= 5000:
        raise ValueError(f"IgG {igg_mg_dl} mg/dL is outside 0 to 5000 mg/dL: check the unit (1 g/L = 100 mg/dL)")
    trigger, upper = table.igg_trigger_mg_dl, table.igg_grey_zone_upper_mg_dl
    low = igg_mg_dl <= trigger
    grey = trigger < igg_mg_dl <= upper
    if low and serious_or_recurrent_infections:
        message = (
            f"IgG {igg_mg_dl:g} mg/dL is at or below {trigger:g} mg/dL with serious or recurrent infections: "
            "the situation in which immunoglobulin replacement is most often considered. Tell the team."
        )
    elif low:
        message = (
            f"IgG {igg_mg_dl:g} mg/dL is at or below {trigger:g} mg/dL. Some centres replace at this level even "
            "without infections, others wait for infections: practice varies. Report it to the team."
        )
    elif grey and serious_or_recurrent_infections:
        message = (
            f"IgG {igg_mg_dl:g} mg/dL is above {trigger:g} but at most {upper:g} mg/dL; with serious recurrent "
            "infections some experts consider replacement too. Report it to the team."
        )
    else:
        message = (
            f"IgG {igg_mg_dl:g} mg/dL is above the commonly used trigger of {trigger:g} mg/dL. "
            "Keep monitoring as the centre's schedule says."
        )
    return IgGReview(float(igg_mg_dl), low, grey, message)


def active_prophylaxis(anc: float, table: LongTerm | None = None) -> list[Prophylaxis]:
    """Examples that typically apply at this ANC: all 'always' rows, plus the neutropenia rows below 0.5."""
    table = table or data()
    if isinstance(anc, bool) or not isinstance(anc, (int, float)) or not math.isfinite(anc) or anc < 0:
        raise ValueError(f"ANC must be a non-negative number (10^9/L), not {anc!r}")
    rows = [p for p in table.prophylaxis if p.trigger == "always"]
    if anc < SEVERE_NEUTROPENIA:
        rows += [p for p in table.prophylaxis if p.trigger == "severe-neutropenia"]
    return rows


# --- Conceptual neutrophil model -------------------------------------------------------------------

# Made-up, plausible shapes (NOT patient data): log10(ANC) = log10(baseline) minus smooth dips.
BASELINE_ANC = 3.0
PATTERNS = {
    "quick": "Quick recovery",
    "biphasic": "Recovery, then a second dip",
    "prolonged": "Long-lasting low counts",
}


def _bump(day: float, centre: float, rise: float, fall: float) -> float:
    width = rise if day < centre else fall
    return math.exp(-(((day - centre) / width) ** 2))


def _plateau(day: float, start: float, end: float, edge: float) -> float:
    up = 1 / (1 + math.exp(-(day - start) / edge))
    down = 1 / (1 + math.exp((day - end) / edge))
    return up * down


def conceptual_anc(day: float, pattern: str = "biphasic") -> float:
    """A conceptual absolute neutrophil count (10^9/L) on ``day`` for one recovery pattern.

    Shapes only: a first dip that starts during lymphodepleting chemotherapy (days -5 to -3), then quick
    recovery, recovery with
    a second dip (the biphasic course), or long-lasting low counts. Parameters are invented.
    """
    if pattern not in PATTERNS:
        raise ValueError(f"pattern must be one of {tuple(PATTERNS)}, not {pattern!r}")
    if isinstance(day, bool) or not isinstance(day, (int, float)) or not math.isfinite(day):
        raise ValueError(f"day must be a number, not {day!r}")
    # The first dip starts with lymphodepleting chemotherapy (days -5 to -3) and is deepest in the first week
    # (the sketch puts the low point near day 3; real-world counts are often lowest nearer day 7).
    drop = 1.5 * _bump(day, 3.0, 4.5, 5.0)
    if pattern == "biphasic":
        drop += 1.0 * _bump(day, 45.0, 9.0, 14.0)
    elif pattern == "prolonged":
        drop = max(drop, 1.4 * _plateau(day, 3.0, 62.0, 2.5))
    return BASELINE_ANC * 10 ** (-drop)


def conceptual_curve(pattern: str = "biphasic", first_day: int = -5, last_day: int = TIMELINE_END_DAY) -> list:
    """``(day, anc)`` pairs, one per day, for plotting."""
    return [(d, conceptual_anc(d, pattern)) for d in range(first_day, last_day + 1)]


# --- Time axis -------------------------------------------------------------------------------------

# Day -> position on a 0..1 axis: the pre-infusion weeks squeezed into a short block, the first
# month wide, months 2-3 narrower, the rest of the year narrower still (a piecewise-linear axis).
AXIS_KNOTS = ((-40.0, 0.0), (0.0, 0.12), (30.0, 0.56), (90.0, 0.76), (365.0, 0.97), (400.0, 1.0))
AXIS_BREAKS = (0.0, 30.0, 90.0)


def timeline_x(day: float) -> float:
    """Position of ``day`` on the piecewise axis (monotonic; days before -40 or after 400 are clamped)."""
    if isinstance(day, bool) or not isinstance(day, (int, float)) or not math.isfinite(day):
        raise ValueError(f"day must be a number, not {day!r}")
    knots = AXIS_KNOTS
    if day <= knots[0][0]:
        return knots[0][1]
    for (d0, x0), (d1, x1) in zip(knots, knots[1:], strict=False):
        if day <= d1:
            return x0 + (x1 - x0) * (day - d0) / (d1 - d0)
    return knots[-1][1]


# --- Tables for the notebook -------------------------------------------------------------------------


def _table(caption: str, header: list[str], rows: list[list[str]], note: str) -> views.Static:
    """A lesson table; its ``[key]`` marks (``views.cite``) shown as the lesson's numbered citations, never raw keys.

    The text twin keeps the keys; the HTML links each number to the lesson's reference list.
    """
    static = views.table(
        caption,
        header,
        rows,
        css_class="cart-table cart-l07-table",
        caption_style="text-align:left",
        after=note,
        text=views.labelled_lines,
    )
    html = CITE_RUN.sub(lambda run: cite_html(keys_in(run.group(0))), render_bracket_keys(static.html))
    return views.Static(html, static.text, static.rows)


def going_home_table(table: LongTerm | None = None) -> views.Static:
    table = table or data()
    rows = [[r.rule, r.before, r.current, views.cite(r.references)] for r in table.rules]
    return _table(
        f"**Going home: US label rules before and since the change of {table.change_date}.**",
        ["Rule", "Before June 2025 (labels 2017-2024)", "As of the labels revised in June 2025", "Sources"],
        rows,
        "These rules are for the six products that had a REMS (Abecma, Breyanzi, Carvykti, Kymriah, Tecartus, "
        "Yescarta); Aucatzyl never had one, so follow its own label. The exact wording differs by product and "
        "labels keep changing: check the current label of the product your patient received.",
    )


def infection_table(table: LongTerm | None = None) -> views.Static:
    table = table or data()
    rows = [[f"**{p.name}** ({p.days})", p.why, p.typical, views.cite(p.references)] for p in table.infection_periods]
    return _table(
        "**Infections by period after infusion.**",
        ["Period", "Why the risk is high", "Typical infections", "Sources"],
        rows,
        "Sources draw the borders at day 28 or day 30 and at about day 90; this course uses 30 and 90.",
    )


def prophylaxis_table(table: LongTerm | None = None) -> views.Static:
    table = table or data()
    rows = [[p.against, p.examples, p.when, views.cite(p.references)] for p in table.prophylaxis]
    return _table(
        "**Typical prophylaxis: examples only.**",
        ["Against", "Examples", "When and how long", "Sources"],
        rows,
        "Drugs, start days and durations vary between centres and change with new evidence: follow the local protocol.",
    )


def call_now_list(table: LongTerm | None = None) -> views.Static:
    table = table or data()
    rows = [[s.text, views.cite(s.references)] for s in table.call_now]
    return _table(
        "**Call for help at once, day or night.** The first row means emergency services first; for every "
        "other row, call the treatment team straight away.",
        ["Symptom and what to do", "Sources"],
        rows,
        "The patient information says: call the healthcare provider or get emergency help right away. "
        "Show the wallet card to every clinician.",
    )


@dataclass(frozen=True)
class DaySummary:
    day: int
    pattern: str
    anc: float
    icaht: Phase
    period: InfectionPeriod
    prophylaxis: tuple[Prophylaxis, ...]
    current_rules: tuple[RuleStatus, ...]
    before_rules: tuple[RuleStatus, ...]

    def lines(self) -> list[str]:
        """The summary as short sentences (Markdown-style bold allowed), for the day explorer."""
        severe = "below" if self.anc < SEVERE_NEUTROPENIA else "above"
        examples = "; ".join(f"{p.against}: {p.examples.lower()}" for p in self.prophylaxis)
        return [
            f"**Day {self.day}**, pattern *{PATTERNS[self.pattern]}*: conceptual ANC about {self.anc:.1f} × 10⁹/L, "
            f"{severe} the severe-neutropenia line of 0.5 (conceptual, not patient data).",
            f"**ICAHT period:** {self.icaht.name} ({self.icaht.days}). {self.icaht.description}",
            f"**Infection period:** {self.period.name} ({self.period.days}). Typical: {self.period.typical}",
            f"**Prophylaxis examples that typically apply now** (centres differ): {examples}.",
            "**Going home, US labels since June 2025:** " + " ".join(s.sentence(self.day) for s in self.current_rules),
            "**Under the labels before June 2025:** " + " ".join(s.sentence(self.day) for s in self.before_rules),
        ]


def day_summary(day: int, pattern: str = "biphasic", table: LongTerm | None = None) -> DaySummary:
    """Everything the lesson says about one day after infusion, for one conceptual recovery pattern."""
    table = table or data()
    _check_day(day)
    if day > TIMELINE_END_DAY:
        raise ValueError(f"day must be at most {TIMELINE_END_DAY} (one year), not {day}")
    anc = conceptual_anc(day, pattern)
    return DaySummary(
        day=int(day),
        pattern=pattern,
        anc=anc,
        icaht=icaht_phase(day, table),
        period=infection_period(day, table),
        prophylaxis=tuple(active_prophylaxis(anc, table)),
        current_rules=tuple(going_home_status(day, "current", table)),
        before_rules=tuple(going_home_status(day, "before", table)),
    )
