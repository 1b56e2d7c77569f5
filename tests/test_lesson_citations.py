"""Lesson tables and demos cite by number: a reader never sees a raw reference key.

Keys such as ``yescarta-label`` are for authors. A reader sees the lesson's numbered citation
(``[3]``, linked to the lesson's reference list); a key may only sit inside a tag, as in
``href="#ref-yescarta-label"`` (a link carries no tooltip). Checked for every lesson in two places:
the HTML each ``lesson.show(...)`` entry builds (tables and demos, from the lesson's code), and the
outputs committed in the notebook (what nbviewer and GitHub show). Every citation link must also point
at an entry of the lesson's own reference list, or the number would lead nowhere.
"""

from __future__ import annotations

import inspect
import json
import re
from html.parser import HTMLParser

import pytest

from course import lessons
from course.core.paths import NOTEBOOKS
from course.core.references import CITE_ANCHOR, registry


class _VisibleText(HTMLParser):
    """The text a reader sees: character data outside tags, attributes left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style") and self._hidden > 0

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def raw_keys(html: str) -> list[str]:
    """Registry keys that appear in the visible text of ``html``."""
    text = visible_text(html)
    return sorted(k for k in registry() if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text))


def _lessons() -> list[tuple[str, str]]:
    """(number, notebook name) of every lesson notebook, with or without a code folder of its own."""
    return [(path.stem[:2], path.stem) for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]


def _params() -> list:
    return [pytest.param(number, name, id=name) for number, name in _lessons()]


def _shows(number: str) -> dict:
    module = lessons.module(number, "demos")
    return getattr(module, "SHOWS", {}) if module else {}


def _needs_arguments(show) -> bool:
    return any(
        p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        for p in inspect.signature(show).parameters.values()
    )


def test_the_check_sees_text_not_tags():
    html = (
        '<td><sup class="cart-cite">[<a href="#ref-yescarta-label" >3</a>]</sup></td>'
        "<td>Sources: [lee2019-astct] tocilizumab</td>"
    )
    assert raw_keys(html) == ["lee2019-astct"]
    assert raw_keys('<td><a href="#ref-kymriah-label">2</a></td>') == []
    assert raw_keys("<p>kymriah-label-2031</p>") == []  # only a whole key counts


@pytest.mark.parametrize(("number", "name"), _params())
def test_lesson_tables_and_demos_show_numbered_citations_not_keys(number, name):
    import course

    lesson = course.start_lesson(name)
    listed = set(lesson.cited_keys())
    problems = []
    for show_name, show in _shows(number).items():
        if _needs_arguments(show):  # shown with the notebook's own arguments: covered by the notebook test
            continue
        html = show()._repr_mimebundle_()["text/html"]
        if found := raw_keys(html):
            problems.append(f"{show_name}: raw keys {found}")
        if unlisted := sorted(set(CITE_ANCHOR.findall(html)) - listed):
            problems.append(f"{show_name}: cites {unlisted}, which are not in the lesson's reference list")
    assert problems == []


@pytest.mark.parametrize(("number", "name"), _params())
def test_committed_notebook_outputs_show_no_raw_keys(number, name):
    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    problems = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html and (found := raw_keys("".join(html))):
                problems.append(f"cell {index} ({''.join(cell['source']).strip()[:50]}): {found}")
    assert problems == []


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_no_citation_is_left_unrendered_in_the_text(path):
    """``[@key]`` is turned into a numbered link by ``course cite``; anything like ``[@a; @b]`` it cannot read."""

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    left = [m for c in cells if c["cell_type"] == "markdown" for m in re.findall(r"\[@[^\]]*\]", "".join(c["source"]))]
    assert left == [], f"run python -m course cite; write several keys as [@a] [@b]: {left}"


def test_citation_links_carry_no_key_in_a_tooltip():
    """A reader who hovers over [3] sees no raw key: in every committed notebook, no link to the
    reference list carries a title (the link itself leads to the full reference)."""
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert re.search(r'<a href=\\"#ref-[a-z0-9-]+\\">', text), path.name
        assert not re.search(r'<a href=\\"#ref-[a-z0-9-]+\\" title=', text), path.name
