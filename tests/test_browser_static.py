"""The read-only view (what nbviewer and GitHub show): nbconvert HTML opened in headless Chromium.

No kernel: every question must show its options and a working "Show answer", every figure its alt
text, and nothing may be blank or say "Error displaying widget". An axe-core scan checks the
course's own content for serious or critical accessibility violations.
"""

from __future__ import annotations

import pytest
from nbconvert import HTMLExporter

from course.core.paths import NOTEBOOKS
from course.engine.questions.model import bank_path, load_bank
from tests.browser_support import screenshot_path
from tests.harness.browser import PANEL, open_notebook, run_all
from tests.harness.serve import lab_server

pytestmark = pytest.mark.browser
NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SERIOUS = ("serious", "critical")
OUR_CONTENT = {"include": [[".jp-OutputArea-output"], [".jp-RenderedMarkdown"]]}


@pytest.fixture(scope="module")
def html_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("nbviewer")
    exporter = HTMLExporter(template_name="lab")
    for path in NOTEBOOK_PATHS:
        body, _ = exporter.from_filename(str(path))
        (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
    return out


def _serious(results) -> list[str]:
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [str(node["target"]) for node in violation["nodes"]][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_static_view_shows_everything_without_a_kernel(browser, html_dir, path):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto((html_dir / f"{path.stem}.html").as_uri())
    text = page.inner_text("body")
    for bad in ("Error displaying widget", "model not found", "No description has been provided", "Traceback"):
        assert bad not in text, f"'{bad}' appears in the static view"
    empty = page.evaluate(
        """() => [...document.querySelectorAll('.jp-OutputArea-output')]
             .filter(o => o.getClientRects().length && !o.innerText.trim() && !o.querySelector('img')).length"""
    )
    assert empty == 0, f"{empty} empty output areas"
    bank = load_bank(bank_path(path.stem))
    statics = page.locator(".cart-static")
    assert statics.count() == len(bank.questions)
    for index, q in enumerate(bank.questions):
        box = page.locator(f".cart-static[data-question-id='{q.id}']")
        assert box.count() == 1
        if q.type in ("single", "multiple"):
            assert "A. " in box.inner_text() and "B. " in box.inner_text()
        answer = box.locator("details.cart-answer")
        assert not answer.evaluate("(d) => d.open")
        answer.locator("summary").click()
        assert answer.evaluate("(d) => d.open")
        assert "Answer" in answer.inner_text() and "Why:" in answer.inner_text()
        if index == 0:
            box.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot_path(f"{path.stem}-nbviewer-question")))
    images = page.locator("img").all()
    assert images, "every lesson has figures"
    for image in images:
        alt = image.get_attribute("alt") or ""
        assert len(alt.split()) >= 5, f"image without a real description: {alt!r}"
        assert image.evaluate("(i) => i.complete && i.naturalWidth > 0"), "image did not load"
    page.screenshot(path=str(screenshot_path(f"{path.stem}-nbviewer")), full_page=True)
    problems = _serious(Axe().run(page, context=OUR_CONTENT))
    assert problems == [], "\n".join(problems)
    page.close()


def test_accessibility_of_a_live_notebook_in_jupyterlab(browser):
    """The same scan on the live widgets of notebook 00 in JupyterLab."""
    from axe_playwright_python.sync_playwright import Axe

    with lab_server() as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_notebook(page, server.page_url("/lab/tree/notebooks/00_start_here.ipynb"), "00_start_here.ipynb")
        run_all(page)
        page.locator(f"{PANEL} .cart-question.cart-live").first.scroll_into_view_if_needed()
        context = {"include": [[f"{PANEL} .jp-OutputArea-output"]]}
        problems = _serious(Axe().run(page, context=context))
        assert problems == [], "\n".join(problems)
        page.close()
