"""Tocilizumab for CAR-T cytokine release syndrome: one dose by weight, and the repeat-dose limits
(reference keys ``actemra-label`` and ``santomasso2021-asco``)."""

from __future__ import annotations

from dataclasses import dataclass

from course.clinical.common import check_number

# Tocilizumab repeat-dose limits for CRS (ASCO 2021 guideline; Actemra label)
TOCILIZUMAB_MIN_HOURS_APART = 8
TOCILIZUMAB_MAX_PER_24H = 3
TOCILIZUMAB_MAX_TOTAL = 4


@dataclass(frozen=True)
class Dose:
    mg: float
    rule: str


def tocilizumab_dose(weight_kg: float) -> Dose:
    """One tocilizumab dose for CRS: 12 mg/kg under 30 kg; 8 mg/kg from 30 kg, at most 800 mg."""
    weight = check_number("weight", weight_kg, 2.0, 350.0, "kg")
    if weight < 30:
        return Dose(round(12 * weight, 1), f"under 30 kg: 12 mg/kg × {weight:g} kg")
    dose = 8 * weight
    if dose > 800:
        return Dose(800.0, f"8 mg/kg × {weight:g} kg = {dose:g} mg, capped at the 800 mg maximum per dose")
    return Dose(round(dose, 1), f"30 kg or more: 8 mg/kg × {weight:g} kg (under the 800 mg cap)")
