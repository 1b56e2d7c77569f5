"""Clinical rules as pure, validated functions, written once and used by widgets, text and tests.

Sources (reference keys in ``assets/references.yaml``):
- ASTCT consensus grading of CRS and ICANS, and the ICE score: ``lee2019-astct``.
- Tocilizumab dosing and repeat-dose limits for CAR-T CRS: ``actemra-label`` (4 doses in total, at least
  8 hours apart, only without clinical improvement) and ``santomasso2021-asco`` (at most 3 in 24 hours).
Every function returns the grade (or value) together with the criterion that set it, and
raises ``ValueError`` with the allowed values when an input is out of range. One module a rule;
this package hands their names on, so ``from course import clinical; clinical.crs_grade(...)`` works.
"""

from course.clinical.common import Grade
from course.clinical.crs import (
    CANNULAS,
    FEVER_C,
    HYPOTENSION,
    LOW_FLOW_MAX_L_MIN,
    OXYGEN_DEVICES,
    crs_grade,
    oxygen_grade,
)
from course.clinical.icans import CONSCIOUSNESS, MOTOR, RAISED_ICP, SEIZURE, icans_grade
from course.clinical.ice import ICE_ITEMS, ice_grade, ice_score
from course.clinical.tocilizumab import (
    TOCILIZUMAB_MAX_PER_24H,
    TOCILIZUMAB_MAX_TOTAL,
    TOCILIZUMAB_MIN_HOURS_APART,
    TOCILIZUMAB_WINDOW_HOURS,
    Dose,
    RepeatCheck,
    max_doses_in_window,
    tocilizumab_dose,
    tocilizumab_repeat,
)

__all__ = [
    "CANNULAS", "CONSCIOUSNESS", "FEVER_C", "HYPOTENSION", "ICE_ITEMS", "LOW_FLOW_MAX_L_MIN", "MOTOR",
    "OXYGEN_DEVICES", "RAISED_ICP", "SEIZURE", "TOCILIZUMAB_MAX_PER_24H", "TOCILIZUMAB_MAX_TOTAL",
    "TOCILIZUMAB_MIN_HOURS_APART", "TOCILIZUMAB_WINDOW_HOURS", "Dose", "Grade", "RepeatCheck", "crs_grade",
    "icans_grade", "ice_grade", "ice_score", "max_doses_in_window", "oxygen_grade", "tocilizumab_dose",
    "tocilizumab_repeat",
]
