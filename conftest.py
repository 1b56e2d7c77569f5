"""Session set-up for the whole suite, notebooks included (nbval items live outside tests/)."""

from __future__ import annotations

import gc
import os
import tempfile

import pytest

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


# Python's cyclic garbage collector walks every live object on each full collection, and the course
# calls gc.collect() after every figure it draws (course.figures.render.release_memory). In the test
# process the live objects are the whole suite: 2,000 collected items, every module imported so far,
# about a million objects by the end, so each collection took most of a second (measured: about 230 s
# of a 340 s non-browser run went to the collector). Objects that have survived until a test file is
# done (collected items, imported modules) are moved to the permanent generation, which collections
# skip. Garbage is collected first, and everything a test creates afterwards is still collected as
# before: the tests run the same code, only the collector stops re-walking the suite's own objects.


def _collect_and_freeze() -> None:
    gc.collect()
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    _collect_and_freeze()


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if nextitem is None or nextitem.parent is not item.parent:  # the last test of a file, class or notebook
        _collect_and_freeze()
