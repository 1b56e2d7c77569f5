"""ICANS for lesson 06: the five grading domains, worked vignettes and tables, over ``course.clinical``.

Nothing here re-states a grading threshold: every grade comes from ``clinical.ice_score``,
``clinical.ice_grade`` and ``clinical.icans_grade`` (ASTCT consensus, ``lee2019-astct``; the ICE
tasks as worded in the ASCO guideline, ``santomasso2021-asco``). This module only names the
domains, says which one set the grade, and lays the rules out as tables a learner can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course import clinical
from course.engine.views import html as views

DOMAIN_NAMES = {
    "ice": "ICE score",
    "consciousness": "Level of consciousness",
    "seizure": "Seizure",
    "motor": "Motor findings",
    "raised_icp": "Raised ICP / cerebral edema",
}

SHORT_NAMES = {
    "ice": "ICE score",
    "consciousness": "level of consciousness",
    "seizure": "seizure",
    "motor": "motor",
    "raised_icp": "raised ICP / cerebral edema",
}

# What the nurse asks for each ICE task (examples as in the ASCO guideline's ICE tool).
ICE_TASKS = {
    "orientation": ("Orientation", "Says the year, the month, the city and the hospital (1 point each)"),
    "naming": ("Naming", "Names three objects pointed at, such as a clock, a pen and a button (1 point each)"),
    "following_commands": ("Following commands", 'Follows a simple command, such as "show me two fingers"'),
    "writing": ("Writing", "Writes a standard sentence"),
    "attention": ("Attention", "Counts backwards from 100 in tens"),
}

# Labels for the choices of each non-ICE domain, in the order of clinical's tables.
CHOICE_LABELS = {
    "consciousness": {
        "alert": "Alert and awake",
        "awakens_spontaneously": "Drowsy, wakes up by themself",
        "awakens_to_voice": "Wakes only when spoken to",
        "awakens_to_tactile": "Wakes only when touched",
        "unarousable": "Unarousable (or needs vigorous, repeated stimuli)",
    },
    "seizure": {
        "none": "No seizure",
        "rapidly_resolving": "Seizure that stops quickly (or EEG-only seizure settling with treatment)",
        "prolonged_or_repetitive": "Seizure over 5 minutes, or repeated without recovery in between",
    },
    "motor": {
        "none": "No focal weakness",
        "deep_focal_weakness": "Deep focal weakness (hemiparesis or paraparesis)",
    },
    "raised_icp": {
        "none": "No signs of raised pressure or edema",
        "focal_edema": "Focal (local) edema on a scan",
        "diffuse_edema": "Diffuse edema, posturing, CN VI palsy, papilledema or Cushing's triad",
    },
}
TABLES = {
    "consciousness": clinical.CONSCIOUSNESS,
    "seizure": clinical.SEIZURE,
    "motor": clinical.MOTOR,
    "raised_icp": clinical.RAISED_ICP,
}


@dataclass(frozen=True)
class DomainGrade:
    key: str
    name: str
    grade: int
    criterion: str


@dataclass(frozen=True)
class Assessment:
    """An ICANS grade with the grade of each domain and the domain(s) that set it."""

    grade: clinical.Grade
    ice: int | None
    domains: tuple[DomainGrade, ...]

    @property
    def deciding(self) -> tuple[DomainGrade, ...]:
        """The domains whose grade equals the overall grade (none when there is no ICANS)."""
        if self.grade.grade == 0:
            return ()
        return tuple(d for d in self.domains if d.grade == self.grade.grade)

    def deciding_names(self) -> list[str]:
        return [d.name for d in self.deciding]

    def sentence(self) -> str:
        """One plain sentence: the grade and what set it."""
        if self.grade.grade == 0:
            return "No ICANS: ICE score 10, alert, and no seizure, motor or edema findings."
        names = " and ".join(SHORT_NAMES[d.key] for d in self.deciding)
        plural = "domains" if len(self.deciding) > 1 else "domain"
        return f"ICANS grade {self.grade.grade}, set by the {names} {plural}: {self.grade.criterion}."


def assess(
    ice: int | None, consciousness: str = "alert", seizure: str = "none", motor: str = "none", raised_icp: str = "none"
) -> Assessment:
    """Grade with ``clinical.icans_grade`` and show each domain's own grade beside it."""
    overall = clinical.icans_grade(ice, consciousness, seizure, motor, raised_icp)
    if ice is None:
        ice_domain = clinical.Grade(4, "ICE cannot be done: the patient is unarousable")
    else:
        ice_domain = clinical.ice_grade(ice)
    domains = [DomainGrade("ice", DOMAIN_NAMES["ice"], ice_domain.grade, ice_domain.criterion)]
    for key, value in (
        ("consciousness", consciousness),
        ("seizure", seizure),
        ("motor", motor),
        ("raised_icp", raised_icp),
    ):
        grade, text = TABLES[key][value]
        domains.append(DomainGrade(key, DOMAIN_NAMES[key], grade, text))
    if max(d.grade for d in domains) != overall.grade:  # the rule lives in clinical; this only re-reads it
        raise AssertionError("domain grades disagree with clinical.icans_grade")
    return Assessment(overall, ice, tuple(domains))


def ice_from_items(**items: int) -> int:
    """The ICE score from the five task scores (see ``clinical.ice_score``)."""
    return clinical.ice_score(**items)


