"""Lesson 10 (a second case: myeloma and cilta-cel): the branching story, the saved path and the bank's answers.

Every combination of paths is loaded through lesson 08's case reader (so each is a valid case); each
path's promised outcome is checked against the grades computed from its own observations; a choice is
saved in a real progress file and comes back after a "restart" (a new store on the same folder); and
every number the bank asks is recomputed from the case.
"""

from __future__ import annotations

import re

import pytest

from course import clinical
from course.core.references import registry
from course.engine.progress import ProgressStore
from course.engine.questions.model import bank_path, load_bank
from course.lessons.l03_the_five_steps import model as v2v
from course.lessons.l07_after_infusion_and_long_term import model as lt
from course.lessons.l08_patient_case import model as cs
from course.lessons.l10_myeloma_case import demos, figures
from course.lessons.l10_myeloma_case import model as mm
from tests.data_support import assert_refused, read_yaml

LESSON = "10_myeloma_case"


@pytest.fixture(scope="module")
def story():
    return mm.load_story()


@pytest.fixture(scope="module")
def main(story):
    return story.case()


@pytest.fixture(scope="module")
def bank():
    return load_bank(bank_path(LESSON))


@pytest.fixture
def raw():
    return read_yaml(mm.DATA_FILE)


class FakeLesson:
    """What a demo needs of a lesson: its progress store."""

    def __init__(self, store: ProgressStore):
        self.store = store


def correct_text(q) -> str:
    (index,) = q.correct_options()
    return q.options[index].text


# --- The story and its branches --------------------------------------------------------------------


def test_every_combination_of_paths_is_a_valid_case_citing_known_sources(story):
    cases = story.every_case()
    assert len(cases) == 2 ** len(story.branches) == 8
    known = set(registry())
    for case in cases.values():
        assert set(case.references()) <= known
        assert [s.day for s in case.stages] == sorted(s.day for s in case.stages)
    for b in story.branches:
        assert {c.path for c in b.choices} == set(mm.PATHS)  # both paths reachable from the choices
        assert set(b.path("recognised").references) <= known and set(b.path("missed").references) <= known


def test_the_patient_fits_the_2024_us_indication_and_the_product_is_carvykti(main):
    assert (main.product.brand, main.product.cyclophosphamide_mg_m2, main.product.fludarabine_mg_m2) == ("Carvykti", 300, 30)
    assert "lenalidomide" in main.patient.history and "proteasome inhibitor" in main.patient.history
    assert "one line" in main.patient.history


def test_the_regimen_is_lesson_03_s_carvykti_row(main):
    row = v2v.regimen(main.product.regimen_id)
    assert "300 mg/m²" in row.regimen and "30 mg/m²" in row.regimen and "3 days" in row.regimen
    assert len(main.product.ld_days) == 3
    rest = -max(main.product.ld_days) - 1  # full days between the last chemotherapy day and day 0
    assert row.window_after_ld[0] <= rest + 1 <= row.window_after_ld[1]


def test_the_cell_dose_is_inside_the_label_range(main):
    per_kg = main.product.cells_per_kg
    assert 0.5e6 <= per_kg <= 1.0e6 and main.product.max_cells == 1.0e8
    assert cs.cell_dose(main) == pytest.approx(per_kg * main.patient.weight_kg)
    assert cs.cell_dose(main) <= main.product.max_cells


def _window(story, branch_index: int, path: str):
    paths = tuple(path if i == branch_index else mm.MAIN for i in range(len(story.branches)))
    return story.case(paths)


def _worst_in_window(kind: str, case, branch) -> int:
    spans = cs.grade_spans(kind, branch.rejoin, case)
    return max((s.grade for s in spans if s.start >= branch.day), default=0)


