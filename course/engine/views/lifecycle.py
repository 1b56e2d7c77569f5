"""One live widget per place on the page: a re-run cell closes the widgets it replaces.

ipywidgets keeps every widget (its model, and the Layout and Style models it owns) alive in the
kernel until ``close()`` is called, even after its output is cleared. Students press Run All again
and again, so without this every run of the final assessment left about a thousand models behind
in the kernel. Each live view is registered under a key that names its place ("11_final_assessment
question q10-record-order"); the next view registered under the same key closes the one before it.
A view stays live until something replaces it, so re-running only the setup cell breaks nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

_LIVE: dict[str, tuple[w.Widget, Callable[[], None] | None]] = {}


def replace_live(key: str, widget: w.Widget, on_replaced: Callable[[], None] | None = None) -> w.Widget:
    """Register ``widget`` as the one shown under ``key``; close the widget it replaces, with its parts.

    ``on_replaced`` runs once this widget is replaced in turn: a display object drops its closed widgets
    there, since IPython keeps every cell's result (``Out``) and would keep them with it.
    """
    old, forget = _LIVE.get(key, (None, None))
    if old is not None and old is not widget:
        close_tree(old)
        if forget is not None:
            forget()
    _LIVE[key] = (widget, on_replaced)
    return widget


def live_count() -> int:
    """How many widget models this kernel holds open (ipywidgets forgets a model when it is closed)."""
    return len(_open_widgets())


def close_tree(widget: w.Widget) -> None:
    """Close a widget, everything inside it and the Layout and Style models they own.

    A part that a widget outside the tree still uses stays open, with everything inside it: a lesson
    may share one Layout between its sliders (``WIDE`` in lesson 05) or one widget between views.
    """
    tree = _members(widget)
    inside = {id(member) for member in tree}
    shared: list[w.Widget] = []
    for other in _open_widgets():
        if id(other) not in inside:
            shared += [ref for ref in _references(other) if id(ref) in inside]
    keep = {id(member) for ref in shared for member in _members(ref)}
    for member in tree:
        if id(member) not in keep:
            member.close()
            if getattr(member, "children", ()):
                member.children = ()  # a cell's result kept in ``Out`` then keeps only an empty box


def _references(widget: w.Widget) -> list[w.Widget]:
    """The widgets this one shows or is styled by."""
    parts = [*getattr(widget, "children", ()), getattr(widget, "layout", None), getattr(widget, "style", None)]
    return [part for part in parts if isinstance(part, w.Widget)]


def _members(widget: w.Widget) -> list[w.Widget]:
    """The widget and everything it references, directly or through its children, each once."""
    seen: dict[int, w.Widget] = {}

    def visit(node: w.Widget) -> None:
        if id(node) in seen:
            return
        seen[id(node)] = node
        for ref in _references(node):
            visit(ref)

    visit(widget)
    return list(seen.values())


def _open_widgets() -> list[w.Widget]:
    from ipywidgets.widgets import widget as widget_module  # its registry of open models

    return list(widget_module._instances.values())
