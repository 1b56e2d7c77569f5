"""A lesson's stated time, measured: words to read at a student's pace plus time for each interaction.

Pace: 150 words a minute. Adults read non-fiction silently at about 238 words a minute on average
(Brysbaert M. How many words do we read per minute? A review and meta-analysis of reading rate.
J Mem Lang 2019;109:104047, doi:10.1016/j.jml.2019.104047), and slower for dense, unfamiliar text;
the student trial of this course (a second-year nursing student) read the clinical text at about
150. Interactions: a question takes a minute to think, answer and retry beyond reading its words,
an interactive demo three minutes, a figure half a minute to study.

What is counted: the Markdown prose (citation marks, HTML and Markdown syntax removed); for every
question shown, its stem, options or items, explanation and the feedback of one wrong and one right
choice (what a learner who errs once reads); for tables and demos, the words of their stored
static view; for figures, the caption.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import nbformat

from course.engine.questions.model import Question, bank_path, load_bank

WORDS_PER_MINUTE = 150
QUESTION_MINUTES = 1.0
DEMO_MINUTES = 3.0
FIGURE_MINUTES = 0.5
ROUND_TO = 5
QUESTION_CALL = re.compile(r"""\.question\(\s*["']([a-z0-9-]+)["']""")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,:%/-]*")
TAG = re.compile(r"<style.*?</style>|<script.*?</script>|<[^>]+>", re.S | re.I)
CITE = re.compile(r'<sup class="cart-cite">.*?</sup>|\[@[a-z0-9-]+\]', re.S)
MD_LINK = re.compile(r"\]\([^)]*\)")
STATED_LINE = re.compile(r"\*\*Estimated time:\*\*[^\n]*")
PART_HEADING = re.compile(r"^### Part (\d+) of (\d+)", re.M)
# A lesson longer than this is split into parts, none longer than PART_LIMIT (a class session is 50 to
# 90 minutes and a student working alone stops after about an hour: the student trial left lesson 05,
# 75 to 90 minutes, half done). The final assessment is taken in one sitting and is not split.
SPLIT_ABOVE = 70
PART_LIMIT = 60


def count_words(text: str) -> int:
    """Words a reader reads: markup, citation marks and link targets are not words."""
    text = CITE.sub(" ", text)
    text = MD_LINK.sub("]", text)
    text = unescape(TAG.sub(" ", text))
    return len(WORD.findall(text))


def question_words(q: Question) -> int:
    parts = [q.stem, q.explanation]
    if q.type in ("single", "multiple"):
        parts += [o.text for o in q.options]
        wrong = [o.feedback for o in q.options if not o.correct][:1]
        right = [o.feedback for o in q.options if o.correct][:1]
        parts += wrong + right
    elif q.type == "truefalse":
        parts += [q.feedback_true, q.feedback_false]
    elif q.type == "numeric":
        parts += [e.feedback for e in q.common_errors][:1]
    elif q.type == "ordering":
        parts += list(q.items) + list(q.item_feedback)
    else:
        parts += [p.left for p in q.pairs] + [p.right for p in q.pairs] + [p.feedback for p in q.pairs]
    return sum(count_words(p or "") for p in parts)


@dataclass(frozen=True)
class LessonTime:
    lesson: str
    prose_words: int
    question_words: int
    other_words: int
    questions: int
    demos: int
    figures: int

    @property
    def words(self) -> int:
        return self.prose_words + self.question_words + self.other_words

    @property
    def exact_minutes(self) -> float:
        return (
            self.words / WORDS_PER_MINUTE
            + self.questions * QUESTION_MINUTES
            + self.demos * DEMO_MINUTES
            + self.figures * FIGURE_MINUTES
        )

    @property
    def minutes(self) -> int:
        """Rounded up to the next 5 minutes: a stated time should not promise less than it takes."""
        return int(math.ceil(self.exact_minutes / ROUND_TO) * ROUND_TO)


def _html_of(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        html = o.get("data", {}).get("text/html", "")
        out.append(html if isinstance(html, str) else "".join(html))
    return "".join(out)


def measure(path: Path) -> LessonTime:
    """Count a committed lesson notebook (with its outputs) and its question bank."""
    nb = nbformat.read(path, as_version=4)
    return _count(path.stem, nb.cells, load_bank(bank_path(path.stem)))


def measure_parts(path: Path) -> list[LessonTime]:
    """The lesson counted part by part: a part starts at a "### Part N of M" heading (part 1 is everything
    before the first one). A lesson without part headings is one part."""
    nb = nbformat.read(path, as_version=4)
    bank = load_bank(bank_path(path.stem))
    parts: list[list] = [[]]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and PART_HEADING.search(cell.source):
            parts.append([])
        parts[-1].append(cell)
    return [_count(f"{path.stem} part {n}", cells, bank) for n, cells in enumerate(parts, start=1)]


def _count(name: str, cells: list, bank) -> LessonTime:
    prose = qwords = other = questions = demos = figures = 0
    for cell in cells:
        if cell.cell_type == "markdown":
            # the stated time itself is not counted: its wording grows with the parts it lists
            prose += count_words(STATED_LINE.sub(" ", cell.source))
            continue
        source = cell.source
        ids = QUESTION_CALL.findall(source)
        if ".assessment()" in source:
            ids = bank.ids()
        for qid in ids:
            qwords += question_words(bank.get(qid))
            questions += 1
        if ".figure(" in source:
            figures += 1
            other += count_words(re.sub(r"<img[^>]*>", " ", _html_of(cell)))
        elif ".show(" in source:
            html = _html_of(cell)
            other += count_words(html)
            demos += 1 if "cart-demo-static" in html else 0
    return LessonTime(name, prose, qwords, other, questions, demos, figures)


STATED = re.compile(r"\*\*Estimated time:\*\*\s*(\d+)\s*minutes")


def stated_minutes(path: Path) -> int | None:
    """The time the notebook's header states."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = STATED.search(cell.source)
            if match:
                return int(match.group(1))
    return None


SECTION = re.compile(r"^## (\d+[a-z]?)\.", re.M)


def part_sections(path: Path) -> list[list[str]]:
    """The numbered sections ("1", "5b", ...) that start in each part, in order."""
    nb = nbformat.read(path, as_version=4)
    parts: list[list[str]] = [[]]
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        if PART_HEADING.search(cell.source):
            parts.append([])
        parts[-1] += SECTION.findall(cell.source)
    return parts
