"""Benchmarks in a real browser: time to the first live question, and Check click-to-feedback latency.

Printed figures, not timed tests: targets are feedback within 150 ms at the 95th percentile.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass

from tests.harness.browser import PANEL, chromium, open_notebook, run_all
from tests.harness.serve import lab_server

TARGET_P95_MS = 150.0


@dataclass(frozen=True)
class LabTimings:
    notebook: str
    open_to_first_question_s: float
    click_median_ms: float
    click_p95_ms: float
    clicks: int


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def lab_timings(
    notebook: str = "00_start_here", question_id: str = "q00-car-letters", clicks: int = 20, browser=None
) -> LabTimings:
    """Open the notebook in a fresh JupyterLab, run it, then time ``clicks`` Check presses.

    ``browser`` reuses a running Chromium (Playwright's sync API allows one per thread).
    """
    with lab_server() as server, contextlib.nullcontext(browser) if browser else chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        start = time.perf_counter()
        open_notebook(page, server.page_url(f"/lab/tree/notebooks/{notebook}.ipynb"), f"{notebook}.ipynb")
        run_all(page)
        page.wait_for_selector(f"{PANEL} .cart-question.cart-live", state="visible")
        first = time.perf_counter() - start
        box = page.locator(f"{PANEL} .cart-q-{question_id}")
        box.scroll_into_view_if_needed()
        radios = box.locator(".cart-input input[type=radio]").all()
        # Time inside the page: from the click event to the feedback's DOM change.
        page.evaluate(
            """(sel) => {
                const box = document.querySelector(sel);
                const feedback = box.querySelector('.cart-feedback');
                window.__cartTimes = [];
                box.querySelector('button.cart-check').addEventListener('click', () => {
                    const t0 = performance.now();
                    const obs = new MutationObserver(() => { window.__cartTimes.push(performance.now() - t0); obs.disconnect(); });
                    obs.observe(feedback, {subtree: true, childList: true, characterData: true});
                }, true);
            }""",
            f"{PANEL} .cart-q-{question_id}",
        )
        for n in range(clicks):
            radios[n % len(radios)].check()
            box.locator("button.cart-check").click()
            page.wait_for_function("(n) => window.__cartTimes.length >= n", arg=n + 1, timeout=10_000)
        times = page.evaluate("() => window.__cartTimes")
    return LabTimings(notebook, first, statistics.median(times), _percentile(times, 0.95), len(times))


def lab_table(rows: list[LabTimings]) -> str:
    lines = [
        "| notebook | open to first live question (s) | Check to feedback, median (ms) | 95th percentile (ms) | clicks |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        flag = " (over target)" if r.click_p95_ms > TARGET_P95_MS else ""
        lines.append(
            f"| {r.notebook} | {r.open_to_first_question_s:.1f} | {r.click_median_ms:.0f} | "
            f"{r.click_p95_ms:.0f}{flag} | {r.clicks} |"
        )
    lines += ["", f"Target: feedback within {TARGET_P95_MS:g} ms at the 95th percentile."]
    return "\n".join(lines)
