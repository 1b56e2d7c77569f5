"""The reference registry: every clinical fact in the course cites one of these keys."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from course.core.errors import CourseDataError
from course.core.paths import REFERENCES_FILE
from course.core.yamlio import load_yaml

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
CITATION_PATTERN = re.compile(r"\[@([a-z][a-z0-9-]*[a-z0-9])\]")
KINDS = ("article", "guideline", "label", "regulatory")
REQUIRED = ("authors", "title", "source", "year", "kind")


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
            text += f' <a href="{html.escape(link)}" style="text-decoration:underline">{html.escape(link)}</a>'
        return text


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
        if not isinstance(entry, dict):
            raise CourseDataError(f"{where}: entry must be a mapping")
        for field in REQUIRED:
            if field not in entry or entry[field] in ("", None):
                raise CourseDataError(f"{where}: field '{field}' is missing")
        unknown = set(entry) - set(Reference.__dataclass_fields__)
        if unknown:
            raise CourseDataError(f"{where}: unknown field(s) {sorted(unknown)}")
        if entry["kind"] not in KINDS:
            raise CourseDataError(f"{where}: field 'kind' must be one of {KINDS}")
        if not isinstance(entry["year"], int) or not 1950 <= entry["year"] <= 2100:
            raise CourseDataError(f"{where}: field 'year' must be a year such as 2019")
        if not (entry.get("doi") or entry.get("pmid") or entry.get("url")):
            raise CourseDataError(f"{where}: needs one of 'doi', 'pmid' or 'url'")
        doi = str(entry.get("doi", ""))
        if doi and not doi.startswith("10."):
            raise CourseDataError(f"{where}: field 'doi' must start with '10.' (no https://doi.org/)")
        registry[key] = Reference(key=key, **{k: (str(v) if k != "year" else v) for k, v in entry.items()})
    return registry


@lru_cache(maxsize=1)
def registry() -> dict[str, Reference]:
    """The course registry, read once per kernel."""
    return load_registry()


def cited_keys(text: str) -> list[str]:
    """Keys cited as ``[@key]`` in Markdown, in order of first appearance."""
    seen: dict[str, None] = {}
    for key in CITATION_PATTERN.findall(text):
        seen.setdefault(key, None)
    return list(seen)


def resolve(keys: list[str] | tuple[str, ...], where: str) -> list[Reference]:
    """The references for ``keys``; an unknown key is an error that says where it was cited."""
    known = registry()
    missing = [k for k in keys if k not in known]
    if missing:
        raise CourseDataError(f"{where}: unknown reference key(s) {missing}")
    return [known[k] for k in keys]
