"""CAR-T cell therapy: the living drug. The code behind the course notebooks.

The names a notebook uses are resolved on first use (PEP 562), so the instructors' command line
(``python -m course report`` and friends) does not pay for ipywidgets and matplotlib.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DISCLAIMER", "Lesson", "course_map", "start_lesson"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in {"DISCLAIMER", "Lesson", "start_lesson"}:
        from course.engine import lesson

        return getattr(lesson, name)
    if name == "course_map":
        from course.engine.outline import course_map

        return course_map
    raise AttributeError(f"module 'course' has no attribute {name!r}")
