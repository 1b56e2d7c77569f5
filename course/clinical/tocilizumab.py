"""Tocilizumab for CAR-T cytokine release syndrome: one dose by weight, and whether a repeat dose may be
given now (reference keys ``actemra-label`` and ``santomasso2021-asco``).

Where each limit comes from: the Actemra label gives up to 3 additional doses (4 in total), at least
8 hours apart, at most 800 mg per dose, and only if there is no clinical improvement; the ASCO 2021
guideline adds at most 3 doses in 24 hours. The 24-hour limit is checked on its own, over every closed
24-hour window: 8-hour spacing alone would allow doses at 0, 8, 16 and 24 hours, four in one window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course.clinical.common import check_number

TOCILIZUMAB_MIN_HOURS_APART = 8  # label
TOCILIZUMAB_MAX_PER_24H = 3  # ASCO 2021 (and CARTOX)
TOCILIZUMAB_WINDOW_HOURS = 24
TOCILIZUMAB_MAX_TOTAL = 4  # label: the first dose and up to 3 more
MAX_HOURS_AGO = 240.0  # ten days: older doses belong to another episode


@dataclass(frozen=True)
class Dose:
    mg: float
    rule: str


@dataclass(frozen=True)
class RepeatCheck:
    """Whether one more dose may be given now; ``wait_hours`` is how long to wait when the only problem is time."""

    allowed: bool
    reason: str
    wait_hours: float = 0.0


def tocilizumab_dose(weight_kg: float) -> Dose:
    """One tocilizumab dose for CRS: 12 mg/kg under 30 kg; 8 mg/kg from 30 kg, at most 800 mg."""
    weight = check_number("weight", weight_kg, 2.0, 350.0, "kg")
    if weight < 30:
        return Dose(round(12 * weight, 1), f"under 30 kg: 12 mg/kg × {weight:g} kg")
    dose = 8 * weight
    if dose > 800:
        return Dose(800.0, f"8 mg/kg × {weight:g} kg = {dose:g} mg, capped at the 800 mg maximum per dose")
    return Dose(round(dose, 1), f"30 kg or more: 8 mg/kg × {weight:g} kg (under the 800 mg cap)")


def max_doses_in_window(dose_times_h: Sequence[float], window_h: float = TOCILIZUMAB_WINDOW_HOURS) -> int:
    """The most doses that fall inside any closed window of ``window_h`` hours (times in hours, any origin).

    Closed means both ends count: doses at 0 and 24 hours share one 24-hour window.
    """
    times = sorted(dose_times_h)
    return max((sum(1 for u in times if t <= u <= t + window_h) for t in times), default=0)


def tocilizumab_repeat(hours_ago: Sequence[float], improved: bool = False) -> RepeatCheck:
    """May one more tocilizumab dose be given now, after the doses given ``hours_ago`` in this CRS episode?

    ``hours_ago``: for each earlier dose, how many hours before now it was given (0 to 240).
    ``improved``: True if CRS has clinically improved since the last dose; the label repeats the dose
    only when it has not. The prescriber orders every dose; this checks the limits, nothing more.
    """
    if isinstance(hours_ago, (str, bytes)) or not isinstance(hours_ago, Sequence):
        raise ValueError("hours_ago must be a list of hours, one for each dose already given")
    if len(hours_ago) > TOCILIZUMAB_MAX_TOTAL:
        raise ValueError(f"at most {TOCILIZUMAB_MAX_TOTAL} doses can have been given; got {len(hours_ago)}")
    ago = sorted(check_number("hours since a dose", h, 0, MAX_HOURS_AGO, "hours") for h in hours_ago)
    if not isinstance(improved, bool):
        raise ValueError("improved must be True or False")
    if not ago:
        return RepeatCheck(True, "first dose: it may be given now if the team orders it")
    n = len(ago)
    if n >= TOCILIZUMAB_MAX_TOTAL:
        return RepeatCheck(
            False,
            f"{TOCILIZUMAB_MAX_TOTAL} doses already given: that is the maximum in total. Tell the team; other "
            "drugs (steroids, then second-line agents) are the next step",
        )
    if improved:
        return RepeatCheck(
            False,
            "CRS has improved since the last dose: a repeat dose is given only if there is no clinical "
            "improvement. Keep observing and tell the team at once if it worsens again",
        )
    last = ago[0]
    if last < TOCILIZUMAB_MIN_HOURS_APART:
        wait = TOCILIZUMAB_MIN_HOURS_APART - last
        return RepeatCheck(
            False,
            f"only {last:g} h since the last dose: doses must be at least {TOCILIZUMAB_MIN_HOURS_APART} h apart "
            f"(wait {wait:g} h more)",
            wait,
        )
    in_window = max_doses_in_window([-h for h in ago] + [0.0])
    if in_window > TOCILIZUMAB_MAX_PER_24H:
        oldest = ago[TOCILIZUMAB_MAX_PER_24H - 1]  # the earliest of the doses that would share the window
        wait = TOCILIZUMAB_WINDOW_HOURS - oldest
        when = "that is exactly now, so not yet" if wait == 0 else f"more than {wait:g} h from now"
        return RepeatCheck(
            False,
            f"a dose now would make {in_window} doses within {TOCILIZUMAB_WINDOW_HOURS} hours (the dose given "
            f"{oldest:g} h ago is one of them): at most {TOCILIZUMAB_MAX_PER_24H} in any {TOCILIZUMAB_WINDOW_HOURS} "
            f"hours. Wait until more than {TOCILIZUMAB_WINDOW_HOURS} h have passed since that dose ({when})",
            wait,
        )
    return RepeatCheck(
        True,
        f"dose {n + 1} of at most {TOCILIZUMAB_MAX_TOTAL}: {last:g} h since the last dose (at least "
        f"{TOCILIZUMAB_MIN_HOURS_APART} h needed), at most {in_window} doses in any {TOCILIZUMAB_WINDOW_HOURS} hours "
        f"counting this one (limit {TOCILIZUMAB_MAX_PER_24H}), and CRS has not improved",
    )
