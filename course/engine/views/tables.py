"""The frame of a lesson's filterable HTML table, written once.

The product table (lesson 01) and the trial table (lesson 09) build rows whose cells need their own
markup (a row heading with a second line, a list, linked citations), so ``html.table`` does not fit
them; what they share is this frame: the class, the font size, the left-aligned caption and the
header row.
"""

from __future__ import annotations

from collections.abc import Iterable

from course.engine.views.html import CELL_PLAIN


def framed_table(css_class: str, font_size: str, caption: str, header: Iterable[str], rows: Iterable[str]) -> str:
    """A collapsed-border table around ``rows`` (each a ready ``<tr>``); ``caption`` and ``header`` are HTML.

    ``css_class`` carries the table's look too (``html.PADDED`` or ``html.ROOMY``)."""
    head = "".join(f'<th scope="col" style="{CELL_PLAIN}">{name}</th>' for name in header)
    return (
        f'<table class="{css_class}" style="font-size:{font_size};border-collapse:collapse">'
        f'<caption style="text-align:left">{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
