"""Where the course's files live, found from this package so a hub clone works uninstalled."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
ASSETS = ROOT / "assets"
QUESTION_BANKS = ASSETS / "questions"
REFERENCES_FILE = ASSETS / "references.yaml"
NOTEBOOKS = ROOT / "notebooks"

RENAMED: dict[str, str] = {"10_final_assessment": "11_final_assessment"}
"""Lesson ids that changed, old -> new.

A lesson id is the key of every attempt in a learner's progress file and the ``lesson`` of every
export (hand-in) file, and those files outlive a renumbering: the final assessment was lesson 10
(``10_final_assessment``) until a second patient case became lesson 10. The progress store reads an
old id as the new one, so answers given before the rename still count (the file is rewritten with
the new id at the next save), and the class report does the same with an export, so an old hand-in
is regraded against today's bank (``current_lesson_id``). Add a row whenever a lesson's notebook is
renamed; never remove one, and never give a new lesson an id listed here as old.
"""


def notebook_path(lesson_id: str) -> Path:
    """The committed notebook file of a lesson, e.g. ``00_start_here``."""
    return NOTEBOOKS / f"{lesson_id}.ipynb"


def current_lesson_id(lesson_id: str) -> str:
    """The lesson's id today: an id from before a rename (``RENAMED``) becomes the new one."""
    seen = {lesson_id}
    while lesson_id in RENAMED:  # a lesson renamed twice: follow the chain, never loop
        lesson_id = RENAMED[lesson_id]
        if lesson_id in seen:
            break
        seen.add(lesson_id)
    return lesson_id


def former_lesson_ids(lesson_id: str) -> list[str]:
    """Every older id that ``current_lesson_id`` turns into ``lesson_id`` (empty if never renamed)."""
    return sorted(old for old in RENAMED if old != lesson_id and current_lesson_id(old) == lesson_id)


def lesson_ids() -> list[str]:
    """Every lesson that has a notebook, in course order."""
    return sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
