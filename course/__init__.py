"""CAR-T cell therapy: the living drug. The code behind the course notebooks."""

from .lesson import DISCLAIMER, Lesson, start_lesson
from .outline import course_map

__all__ = ["DISCLAIMER", "Lesson", "course_map", "start_lesson"]
__version__ = "0.1.0"
