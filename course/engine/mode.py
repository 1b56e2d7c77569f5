"""Practice or exam mode, chosen by the instructor without editing any notebook.

Order of precedence: the ``CART_COURSE_MODE`` environment variable (``practice`` or ``exam``), then
a ``car-t-course.json`` file such as ``{"mode": "exam"}`` in any Jupyter config folder (for a hub:
``/etc/jupyter/car-t-course.json``, set for a session and removed after), else practice. The static
view nbviewer shows is the same in both modes.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

MODES = ("practice", "exam")
MODE_VARIABLE = "CART_COURSE_MODE"
CONFIG_NAME = "car-t-course.json"


def config_dirs() -> list[Path]:
    from jupyter_core.paths import jupyter_config_path

    return [Path(p) for p in jupyter_config_path()]


def course_mode() -> str:
    """``practice`` (feedback at once) or ``exam`` (feedback only after Submit)."""
    value = os.environ.get(MODE_VARIABLE, "").strip().lower()
    source = f"the {MODE_VARIABLE} variable"
    if not value:
        for folder in config_dirs():
            path = folder / CONFIG_NAME
            if path.is_file():
                source = str(path)
                try:
                    value = str(json.loads(path.read_text(encoding="utf-8")).get("mode", "")).strip().lower()
                except (OSError, ValueError, AttributeError):
                    warnings.warn(
                        f'{path} is not valid JSON like {{"mode": "exam"}}; using practice mode',
                        UserWarning,
                        stacklevel=2,
                    )
                    return "practice"
                break
    if not value:
        return "practice"
    if value not in MODES:
        warnings.warn(
            f"{source} says mode {value!r}; expected practice or exam. Using practice mode.", UserWarning, stacklevel=2
        )
        return "practice"
    return value
