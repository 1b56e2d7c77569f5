"""Tiny, safe inline formatting shared by every view: escape first, then a few marks."""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")


def inline_html(text: str) -> str:
    """Escape ``text`` and turn **bold**, *italic* and `code` into HTML; nothing else passes."""
    out = html.escape(text.strip(), quote=True)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    return out.replace("\n", "<br>")


def plain(text: str) -> str:
    """The same text with the marks removed, for ``text/plain`` views."""
    out = _CODE.sub(r"\1", text.strip())
    out = _BOLD.sub(r"\1", out)
    return _ITALIC.sub(r"\1", out)


def letter(index: int) -> str:
    """Option letter for a zero-based index: A, B, ... Z."""
    if not 0 <= index < 26:
        raise ValueError(f"option index {index} is out of range 0-25")
    return chr(ord("A") + index)
