"""The order in which one learner sees a question's options: shuffled, but stable for that learner.

Why: if options always appear as written, the key's position becomes a cue ("it is always A").
The order is a pure function of (learner, question id), so it is the same after a kernel restart,
in the learner's export and in the instructor's report, and differs between learners. Responses
are stored as indices into the bank's own option list, never as display positions, so grading and
the report do not depend on the order a learner saw.
"""

from __future__ import annotations

import hashlib
import random

from course.engine.questions.model import Question


def _rng(learner: str, question_id: str) -> random.Random:
    # surrogatepass: a name with a lone surrogate (a broken keyboard or paste) still gets its own order
    digest = hashlib.sha256(f"{learner}\x1f{question_id}".encode("utf-8", "surrogatepass")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def shuffled(learner: str, question_id: str, n: int) -> list[int]:
    """A permutation of ``range(n)`` for this learner and question (identity when there is no learner)."""
    order = list(range(n))
    if learner:
        _rng(learner, question_id).shuffle(order)
    return order


def option_order(q: Question, learner: str) -> list[int]:
    """Bank indices of a single or multiple choice question's options, in the order this learner sees them.

    Without a learner (the static view nbviewer shows) the bank's authored order is kept: the
    banks are written so that the keys' positions are balanced (tests/test_bank_quality.py).
    """
    return shuffled(learner, q.id, len(q.options))


def match_choice_order(q: Question, learner: str) -> list[str]:
    """A matching question's right-hand choices in the order this learner sees them.

    Without a learner: the alphabetical order of ``Question.match_choices``.
    """
    choices = q.match_choices()
    return [choices[i] for i in shuffled(learner, q.id, len(choices))]
