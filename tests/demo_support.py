"""What the demo tests share: a demo's controls found in its widget tree, the check that each is
labelled and styled."""

from __future__ import annotations

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


def static_view(demo) -> str:
    """What a reader without a kernel sees of ``demo``: the first output its display writes (the twin)."""
    from unittest import mock

    shown: list[dict] = []
    with mock.patch("IPython.display.display", lambda obj, raw=False: shown.append(obj)):
        demo._ipython_display_()
    twin, slot = shown
    assert "application/vnd.jupyter.widget-view+json" not in twin and "cart-live-slot" in slot["text/html"]
    return twin["text/html"]
