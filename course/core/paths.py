"""Where the course's files live, found from this package so a hub clone works uninstalled."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
ASSETS = ROOT / "assets"
QUESTION_BANKS = ASSETS / "questions"
REFERENCES_FILE = ASSETS / "references.yaml"
NOTEBOOKS = ROOT / "notebooks"


def notebook_path(lesson_id: str) -> Path:
    """The committed notebook file of a lesson, e.g. ``00_start_here``."""
    return NOTEBOOKS / f"{lesson_id}.ipynb"


def lesson_ids() -> list[str]:
    """Every lesson that has a notebook, in course order."""
    return sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
