"""Static outputs written once: a display object, a captioned table, and citations.

Every table a lesson shows is read-only HTML for JupyterLab and nbviewer plus a plain-text twin;
``Static`` is that pair, ``table`` builds the common captioned table, and ``cite`` writes
reference keys one way for the whole course (its options keep each lesson's current look).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape

from course.core.references import render_bracket_keys
from course.core.text import inline_html, plain, stored_label

# The one style written on every table cell: JupyterLab and nbconvert right-align cells, and an
# untrusted notebook (just cloned, not yet run) drops the course stylesheet, so alignment stays inline.
# Cells sit at the top of their row by the stylesheet (``live.COURSE_CSS``).
CELL_PLAIN = "text-align:left"
# A table's look (padding, borders) is one class on its <table>, drawn by the course stylesheet
# (``live.COURSE_CSS``): the same inline style on every cell cost up to 25 KB a notebook.
PADDED = "cart-cells-padded"
ROOMY = "cart-cells-roomy"
BORDERED = "cart-cells-bordered"


class Static:
    """A read-only output: HTML for Jupyter and nbviewer, and the same content as plain text (``text``;
    the notebook stores only its first line, see ``course.core.text.stored_label``)."""

    def __init__(self, html: str, text: str, rows: Sequence[Sequence[str]] = ()):
        self.html, self.text = html, text
        self.rows = rows  # a table's cells as given, for tests and demos that read them

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/html": self.html, "text/plain": stored_label(self.text)}


def cite(keys: Iterable[str], *, link: bool = False, underline: bool = False) -> str:
    """Reference keys as ``[key]``, space-separated; ``link`` points each at the lesson's list."""
    if not link:
        return " ".join(f"[{escape(k)}]" for k in keys)
    style = ' style="text-decoration:underline"' if underline else ""
    return " ".join(f'<a href="#ref-{escape(k)}"{style}>[{escape(k)}]</a>' for k in keys)


def table(
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    css_class: str = "cart-table",
    look: str = "",
    caption_style: str = "",
    notes: Sequence[str] = (),
    after: str = "",
    text: Callable[[str, Sequence[str], Sequence[Sequence[str]]], list[str]] | None = None,
) -> Static:
    """A captioned table; caption, cells and notes may use **bold**, *italic* and `code`.

    ``notes`` go in a table footer, ``after`` in a small paragraph below the table; ``look`` is one
    of PADDED, ROOMY or BORDERED (plain cells without). The text twin is the caption, the header and
    one line per row, unless ``text`` builds its own lines.
    """
    head = "".join(f'<th scope="col" style="{CELL_PLAIN}">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td style="{CELL_PLAIN}">{inline_html(c)}</td>' for c in row) + "</tr>" for row in rows)
    foot = ""
    if notes:
        foot = (
            f'<tfoot><tr><td colspan="{len(header)}" style="{CELL_PLAIN}">'
            + "<br>".join(inline_html(n) for n in notes)
            + "</td></tr></tfoot>"
        )
    style = f' style="{caption_style}"' if caption_style else ""
    below = f'<p style="font-size:0.9em">{inline_html(after)}</p>' if after else ""
    html = render_bracket_keys(  # ``[key]`` in a cell or note: the lesson's numbered citation, never a raw key
        f'<table class="{escape(" ".join(filter(None, (css_class, look))))}"><caption{style}>{inline_html(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>{below}"
    )
    if text is None:
        lines = [plain(caption), " | ".join(header), *(" | ".join(plain(c) for c in r) for r in rows)]
    else:
        lines = text(caption, header, rows)
    lines += [plain(n) for n in notes] + ([plain(after)] if after else [])
    return Static(html, "\n".join(lines), rows)


def labelled_lines(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Text twin with each cell named by its column: ``Rule: ... | Sources: ...``."""
    return [plain(caption), *(" | ".join(f"{h}: {plain(c)}" for h, c in zip(header, r, strict=True)) for r in rows)]
