"""Lesson 10 (a second case: myeloma and cilta-cel): a case whose course branches on the learner's decisions.

The case lives in ``assets/myeloma_case.yaml``: one FICTIONAL adult with lenalidomide-refractory
multiple myeloma who receives ciltacabtagene autoleucel (Carvykti), from referral to day 120. It
uses lesson 08's case schema and logic (``course.lessons.l08_patient_case.model``: the running
timeline, the observation chart, the grades computed with ``course.clinical``, the care plan), and
adds decision points. At each point the learner's choice leads to the ``recognised`` path (the sign
is acted on) or the ``missed`` path (a worse but realistic course); a path adds its own events,
stages and observations to the shared story. ``story().case(paths)`` is the whole case for one set
of paths, validated by lesson 08's reader; the MAIN path (recognised everywhere) is what the
lesson's text and its static view follow.

Choices are saved in the learner's progress file as ``branch`` events, so the path taken survives
a restart and the learner can go back and take the other one (``record_choice``, ``taken``).
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from course.core import schema
from course.core.errors import CourseDataError
from course.core.paths import ASSETS
from course.core.references import registry
from course.core.schema import Collapsed, Invalid, Items, Range, Refs
from course.core.yamlio import load_yaml
from course.engine.progress import ProgressStore
from course.lessons.l08_patient_case import model as cs

LESSON = "10_myeloma_case"
DATA_FILE = ASSETS / "myeloma_case.yaml"
PathName = Literal["recognised", "missed"]
PATHS: tuple[str, ...] = get_args(PathName)
MAIN = "recognised"
BRANCH_EVENT = "branch"  # the progress file's event kind for a decision taken


@dataclass(frozen=True)
class Choice:
    id: Collapsed
    path: PathName
    text: Collapsed
    feedback: Collapsed


@dataclass(frozen=True)
class ChartRef:
    """The observation chart shown with a decision: one day, up to a time."""

    day: int
    until: str | None = None


@dataclass(frozen=True)
class BranchPath:
    """One way a decision point can go: its story (events, stages, observations) and what it teaches."""

    outcome: Collapsed  # one line, for tables
    summary: Collapsed
    lesson: Collapsed
    references: Refs
    events: Any  # validated with the whole case by lesson 08's reader
    stages: Any
    observations: Any


@dataclass(frozen=True)
class _Paths:
    recognised: BranchPath
    missed: BranchPath


@dataclass(frozen=True)
class Branch:
    id: Collapsed
    day: Annotated[int, Range(0, 400)]
    rejoin: Annotated[int, Range(0, 400)]
    title: Collapsed
    stage: Collapsed  # the shared stage that sets the scene
    chart: ChartRef | None
    prompt: Collapsed
    choices: Annotated[tuple[Choice, ...], Items()]
    paths: _Paths

    def check(self) -> None:
        schema.must_exceed(self, "rejoin", "day")
        reached = {c.path for c in self.choices}
        if reached != set(PATHS):
            raise Invalid("choices", f"must lead to both paths ({', '.join(PATHS)}); they reach {sorted(reached)}")
        for name in PATHS:
            p = self.path(name)
            for what in ("events", "stages", "observations"):
                items = getattr(p, what)
                if not isinstance(items, list):
                    raise Invalid(f"paths.{name}.{what}", "must be a list (empty if none)")
                for item in items:
                    day = item[1] if what == "observations" and isinstance(item, list) else (item or {}).get("day")
                    if not isinstance(day, (int, float)) or not self.day <= day <= self.rejoin:
                        raise Invalid(f"paths.{name}.{what}", f"every row must fall from day {self.day} to day {self.rejoin}")

    def path(self, name: str) -> BranchPath:
        if name not in PATHS:
            raise ValueError(f"a path is one of {', '.join(PATHS)}, not {name!r}")
        return getattr(self.paths, name)

    def choice(self, choice_id: str) -> Choice:
        return schema.find(self.choices, choice_id, f"choice of decision '{self.id}'")


@dataclass(frozen=True)
class _Branches:
    branches: Annotated[tuple[Branch, ...], Items()]


class Story:
    """The shared story and its decision points; ``case(paths)`` is the whole case for one set of paths."""

    def __init__(self, raw: dict[str, Any], branches: tuple[Branch, ...], path: Path, known: set[str] | None):
        self._raw, self.branches, self._path, self._known = raw, branches, path, known
        self._cases: dict[tuple[str, ...], cs.Case] = {}

    def branch(self, branch_id: str) -> Branch:
        return schema.find(self.branches, branch_id, "decision point")

    def case(self, paths: tuple[str, ...] | None = None) -> cs.Case:
        """The case with ``paths[i]`` taken at decision ``i`` (default: the main path everywhere)."""
        paths = tuple(paths) if paths is not None else (MAIN,) * len(self.branches)
        if len(paths) != len(self.branches) or any(p not in PATHS for p in paths):
            raise ValueError(f"paths must name one of {', '.join(PATHS)} for each of the {len(self.branches)} decisions")
        if paths not in self._cases:
            self._cases[paths] = cs.load_case(self._path, self._known, raw=self._merged(paths))
        return self._cases[paths]

    def _merged(self, paths: tuple[str, ...]) -> dict[str, Any]:
        raw = copy.deepcopy(self._raw)
        table = raw.get("observations") or {}
        for branch, name in zip(self.branches, paths, strict=True):
            chosen = branch.path(name)
            raw["events"] = [*raw.get("events", []), *copy.deepcopy(chosen.events)]
            raw["stages"] = [*raw.get("stages", []), *copy.deepcopy(chosen.stages)]
            table["rows"] = [*table.get("rows", []), *copy.deepcopy(chosen.observations)]
        raw["events"].sort(key=lambda e: e.get("day", 0) if isinstance(e, dict) else 0)
        raw["stages"].sort(key=lambda s: s.get("day", 0) if isinstance(s, dict) else 0)
        table["rows"].sort(key=lambda r: (r[1], r[2]) if isinstance(r, list) and len(r) > 2 else (0, ""))
        return raw

    def every_case(self) -> dict[tuple[str, ...], cs.Case]:
        """All 2^n cases (for tests: every branch is reachable and every combination is valid)."""
        return {paths: self.case(paths) for paths in itertools.product(PATHS, repeat=len(self.branches))}

    def paths_for(self, choices: dict[str, str]) -> tuple[str, ...]:
        """The path of each decision for saved choices ({branch id: choice id}); the main path where none."""
        out = []
        for branch in self.branches:
            choice_id = choices.get(branch.id)
            ids = {c.id for c in branch.choices}
            out.append(branch.choice(choice_id).path if choice_id in ids else MAIN)
        return tuple(out)


def load_story(path: Path = DATA_FILE, known: set[str] | None = None) -> Story:
    """Read the case and its decision points; the main path is loaded (and so validated) at once."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or "branches" not in raw:
        raise CourseDataError(f"{path.name}: expected a mapping of sections with 'branches'")
    raw = dict(raw)
    found: _Branches = schema.read_row(
        _Branches, {"branches": raw.pop("branches")}, path.name, known=registry() if known is None else known
    )
    story = Story(raw, found.branches, path, known)
    main = story.case()
    for i in range(len(found.branches)):  # every path's own rows, each beside the main path elsewhere
        story.case(tuple("missed" if j == i else MAIN for j in range(len(found.branches))))
    stage_ids = {s.id: s for s in main.stages}
    previous_rejoin = None
    for b in found.branches:
        where = f"{path.name}: branches row '{b.id}'"
        if previous_rejoin is not None and b.day < previous_rejoin:
            raise CourseDataError(f"{where}: field 'day': starts before the previous decision's paths rejoin")
        previous_rejoin = b.rejoin
        if b.stage not in stage_ids or stage_ids[b.stage].day != b.day:
            raise CourseDataError(f"{where}: field 'stage': must name a shared stage on day {b.day}")
        if b.chart is not None:
            try:
                cs.chart(b.chart.day, b.chart.until, main)
            except ValueError as exc:
                raise CourseDataError(f"{where}: field 'chart': {exc}") from None
    return story


