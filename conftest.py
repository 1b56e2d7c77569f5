"""Session set-up for the whole suite, notebooks included (nbval items live outside tests/)."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile

import pytest

from course.engine.progress import DIR_VARIABLE, LEARNER_VARIABLE

_PROGRESS_FOLDER = pytest.StashKey[str]()


def pytest_configure(config):
    """Kernels started by nbval inherit an empty, throw-away progress folder, as in `course execute`."""
    config.stash[_PROGRESS_FOLDER] = folder = tempfile.mkdtemp(prefix="cart-test-progress-")
    os.environ[DIR_VARIABLE] = folder
    os.environ[LEARNER_VARIABLE] = "nbval"
    os.environ["CART_COURSE_MODE"] = "practice"


def pytest_unconfigure(config):
    """The throw-away progress folder goes when the session ends (one per xdist worker and controller)."""
    folder = config.stash.get(_PROGRESS_FOLDER, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


# `python3 run.py test` runs tests/ in two pytest-xdist workers (-n 2 --dist loadfile), then nbval over
# notebooks/ on its own (run.py, test_runs, says why). The browser and hub tests spend most of their time
# waiting on Chromium, a Jupyter server or a hub, and must run one at a time (the hub tests share fixed
# student accounts); the other tests keep a core busy. So the files that hold browser or hub tests make
# one lane that one worker runs from the start, while the other worker takes the remaining files, each
# file whole (and a notebook's cells, should one be run this way, stay in one kernel and in order).
# xdist's own --dist loadgroup would need only a mark, but it stops grouping on pytest 9.2
# (pytest-dev/pytest-xdist#1386), so the lane is a list of files, checked below.
BROWSER_AND_HUB_FILES = frozenset({
    "tests/test_browser_lab.py",
    "tests/test_browser_static.py",
    "tests/test_handout.py",
    "tests/test_hub.py",
    "tests/test_report.py",
})


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _in_browser_and_hub_lane(nodeid: str) -> bool:
    return _file_of(nodeid) in BROWSER_AND_HUB_FILES


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, with every file of BROWSER_AND_HUB_FILES in one work unit, handed out first."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserAndHubLane(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser-and-hub" if _in_browser_and_hub_lane(nodeid) else super()._split_scope(nodeid)

    config.option.loadscopereorder = False  # hand out work in collection order, which puts the lane first
    return BrowserAndHubLane(config, log)


def pytest_collection_modifyitems(config, items):
    """Keep BROWSER_AND_HUB_FILES true; in an xdist worker, put that lane first."""
    strays = sorted({_file_of(item.nodeid) for item in items
                     if (item.get_closest_marker("browser") or item.get_closest_marker("hub"))
                     and not _in_browser_and_hub_lane(item.nodeid)})
    if strays:
        raise pytest.UsageError(f"browser or hub tests in {', '.join(strays)}: add the file to "
                                "BROWSER_AND_HUB_FILES in conftest.py, or two could run at once")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: not _in_browser_and_hub_lane(item.nodeid))  # stable: order within files kept


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
