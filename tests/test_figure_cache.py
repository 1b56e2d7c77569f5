"""The figure cache: what a student's kernel shows from it is exactly what drawing gives, a stale or
damaged entry is never shown, and a lesson read from it runs without Matplotlib."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import nbformat
import pytest

from course.core.paths import NOTEBOOKS
from course.figures import cache, catalog
from course.figures.render import FigureView


def _figure_calls() -> list[tuple[str, str, dict]]:
    """Every ``lesson.figure("name", key=value)`` call in the committed notebooks."""
    calls = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "figure":
                    name = ast.literal_eval(node.args[0])
                    options = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
                    calls.append((path.name, name, options))
    return calls


def test_the_notebooks_show_figures_through_the_catalogue():
    assert len(_figure_calls()) >= 20  # the scan finds the calls, so the next test checks something


@pytest.mark.parametrize(("notebook", "name", "options"), _figure_calls())
def test_every_figure_a_notebook_shows_is_stored_and_current(notebook, name, options):
    stored = cache.load(name, options)
    assert stored is not None, (
        f"{notebook}: figure {name} {options} is not in assets/figure_cache or is out of date; "
        "run `python -m course execute` and commit assets/figure_cache"
    )


@pytest.mark.parametrize("meta", cache.entries(), ids=lambda m: m["stem"])
def test_a_stored_figure_is_what_drawing_it_now_gives(meta, monkeypatch):
    monkeypatch.setenv(cache.CACHE_VARIABLE, "off")
    assert meta["fingerprint"] == cache.fingerprint(), "stale entry: run `python -m course execute`"
    drawn = catalog.draw(meta["figure"], **meta["options"])
    monkeypatch.delenv(cache.CACHE_VARIABLE)
    stored = cache.load(meta["figure"], meta["options"])
    assert stored is not None
    assert (stored.png, stored.alt, stored.caption) == (drawn.png, drawn.alt, drawn.caption)
    assert stored.smallest_font_pt == drawn.smallest_font_pt


def _entry(tmp_path, monkeypatch, name="five_steps", options=None):
    """Draw one figure into a private cache folder, as ``course execute`` would."""
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)
    monkeypatch.setenv(cache.CACHE_VARIABLE, "write")
    view = catalog.draw(name, **(options or {}))
    monkeypatch.delenv(cache.CACHE_VARIABLE)
    return view


def test_only_course_execute_writes_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)
    monkeypatch.delenv(cache.CACHE_VARIABLE, raising=False)
    catalog.draw("five_steps")
    assert list(tmp_path.iterdir()) == []
    _entry(tmp_path, monkeypatch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["five_steps.json", "five_steps.png"]


def test_a_stored_figure_is_shown_as_drawn(tmp_path, monkeypatch):
    drawn = _entry(tmp_path, monkeypatch)
    shown = catalog.show("five_steps")
    assert shown._repr_mimebundle_() == drawn._repr_mimebundle_()


def test_a_stale_entry_is_never_shown(tmp_path, monkeypatch):
    _entry(tmp_path, monkeypatch)
    monkeypatch.setattr(cache, "fingerprint", lambda: "code changed since")
    assert cache.load("five_steps", {}) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / "five_steps.png").write_bytes(b"\x89PNG not the stored image"),
        lambda d: (d / "five_steps.json").write_text("{ not json", encoding="utf-8"),
        lambda d: (d / "five_steps.json").write_text("[]", encoding="utf-8"),
        lambda d: (d / "five_steps.png").unlink(),
    ],
    ids=["other-png", "corrupt-json", "wrong-shape", "png-missing"],
)
def test_a_damaged_entry_is_drawn_instead(tmp_path, monkeypatch, damage):
    drawn = _entry(tmp_path, monkeypatch)
    damage(tmp_path)
    assert cache.load("five_steps", {}) is None
    assert catalog.show("five_steps").png == drawn.png


def test_options_are_part_of_the_key(tmp_path, monkeypatch):
    _entry(tmp_path, monkeypatch, "l08_timeline", {"day": 3})
    assert cache.load("l08_timeline", {"day": 3}) is not None
    assert cache.load("l08_timeline", {"day": 4}) is None
    assert cache.entry_name("x", {"a": object()}) is None  # options that cannot be keyed are drawn
    assert cache.entry_name("x", {"p": ("a", "b")}) == cache.entry_name("x", {"p": ["a", "b"]})


def test_prune_keeps_what_the_run_used_and_removes_the_rest(tmp_path, monkeypatch):
    _entry(tmp_path, monkeypatch, "l08_timeline", {"day": 3})
    _entry(tmp_path, monkeypatch, "l08_timeline", {"day": 5})
    import os
    import time

    old = time.time() - 3600
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    started = time.time() - 1
    monkeypatch.setenv(cache.CACHE_VARIABLE, "write")
    assert cache.load("l08_timeline", {"day": 3}) is not None  # used by this run
    removed = cache.prune(started)
    assert removed == [cache.entry_name("l08_timeline", {"day": 5})]
    assert [m["options"] for m in cache.entries()] == [{"day": 3}]


def test_the_texts_of_a_stored_figure_are_kept_with_it(tmp_path, monkeypatch):
    drawn = _entry(tmp_path, monkeypatch)
    meta = json.loads((tmp_path / "five_steps.json").read_text(encoding="utf-8"))
    assert meta["alt"] == drawn.alt and meta["caption"] == drawn.caption
    again = FigureView.stored(drawn.png, drawn.alt, drawn.caption, drawn.smallest_font_pt)
    assert again.html() == drawn.html()


KERNEL_SCRIPT = """
import os, sys
sys.path[:0] = [os.path.abspath("..")]
import course
lesson = course.start_lesson("{lesson}")
lesson.figure("{figure}")
lesson.question(lesson.bank.questions[0].id)
print(sorted(m for m in ("matplotlib", "numpy") if m in sys.modules))
"""


@pytest.mark.parametrize(("lesson", "figure"), [("00_start_here", "five_steps"), ("05_cytokine_release_syndrome", "l05_mechanism")])
def test_a_lesson_whose_figures_are_stored_never_imports_matplotlib(lesson, figure, tmp_path):
    """The point of the cache: about 40 MB less per student kernel on a hub (see docs/hub.md)."""
    env = {**__import__("os").environ, "CART_COURSE_DATA_DIR": str(tmp_path)}
    env.pop(cache.CACHE_VARIABLE, None)
    out = subprocess.run(
        [sys.executable, "-c", KERNEL_SCRIPT.format(lesson=lesson, figure=figure)],
        cwd=NOTEBOOKS, env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"
