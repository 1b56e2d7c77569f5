"""Tiny, safe inline formatting shared by every view: escape first, then a few marks."""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")


_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_RULE = re.compile(r"^\|[\s:|-]+\|$")


def _marks(out: str) -> str:
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def _table(rows: list[str]) -> str:
    """Pipe-table lines (header, rule, body) as an HTML table with column headers."""
    cells = [[c.strip() for c in r.strip("|").split("|")] for r in rows if not _TABLE_RULE.match(r)]
    # Alignment inline (an untrusted notebook drops the stylesheet); padding and rule from the
    # course stylesheet's .cart-q-table rules.
    left = 'style="text-align:left"'
    head = "".join(f'<th scope="col" {left}>{_marks(c)}</th>' for c in cells[0])
    body = "".join("<tr>" + "".join(f"<td {left}>{_marks(c)}</td>" for c in row) + "</tr>" for row in cells[1:])
    return (
        '<table class="cart-q-table" style="border-collapse:collapse;margin:0.3em 0">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def inline_html(text: str) -> str:
    """Escape ``text`` and turn **bold**, *italic*, `code` and pipe tables (a chart in a stem) into HTML."""
    lines = html.escape(text.strip(), quote=True).split("\n")
    parts: list[str] = []
    table: list[str] = []
    for line in [*lines, ""]:
        if _TABLE_ROW.match(line.strip()):
            table.append(line.strip())
            continue
        if table:
            parts.append(_table(table) if len(table) > 1 else _marks(table[0]))
            table = []
        parts.append(_marks(line))
    return "<br>".join(parts[:-1]).replace("</table><br>", "</table>")


def plain(text: str) -> str:
    """The same text with the marks removed, for ``text/plain`` views."""
    out = _CODE.sub(r"\1", text.strip())
    out = _BOLD.sub(r"\1", out)
    return _ITALIC.sub(r"\1", out)


def stored_label(text: str) -> str:
    """What a notebook file stores as the ``text/plain`` of a table or demo: its first line (the caption).

    JupyterLab, nbviewer, GitHub and VS Code all show the ``text/html`` view; a full plain-text copy
    of every table and demo cost 5 to 20 KB per notebook file, read by none of them. The full text
    stays on the object (``.text``) for a console or a script. Questions keep their whole text.
    """
    return text.strip().split("\n", 1)[0]


def letter(index: int) -> str:
    """Option letter for a zero-based index: A, B, ... Z."""
    if not 0 <= index < 26:
        raise ValueError(f"option index {index} is out of range 0-25")
    return chr(ord("A") + index)
