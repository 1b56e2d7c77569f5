"""The progress store against hostile files: every cause from the reliability attack review.

Each test names the attack rows it covers (P3 ... P44 in the review). The rule throughout: an
unusable file is set aside (kept) with one warning, the lesson keeps working, no call raises,
nothing hangs, and no symlink is followed out of the data folder.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import threading
import warnings
from pathlib import Path

import pytest

from course.engine import progress
from course.engine.progress import ProgressStore, ProgressWarning, legacy_safe_name, safe_name

FILES = Path(__file__).parent / "files"
GOOD = [{"lesson": "00", "question": f"q{i}", "response": i, "correct": True, "time": "t"} for i in range(5)]


def _good_file(tmp_path: Path, learner: str = "ana") -> ProgressStore:
    store = ProgressStore(tmp_path, learner)
    store.path.write_text(json.dumps({"schema": 1, "learner": learner, "attempts": GOOD, "events": []}))
    return store


def _exercise(store: ProgressStore) -> list[str]:
    """Every public call a lesson makes; returns the ProgressWarnings raised on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.attempts()
        store.attempts("00", "q1", round=0)
        store.events("00")
        store.latest("00", "q1")
        store.summary("00", ["q1", "new"])
        store.data()
        store.record("00", "new", 1, True)
        store.record_event("00", "retake", 1)
        store.summary("00", ["q1", "new"], round=1)
    return [str(w.message) for w in caught if issubclass(w.category, ProgressWarning)]


def _aside(tmp_path: Path, learner: str = "ana") -> list[Path]:
    return sorted(tmp_path.glob(f"progress-{safe_name(learner)}.corrupt-*.json"))


# -- P3, P5, P15, P17: the whole file cannot be decoded ------------------------------------------
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(bytes(range(256)) * 16, id="binary-not-utf8"),
        pytest.param((FILES / "progress-latin1.json").read_bytes(), id="latin1"),
        pytest.param(b'{"schema": 1, "attempts": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", id="deep-nesting"),
        pytest.param(b'{"schema": ' + b"9" * 5000 + b', "attempts": []}', id="bigint-schema"),
        pytest.param(b'{"schema": NaN, "attempts": []}', id="nan-schema"),
    ],
)
def test_undecodable_file_is_set_aside_once_and_the_lesson_works(tmp_path, payload):
    store = ProgressStore(tmp_path, "ana")
    store.path.write_bytes(payload)
    messages = _exercise(store)
    assert len(messages) == 1 and "damaged" in messages[0]
    aside = _aside(tmp_path)
    assert len(aside) == 1 and aside[0].read_bytes() == payload  # kept byte for byte
    again = ProgressStore(tmp_path, "ana")
    assert [a.question for a in again.attempts()] == ["new"] and not again.in_memory


