"""The reference registry: every clinical fact in the course cites one of these keys."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from course.core.errors import CourseDataError
from course.core.paths import REFERENCES_FILE
from course.core.schema import Invalid, Note, Range, read_row, shared
from course.core.yamlio import load_yaml

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
CITATION_PATTERN = re.compile(r"\[@([a-z][a-z0-9-]*[a-z0-9])\]")


@dataclass(frozen=True)
class Reference:
    key: str
    authors: str
    title: str
    source: str
    year: int
    kind: str
    doi: str = ""
    pmid: str = ""
    url: str = ""
    note: str = ""

    def link(self) -> str:
        """The most durable address: DOI first, then PubMed, then the URL."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url

    def citation(self) -> str:
        """One line, plain text: authors. Title. Source. Year. Link."""
        parts = [f"{self.authors.rstrip('.')}. {self.title.rstrip('.')}. {self.source}; {self.year}."]
        if self.link():
            parts.append(self.link())
        return " ".join(parts)

    def citation_html(self) -> str:
        """The same line as HTML with the link clickable and every string escaped."""
        text = html.escape(f"{self.authors.rstrip('.')}. {self.title.rstrip('.')}. {self.source}; {self.year}.")
        link = self.link()
        if link:
            text += f' <a href="{html.escape(link)}">{html.escape(link)}</a>'  # underlined by the course stylesheet'
        return text


@dataclass(frozen=True)
class _Entry:
    """One entry of assets/references.yaml as written (its key is the mapping key above it)."""

    authors: str
    title: str
    source: str
    year: Annotated[int, Range(1950, 2100, whole=True, says="must be a year such as 2019")]
    kind: Literal["article", "guideline", "label", "regulatory"]
    doi: Note = ""
    pmid: Note = ""
    url: Note = ""
    note: Note = ""

    def check(self) -> None:
        if not (self.doi or self.pmid or self.url):
            raise Invalid("url", "needs one of 'doi', 'pmid' or 'url'")
        if self.doi and not self.doi.startswith("10."):
            raise Invalid("doi", "must start with '10.' (no https://doi.org/)")


def load_registry(path: Path = REFERENCES_FILE) -> dict[str, Reference]:
    """Read and validate the registry; a bad entry fails with the file, key and field named."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("references"), dict):
        raise CourseDataError(f"{path.name}: expected a mapping 'references: {{key: entry}}'")
    registry: dict[str, Reference] = {}
    for key, entry in raw["references"].items():
        where = f"{path.name}: reference '{key}'"
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise CourseDataError(f"{where}: key must be lower-case letters, digits and hyphens")
        registry[key] = Reference(key=key, **shared(_Entry, read_row(_Entry, entry, where, known=())))
    return registry


@lru_cache(maxsize=1)
def registry() -> dict[str, Reference]:
    """The course registry, read once per kernel."""
    return load_registry()


def cited_keys(text: str) -> list[str]:
    """Keys cited in Markdown, raw (``[@key]``) or rendered by ``python -m course cite``, in order."""
    return keys_in(text)


def resolve(keys: list[str] | tuple[str, ...], where: str) -> list[Reference]:
    """The references for ``keys``; an unknown key is an error that says where it was cited."""
    known = registry()
    missing = [k for k in keys if k not in known]
    if missing:
        raise CourseDataError(f"{where}: unknown reference key(s) {missing}")
    return [known[k] for k in keys]


# --- Citation rendering: one numbering per lesson, the same in prose, feedback, tables and list ---

CITE_GROUP = re.compile(r'<sup class="cart-cite">.*?</sup>', re.S)
CITE_ANCHOR = re.compile(r'href="#ref-([a-z][a-z0-9-]*[a-z0-9])"')
# A run of raw keys or already rendered groups, separated by spaces, commas or semicolons.
_ONE = r'(?:\[@[a-z][a-z0-9-]*[a-z0-9]\]|<sup class="cart-cite">.*?</sup>)'
CITE_RUN = re.compile(rf"{_ONE}(?:[ \t]*[,;]?[ \t]*{_ONE})*", re.S)
_numbering: dict[str, int] = {}


def keys_in(text: str) -> list[str]:
    """Keys cited in ``text``, raw (``[@key]``) or rendered, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in CITE_RUN.finditer(text):
        for key in _run_keys(match.group(0)):
            seen.setdefault(key, None)
    return list(seen)


def _run_keys(run: str) -> list[str]:
    keys: list[str] = []
    for part in re.finditer(_ONE, run, re.S):
        found = CITATION_PATTERN.findall(part.group(0)) or CITE_ANCHOR.findall(part.group(0))
        keys += [k for k in found if k not in keys]
    return keys


def set_numbering(keys: list[str]) -> None:
    """The lesson's citation order (its reference list): what ``cite_html`` numbers by."""
    _numbering.clear()
    _numbering.update({k: n for n, k in enumerate(keys, start=1)})


def author_year(ref: Reference) -> str:
    """'Lee 2019' or 'Lee et al. 2019' from the registry's author string."""
    authors = [a.strip() for a in re.split(r",|;| and ", ref.authors) if a.strip()]
    first = authors[0].split()[0] if authors else ref.source
    return f"{first}{' et al.' if len(authors) > 1 else ''} {ref.year}"


def cite_html(keys: list[str] | tuple[str, ...], numbering: dict[str, int] | None = None) -> str:
    """Citation marks as a reader expects: ``[1, 3]`` linked to the reference list.

    Keys outside the numbering (a view shown outside its lesson) fall back to author-year, so no
    raw key ever reaches a reader.
    """
    numbering = _numbering if numbering is None else numbering
    known = registry()
    marks = []
    for key in keys:
        if key in numbering:
            # no tooltip: a key there would reach the reader, and the link leads to the full reference
            marks.append(f'<a href="#ref-{key}">{numbering[key]}</a>')
        elif key in known:
            marks.append(f'<a href="#ref-{key}">{html.escape(author_year(known[key]))}</a>')
        else:
            raise CourseDataError(f"unknown reference key [@{key}]")
    return f'<sup class="cart-cite">[{", ".join(marks)}]</sup>' if marks else ""


def render_citations(text: str, numbering: dict[str, int]) -> str:
    """Every run of raw ``[@key]`` or rendered marks in ``text`` as one numbered mark (idempotent)."""
    return CITE_RUN.sub(lambda m: cite_html(_run_keys(m.group(0)), numbering), text)


BRACKET_KEY = re.compile(r"\[([a-z][a-z0-9-]*[a-z0-9])\]")


def render_bracket_keys(text_html: str) -> str:
    """``[key]`` written in question text (explanations, feedback) as the lesson's citation mark."""
    known = registry()
    return BRACKET_KEY.sub(lambda m: cite_html([m.group(1)]) if m.group(1) in known else m.group(0), text_html)
