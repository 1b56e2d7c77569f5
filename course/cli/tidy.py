"""``python -m course tidy``: the structural cells of every lesson, made by code so they stay true.

- every code cell's input hidden (cell metadata ``jupyter.source_hidden``): a student reads the
  output, not ``lesson.question(...)``; View ▸ Collapse/Expand still shows it to an author;
- the header's "Estimated time" set to the measured time (course.engine.timing), and the same
  number written to assets/course_outline.yaml, the README's lesson table and the instructor guide's;
- in a lesson split into parts (an author puts a "### Part N of M" heading where a part starts), each
  part's heading and stopping note rewritten with its measured minutes and sections, and the header
  listing the parts;
- a last cell linking to the next lesson (from the outline), with a stable cell id.
Idempotent: run it after any edit of a lesson, then re-execute the notebooks you changed.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from course.core.paths import ROOT
from course.engine.outline import load_outline
from course.engine.timing import PART_HEADING, STATED, measure, measure_parts, part_sections

NEXT_CELL_ID = "next-lesson-link"
OUTLINE = ROOT / "assets" / "course_outline.yaml"
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "instructor_guide.md"


def next_link_markdown(lesson_id: str) -> str:
    entries = load_outline()
    ids = [e.id for e in entries]
    here = ids.index(lesson_id)
    if here + 1 >= len(entries):
        return (
            "---\n\n**You have reached the end of the course.** Back to the start: "
            f"[Lesson 00 · {entries[0].title}]({entries[0].id}.ipynb)"
        )
    nxt = entries[here + 1]
    return f"---\n\n**Next:** [Lesson {nxt.id[:2]} · {nxt.title} →]({nxt.id}.ipynb) (about {nxt.minutes} minutes)"


def sections_phrase(sections: list[str]) -> str:
    if not sections:
        return "the last checks"
    if len(sections) == 1:
        return f"section {sections[0]}"
    if len(sections) == 2:
        return f"sections {sections[0]} and {sections[1]}"
    return f"sections {sections[0]} to {sections[-1]}"


def stated_time(minutes: int, parts: list[tuple[list[str], int]]) -> str:
    """The header's whole "Estimated time" line: a hand-written breakdown would go stale with the number."""
    line = f"**Estimated time:** {minutes} minutes"
    if len(parts) > 1:
        listed = ", ".join(f"{sections_phrase(s)} ({m} minutes)" for s, m in parts)
        line += f", in {len(parts)} parts with a good place to stop between them: {listed}"
    return line + " (measured: reading at 150 words a minute, plus time for each question, demo and figure)"


def part_markdown(number: int, total: int, sections: list[str], minutes: int) -> str:
    """The cell that starts part ``number``: where the learner is, and how to stop and come back."""
    return (
        f"---\n\n### Part {number} of {total} · {sections_phrase(sections)} · about {minutes} minutes\n\n"
        f"**End of part {number - 1}: a good place to stop.** Every answer you have checked is saved. To carry "
        "on later, open this notebook, choose **Run ▸ Run All Cells** (your answers come back), then scroll "
        "down to this heading."
    )


def tidy_notebook(path: Path, minutes: int) -> bool:
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    parts = list(zip(part_sections(path), [p.minutes for p in measure_parts(path)], strict=True))
    number = 1
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        elif STATED.search(cell.source):
            cell.source = re.sub(r"\*\*Estimated time:\*\*[^\n]*", stated_time(minutes, parts), cell.source, count=1)
        elif PART_HEADING.search(cell.source):
            number += 1
            cell.source = part_markdown(number, len(parts), *parts[number - 1])
    text = next_link_markdown(path.stem)
    last = [c for c in nb.cells if c.get("id") == NEXT_CELL_ID]
    if last:
        last[0].source = text
    else:
        cell = nbformat.v4.new_markdown_cell(text)
        cell.id = NEXT_CELL_ID
        nb.cells.append(cell)
    if nbformat.writes(nb) == before:
        return False
    nbformat.write(nb, path)
    return True


def write_minutes(minutes: dict[str, int]) -> None:
    """The measured minutes into the outline (one 'minutes:' line per lesson), the README and the guide."""
    lines, current = [], None
    for line in OUTLINE.read_text(encoding="utf-8").splitlines(keepends=True):
        match = re.match(r"\s*- id: (\S+)", line)
        if match:
            current = match.group(1)
        if current in minutes and re.match(r"\s+minutes: \d+", line):
            line = re.sub(r"\d+", str(minutes[current]), line, count=1)
        lines.append(line)
    OUTLINE.write_text("".join(lines), encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    for lesson, value in minutes.items():
        readme = re.sub(
            rf"(\| {lesson[:2]} \| \[[^]]+\]\(notebooks/{lesson}\.ipynb\) \| )\d+( min \|)",
            rf"\g<1>{value}\g<2>",
            readme,
        )
    README.write_text(readme, encoding="utf-8")
    guide = GUIDE.read_text(encoding="utf-8")
    for lesson, value in minutes.items():
        # the guide's "lessons at a glance" row: | 05 | questions | at application or above | 85 min |
        guide = re.sub(rf"(\| {lesson[:2]} \| \d+ \| \d+ \| )\d+( min \|)", rf"\g<1>{value}\g<2>", guide)
    GUIDE.write_text(guide, encoding="utf-8")


def tidy(paths: list[Path]) -> dict[str, int]:
    """Measure, then write: first the outline (the next-link cells quote the next lesson's time)."""
    minutes = {p.stem: measure(p).minutes for p in paths}
    write_minutes(minutes)
    for path in paths:
        tidy_notebook(path, minutes[path.stem])
    return minutes