# -- P11-P14, P44, P18, P20: one bad row costs that row only -----------------------------------------
def test_bad_rows_cost_only_themselves_and_the_original_is_kept(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    original = (FILES / "progress-bad-rows.json").read_bytes()
    store.path.write_bytes(original)
    messages = _exercise(store)
    assert len(messages) == 1 and "14 entries could not be read" in messages[0]  # 12 attempts, 2 events
    questions = [a.question for a in ProgressStore(tmp_path, "ana").attempts()]
    assert questions == ["q0", "q1", "q2", "q3", "q4", "new"]  # the five good answers survive
    kinds = [(e.kind, e.round) for e in ProgressStore(tmp_path, "ana").events("00")]
    assert kinds == [("retake", 1), ("retake", 1)]  # the good event and the new one
    aside = _aside(tmp_path)
    assert len(aside) == 1 and aside[0].read_bytes() == original
    assert _exercise(ProgressStore(tmp_path, "ana")) == []  # repaired: no warning next time


@pytest.mark.parametrize("bad_round", ['"x"', "null", "1e999", "NaN", "true", "-1", "2.5"])
def test_any_wrong_round_never_raises(tmp_path, bad_round):
    store = ProgressStore(tmp_path, "ana")
    store.path.write_text(
        '{"schema": 1, "attempts": [{"lesson": "00", "question": "q1", "response": 1, "correct": true, '
        f'"time": "t", "round": {bad_round}}}]}}'
    )
    messages = _exercise(store)
    assert len(messages) == 1
    assert [a.question for a in ProgressStore(tmp_path, "ana").attempts()] == ["new"]


# -- P23-P28: not a regular file ---------------------------------------------------------------------
def _with_limits(target, *args, timeout: float = 20):
    """Run ``target`` in a forked child with a memory cap; returns its result or fails on a hang."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()

    def run():
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (used + 512 * 2**20, resource.RLIM_INFINITY))
        try:
            child.send(("ok", target(*args)))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            child.send(("raised", f"{type(exc).__name__}: {exc}"))

    proc = ctx.Process(target=run)
    proc.start()
    ready = parent.poll(timeout)
    if not ready:
        proc.kill()
        proc.join()
        pytest.fail(f"the store hung for {timeout} s")
    outcome = parent.recv()
    proc.join(5)
    assert outcome[0] == "ok", outcome[1]
    return outcome[1]


def _exercise_in_child(directory: str) -> tuple[list[str], list[str], bool]:
    store = ProgressStore(Path(directory), "ana")
    messages = _exercise(store)
    return messages, [a.question for a in store.attempts()], store.in_memory


@pytest.mark.parametrize("kind", ["symlink-dev-zero", "fifo", "directory", "symlink-outside", "device"])
def test_a_non_file_in_place_of_the_progress_file_is_set_aside_without_hanging(tmp_path, kind):
    store = ProgressStore(tmp_path / "data", "ana")
    store.directory.mkdir()
    outside = tmp_path / "victim.json"
    outside.write_text(json.dumps({"schema": 1, "learner": "bob", "attempts": GOOD}))
    before = outside.read_bytes()
    if kind == "symlink-dev-zero":
        store.path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(store.path)
    elif kind == "directory":
        store.path.mkdir()
    elif kind == "symlink-outside":
        store.path.symlink_to(outside)
    else:
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(store.path, 0o600 | 0o020000, os.makedev(1, 5))  # a character device: /dev/zero
    messages, questions, in_memory = _with_limits(_exercise_in_child, str(store.directory))
    assert len(messages) == 1 and "damaged" in messages[0], messages
    assert questions == ["new"] and not in_memory  # the link's target was never read
    assert outside.read_bytes() == before  # ... nor written
    assert len(_aside(store.directory)) == 1
    assert store.path.is_file() and not store.path.is_symlink()


def test_a_lock_file_that_is_a_symlink_is_never_followed(tmp_path):
    store = ProgressStore(tmp_path / "data", "ana")
    store.directory.mkdir()
    target = tmp_path / "outside-lock"
    store.path.with_suffix(".lock").symlink_to(target)
    assert _exercise(store) == []
    assert not target.exists() and not store.in_memory
    assert [a.question for a in store.attempts()] == ["new"]


# -- P43: temp files of a killed write ----------------------------------------------------------------
def test_orphaned_temp_files_are_removed_by_the_next_write(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    store.record("00", "q1", 1, True)
    orphans = [tmp_path / f".{store.path.stem}.kill{i}.tmp" for i in range(3)]
    legacy = tmp_path / ".progress-abcd1234.tmp"  # the old temp name, from before this version
    for p in [*orphans, legacy]:
        p.write_text("{half a file")
    os.utime(legacy, (0, 0))
    other = ProgressStore(tmp_path, "bob")
    busy = tmp_path / f".{other.path.stem}.inflight.tmp"  # another learner's write: not ours to touch
    busy.write_text("{")
    store.record("00", "q2", 1, True)
    assert not any(p.exists() for p in [*orphans, legacy])
    assert busy.exists()


# -- P38: names ---------------------------------------------------------------------------------------
NAMES = ["张伟", "李娜", "..", ".", "/", "a b", "a_b", "a/b", "Alice", "alice", "ALICE", "alice ", "Zoë", "Zoe",
         "con", "../../etc/passwd", "x" * 300, "x" * 301, "a+b", "a\udcff", ""]


def test_distinct_learner_names_get_distinct_safe_files(tmp_path):
    names = {safe_name(n) for n in NAMES}
    assert len(names) == len(NAMES)
    assert len({n.lower() for n in names}) == len(NAMES)  # also distinct on a case-insensitive disk
    for learner in NAMES:
        part = safe_name(learner)
        assert part.isascii() and "/" not in part and "\\" not in part and not part.startswith(".")
        assert 0 < len(part) <= 64
    for learner in NAMES[:8]:
        ProgressStore(tmp_path, learner).record("00", "q1", learner, True)
    for learner in NAMES[:8]:
        assert [a.response for a in ProgressStore(tmp_path, learner).attempts()] == [learner]
    assert {p.parent for p in tmp_path.rglob("progress-*.json")} == {tmp_path}


def test_a_file_under_the_old_name_is_still_found(tmp_path):
    old = tmp_path / f"progress-{legacy_safe_name('Alice Smith')}.json"
    old.write_text(json.dumps({"schema": 1, "learner": "Alice Smith", "attempts": GOOD}))
    other = tmp_path / f"progress-{legacy_safe_name('张伟')}.json"  # shared by every non-Latin name before
    other.write_text(json.dumps({"schema": 1, "learner": "张伟", "attempts": GOOD[:1]}))
    store = ProgressStore(tmp_path, "Alice Smith")
    assert store.path != old and len(store.attempts()) == 5
    store.record("00", "new", 1, True)
    assert len(ProgressStore(tmp_path, "Alice Smith").attempts()) == 6 and store.path.exists()
    assert len(ProgressStore(tmp_path, "张伟").attempts()) == 1
    assert ProgressStore(tmp_path, "李娜").attempts() == []  # not the other learner's file


def test_an_old_file_of_another_name_at_this_learners_path_goes_back_to_its_owner(tmp_path):
    """Before names were made distinct, "a b" was stored as progress-a_b.json: the file learner "a_b" now uses."""
    old = tmp_path / f"progress-{legacy_safe_name('a b')}.json"
    assert old == ProgressStore(tmp_path, "a_b").path
    old.write_text(json.dumps({"schema": 1, "learner": "a b", "attempts": GOOD[:2]}))
    newcomer = ProgressStore(tmp_path, "a_b")
    assert newcomer.attempts() == []  # not the other learner's answers
    newcomer.record("00", "mine", 1, True)
    assert [a.question for a in ProgressStore(tmp_path, "a_b").attempts()] == ["mine"]
    owner = ProgressStore(tmp_path, "a b")
    assert len(owner.attempts()) == 2 and owner.path.exists()  # handed to the owner's own file, untouched
    assert json.loads(owner.path.read_text())["learner"] == "a b"


def test_an_old_file_of_another_name_is_set_aside_when_its_owner_has_a_newer_one(tmp_path):
    ProgressStore(tmp_path, "a b").record("00", "newer", 1, True)
    old = ProgressStore(tmp_path, "a_b").path
    old.write_text(json.dumps({"schema": 1, "learner": "a b", "attempts": GOOD[:2]}))
    assert ProgressStore(tmp_path, "a_b").attempts() == []
    assert [a.question for a in ProgressStore(tmp_path, "a b").attempts()] == ["newer"]
    kept = list(tmp_path.glob("progress-a_b.of-another-learner-*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text())["learner"] == "a b" and not old.exists()


# -- versions ----------------------------------------------------------------------------------------
def test_a_file_from_a_newer_version_is_left_alone(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    newer = json.dumps({"schema": 2, "learner": "ana", "attempts": [{"something": "new"}]}).encode()
    store.path.write_bytes(newer)
    messages = _exercise(store)
    assert len(messages) == 1 and "newer version" in messages[0] and "left as it is" in messages[0]
    assert store.path.read_bytes() == newer and not _aside(tmp_path)
    assert store.in_memory and [a.question for a in store.attempts()] == ["new"]


def test_old_versions_go_through_the_upgrade_chain(tmp_path, monkeypatch):
    def v1_to_v2(data):
        return {**data, "schema": 2, "attempts": [{**a, "lesson": "up-" + a["lesson"]} for a in data["attempts"]]}

    store = _good_file(tmp_path)
    monkeypatch.setattr(progress, "SCHEMA", 2)
    monkeypatch.setattr(progress, "UPGRADES", {1: v1_to_v2})
    assert [a.lesson for a in store.attempts()][:1] == ["up-00"]
    store.record("up-00", "new", 1, True)
    assert json.loads(store.path.read_text())["schema"] == 2


# -- no call raises, ever -----------------------------------------------------------------------------
def test_unstorable_responses_never_raise(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.record("00", "q1", {1, 2}, True)
        store.record("00", "q2", float("nan"), False)
        store.record("00", "q3", object(), False)
        store.record_event("00", "submit", 1, {"score": float("inf")})
    assert len(ProgressStore(tmp_path, "ana").attempts()) == 3
    assert ProgressStore(tmp_path, "ana").attempts()[0].response == [1, 2]


def test_two_threads_of_one_store_do_not_lose_answers(tmp_path):
    store = ProgressStore(tmp_path, "ana")

    def write(tag):
        for i in range(20):
            store.record("00", f"{tag}{i}", i, True)

    threads = [threading.Thread(target=write, args=(t,)) for t in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(ProgressStore(tmp_path, "ana").attempts()) == 40


def test_a_name_with_a_lone_surrogate_is_saved_and_read_back(tmp_path):
    """A login name from a non-UTF-8 system reaches Python with lone surrogates (R18, R30, R32)."""
    learner = "caf\udce9"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ProgressStore(tmp_path, learner).record("00", "q1", "x\udc80", True)
    again = ProgressStore(tmp_path, learner)
    assert not again.in_memory and again.attempts()[0].response == "x\udc80"
    assert json.loads(again.path.read_text(encoding="utf-8"))["learner"] == learner
