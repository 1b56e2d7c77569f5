"""The reference registry: valid entries, primary-source kinds, every key cited somewhere, none unknown."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from course.core.errors import CourseDataError
from course.core.paths import ASSETS, NOTEBOOKS, ROOT
from course.core.references import cited_keys, load_registry, registry, resolve
from course.engine.questions.model import all_banks
from tests.data_support import assert_text_refused

SECONDARY_HOSTS = (
    "drugs.com",
    "droracle",
    "wikipedia",
    "medtourcn",
    "clinicaladvisor",
    "120ty.net",
    "studylib",
    "pipeline-evidence",
    "winenfood",
    "visualfoodie",
)


def _reference_keys_in(data) -> set[str]:
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "references" and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
            else:
                found |= _reference_keys_in(value)
    elif isinstance(data, list):
        for item in data:
            found |= _reference_keys_in(item)
    return found


def test_registry_loads_and_every_entry_links_somewhere():
    refs = registry()
    assert len(refs) >= 5
    for ref in refs.values():
        assert ref.link().startswith("https://"), ref.key


def test_no_secondary_web_pages_are_cited():
    for ref in registry().values():
        assert not any(host in ref.link() for host in SECONDARY_HOSTS), f"{ref.key} cites a secondary page"


def _cited() -> set[str]:
    """Keys cited by banks, notebook Markdown and the data tables in assets/."""
    keys: set[str] = set()
    for bank in all_banks():
        for q in bank.questions:
            keys.update(q.references)
    for nb_path in NOTEBOOKS.glob("*.ipynb"):
        for cell in json.loads(nb_path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                keys.update(cited_keys("".join(cell["source"])))
    for data_file in ASSETS.glob("*.yaml"):
        if data_file.name not in ("references.yaml", "course_outline.yaml"):
            keys |= _reference_keys_in(yaml.safe_load(data_file.read_text()))
    return keys


def _used() -> set[str]:
    """Cited keys plus those named as ``key`` in code docstrings (the clinical rules cite their sources)."""
    keys = _cited()
    for source in (ROOT / "course").rglob("*.py"):
        keys.update(re.findall(r"``([a-z][a-z0-9]*(?:-[a-z0-9]+)+)``", source.read_text()))
    return keys


def test_every_cited_key_resolves():
    unknown = sorted(k for k in _cited() if k not in registry())
    assert unknown == [], f"unknown reference keys: {unknown}"


def test_every_registry_key_is_used():
    unused = sorted(set(registry()) - _used())
    assert unused == [], f"references never cited: {unused}"


def test_resolve_names_where_an_unknown_key_was_cited():
    with pytest.raises(CourseDataError, match="lesson 42: unknown reference key"):
        resolve(["nope-key"], "lesson 42")


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"authors": "A", "title": "T", "source": "S", "year": 2020, "kind": "blog", "url": "https://x"}, "'kind'"),
        ({"authors": "A", "title": "T", "source": "S", "year": 20, "kind": "article", "url": "https://x"}, "'year'"),
        ({"authors": "A", "title": "T", "source": "S", "year": 2020, "kind": "article"}, "one of 'doi'"),
        (
            {
                "authors": "A",
                "title": "T",
                "source": "S",
                "year": 2020,
                "kind": "article",
                "doi": "https://doi.org/10.1/x",
            },
            "'doi'",
        ),
        ({"title": "T", "source": "S", "year": 2020, "kind": "article", "url": "https://x"}, "'authors'"),
        (
            {
                "authors": "A",
                "title": "T",
                "source": "S",
                "year": 2020,
                "kind": "article",
                "url": "https://x",
                "extra": 1,
            },
            "is not a field of this table",
        ),
    ],
)
def test_bad_entries_are_refused_with_the_field_named(tmp_path, entry, words):
    path = tmp_path / "references.yaml"
    path.write_text(yaml.safe_dump({"references": {"good-key": entry}}))
    with pytest.raises(CourseDataError, match=words):
        load_registry(path)


def test_bad_keys_and_duplicates_are_refused(tmp_path):
    path = tmp_path / "references.yaml"
    assert_text_refused(load_registry, path, yaml.safe_dump({"references": {"Bad Key": {}}}), "lower-case")
    assert_text_refused(
        load_registry, path, "references:\n  a-b:\n    year: 1\n  a-b:\n    year: 2\n", "duplicate key 'a-b'"
    )
    assert_text_refused(load_registry, path, "[]", "mapping")
