"""Structure checks of the committed notebooks: the notebook contract, as readable findings.

Used by ``python -m course check`` and by the test suite, so both say the same thing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from course.core.references import CITATION_PATTERN, cited_keys, registry
from course.engine.lesson import DISCLAIMER
from course.engine.questions.model import bank_path, load_bank

SECTIONS = (
    ("audience", re.compile(r"^##\s+Who this is for", re.M)),
    ("learning objectives", re.compile(r"^##\s+Learning objectives", re.M)),
    ("a numbered section", re.compile(r"^##\s+1\.\s", re.M)),
    ("key points", re.compile(r"^##\s+Key points", re.M)),
    ("score summary", re.compile(r"^##\s+Your score", re.M)),
    ("references", re.compile(r"^##\s+References", re.M)),
)
QUESTION_CALL = re.compile(r"""\.question\(\s*["']([a-z0-9-]+)["']\s*\)""")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
ALT_ATTR = re.compile(r"""\balt\s*=\s*"([^"]*)\"""", re.I)
MAX_CODE_LINES = 3
VAGUE_VERBS = re.compile(r"\b(understand|know|appreciate|be aware)\b", re.I)


def _text(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def check_notebook(path: Path) -> list[str]:
    """Every way the notebook breaks the contract; an empty list means it passes."""
    problems: list[str] = []
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except (OSError, json.JSONDecodeError, nbformat.ValidationError) as exc:
        return [f"not a valid notebook ({exc})"]
    cells = nb.cells
    if not cells or cells[0].cell_type != "markdown" or not _text(cells[0]).startswith("# "):
        problems.append("the first cell must be a Markdown title starting with '# '")
    markdown = "\n\n".join(_text(c) for c in cells if c.cell_type == "markdown")
    positions = []
    for name, pattern in SECTIONS:
        match = pattern.search(markdown)
        if not match:
            problems.append(f"missing section: {name}")
        else:
            positions.append(match.start())
    if positions == sorted(positions) and len(positions) == len(SECTIONS):
        pass
    elif len(positions) == len(SECTIONS):
        problems.append("sections are out of the contract's order")
    if DISCLAIMER not in markdown:
        problems.append("the educational-use disclaimer is missing (course.DISCLAIMER, word for word)")
    for field in ("Estimated time", "Prerequisites"):
        if f"**{field}" not in markdown:
            problems.append(f"the audience section must state **{field}**")

    lesson_id = path.stem
    bank = None
    if bank_path(lesson_id).exists():
        bank = load_bank(bank_path(lesson_id))
        objectives_cell = next(
            (
                _text(c)
                for c in cells
                if c.cell_type == "markdown" and re.search(r"^##\s+Learning objectives", _text(c), re.M)
            ),
            "",
        )
        for oid, text in bank.objectives.items():
            if text not in objectives_cell:
                problems.append(f"objective {oid} of the bank is not listed word for word under Learning objectives")
        if VAGUE_VERBS.search(objectives_cell):
            problems.append("objectives use a vague verb (understand, know...): use measurable verbs")
    else:
        problems.append(f"no question bank assets/questions/{lesson_id}.yaml")

    code = [c for c in cells if c.cell_type == "code"]
    if not code or "setup" not in code[0].metadata.get("tags", []):
        problems.append("the first code cell must be the setup cell, tagged 'setup'")
    counts = [c.execution_count for c in code]
    if counts != list(range(1, len(code) + 1)):
        problems.append(f"execution counts are {counts}, not 1..{len(code)}: re-run with python -m course execute")
    if nb.metadata.get("widgets"):
        problems.append("widget state is stored in the metadata (blanks the nbviewer view)")
    shown: list[str] = []
    for n, cell in enumerate(code, start=1):
        source = _text(cell)
        lines = [line for line in source.splitlines() if line.strip()]
        if len(lines) > MAX_CODE_LINES:
            problems.append(f"code cell {n} has {len(lines)} lines; move the code into course/ (at most 3)")
        shown += QUESTION_CALL.findall(source)
        if ".assessment()" in source and bank is not None:
            shown += bank.ids()  # the whole bank as one assessment
        if not cell.outputs and "setup" not in cell.metadata.get("tags", []):
            problems.append(f"code cell {n} has no stored output")
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"code cell {n} stores an error: {out.get('ename')}: {out.get('evalue')}")
            if out.output_type == "stream" and out.name == "stderr":
                problems.append(f"code cell {n} stores stderr output (a warning?): {out.text[:80]!r}")
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                problems.append(f"code cell {n} stores a widget view (dead without a kernel): re-run course execute")
            html = data.get("text/html", "")
            html = html if isinstance(html, str) else "".join(html)
            if "image/png" in data and "<img" not in html:
                problems.append(f"code cell {n} shows a PNG without the accessible <figure> (use lesson.figure)")
            for tag in IMG_TAG.findall(html):
                alt = ALT_ATTR.search(tag)
                if not alt or not alt.group(1).strip():
                    problems.append(f"code cell {n} has an image without alt text")
    if bank is not None:
        for qid in sorted(set(shown) - set(bank.ids())):
            problems.append(f"question '{qid}' is shown but not in the bank")
        for qid in bank.ids():
            if shown.count(qid) != 1:
                problems.append(f"question '{qid}' of the bank is shown {shown.count(qid)} times (must be once)")
    known = registry()
    for key in cited_keys(markdown):
        if key not in known:
            problems.append(f"unknown reference key [@{key}] in the Markdown")
    raw = CITATION_PATTERN.findall(markdown)
    if raw:
        problems.append(f"{len(raw)} raw citation key(s) such as [@{raw[0]}] in the Markdown: run python -m course cite")
    problems += _seat_problems(path, cells)
    return problems


def _seat_problems(path: Path, cells: list) -> list[str]:
    """What a student sees: inputs hidden, a link to the next lesson, a stated time that was measured."""
    from course.cli.tidy import NEXT_CELL_ID
    from course.engine.timing import measure, stated_minutes

    problems = []
    shown = [n for n, c in enumerate((c for c in cells if c.cell_type == "code"), start=1)
             if not c.metadata.get("jupyter", {}).get("source_hidden")]
    if shown:
        problems.append(f"code cell(s) {shown} show their Python: hide inputs (python -m course tidy)")
    if not cells or cells[-1].get("id") != NEXT_CELL_ID or "](" not in _text(cells[-1]):
        problems.append("the last cell must link to the next lesson (python -m course tidy)")
    stated, measured = stated_minutes(path), measure(path).minutes
    if stated != measured:
        problems.append(f"the header states {stated} minutes but the lesson measures {measured} (python -m course tidy)")
    return problems + _part_problems(path, cells, measured)


def _part_problems(path: Path, cells: list, measured: int) -> list[str]:
    """A long lesson comes in parts of at most an hour, each saying how to stop and come back."""
    from course.cli.tidy import part_markdown, stated_time
    from course.engine.timing import PART_HEADING, PART_LIMIT, SPLIT_ABOVE, measure_parts, part_sections

    parts = [p.minutes for p in measure_parts(path)]
    final = any(".assessment()" in _text(c) for c in cells if c.cell_type == "code")
    problems = []
    if measured > SPLIT_ABOVE and len(parts) == 1 and not final:
        problems.append(
            f"the lesson measures {measured} minutes: split it into parts of at most {PART_LIMIT} "
            '(a Markdown cell "### Part 2 of 2" where part 2 starts, then python -m course tidy)'
        )
    if len(parts) > 1:
        problems += [f"part {n} measures {m} minutes, over {PART_LIMIT}" for n, m in enumerate(parts, 1) if m > PART_LIMIT]
    sections = part_sections(path)
    expected = [part_markdown(n, len(parts), sections[n - 1], parts[n - 1]) for n in range(2, len(parts) + 1)]
    found = [_text(c) for c in cells if c.cell_type == "markdown" and PART_HEADING.search(_text(c))]
    header = stated_time(measured, list(zip(sections, parts, strict=True)))
    if found != expected or not any(header in _text(c) for c in cells if c.cell_type == "markdown"):
        problems.append("the parts' headings or the header's list of parts are stale (python -m course tidy)")
    return problems


def check_all(paths: list[Path]) -> dict[Path, list[str]]:
    return {p: check_notebook(p) for p in paths}
