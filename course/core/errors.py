"""Exceptions that carry a message meant for a person, not a traceback."""

from __future__ import annotations


class CourseDataError(ValueError):
    """A data file (bank, table, registry) is malformed; the message names file, item and field."""


class InvalidResponse(ValueError):
    """A learner's answer cannot be graded as given (nothing chosen, text in a number field)."""
