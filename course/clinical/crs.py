"""ASTCT 2019 consensus grading of cytokine release syndrome (reference key ``lee2019-astct``).

What the grader does not do, and says so in lesson 05: it has no grade 5 (death from CRS), and it
assumes that the fever, low blood pressure and low oxygen come from CRS, not from another cause
(sepsis, bleeding, a pulmonary embolism): that judgement belongs to the team.
"""

from __future__ import annotations

from course.clinical.common import Grade, check_choice, check_number

FEVER_C = 38.0
LOW_FLOW_MAX_L_MIN = 6.0  # ASTCT: low-flow nasal cannula is up to 6 L/min; above that counts as high flow

HYPOTENSION = {
    "none": (0, "no hypotension"),
    "no_vasopressor": (2, "hypotension not needing vasopressors"),
    "one_vasopressor": (3, "hypotension needing one vasopressor (with or without vasopressin)"),
    "multiple_vasopressors": (4, "hypotension needing several vasopressors (not counting vasopressin)"),
}
# Devices graded by the flow they run at (ASTCT defines low and high flow by L/min, not by the device).
CANNULAS = ("nasal_cannula", "high_flow_nasal_cannula")
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

def oxygen_grade(device: str, flow_l_min: float = 0.0) -> Grade:
    """The CRS grade that the oxygen support alone would set (ASTCT 2019).

    Either nasal cannula, the standard one or a high-flow device, is graded by its flow: up to 6 L/min is
    low flow (grade 2), above 6 L/min high flow (grade 3). The masks and positive pressure set their grade
    by type.
    """
    check_choice("oxygen device", device, OXYGEN_DEVICES)
    flow = check_number("oxygen flow", flow_l_min, 0, 80, "L/min")
    if device == "none":
        return Grade(0, "no supplemental oxygen")
    if device == "blow_by":
        return Grade(2, "hypoxia needing blow-by oxygen")
    if device in CANNULAS:
        # The standard cannula keeps the wording the question banks quote; the high-flow device names itself.
        high_flow_device = device == "high_flow_nasal_cannula"
        what = "a high-flow nasal cannula" if high_flow_device else "a nasal cannula"
        if flow == 0:
            raise ValueError(f"{what} needs a flow above 0 L/min")
        if flow <= LOW_FLOW_MAX_L_MIN:
            device_text = "a high-flow nasal cannula set to low flow" if high_flow_device else "low-flow nasal cannula"
            return Grade(2, f"hypoxia needing {device_text} (≤{LOW_FLOW_MAX_L_MIN:g} L/min; here {flow:g})")
        return Grade(
            3,
            f"hypoxia needing {'high-flow nasal cannula' if high_flow_device else 'nasal cannula'} above "
            f"{LOW_FLOW_MAX_L_MIN:g} L/min (here {flow:g}), which counts as high flow",
        )
    if device in ("facemask", "non_rebreather", "venturi"):
        names = {
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
    temp = check_number("temperature", temperature_c, 30.0, 45.0, "°C")
    check_choice("hypotension", hypotension, HYPOTENSION)
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
