"""Practice or exam mode for the course notebooks, chosen by the instructor without editing any notebook.

Both modes are formative (practice): the answer key is in the course's own files, so a graded
exam uses the instructor's summative pack instead (``course.engine.exam``, ``docs/exams.md``).
Exam mode only holds the feedback back until Submit.

Who decides, strongest first:

1. The instructor's system-wide file ``car-t-course.json`` (``{"mode": "exam"}``) in a system
   Jupyter config folder (``/etc/jupyter``, ``/usr/local/etc/jupyter`` or ``<sys.prefix>/etc/jupyter``).
   Nothing in a student's home or environment overrides it (E10). A system file that cannot be
   read, or says something other than practice or exam, fails closed: exam mode, with a warning (E11).
2. Otherwise the ``CART_COURSE_MODE`` variable, then a ``car-t-course.json`` in the user's own
   Jupyter config folders (a laptop, where the learner is their own instructor).
3. Otherwise practice.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

MODES = ("practice", "exam")
MODE_VARIABLE = "CART_COURSE_MODE"
CONFIG_NAME = "car-t-course.json"
MAX_CONFIG_BYTES = 10_000


def system_config_dirs() -> list[Path]:
    """Config folders only an administrator can write: never taken from the environment."""
    from jupyter_core.paths import SYSTEM_CONFIG_PATH

    folders = [Path(p) for p in SYSTEM_CONFIG_PATH] + [Path(sys.prefix) / "etc" / "jupyter"]
    return list(dict.fromkeys(folders))


def user_config_dirs() -> list[Path]:
    """Every other Jupyter config folder (the user's own, ``JUPYTER_CONFIG_DIR``, ``JUPYTER_CONFIG_PATH``)."""
    from jupyter_core.paths import jupyter_config_path

    system = set(system_config_dirs())
    return [Path(p) for p in jupyter_config_path() if Path(p) not in system]


def _read_mode(path: Path) -> str | None:
    """The mode a config file sets; None when it is not a usable ``{"mode": "practice"|"exam"}``."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_CONFIG_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or set(data) != {"mode"} or not isinstance(data["mode"], str):
        return None
    value = data["mode"].strip().lower()
    return value if value in MODES else None


def _warn(text: str) -> None:
    warnings.warn(text, UserWarning, stacklevel=3)


def course_mode() -> str:
    """``practice`` (feedback at once) or ``exam`` (feedback only after Submit)."""
    for folder in system_config_dirs():
        path = folder / CONFIG_NAME
        if not (path.exists() or path.is_symlink()):
            continue
        value = _read_mode(path)
        if value is None:
            _warn(f'{path} is not a file like {{"mode": "exam"}} or {{"mode": "practice"}}; using exam mode '
                  "until the instructor fixes it")
            return "exam"
        student = os.environ.get(MODE_VARIABLE, "").strip().lower()
        if student and student != value:
            _warn(f"{MODE_VARIABLE}={student!r} is ignored: the instructor's {path} sets {value} mode")
        return value
    value = os.environ.get(MODE_VARIABLE, "").strip().lower()
    source = f"the {MODE_VARIABLE} variable"
    if not value:
        for folder in user_config_dirs():
            path = folder / CONFIG_NAME
            if path.exists():
                value = _read_mode(path) or ""
                if not value:
                    _warn(f'{path} is not valid JSON like {{"mode": "exam"}}; using practice mode')
                    return "practice"
                source = str(path)
                break
    if not value:
        return "practice"
    if value not in MODES:
        _warn(f"{source} says mode {value!r}; expected practice or exam. Using practice mode.")
        return "practice"
    return value