def bedside_notes(tremor: bool = False, hemorrhage: bool = False) -> list[str]:
    """Findings a nurse records that do NOT enter the ICANS grade, and why."""
    notes = []
    if tremor:
        notes.append(
            "Tremor or myoclonus: record it and report it (it is graded separately with CTCAE); "
            "it does not change the ICANS grade."
        )
    if hemorrhage:
        notes.append(
            "Intracranial hemorrhage: excluded from ICANS grading. It is a separate diagnosis for the team, "
            "not a reason to raise the ICANS grade."
        )
    return notes


# --- Vignettes: the grading questions of lesson 06, with the inputs their answers are computed from.


@dataclass(frozen=True)
class Vignette:
    question_id: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    def assessment(self) -> Assessment:
        return assess(**self.inputs)


VIGNETTES = {
    v.question_id: v
    for v in (
        Vignette("q06-aphasia", {"ice": 0, "consciousness": "alert"}, "Mr Brown: ICE 0, awake, global aphasia"),
        Vignette(
            "q06-unarousable",
            {"ice": None, "consciousness": "unarousable"},
            "Mr Brown later: unarousable, ICE cannot be done",
        ),
        Vignette("q06-tremor", {"ice": 8}, "Ms Ito: ICE 8 and a new tremor"),
        Vignette(
            "q06-hemorrhage",
            {"ice": 9},
            "Mr Ahmed: ICE 9 and alert, still at 14:15 after a sudden headache; intracranial hemorrhage on CT",
        ),
        Vignette(
            "q06-seizure",
            {"ice": 7, "seizure": "rapidly_resolving"},
            "Ms Novak: ICE 7 and a seizure that stops within a minute",
        ),
        Vignette(
            "q06-which-domain",
            {"ice": 4, "consciousness": "awakens_to_voice", "raised_icp": "diffuse_edema"},
            "Mrs Olsen: ICE 4, wakes to voice, diffuse edema on CT",
        ),
        Vignette(
            "q06-ice10",
            {"ice": 10, "consciousness": "awakens_spontaneously"},
            "Mrs Kaur: ICE 10 but drowsy, waking by herself",
        ),
        Vignette("q06-isolated-icans", {"ice": 5}, "Mr Green: ICE 5 after his CRS has resolved"),
    )
}

# The ICE task scores behind the lesson's ICE calculation question.
ICE_CALCULATIONS = {
    "q06-ice-calc": dict(orientation=3, naming=2, following_commands=1, writing=0, attention=1),
}


# --- Tables for the notebook (HTML for Jupyter and nbviewer, plain text as the fallback).


def ice_items_table() -> views.Static:
    """The five ICE tasks with their points, taken from ``clinical.ICE_ITEMS``."""
    rows = [[ICE_TASKS[key][0], ICE_TASKS[key][1], str(points)] for key, points in clinical.ICE_ITEMS.items()]
    rows.append(["**Total**", "10 = normal; the lower the score, the worse the encephalopathy", "**10**"])
    return views.table(
        "**The ICE assessment** (adults and children aged 12 and over)", ["Task", "What you ask", "Points"], rows
    )


def _ice_ranges() -> dict[int, str]:
    """ICE scores grouped by the grade ``clinical.ice_grade`` gives them, e.g. {1: 'ICE 7-9'}."""
    groups: dict[int, list[int]] = {}
    for score in range(11):
        groups.setdefault(clinical.ice_grade(score).grade, []).append(score)
    return {g: f"ICE {min(s)}–{max(s)}" if len(s) > 1 else f"ICE {s[0]}" for g, s in groups.items()}


def grading_table() -> views.Static:
    """The ASTCT ICANS grade by domain, every cell produced by the rules in ``course.clinical``."""
    cells = {name: {g: "—" for g in range(1, 5)} for name in DOMAIN_NAMES.values()}
    for grade, text in _ice_ranges().items():
        if grade:
            cells[DOMAIN_NAMES["ice"]][grade] = text
    unarousable = assess(None, "unarousable")
    cells[DOMAIN_NAMES["ice"]][unarousable.grade.grade] = "ICE 0 because unarousable (cannot do the tasks)"
    for key, table in TABLES.items():
        for value, (grade, _) in table.items():
            if grade:
                cells[DOMAIN_NAMES[key]][grade] = CHOICE_LABELS[key][value]
    rows = [[name, *(cells[name][g] for g in range(1, 5))] for name in DOMAIN_NAMES.values()]
    return views.table(
        "**ASTCT ICANS grade = the worst domain.** Each row is one domain; the patient's grade is the "
        "highest grade that any row reaches. A dash means that domain cannot reach that grade.",
        ["Domain", "Grade 1", "Grade 2", "Grade 3", "Grade 4"],
        rows,
    )


def worked_examples() -> views.Static:
    """The lesson's vignettes with the grade and deciding domain computed now by ``course.clinical``."""
    rows = []
    for vignette in VIGNETTES.values():
        result = vignette.assessment()
        deciding = ", ".join(d.name for d in result.deciding) or "none"
        rows.append([vignette.note, f"grade {result.grade.grade}", deciding])
    return views.table(
        "**The lesson's cases, graded by the course's ASTCT rules.** Tremor and intracranial hemorrhage are "
        "not inputs of the grade, so they change nothing here.",
        ["Case", "ICANS grade", "Domain(s) that set it"],
        rows,
        css_class="cart-table cart-l06-examples",
    )
