"""ASTCT 2019 ICANS grade for adults and children 12 and over: the worst of its five domains
(reference key ``lee2019-astct``)."""

from __future__ import annotations

from course.clinical.common import Grade, check_choice
from course.clinical.ice import ice_grade

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

def icans_grade(
    ice: int | None, consciousness: str = "alert", seizure: str = "none", motor: str = "none", raised_icp: str = "none"
) -> Grade:
    """ASTCT ICANS grade for adults and children 12 and over: the worst of its five domains.

    ``ice`` is None only when the patient is unarousable and cannot do the ICE assessment.
    Tremor and myoclonus are graded by CTCAE and intracranial haemorrhage is excluded, so they
    are not inputs.
    """
    check_choice("consciousness", consciousness, CONSCIOUSNESS)
    check_choice("seizure", seizure, SEIZURE)
    check_choice("motor", motor, MOTOR)
    check_choice("raised_icp", raised_icp, RAISED_ICP)
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
