"""What the data-file tests share: a table written to a temporary folder, the check that a
corrupted copy of a shipped table is refused with the file (and the place) named, and the check
that broken YAML text is refused."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from course.core.errors import CourseDataError


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(tmp_path: Path, name: str, data: Any) -> Path:
    """``data`` written as ``tmp_path/name``, in the order given, for a loader to read."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def assert_refused(
    load: Callable[[Path], Any], raw: Any, mutate: Callable[[Any], Any], words: str, tmp_path: Path, name: str
) -> CourseDataError:
    """A copy of ``raw`` changed by ``mutate`` makes ``load`` fail with ``words`` and the file's name."""
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(CourseDataError, match=words) as info:
        load(write_yaml(tmp_path, name, data))
    assert name in str(info.value)
    return info.value


def assert_text_refused(load: Callable[[Path], Any], path: Path, text: str, words: str) -> None:
    """``text`` written as is to ``path`` makes ``load`` fail with ``words``: for files that are not even
    good YAML (a duplicate key, a bracket left open) and so cannot be built from data."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CourseDataError, match=words):
        load(path)
