"""Question model and grading: pure data and pure functions, no widgets."""

from .grading import Result, grade
from .model import Bank, Question, load_bank

__all__ = ["Bank", "Question", "Result", "grade", "load_bank"]