def test_the_crs_paths_grade_as_their_outcomes_say(story):
    """Decision 1: the recognised path peaks at grade 2 CRS; the missed path at grade 3, then grade 1 ICANS."""
    b = story.branch("crs-fever")
    recognised, missed = _window(story, 0, "recognised"), _window(story, 0, "missed")
    assert _worst_in_window("crs", recognised, b) == 2 and _worst_in_window("icans", recognised, b) == 0
    assert _worst_in_window("crs", missed, b) == 3 and _worst_in_window("icans", missed, b) == 1
    for name, case in (("recognised", recognised), ("missed", missed)):
        outcome = b.path(name).outcome
        said = int(re.search(r"grade (\d) CRS", outcome, re.I).group(1))
        assert said == _worst_in_window("crs", case, b), name
    # the scene: the first fever alone is grade 1, whatever he says about the shower
    assert story.case().observation("d6-2200").crs().grade == clinical.crs_grade(38.3).grade == 1


def test_a_missed_sign_costs_more_at_every_decision(story):
    """Each missed path ends later (home later or worse) than its recognised path: the lesson's point."""
    for i, b in enumerate(story.branches):
        rec, mis = _window(story, i, "recognised"), _window(story, i, "missed")
        assert len(mis.events) >= len(rec.events) - 1
        assert b.path("missed").outcome != b.path("recognised").outcome
    fever = story.branch("crs-fever")
    home = {p: _window(story, 0, p).event("ward-discharge").day for p in mm.PATHS}
    assert home["recognised"] < home["missed"] <= fever.rejoin


def test_paths_for_saved_choices_falls_back_to_the_main_path(story):
    assert story.paths_for({}) == ("recognised",) * 3
    assert story.paths_for({"crs-fever": "shower", "late-fever": "come-in"}) == ("missed", "recognised", "recognised")
    assert story.paths_for({"crs-fever": "no-such-choice"}) == ("recognised",) * 3
    with pytest.raises(ValueError, match="paths must name"):
        story.case(("recognised",))


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda d: d["branches"][0].update(choices=d["branches"][0]["choices"][:1]), "must lead to both paths"),
        (lambda d: d["branches"][0]["paths"]["missed"]["events"][0].update(day=40), "must fall from day 6 to day 20"),
        (lambda d: d["branches"][1].update(stage="fever"), "must name a shared stage on day 30"),
        (lambda d: d["branches"][0].update(rejoin=3), "must be after 'day'"),
        (lambda d: d["branches"][0].update(chart={"day": 2}), "no observations on day 2"),
        (lambda d: d["branches"][2].update(day=40), "starts before the previous decision"),
        (lambda d: d["branches"][0]["choices"][1].update(path="lost"), "must be one of recognised, missed"),
        (lambda d: d["branches"][0]["paths"]["missed"]["observations"][0].__setitem__(8, "oxygen_tent"), "oxygen_tent|device"),
        (lambda d: d.pop("branches"), "with 'branches'"),
    ],
)
def test_bad_branch_data_is_refused_with_the_file_and_the_place(raw, mutate, words, tmp_path):
    assert_refused(mm.load_story, raw, mutate, words, tmp_path, "myeloma_case.yaml")


# --- The learner's path, saved ------------------------------------------------------------------------


