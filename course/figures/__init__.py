"""Figures: one course style, diagram functions that return Matplotlib figures."""

from course.figures.style import OKABE_ITO, apply_style

__all__ = ["OKABE_ITO", "apply_style"]
