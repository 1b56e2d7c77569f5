"""Figures drawn once, by ``course execute``, and read back by every student's kernel.

Every static figure of a lesson is the same for every student, yet drawing it means importing
Matplotlib and NumPy (about 40 MB of each kernel on a hub) and a second of CPU. ``course execute``
therefore stores each figure it draws here (PNG, alt text, caption), and a kernel that finds a
stored figure shows it without importing Matplotlib at all. A demo's first view is stored the same
way; moving its controls draws live.

A stored figure is used only while it is provably current: its ``fingerprint`` is a hash of
everything a drawing can depend on (the figure, clinical, core and lesson code, the data files and
the drawing libraries' versions). Any change to those makes every entry stale, and a stale entry is
never shown: the figure is drawn live instead. ``tests/test_figure_cache.py`` checks that every
entry is current and that drawing it afresh gives the same bytes; run ``python -m course execute``
to refresh them. An unreadable or damaged entry is ignored in the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from course.core.files import write_atomically
from course.core.paths import ASSETS, PACKAGE_DIR

CACHE_DIR = ASSETS / "figure_cache"
CACHE_VARIABLE = "CART_COURSE_FIGURE_CACHE"
"""``write``: store what is drawn (``course execute`` sets it); ``off``: never read; unset: read only."""

# What a drawing can depend on. Engine code (questions, progress, views) is left out on purpose:
# it never changes a figure's pixels, alt text or caption text.
CODE_FOLDERS = ("figures", "clinical", "core", "lessons")
LIBRARIES = ("matplotlib", "numpy", "pillow")


@dataclass(frozen=True)
class Stored:
    """A figure as stored: the PNG and the texts that go with it."""

    png: bytes
    alt: str
    caption: str
    smallest_font_pt: float


def _files() -> list[Path]:
    code = [p for folder in CODE_FOLDERS for p in (PACKAGE_DIR / folder).rglob("*.py")]
    data = list(ASSETS.glob("*.yaml"))
    return sorted(code + data)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """One hash of the code, data and library versions behind every figure (read once per kernel)."""
    digest = hashlib.sha256()
    for path in _files():
        digest.update(path.relative_to(PACKAGE_DIR.parent).as_posix().encode())
        digest.update(b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def entry_name(name: str, options: dict[str, Any]) -> str | None:
    """The file stem for a figure and its options, or None when the options cannot be keyed."""
    try:
        spelled = json.dumps(options, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None
    if not options:
        return name
    return f"{name}-{hashlib.sha256(spelled.encode()).hexdigest()[:10]}"


def _mode() -> str:
    return os.environ.get(CACHE_VARIABLE, "").strip().lower()


def load(name: str, options: dict[str, Any], folder: Path | None = None) -> Stored | None:
    """The stored figure if it is current and intact; None means: draw it."""
    stem = entry_name(name, options)
    if stem is None or _mode() == "off":
        return None
    folder = folder or CACHE_DIR
    try:
        meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fingerprint() or meta.get("options") != json.loads(json.dumps(options)):
            return None
        png = (folder / f"{stem}.png").read_bytes()
        if hashlib.sha256(png).hexdigest() != meta.get("png_sha256"):
            return None
        if _mode() == "write":
            os.utime(folder / f"{stem}.json")  # used by this run: ``prune`` keeps it
        return Stored(png, str(meta["alt"]), str(meta["caption"]), float(meta["smallest_font_pt"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing, unreadable or damaged: draw it instead


def store(name: str, options: dict[str, Any], figure: Stored, folder: Path | None = None) -> bool:
    """Keep a drawn figure, only when ``course execute`` asks for it (``CART_COURSE_FIGURE_CACHE=write``)."""
    stem = entry_name(name, options)
    if stem is None or _mode() != "write":
        return False
    folder = folder or CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "figure": name,
        "options": options,
        "fingerprint": fingerprint(),
        "png_sha256": hashlib.sha256(figure.png).hexdigest(),
        "alt": figure.alt,
        "caption": figure.caption,
        "smallest_font_pt": figure.smallest_font_pt,
    }
    write_atomically(folder / f"{stem}.png", figure.png)  # the PNG first: a half-written pair never matches
    write_atomically(folder / f"{stem}.json", (json.dumps(meta, indent=1, ensure_ascii=False) + "\n").encode())
    return True


def entries(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every stored figure's description (for tests and for pruning)."""
    out = []
    for path in sorted((folder or CACHE_DIR).glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["stem"] = path.stem
        out.append(meta)
    return out


def prune(since: float, folder: Path | None = None) -> list[str]:
    """After a full ``course execute``: remove entries that run neither used nor wrote (their JSON is
    older than ``since``), and any that are no longer current. Returns the stems removed."""
    folder = folder or CACHE_DIR
    removed = []
    for meta in entries(folder):
        stem = meta["stem"]
        if (folder / f"{stem}.json").stat().st_mtime < since or meta.get("fingerprint") != fingerprint():
            for suffix in (".json", ".png"):
                with contextlib.suppress(FileNotFoundError):
                    (folder / f"{stem}{suffix}").unlink()
            removed.append(stem)
    return removed
