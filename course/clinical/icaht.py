"""Neutrophil ICAHT grade (immune effector cell-associated hematotoxicity), EHA/EBMT consensus 2023
(Rejeski et al., Blood 2023;142:865; reference key ``rejeski2023-icaht``).

Why a function: the lesson, its demo and its questions must grade a blood-count series the same way,
and a nurse learns the grade by seeing which count, on which day, set it.

The rule, as the consensus states it:
- **Early ICAHT (day 0 to day 30)** is graded by *how long* the ANC is at or below 500/µL:
  1 to 6 days = grade 1, 7 to 13 days = grade 2, 14 days or more = grade 3; an ANC below 100/µL for
  7 days or more = grade 4. Days are added up over the window (they need not be consecutive), and a
  recovery that lasts fewer than 3 days before the count falls again counts as neutropenic days.
- **Late ICAHT (after day 30)** is graded by *how deep* the ANC is, if it is not a single transient
  value: ANC at or below 1500/µL = grade 1, at or below 1000 = grade 2, at or below 500 = grade 3,
  below 100 = grade 4. This function asks for at least two results at or beyond a threshold.

Sparse results (the course's convention, stated so a learner can check it by hand): a result holds
from its day until the day before the next result; the last result counts for its own day only.
The function returns the overall grade (the worse of early and late; early wins a tie, because it
came first) with the period and the criterion that set it, and both part grades.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from course.clinical.common import Grade

EARLY_LAST_DAY = 30
NEUTROPENIA_ANC = 500  # cells/µL: "ANC <= 500" counts towards early ICAHT
PROFOUND_ANC = 100  # cells/µL: "ANC < 100" sets grade 4, early (>= 7 days) and late
EARLY_DAYS_FOR_GRADE = ((14, 3), (7, 2), (1, 1))  # (days at or below 500, grade), worst first
EARLY_GRADE4_DAYS = 7
UNSTABLE_RECOVERY_DAYS = 3  # a recovery shorter than this between two low stretches still counts
LATE_DEPTH = ((1000, 2), (1500, 1))  # ANC <= value sets grade; 500 and < 100 are handled first
LATE_MIN_RESULTS = 2
MAX_DAY = 730
MAX_ANC = 100_000


@dataclass(frozen=True)
class IcahtResult:
    """The overall grade, the period that set it (``"early"``, ``"late"`` or ``None`` when grade 0),
    the criterion in words, and the early and late part grades."""

    grade: int
    period: str | None
    criterion: str
    early: Grade
    late: Grade


def _validated(series: Iterable) -> list[tuple[int, float]]:
    try:
        items = list(series)
    except TypeError:
        raise ValueError("the ANC series must be a list of (day after infusion, ANC in cells/µL) pairs") from None
    if not items:
        raise ValueError("the ANC series is empty: give at least one (day after infusion, ANC in cells/µL) pair")
    out: list[tuple[int, float]] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ValueError(f"result {position} must be a (day, ANC) pair; got {item!r}")
        day, anc = item
        if isinstance(day, bool) or not isinstance(day, int):
            raise ValueError(f"result {position}: the day after infusion must be a whole number; got {day!r}")
        if not 0 <= day <= MAX_DAY:
            raise ValueError(
                f"result {position}: the day after infusion must be from 0 (infusion day) to {MAX_DAY}; got {day}"
            )
        if isinstance(anc, bool) or not isinstance(anc, (int, float)) or not math.isfinite(anc):
            raise ValueError(f"result {position}: the ANC must be a number in cells/µL; got {anc!r}")
        if 0 < anc < 1:
            raise ValueError(
                f"result {position}: the ANC is in cells/µL, not 10^9/L; got {anc:g} "
                "(an ANC of 0.5 x 10^9/L is 500 cells/µL)"
            )
        if not 0 <= anc <= MAX_ANC:
            raise ValueError(f"result {position}: the ANC must be from 0 to {MAX_ANC} cells/µL; got {anc:g}")
        if out and day <= out[-1][0]:
            raise ValueError(
                f"result {position}: days must increase, each day once (day {day} comes after day {out[-1][0]})"
            )
        out.append((day, float(anc)))
    return out


def _daily_early(series: list[tuple[int, float]]) -> dict[int, float]:
    """The ANC held on each day 0-30 that the results cover (a result holds until the next one)."""
    daily: dict[int, float] = {}
    for index, (day, anc) in enumerate(series):
        end = series[index + 1][0] if index + 1 < len(series) else day + 1
        for d in range(day, min(end, EARLY_LAST_DAY + 1)):
            daily[d] = anc
    return daily


def _count_days(daily: dict[int, float], low) -> int:
    """Days with a low count, adding recoveries of fewer than 3 days that are followed by a new low."""
    days = sorted(daily)
    low_days = [d for d in days if low(daily[d])]
    total = len(low_days)
    for before, after in zip(low_days, low_days[1:], strict=False):
        gap = after - before - 1
        if 0 < gap < UNSTABLE_RECOVERY_DAYS:
            total += gap
    return total


def early_icaht(series) -> Grade:
    """Early (day 0-30) neutrophil ICAHT grade from a (day, ANC cells/µL) series."""
    return _early(_validated(series))


def _early(series: list[tuple[int, float]]) -> Grade:
    daily = _daily_early(series)
    profound = _count_days(daily, lambda anc: anc < PROFOUND_ANC)
    if profound >= EARLY_GRADE4_DAYS:
        return Grade(4, f"ANC below 100/µL for {profound} days by day 30 (7 or more: grade 4)")
    days = _count_days(daily, lambda anc: anc <= NEUTROPENIA_ANC)
    for least, grade in EARLY_DAYS_FOR_GRADE:
        if days >= least:
            band = {3: "14 or more", 2: "7 to 13", 1: "1 to 6"}[grade]
            return Grade(grade, f"ANC at or below 500/µL for {days} days by day 30 ({band}: grade {grade})")
    return Grade(0, "no day with ANC at or below 500/µL from day 0 to day 30")


def late_icaht(series) -> Grade:
    """Late (after day 30) neutrophil ICAHT grade: the deepest level reached by at least 2 results."""
    return _late(_validated(series))


def _late(series: list[tuple[int, float]]) -> Grade:
    late = [anc for day, anc in series if day > EARLY_LAST_DAY]
    levels = [(PROFOUND_ANC, 4, "below 100/µL")] + [(NEUTROPENIA_ANC, 3, "at or below 500/µL")]
    levels += [(value, grade, f"at or below {value}/µL") for value, grade in LATE_DEPTH]
    for value, grade, words in levels:
        hits = [anc for anc in late if (anc < value if grade == 4 else anc <= value)]
        if len(hits) >= LATE_MIN_RESULTS:
            return Grade(grade, f"{len(hits)} results after day 30 with ANC {words} (grade {grade})")
    if late and min(late) <= 1500:
        return Grade(0, "only one low result after day 30: a single value is not graded (repeat the count)")
    return Grade(0, "no ANC at or below 1500/µL on two results after day 30")


def icaht_grade(series) -> IcahtResult:
    """Overall neutrophil ICAHT grade of a (day after infusion, ANC cells/µL) series."""
    checked = _validated(series)
    early, late = _early(checked), _late(checked)
    if early.grade == 0 and late.grade == 0:
        return IcahtResult(0, None, f"no ICAHT: {early.criterion}; {late.criterion}", early, late)
    if early.grade >= late.grade:
        return IcahtResult(early.grade, "early", early.criterion, early, late)
    return IcahtResult(late.grade, "late", late.criterion, early, late)