@lru_cache(maxsize=1)
def story() -> Story:
    """The story, read once per kernel."""
    return load_story()


def main_case() -> cs.Case:
    return story().case()


# --------------------------------------------------------------------------------------------
# The learner's choices, kept in the progress file
# --------------------------------------------------------------------------------------------


def record_choice(store: ProgressStore, branch: Branch, choice: Choice, lesson: str = LESSON) -> None:
    """Save a decision (the last one saved for a point is the path the learner is on)."""
    store.record_event(lesson, BRANCH_EVENT, 0, {"point": branch.id, "choice": choice.id, "path": choice.path})


def taken(store: ProgressStore, lesson: str = LESSON, s: Story | None = None) -> dict[str, str]:
    """{decision point id: choice id} of the learner's latest saved decisions (unknown ids ignored)."""
    s = s or story()
    known = {b.id: {c.id for c in b.choices} for b in s.branches}
    out: dict[str, str] = {}
    for event in store.events(lesson):
        point, choice = event.detail.get("point"), event.detail.get("choice")
        if event.kind == BRANCH_EVENT and point in known and choice in known[point]:
            out[point] = choice
    return out


def path_label(paths: tuple[str, ...] | None) -> str:
    """'the main path' or, e.g., 'decision 1 missed, decisions 2 and 3 recognised'."""
    branches = story().branches
    paths = tuple(paths) if paths is not None else (MAIN,) * len(branches)
    if all(p == MAIN for p in paths):
        return "the main path (every early sign recognised)"
    groups: dict[str, list[str]] = {}
    for i, p in enumerate(paths, start=1):
        groups.setdefault(p, []).append(str(i))
    parts = []
    for name in PATHS:
        if name in groups:
            n = groups[name]
            what = f"decision {n[0]}" if len(n) == 1 else f"decisions {', '.join(n[:-1])} and {n[-1]}"
            parts.append(f"{what} {'sign recognised' if name == 'recognised' else 'sign missed'}")
    return "; ".join(parts)
