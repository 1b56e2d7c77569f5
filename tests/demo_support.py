"""What the demo tests share: a demo's controls found in its widget tree, the check that each is
labelled and styled, and the CPU time one change of a control takes to redraw."""

from __future__ import annotations

import time
from collections.abc import Callable

import ipywidgets as w

CONTROLS = (w.FloatSlider, w.IntSlider, w.Dropdown, w.Checkbox)


def controls(box: w.Box) -> list[w.Widget]:
    """Every control in ``box`` and the boxes inside it, in display order."""
    found: list[w.Widget] = []
    for child in box.children:
        if isinstance(child, w.Box):
            found += controls(child)
        elif isinstance(child, CONTROLS):
            found.append(child)
    return found


def assert_labelled(box: w.Box, count: int, css_prefix: str) -> None:
    """``count`` controls, each with a visible label and a CSS hook of its lesson."""
    found = controls(box)
    assert len(found) == count
    for control in found:
        assert control.description.strip()
        assert any(cls.startswith(css_prefix) for cls in control._dom_classes)


def redraw_cpu_seconds(change: Callable[[], None]) -> float:
    """CPU time, not wall time, of one change: the machine running the suite may be busy."""
    start = time.process_time()
    change()
    return time.process_time() - start
