"""One folder a lesson: its data model, figures and demos together (``lNN_name/{model,figures,demos}.py``).

A lesson's notebook reaches its tables and demos by name through ``lesson.show("name")``: each
``demos.py`` lists them in a ``SHOWS`` dict, as each ``figures.py`` lists its figures in ``FIGURES``.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def folders() -> dict[str, str]:
    """Each lesson's two-digit number and its folder's name, e.g. ``{"05": "l05_cytokine_release_syndrome"}``."""
    return {
        info.name[1:3]: info.name
        for info in pkgutil.iter_modules(__path__)
        if info.ispkg and info.name[:1] == "l" and info.name[1:3].isdigit()
    }


def module(number: str, part: str) -> ModuleType | None:
    """A lesson's own module (``part`` is figures, demos or model) by its number; None when it has none."""
    folder = folders().get(number)
    if folder is None:
        return None
    name = f"{__name__}.{folder}.{part}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None
