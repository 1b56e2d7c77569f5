"""Question model and grading: pure data and pure functions, no widgets."""

from course.engine.questions.grading import Result, grade
from course.engine.questions.model import Bank, Question, load_bank

__all__ = ["Bank", "Question", "Result", "grade", "load_bank"]
