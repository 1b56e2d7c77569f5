"""Test set-up: every test runs with its own empty progress folder; browser tests share one Chromium fixture."""

from __future__ import annotations

import pytest

from course.engine.progress import DIR_VARIABLE, LEARNER_VARIABLE
from tests.browser_support import require_chromium
from tests.harness.browser import chromium


@pytest.fixture(autouse=True)
def isolated_progress(tmp_path, monkeypatch):
    """No test reads or writes a real learner's progress."""
    monkeypatch.setenv(DIR_VARIABLE, str(tmp_path / "progress"))
    monkeypatch.setenv(LEARNER_VARIABLE, "tester")
    monkeypatch.setenv("CART_COURSE_EXPORT_DIR", str(tmp_path / "exports"))
    return tmp_path / "progress"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per browser-test module (skipped, or failed in CI, when Chromium is missing)."""
    require_chromium()
    with chromium() as instance:
        yield instance
