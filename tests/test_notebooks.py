"""Notebook structure: the contract of DESIGN.md checked on every committed notebook."""

from __future__ import annotations

import json

import pytest

from course.cli.checks import check_notebook
from course.core.paths import NOTEBOOKS, lesson_ids

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
