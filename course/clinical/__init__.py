"""Clinical rules as pure, validated functions, written once and used by widgets, text and tests.

Sources (reference keys in ``assets/references.yaml``):
- ASTCT consensus grading of CRS and ICANS, and the ICE score: ``lee2019-astct``.
- Tocilizumab dosing for CAR-T CRS: ``actemra-label`` and ``santomasso2021-asco``.
Every function returns the grade (or value) together with the criterion that set it, and
raises ``ValueError`` with the allowed values when an input is out of range. One module a rule;
this package hands their names on, so ``from course import clinical; clinical.crs_grade(...)`` works.
"""

from course.clinical.common import Grade
from course.clinical.crs import FEVER_C, HYPOTENSION, LOW_FLOW_MAX_L_MIN, OXYGEN_DEVICES, crs_grade, oxygen_grade
from course.clinical.icans import CONSCIOUSNESS, MOTOR, RAISED_ICP, SEIZURE, icans_grade
from course.clinical.ice import ICE_ITEMS, ice_grade, ice_score
from course.clinical.tocilizumab import (
    TOCILIZUMAB_MAX_PER_24H,
    TOCILIZUMAB_MAX_TOTAL,
    TOCILIZUMAB_MIN_HOURS_APART,
    Dose,
    tocilizumab_dose,
)

__all__ = [
    "CONSCIOUSNESS", "FEVER_C", "HYPOTENSION", "ICE_ITEMS", "LOW_FLOW_MAX_L_MIN", "MOTOR", "OXYGEN_DEVICES",
    "RAISED_ICP", "SEIZURE", "TOCILIZUMAB_MAX_PER_24H", "TOCILIZUMAB_MAX_TOTAL", "TOCILIZUMAB_MIN_HOURS_APART",
    "Dose", "Grade", "crs_grade", "icans_grade", "ice_grade", "ice_score", "oxygen_grade", "tocilizumab_dose",
]
