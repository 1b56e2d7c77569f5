"""The course map: lessons, times and links, from ``assets/course_outline.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from course.core.errors import CourseDataError
from course.core.paths import ASSETS, notebook_path
from course.core.yamlio import load_yaml

OUTLINE_FILE = ASSETS / "course_outline.yaml"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    minutes: int
    summary: str

    @property
    def available(self) -> bool:
        return notebook_path(self.id).exists()


def load_outline() -> list[Entry]:
    raw = load_yaml(OUTLINE_FILE)
    entries = []
    for i, item in enumerate((raw or {}).get("lessons") or []):
        try:
            entries.append(Entry(str(item["id"]), str(item["title"]), int(item["minutes"]), str(item["summary"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise CourseDataError(f"{OUTLINE_FILE.name}: lesson #{i + 1}: needs id, title, minutes, summary") from exc
    if not entries:
        raise CourseDataError(f"{OUTLINE_FILE.name}: no lessons")
    return entries


class CourseMap:
    """The map as an HTML table (links only to lessons that exist) and as plain text."""

    def __init__(self) -> None:
        self.entries = load_outline()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        rows = []
        for e in self.entries:
            number = e.id[:2]
            title = escape(e.title)
            if e.available:
                title = f'<a href="{escape(e.id)}.ipynb" style="text-decoration:underline">{title}</a>'
            else:
                title += " <em>(in preparation)</em>"
            rows.append(
                f"<tr><td>{number}</td><td>{title}</td><td>{e.minutes} min</td><td>{escape(e.summary)}</td></tr>"
            )
        total = sum(e.minutes for e in self.entries)
        html = (
            '<table class="cart-course-map"><caption>The lessons of the course (about '
            f'{total / 60:.0f} hours in all)</caption><thead><tr><th scope="col">No.</th><th scope="col">Lesson</th>'
            '<th scope="col">Time</th><th scope="col">What it covers</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        text = "\n".join(
            f"{e.id[:2]}  {e.title} ({e.minutes} min){'' if e.available else ' [in preparation]'}: {e.summary}"
            for e in self.entries
        )
        return {"text/html": html, "text/plain": text}


def course_map() -> CourseMap:
    return CourseMap()
