"""Notebook structure: the contract of DESIGN.md checked on every committed notebook."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from PIL import Image

from course.cli.checks import check_notebook
from course.cli.notebooks import execute
from course.core.paths import NOTEBOOKS, ROOT, lesson_ids

NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert "00_start_here" in lesson_ids()


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_notebook_follows_the_contract(path):
    problems = check_notebook(path)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_every_code_cell_has_output_in_the_committed_file(path):
    """nbval passes a notebook committed without outputs; this closes that gap."""
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    without = [i for i, c in enumerate(code, 1) if not c["outputs"] and "setup" not in c["metadata"].get("tags", [])]
    assert without == []
    assert not nb["metadata"].get("widgets")


def _corrupt(tmp_path, name, mutate):
    nb = json.loads((NOTEBOOKS / "00_start_here.ipynb").read_text())
    mutate(nb)
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return check_notebook(path)


def test_check_catches_error_outputs_and_counts(tmp_path):
    def mutate(nb):
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        code[1]["outputs"] = [{"output_type": "error", "ename": "NameError", "evalue": "x", "traceback": []}]
        code[2]["execution_count"] = 7

    problems = _corrupt(tmp_path, "00_start_here.ipynb", mutate)
    assert any("stores an error" in p for p in problems)
    assert any("execution counts" in p for p in problems)


def test_check_catches_widget_state_missing_alt_and_sections(tmp_path):
    def mutate(nb):
        nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                html = out.get("data", {}).get("text/html")
                if html and "<img" in "".join(html):
                    out["data"]["text/html"] = "".join(html).replace(' alt="', ' data-x="')
        nb["cells"] = [c for c in nb["cells"] if "## Key points" not in "".join(c["source"])]

    problems = _corrupt(tmp_path, "00_start_here.ipynb", mutate)
    assert any("widget state" in p for p in problems)
    assert any("without alt text" in p for p in problems)
    assert any("key points" in p for p in problems)


def test_check_catches_long_code_cells_and_unknown_citations(tmp_path):
    def mutate(nb):
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        code[1]["source"] = "a = 1\nb = 2\nc = 3\nd = 4\n"
        nb["cells"][0]["source"] += " [@no-such-key]"

    problems = _corrupt(tmp_path, "00_start_here.ipynb", mutate)
    assert any("has 4 lines" in p for p in problems)
    assert any("no-such-key" in p for p in problems)
    assert any("q00-car-letters" in p and "0 times" in p for p in problems)


# --- Figures stored once, and what a reader without a kernel sees (course/figures/render.py) ---

# The budget, as course/cli/bench.py measures it: 250 KB a notebook, in decimal units as the issue
# states it (250,000 bytes; a hub serves a whole class). The largest lessons, 07 and 08, are at
# 240-242 KB: a lesson that outgrows it is split in parts or slimmed (see docs/architecture.md,
# "What a notebook file stores").
MAX_FILE_BYTES = 250_000
IMG_SRC = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"')


def _outputs(nb: dict):
    for index, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        for out in cell.get("outputs", []):
            yield index, out


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


class _FigureParser(HTMLParser):
    """Collects (PNG bytes, alt text, caption text) of every <figure class="cart-figure">, whatever
    the attribute order (nbconvert rewrites the tags)."""

    def __init__(self):
        super().__init__()
        self.found: list[list] = []
        self.depth = 0  # inside a course figure
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "cart-figure" in (attrs.get("class") or "").split():
            self.found.append([b"", "", ""])
            self.depth = 1
        elif self.depth:
            self.depth += tag == "figure"
            if tag == "img":
                src = attrs.get("src") or ""
                prefix = "data:image/png;base64,"
                self.found[-1][0] = base64.b64decode(src[len(prefix) :]) if src.startswith(prefix) else b""
                self.found[-1][1] = attrs.get("alt") or ""
            self.in_caption |= tag == "figcaption"

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= tag == "figure"
            self.in_caption &= tag != "figcaption"

    def handle_data(self, data):
        if self.depth and self.in_caption:
            self.found[-1][2] += data


def _figures(html: str) -> list[tuple[bytes, str, str]]:
    """(PNG bytes, alt text, caption text) of every course figure in an HTML text."""
    parser = _FigureParser()
    parser.feed(html)
    return [(png, alt, " ".join(caption.split())) for png, alt, caption in parser.found]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_every_figure_is_stored_once_and_the_file_stays_under_its_ceiling(path):
    nb = json.loads(path.read_text())
    assert [i for i, out in _outputs(nb) if "image/png" in out.get("data", {})] == []
    size = path.stat().st_size
    assert size <= MAX_FILE_BYTES, f"{path.name}: {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte (250 KB) budget"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_nbviewer_html_shows_every_figure_with_alt_text_and_caption(path):
    """nbviewer renders with nbconvert's lab template: each stored figure must come out as an image
    (a real PNG), with its alt text and its caption, and nothing may fall back to nbconvert's
    'No description' placeholder."""
    from nbconvert import HTMLExporter

    nb = json.loads(path.read_text())
    stored = [f for _, out in _outputs(nb) for f in _figures(_text(out.get("data", {}).get("text/html", "")))]
    assert stored, f"{path.name} has figures"
    body, _ = HTMLExporter(template_name="lab").from_filename(str(path))
    shown = _figures(body)
    assert shown == stored
    assert "No description has been provided" not in body
    for png, alt, caption in shown:
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
        assert len(alt.split()) >= 15 and len(caption.split()) >= 6


def test_the_figure_check_can_fail():
    """The helpers above find a figure without alt text or caption, and a PNG stored twice."""
    html = '<figure class="cart-figure"><img src="data:image/png;base64,iVBORw0KGgo=" alt=""></figure>'
    assert _figures(html) == [(base64.b64decode("iVBORw0KGgo="), "", "")]
    assert _figures(
        '<figure class="cart-figure"><img alt="x" src="a.png"><figcaption>A <b>b</b></figcaption></figure>'
    ) == [(b"", "x", "A b")]
    assert _figures("<p>no figure</p>") == []
    nb = {"cells": [{"cell_type": "code", "outputs": [{"data": {"image/png": "x", "text/html": html}}]}]}
    assert [i for i, out in _outputs(nb) if "image/png" in out["data"]] == [0]


# --- nbval: fast sanitizing that never touches image data, and comparisons that still fail ---

SANITIZE = ROOT / "tests" / "sanitize.cfg"


def _sanitize(text: str) -> str:
    from nbval.plugin import get_sanitize_patterns

    for regex, replace in get_sanitize_patterns(SANITIZE.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_sanitize_still_hides_addresses_and_kernel_temp_paths():
    assert _sanitize("<Foo object at 0x7f3a2b1c>") == "<Foo object at 0xADDRESS>"
    assert _sanitize("(id=0xdeadBEEF)") == "(id=0xADDRESS)"
    warning = "/tmp/ipykernel_8146/4084079029.py:1: UserWarning: careful"
    assert _sanitize(warning) == "IPYKERNEL_CELL:1: UserWarning: careful"
    assert _sanitize('File "C:\\Temp\\ipykernel_12\\345.py", line 2') == 'File IPYKERNEL_CELL", line 2'


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_sanitize_never_changes_a_byte_of_image_data(path):
    """PNG bytes are compared exactly: no pattern may rewrite base64 (a '0x' occurs in it by chance)."""
    images = [
        m
        for _, out in _outputs(json.loads(path.read_text()))
        for m in IMG_SRC.findall(_text(out.get("data", {}).get("text/html", "")))
    ]
    assert images
    for data, _alt in images:
        assert _sanitize(data) == data
        assert _sanitize(f"data:image/png;base64,{data}") == f"data:image/png;base64,{data}"
    assert _sanitize("AAAA0x7fAAAA") == "AAAA0x7fAAAA" and _sanitize("AA/0x7f") == "AA/0x7f"


def test_no_sanitize_pattern_starts_with_an_unbounded_run():
    """A pattern that starts with ``\\S*`` or ``.*`` is retried at every position of a long base64
    image (the old one took 13 of lesson 05's 16 s). Each must start at something fixed instead;
    checked on the patterns themselves, not by timing a run on a shared machine."""
    patterns = [
        line.split(":", 1)[1].strip()
        for line in (ROOT / "tests" / "sanitize.cfg").read_text().splitlines()
        if line.startswith("regex:")
    ]
    assert patterns
    for pattern in patterns:
        assert not re.match(r"^(\\S|\.|\[[^\]]*\])[*+]", pattern), pattern


def _changed_png(png: bytes) -> bytes:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.putpixel((5, 5), (1, 2, 3))
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return buffer.getvalue()


def test_nbval_fails_on_a_changed_png_and_on_changed_html(tmp_path):
    """Strict nbval with tests/sanitize.cfg: one changed pixel of a stored figure fails its cell, and
    one changed word of a stored HTML output fails its cell. The copy is executed first, so the only
    stale outputs are the two this test changes."""
    fresh = NOTEBOOKS / "_tmp_fresh_copy.ipynb"
    shutil.copy(NOTEBOOKS / "00_start_here.ipynb", fresh)
    try:
        execute(fresh)
        nb = json.loads(fresh.read_text())
    finally:
        fresh.unlink(missing_ok=True)
    figure_cell = html_cell = None
    for index, out in _outputs(nb):
        html = _text(out.get("data", {}).get("text/html", ""))
        images = IMG_SRC.findall(html)
        if images and figure_cell is None:
            old = images[0][0]
            new = base64.b64encode(_changed_png(base64.b64decode(old))).decode()
            out["data"]["text/html"] = html.replace(old, new)
            figure_cell = index
        elif not images and "</" in html and html_cell is None and index != figure_cell:
            out["data"]["text/html"] = html.replace("</", " changed</", 1)
            html_cell = index
    assert figure_cell is not None and html_cell is not None, "notebook 00 has a figure and an HTML output"
    target = NOTEBOOKS / "_tmp_stale_outputs.ipynb"
    target.write_text(json.dumps(nb))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-cov", str(target)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        target.unlink(missing_ok=True)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "2 failed" in result.stdout, result.stdout[-2000:]
    for cell in (figure_cell, html_cell):
        assert f"_tmp_stale_outputs.ipynb::Cell {cell}" in result.stdout, result.stdout[-2000:]


# --- Executing the whole course: notebooks side by side, outputs as committed ---


def test_execute_all_side_by_side_reproduces_the_committed_notebooks():
    """Two kernels at once (``course execute`` runs one a core) give the committed outputs, in order."""
    from course.cli.notebooks import execute_all

    start = NOTEBOOKS / "00_start_here.ipynb"
    copies = [NOTEBOOKS / f"_tmp_parallel_{i}.ipynb" for i in (1, 2)]
    try:
        for copy in copies:
            nb = json.loads(start.read_text())
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            copy.write_text(json.dumps(nb))
        results = list(execute_all(copies, jobs=2))
        assert [r.path for r in results] == copies and all(r.changed for r in results)
        assert all(copy.read_text() == start.read_text() for copy in copies)
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)


def test_bench_table_sums_the_whole_course_and_flags_the_new_budgets():
    from course.cli.bench import Row, table

    text = table([Row("a", 2.0, 111.0, 100.0, 1.0, 1.0), Row("b", 1.5, 100.0, 251.0, 1.0, 0.5)])
    assert "Whole course, one notebook after the other: 5.0 s including kernel starts (1.5 s of them" in text
    assert "| a (RSS over budget) |" in text and "| b (file over budget) |" in text
