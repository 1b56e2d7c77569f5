"""Clinical rules as pure, validated functions, written once and used by widgets, text and tests.

Sources (reference keys in ``assets/references.yaml``):
- ASTCT consensus grading of CRS and ICANS, and the ICE score: ``lee2019-astct``.
- Tocilizumab dosing for CAR-T CRS: ``actemra-label`` and ``santomasso2021-asco``.
Every function returns the grade (or value) together with the criterion that set it, and
raises ``ValueError`` with the allowed values when an input is out of range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FEVER_C = 38.0
LOW_FLOW_MAX_L_MIN = 6.0
# Tocilizumab repeat-dose limits for CRS (ASCO 2021 guideline; Actemra label)
TOCILIZUMAB_MIN_HOURS_APART = 8
TOCILIZUMAB_MAX_PER_24H = 3
TOCILIZUMAB_MAX_TOTAL = 4

HYPOTENSION = {
    "none": (0, "no hypotension"),
    "no_vasopressor": (2, "hypotension not needing vasopressors"),
    "one_vasopressor": (3, "hypotension needing one vasopressor (with or without vasopressin)"),
    "multiple_vasopressors": (4, "hypotension needing several vasopressors (not counting vasopressin)"),
}
OXYGEN_DEVICES = (
    "none",
    "blow_by",
    "nasal_cannula",
    "high_flow_nasal_cannula",
    "facemask",
    "non_rebreather",
    "venturi",
    "cpap",
    "bipap",
    "mechanical_ventilation",
)
CONSCIOUSNESS = {
    "alert": (0, "alert and awake"),
    "awakens_spontaneously": (1, "depressed consciousness: awakens spontaneously"),
    "awakens_to_voice": (2, "depressed consciousness: awakens to voice"),
    "awakens_to_tactile": (3, "depressed consciousness: awakens only to tactile stimulus"),
    "unarousable": (4, "unarousable, or needs vigorous or repeated tactile stimuli to arouse (stupor or coma)"),
}
SEIZURE = {
    "none": (0, "no seizure"),
    "rapidly_resolving": (
        3,
        "a clinical seizure that resolves rapidly, or a non-convulsive seizure on EEG that resolves with intervention",
    ),
    "prolonged_or_repetitive": (
        4,
        "a life-threatening prolonged seizure (over 5 minutes), or repetitive seizures "
        "without return to baseline between them",
    ),
}
MOTOR = {
    "none": (0, "no motor findings"),
    "deep_focal_weakness": (4, "deep focal motor weakness such as hemiparesis or paraparesis"),
}
RAISED_ICP = {
    "none": (0, "no raised intracranial pressure or cerebral edema"),
    "focal_edema": (3, "focal or local edema on neuroimaging"),
    "diffuse_edema": (
        4,
        "diffuse cerebral edema on imaging, decerebrate or decorticate posturing, cranial nerve "
        "VI palsy, papilledema or Cushing's triad",
    ),
}
ICE_ITEMS = {"orientation": 4, "naming": 3, "following_commands": 1, "writing": 1, "attention": 1}


@dataclass(frozen=True)
class Grade:
    """A grade (0 means the syndrome's criteria are not met) and the criterion that set it."""

    grade: int
    criterion: str


def _choice(name: str, value: str, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _number(name: str, value: float, low: float, high: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number in {unit}; got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g} {unit}; got {value:g}")
    return float(value)


def oxygen_grade(device: str, flow_l_min: float = 0.0) -> Grade:
    """The CRS grade that the oxygen support alone would set (ASTCT 2019)."""
    _choice("oxygen device", device, OXYGEN_DEVICES)
    flow = _number("oxygen flow", flow_l_min, 0, 80, "L/min")
    if device == "none":
        return Grade(0, "no supplemental oxygen")
    if device == "blow_by":
        return Grade(2, "hypoxia needing blow-by oxygen")
    if device == "nasal_cannula":
        if flow == 0:
            raise ValueError("a nasal cannula needs a flow above 0 L/min")
        if flow <= LOW_FLOW_MAX_L_MIN:
            return Grade(2, f"hypoxia needing low-flow nasal cannula (≤{LOW_FLOW_MAX_L_MIN:g} L/min; here {flow:g})")
        return Grade(
            3,
            f"hypoxia needing nasal cannula above {LOW_FLOW_MAX_L_MIN:g} L/min (here {flow:g}), "
            "which counts as high flow",
        )
    if device in ("high_flow_nasal_cannula", "facemask", "non_rebreather", "venturi"):
        names = {
            "high_flow_nasal_cannula": "high-flow nasal cannula",
            "facemask": "a facemask",
            "non_rebreather": "a non-rebreather mask",
            "venturi": "a Venturi mask",
        }
        return Grade(3, f"hypoxia needing {names[device]}")
    names = {"cpap": "CPAP", "bipap": "BiPAP", "mechanical_ventilation": "intubation and mechanical ventilation"}
    return Grade(4, f"hypoxia needing positive pressure ({names[device]})")


def crs_grade(
    temperature_c: float,
    hypotension: str = "none",
    oxygen_device: str = "none",
    oxygen_flow_l_min: float = 0.0,
    antipyretic_or_anticytokine_given: bool = False,
) -> Grade:
    """ASTCT 2019 CRS grade: the worse of hypotension and hypoxia, with fever ≥38.0 °C.

    Fever is the entry criterion (≥38.0 °C, not attributable to another cause). Only once CRS has
    been diagnosed and then treated with antipyretics or anti-cytokine therapy (tocilizumab,
    steroids) is fever no longer required to grade the rest of that episode: pass
    ``antipyretic_or_anticytokine_given=True`` for that case only. Routine paracetamol
    premedication before infusion is NOT that case. Organ toxicities do not change the CRS grade
    (they are graded separately with CTCAE), so they are not inputs here.
    """
    temp = _number("temperature", temperature_c, 30.0, 45.0, "°C")
    _choice("hypotension", hypotension, HYPOTENSION)
    if not isinstance(antipyretic_or_anticytokine_given, bool):
        raise ValueError("antipyretic_or_anticytokine_given must be True or False")
    fever = temp >= FEVER_C
    bp_grade, bp_text = HYPOTENSION[hypotension]
    ox = oxygen_grade(oxygen_device, oxygen_flow_l_min)
    if not fever and not antipyretic_or_anticytokine_given:
        return Grade(
            0,
            f"no CRS: temperature {temp:.1f} °C is below {FEVER_C:.1f} °C and CRS has not already been diagnosed "
            "and treated (look for another cause of any hypotension or hypoxia, such as sepsis)",
        )
    worst = max(bp_grade, ox.grade)
    if worst == 0:
        if fever:
            return Grade(1, f"fever {temp:.1f} °C (≥{FEVER_C:.1f} °C) without hypotension or hypoxia")
        return Grade(
            0,
            "no grading criterion is met now: CRS was diagnosed and treated, and there is no fever, "
            "hypotension or hypoxia",
        )
    reasons = [text for grade, text in ((bp_grade, bp_text), (ox.grade, ox.criterion)) if grade == worst]
    prefix = (
        f"fever {temp:.1f} °C with "
        if fever
        else "fever not required (CRS already diagnosed and treated with antipyretic or anti-cytokine therapy); "
    )
    return Grade(worst, prefix + " and ".join(reasons))


def ice_score(orientation: int, naming: int, following_commands: int, writing: int, attention: int) -> int:
    """The 10-point ICE score: orientation 4, naming 3, commands 1, writing 1, attention 1."""
    values = dict(
        orientation=orientation,
        naming=naming,
        following_commands=following_commands,
        writing=writing,
        attention=attention,
    )
    for name, value in values.items():
        top = ICE_ITEMS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise ValueError(f"ICE {name.replace('_', ' ')} must be a whole number from 0 to {top}; got {value!r}")
    return sum(values.values())


def ice_grade(ice: int) -> Grade:
    """The ICANS grade that the ICE score alone would set (10 = normal)."""
    if isinstance(ice, bool) or not isinstance(ice, int) or not 0 <= ice <= 10:
        raise ValueError(f"the ICE score must be a whole number from 0 to 10; got {ice!r}")
    if ice == 10:
        return Grade(0, "ICE score 10 (normal)")
    if ice >= 7:
        return Grade(1, f"ICE score {ice} (7-9)")
    if ice >= 3:
        return Grade(2, f"ICE score {ice} (3-6)")
    return Grade(3, f"ICE score {ice} (0-2)")


def icans_grade(
    ice: int | None, consciousness: str = "alert", seizure: str = "none", motor: str = "none", raised_icp: str = "none"
) -> Grade:
    """ASTCT ICANS grade for adults and children 12 and over: the worst of its five domains.

    ``ice`` is None only when the patient is unarousable and cannot do the ICE assessment.
    Tremor and myoclonus are graded by CTCAE and intracranial haemorrhage is excluded, so they
    are not inputs.
    """
    _choice("consciousness", consciousness, CONSCIOUSNESS)
    _choice("seizure", seizure, SEIZURE)
    _choice("motor", motor, MOTOR)
    _choice("raised_icp", raised_icp, RAISED_ICP)
    if ice is None:
        if consciousness != "unarousable":
            raise ValueError("the ICE score can be left out only when the patient is unarousable")
        domains = [Grade(4, "ICE cannot be done: the patient is unarousable")]
    else:
        domains = [ice_grade(ice)]
    for table, value in ((CONSCIOUSNESS, consciousness), (SEIZURE, seizure), (MOTOR, motor), (RAISED_ICP, raised_icp)):
        grade, text = table[value]
        domains.append(Grade(grade, text))
    worst = max(d.grade for d in domains)
    if worst == 0:
        return Grade(0, "no ICANS: ICE score 10, alert, no seizure, motor or edema findings")
    return Grade(worst, "; ".join(d.criterion for d in domains if d.grade == worst))


@dataclass(frozen=True)
class Dose:
    mg: float
    rule: str


def tocilizumab_dose(weight_kg: float) -> Dose:
    """One tocilizumab dose for CRS: 12 mg/kg under 30 kg; 8 mg/kg from 30 kg, at most 800 mg."""
    weight = _number("weight", weight_kg, 2.0, 350.0, "kg")
    if weight < 30:
        return Dose(round(12 * weight, 1), f"under 30 kg: 12 mg/kg × {weight:g} kg")
    dose = 8 * weight
    if dose > 800:
        return Dose(800.0, f"8 mg/kg × {weight:g} kg = {dose:g} mg, capped at the 800 mg maximum per dose")
    return Dose(round(dose, 1), f"30 kg or more: 8 mg/kg × {weight:g} kg (under the 800 mg cap)")
