"""What every clinical rule shares: a grade with the criterion that set it, and input checks
that say the allowed values, so a bad value is refused with a clear message, never graded."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Grade:
    """A grade (0 means the syndrome's criteria are not met) and the criterion that set it."""

    grade: int
    criterion: str


def check_choice(name: str, value: str, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def check_number(name: str, value: float, low: float, high: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number in {unit}; got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g} {unit}; got {value:g}")
    return float(value)
