"""Session set-up for the whole suite, notebooks included (nbval items live outside tests/)."""

from __future__ import annotations

import os
import tempfile

from course.engine.progress import DIR_VARIABLE, LEARNER_VARIABLE


def pytest_configure(config):
    """Kernels started by nbval inherit an empty, throw-away progress folder, as in `course execute`."""
    os.environ[DIR_VARIABLE] = tempfile.mkdtemp(prefix="cart-test-progress-")
    os.environ[LEARNER_VARIABLE] = "nbval"
    os.environ["CART_COURSE_MODE"] = "practice"


def pytest_collectstart(collector):
    """nbval skips image/png by default, so a stale figure would pass; compare PNGs too.

    Course PNGs carry no 'Software' metadata and are drawn with pinned Matplotlib and fonts, so
    they are byte-identical run to run (tests/test_figures.py checks that).
    """
    skip = getattr(collector, "skip_compare", None)
    if skip is not None:
        collector.skip_compare = tuple(k for k in skip if k != "image/png")
