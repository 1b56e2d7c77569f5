"""Interactive demos: a live widget for Jupyter and a static fallback for nbviewer, in one object.

Every demo in the course is shown through ``Demo`` so that a reader without a kernel never sees a
blank output or "widget not found": the static view is usually the figure at its default settings
plus a sentence on what the controls would do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w

from course.core.text import stored_label
from course.engine.views.live import DEMO_LINE, SplitDisplay
from course.figures.render import FigureView


class Demo(SplitDisplay):
    """Bundle a live widget with static ``text/html`` and ``text/plain`` views."""

    resume_line = DEMO_LINE

    def __init__(self, widget: w.Widget, static_html: str, text: str, css_class: str = "cart-demo"):
        self.widget = widget
        self.widget.add_class("cart-demo")
        self.widget.add_class("cart-live")
        if css_class != "cart-demo":
            self.widget.add_class(css_class)
        self.static_html = static_html
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/html"] = f'<div class="cart-demo-static">{self.static_html}</div>'
        bundle["text/plain"] = stored_label(self.text)  # the full text stays on .text
        return bundle


def label_controls(
    owner: Any, lesson: str, names: Iterable[str], on_change: Callable[[Any], None] | None = None
) -> None:
    """Give each named control of ``owner`` the CSS class ``cart-{lesson}-{name}`` (``_`` written ``-``) that
    the browser tests and the course CSS find it by; with ``on_change``, also watch its value."""
    for name in names:
        control = getattr(owner, name)
        control.add_class(f"cart-{lesson}-{name.replace('_', '-')}")
        if on_change is not None:
            control.observe(on_change, names="value")


def figure_widget(view: FigureView) -> w.HTML:
    """A redrawable figure for demos: an HTML widget holding the accessible <figure> (alt text kept)."""
    html = w.HTML(value=view.html())
    html.add_class("cart-demo-figure")
    return html
