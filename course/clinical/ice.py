"""The 10-point ICE (immune effector cell-associated encephalopathy) score and the ICANS grade it
alone sets (ASTCT 2019, reference key ``lee2019-astct``)."""

from __future__ import annotations

from course.clinical.common import Grade

ICE_ITEMS = {"orientation": 4, "naming": 3, "following_commands": 1, "writing": 1, "attention": 1}


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
