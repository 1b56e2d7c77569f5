"""The course map: lessons, times and links, from ``assets/course_outline.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Annotated

from course.core import schema
from course.core.paths import ASSETS, notebook_path
from course.core.schema import Range
from course.engine.views.html import Static

OUTLINE_FILE = ASSETS / "course_outline.yaml"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    minutes: Annotated[int, Range(1, 600)]
    summary: str

    @property
    def available(self) -> bool:
        return notebook_path(self.id).exists()


def load_outline() -> list[Entry]:
    return list(schema.load_rows(OUTLINE_FILE, "lessons", Entry, what="lesson"))


def course_map() -> Static:
    """The map as an HTML table (links only to lessons that exist) and as plain text."""
    entries = load_outline()
    rows = []
    for e in entries:
        number = e.id[:2]
        title = escape(e.title)
        if e.available:
            title = f'<a href="{escape(e.id)}.ipynb" style="text-decoration:underline">{title}</a>'
        else:
            title += " <em>(in preparation)</em>"
        rows.append(f"<tr><td>{number}</td><td>{title}</td><td>{e.minutes} min</td><td>{escape(e.summary)}</td></tr>")
    total = sum(e.minutes for e in entries)
    html = (
        '<table class="cart-course-map"><caption>The lessons of the course (about '
        f'{total / 60:.0f} hours in all)</caption><thead><tr><th scope="col">No.</th><th scope="col">Lesson</th>'
        '<th scope="col">Time</th><th scope="col">What it covers</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    text = "\n".join(
        f"{e.id[:2]}  {e.title} ({e.minutes} min){'' if e.available else ' [in preparation]'}: {e.summary}"
        for e in entries
    )
    return Static(html, text)