def test_a_decision_is_saved_and_comes_back_after_a_restart(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    view = demos.decision("crs-fever", FakeLesson(store)).view
    assert not view.decide.disabled and view.again.disabled and view.result.value == ""
    view.take(None)  # Decide with nothing chosen: a message, nothing saved
    assert "Choose one of the options" in view.result.value and mm.taken(store) == {}
    view.take("shower")
    assert mm.taken(store) == {"crs-fever": "shower"}
    assert "The sign was missed" in view.result.value and "grade 3 CRS" in view.result.value
    assert view.decide.disabled and not view.again.disabled

    restarted = ProgressStore(tmp_path, "ana")  # a new kernel reads the same file
    again = demos.decision("crs-fever", FakeLesson(restarted)).view
    assert again.radio.value == "shower" and again.decide.disabled
    assert "your saved decision" in again.result.value

    again.reopen()  # Choose again: the other path, saved as the path now taken
    assert not again.decide.disabled and again.result.value == ""
    again.take("report")
    assert mm.taken(ProgressStore(tmp_path, "ana")) == {"crs-fever": "report"}
    assert "You recognised the sign" in again.result.value


def test_each_learner_sees_the_choices_in_their_own_stable_order(tmp_path):
    b = mm.story().branch("mnt-signs")
    orders = {name: [c.id for c in demos.DecisionView(b, None, name).choices] for name in ("ana", "ben", "cy", "dee")}
    assert all(sorted(o) == sorted(c.id for c in b.choices) for o in orders.values())
    assert len({tuple(o) for o in orders.values()}) > 1
    assert orders["ana"] == [c.id for c in demos.DecisionView(b, None, "ana").choices]


def test_a_foreign_or_broken_branch_event_is_ignored(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    store.record_event(LESSON, "branch", 0, {"point": "crs-fever", "choice": "made-up"})
    store.record_event(LESSON, "branch", 0, {"point": "no-such-point", "choice": "report"})
    store.record_event(LESSON, "branch", 0, {"nothing": 1})
    assert mm.taken(store) == {}
    assert mm.story().paths_for(mm.taken(store)) == ("recognised",) * 3


def test_the_replay_follows_the_path_taken(tmp_path):
    store = ProgressStore(tmp_path, "ana")
    replay = demos.case_demo(FakeLesson(store)).explorer
    assert "not decided yet" in replay.table.value and "main path" in replay.table.value
    demos.decision("crs-fever", FakeLesson(store)).view.take("antipyretic")
    assert "Give the acetaminophen" in replay.table.value  # refreshed by the decision
    assert "decision 1 sign missed" in replay.table.value
    replay.demo.go(7)
    assert "Grade 3 CRS in intensive care" in replay.demo.text.value
    assert "grade 3" in replay.demo.figure.value  # the redrawn timeline's alt text


# --- Static views (nbviewer) ---------------------------------------------------------------------------


def test_the_static_decision_shows_the_scene_every_choice_and_both_paths(story):
    for b in story.branches:
        html = demos.decision_static(b)
        assert html.count("<details>") == 2
        for c in b.choices:
            assert c.text.replace("'", "&#x27;") in html
        for name in mm.PATHS:
            assert b.path(name).outcome.replace("'", "&#x27;") in html
        if b.chart is not None:
            assert "Observation chart" in html


def test_the_static_decisions_vary_where_the_recognised_choice_stands(story):
    positions = [next(i for i, c in enumerate(b.choices) if c.path == "recognised") for b in story.branches]
    assert len(set(positions)) == len(positions)


def test_figures_draw_every_path_with_alt_text_naming_it(story):
    for paths in story.every_case():
        alt = figures.FIGURES["l10_timeline"].alt(120, paths)
        assert "Path shown:" in alt and alt.count("grade") >= 2
    assert "main path" in figures.path_label(None)
    assert figures.path_label(("missed", "recognised", "missed")) == (
        "decision 2 sign recognised; decisions 1 and 3 sign missed"
    )


# --- The bank's answers, recomputed ----------------------------------------------------------------------


def test_every_bank_question_is_asked_once_and_computed_answers_match(main, bank):
    decided = [d.question for _, d in main.decisions()]
    assert sorted(decided) == sorted(i for i in bank.ids() if not i.startswith("ret-"))
    checked = 0
    for _, decision in main.decisions():
        q = bank.get(decision.question)
        expected = cs.expected_answer(decision, main)
        if decision.asks == "judgement":
            continue
        checked += 1
        if decision.asks == "crs_grade":
            if q.type == "numeric":
                assert q.answer == expected
            else:
                assert correct_text(q).startswith(f"Grade {expected}"), q.id
        elif decision.asks in ("tocilizumab_mg", "cyclophosphamide_mg", "cell_dose_million"):
            assert q.type == "numeric"
            assert abs(q.answer - expected) <= q.tolerance, (q.id, q.answer, expected)
            assert all(abs(e.value - expected) > q.tolerance for e in q.common_errors)
        elif decision.asks == "igg_review":
            assert expected.at_or_below_trigger
            assert f"{expected.igg_mg_dl:g} mg/dL" in q.stem
            assert f"{lt.data().igg_trigger_mg_dl:g}" in correct_text(q) + q.explanation
        else:  # pragma: no cover
            pytest.fail(f"untested kind {decision.asks}")
    assert checked == 5
