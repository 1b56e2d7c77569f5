"""Lesson 07: the long-term data table, its validation, the pure rules and the conceptual model."""

from __future__ import annotations

import pytest

from course.core.errors import CourseDataError
from course.core.references import registry
from course.lessons.l07_after_infusion_and_long_term import model as lt
from tests.data_support import assert_refused, read_yaml


@pytest.fixture(scope="module")
def raw():
    return read_yaml(lt.DATA_FILE)


# --- The shipped table -------------------------------------------------------------------------------


def test_table_loads_and_every_row_cites_known_references():
    table = lt.load_long_term()
    known = set(registry())
    assert table.references() and set(table.references()) <= known
    for group in (
        table.rules,
        table.call_now,
        table.icaht_phases,
        table.infection_periods,
        table.prophylaxis,
        table.timeline,
    ):
        assert group
        assert all(row.references for row in group)


def test_going_home_rules_match_the_june_2025_change():
    table = lt.data()
    assert table.change_date == "26 June 2025"
    near, drive = table.rule("stay-near-centre"), table.rule("no-driving")
    assert (near.before_weeks, near.current_weeks) == (4, 2)
    assert (drive.before_weeks, drive.current_weeks) == (8, 2)
    assert "fda-rems-2025" in near.references and "fda-rems-2025" in drive.references
    assert "15 years" in table.rule("long-term-follow-up").current


def test_fever_threshold_and_igg_trigger():
    table = lt.data()
    assert table.fever_threshold_c == 38.0
    assert table.igg_trigger_mg_dl == 400
    assert table.igg_grey_zone_upper_mg_dl == 600


def test_timeline_rows_are_the_ones_the_figure_promises():
    ids = [w.id for w in lt.data().timeline]
    assert ids == ["crs", "icans", "cytopenias", "infections", "b-cell-aplasia", "going-home", "new-cancers"]
    for window in lt.data().timeline:
        assert all(0 <= b.start < b.end <= lt.LAST_DAY_SHOWN for b in window.bars)
        assert window.explanation and window.watch_for


def test_review_fixes_are_in_the_data():
    """Clinical review of lesson 07: emergency call first, readiness after the REMS, dated timeline rows."""
    table = lt.data()
    first = table.call_now[0].text
    assert first.startswith("**") and "emergency services" in first and "911" in first and "112" in first
    rems = table.rule("rems").current
    assert "tocilizumab and emergency equipment immediately available" in rems
    assert "secondary T-cell/haematological cancers" in rems
    assert "Yescarta: daily for at least 7 days" in table.rule("monitoring").current
    follow_up = [b for b in table.window("going-home").bars if b.kind == "line"]
    assert [b.start for b in follow_up] == [0]
    cancers = table.window("new-cancers").bars
    assert cancers[0].start == 7 and cancers[0].kind == "tail"
    assert table.window("icans").name == "Neurotoxicity (ICANS; later MNT with BCMA products)"


def test_vaccination_is_a_schedule_example_not_a_daily_prophylaxis():
    vaccination = next(p for p in lt.data().prophylaxis if p.id == "vaccination")
    assert vaccination.trigger == "schedule" and "vary by centre" in vaccination.against
    assert "vaccination" not in {p.id for p in lt.active_prophylaxis(0.1)}


def test_no_icaht_grade_thresholds_are_in_the_data():
    """cart_facts: the ICAHT ANC cut-offs were not verified, so the lesson must not teach them."""
    text = lt.DATA_FILE.read_text(encoding="utf-8").lower()
    for unverified in ("anc ≤500", "anc <100", "≤100/µl", "grade 1 icaht", "grade 4 icaht"):
        assert unverified not in text


# --- Validation: errors name the file, section, row and field ------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d["going_home"]["rules"][0].update(references=[]), "'references'"),
        (lambda d: d["going_home"]["rules"][0].update(references=["no-such-key"]), "unknown reference"),
        (lambda d: d["going_home"]["rules"][0].pop("current_weeks"), "'current_weeks'"),
        (lambda d: d["going_home"]["rules"][1].update(id="stay-near-centre"), "used twice"),
        (lambda d: d["call_now"].update(threshold_c=36), "fever threshold"),
        (lambda d: d["infection_periods"][1].update(last_day=10), "time order"),
        (lambda d: d["infection_periods"][0].update(last_day=None), "open-ended"),
        (lambda d: d["infection_periods"][2].update(last_day=400), "last period must be open-ended"),
        (lambda d: d["prophylaxis"][0].update(trigger="sometimes"), "'trigger'"),
        (lambda d: d["igg"].update(grey_zone_upper_mg_dl=300), "'grey_zone_upper_mg_dl'"),
        (lambda d: d["timeline"][0].update(colour="pink"), "'colour'"),
        (lambda d: d["timeline"][0]["bars"][0].update(end=0), "'end'"),
        (lambda d: d["timeline"][0]["bars"][0].update(kind="dotted"), "'kind'"),
        (lambda d: d["timeline"][0]["bars"][0].update(start="soon"), "'start'"),
        (lambda d: d.pop("prophylaxis"), "field 'prophylaxis': is missing"),
        (lambda d: d["icaht"]["phases"].reverse(), "'early' then 'late'"),
    ],
)
def test_bad_rows_are_refused_with_the_place_named(tmp_path, raw, mutate, words):
    assert_refused(lt.load_long_term, raw, mutate, words, tmp_path, "long_term.yaml")


def test_duplicate_keys_in_the_file_are_refused(tmp_path):
    path = tmp_path / "long_term.yaml"
    path.write_text("going_home: {}\ngoing_home: {}\n", encoding="utf-8")
    with pytest.raises(CourseDataError, match="duplicate key"):
        lt.load_long_term(path)


# --- Pure rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "phase"), [(0, "early"), (14, "early"), (30, "early"), (30.5, "late"), (31, "late"), (365, "late")]
)
def test_icaht_phase_boundary_is_day_30(day, phase):
    assert lt.icaht_phase(day).id == phase


@pytest.mark.parametrize(
    ("day", "period"), [(0, "early"), (30, "early"), (31, "prolonged"), (90, "prolonged"), (91, "late"), (700, "late")]
)
def test_infection_periods(day, period):
    assert lt.infection_period(day).id == period


@pytest.mark.parametrize("bad", [-1, float("nan"), "5", None, True])
def test_days_are_validated(bad):
    with pytest.raises(ValueError, match="day"):
        lt.icaht_phase(bad)


@pytest.mark.parametrize(
    ("day", "era", "applies"),
    [
        (0, "current", [True, True]),
        (14, "current", [True, True]),
        (15, "current", [False, False]),
        (15, "before", [True, True]),
        (28, "before", [True, True]),
        (29, "before", [False, True]),
        (56, "before", [False, True]),
        (57, "before", [False, False]),
    ],
)
def test_going_home_status_before_and_since_june_2025(day, era, applies):
    status = lt.going_home_status(day, era)
    assert [s.rule.id for s in status] == ["stay-near-centre", "no-driving"]
    assert [s.applies for s in status] == applies
    sentence = status[0].sentence(day)
    assert ("yes on day" in sentence) == applies[0]


def test_going_home_status_refuses_unknown_era():
    with pytest.raises(ValueError, match="era"):
        lt.going_home_status(3, "2019")


@pytest.mark.parametrize(
    ("igg", "infections", "low", "grey", "words"),
    [
        (350, True, True, False, "most often considered"),
        (400, False, True, False, "practice varies"),
        (401, True, False, True, "some experts"),
        (600, True, False, True, "some experts"),
        (601, True, False, False, "above the commonly used trigger"),
        (500, False, False, True, "above the commonly used trigger"),
    ],
)
def test_igg_review_uses_the_400_trigger(igg, infections, low, grey, words):
    review = lt.igg_review(igg, infections)
    assert (review.at_or_below_trigger, review.grey_zone) == (low, grey)
    assert words in review.message


@pytest.mark.parametrize("bad", [-5, 9000, float("inf"), "350", True])
def test_igg_review_refuses_impossible_values(bad):
    with pytest.raises(ValueError, match="IgG"):
        lt.igg_review(bad, False)


def test_prophylaxis_examples_follow_the_anc():
    always = {p.id for p in lt.active_prophylaxis(3.0)}
    low = {p.id for p in lt.active_prophylaxis(0.2)}
    assert always == {"herpes-antiviral", "pneumocystis"}
    assert low == always | {"antibacterial", "antifungal"}
    assert {p.id for p in lt.active_prophylaxis(0.5)} == always  # "below 0.5" means strictly below
    with pytest.raises(ValueError, match="ANC"):
        lt.active_prophylaxis(-1)


# --- Conceptual neutrophil model -------------------------------------------------------------------


def test_every_pattern_dips_after_lymphodepletion_and_recovers_by_one_year():
    for pattern in lt.PATTERNS:
        assert lt.conceptual_anc(5, pattern) < lt.SEVERE_NEUTROPENIA
        assert lt.conceptual_anc(365, pattern) > 2.5
        assert lt.conceptual_anc(-5, pattern) > 2.5


def test_counts_start_to_fall_with_lymphodepletion_not_after_day_0():
    """Review F28: lymphodepletion (days -5 to -3) starts the fall, so the CAR-T cells do not cause the first drop."""
    for pattern in lt.PATTERNS:
        assert lt.conceptual_anc(-3, pattern) < 0.75 * lt.conceptual_anc(-5, pattern)
        assert lt.conceptual_anc(-1, pattern) < 1.0
        assert lt.conceptual_anc(0, pattern) < lt.SEVERE_NEUTROPENIA


def test_journey_rows_show_any_time_infections_and_a_continuing_mnt_tail():
    """Review F28: respiratory viruses and HSV at any time; late neurotoxicity (MNT) continues past the chart."""
    infections = lt.data().window("infections").bars
    anytime = [b for b in infections if b.kind == "line"]
    assert len(anytime) == 1 and anytime[0].start == 0 and anytime[0].end >= lt.TIMELINE_END_DAY
    assert "respiratory viruses" in anytime[0].text and "HSV" in anytime[0].text and "any time" in anytime[0].text
    icans_tail = lt.data().window("icans").bars[-1]
    assert icans_tail.kind == "tail" and icans_tail.end >= lt.TIMELINE_END_DAY and "MNT" in icans_tail.text


def test_patterns_differ_where_the_lesson_says_they_do():
    assert lt.conceptual_anc(21, "quick") > 2 and lt.conceptual_anc(45, "quick") > 2
    assert lt.conceptual_anc(21, "biphasic") > 2 and lt.conceptual_anc(45, "biphasic") < lt.SEVERE_NEUTROPENIA
    assert lt.conceptual_anc(40, "prolonged") < lt.SEVERE_NEUTROPENIA
    assert lt.conceptual_anc(90, "prolonged") > 2


def test_conceptual_model_refuses_unknown_pattern_and_curve_has_one_point_per_day():
    with pytest.raises(ValueError, match="pattern"):
        lt.conceptual_anc(3, "slow")
    curve = lt.conceptual_curve("quick", -5, 30)
    assert len(curve) == 36 and curve[0][0] == -5 and curve[-1][0] == 30


# --- Time axis -----------------------------------------------------------------------------------------


def test_time_axis_is_monotonic_and_gives_the_first_month_the_most_room():
    days = list(range(-60, 420))
    xs = [lt.timeline_x(d) for d in days]
    assert xs == sorted(xs) and xs[0] == 0.0 and xs[-1] == 1.0
    first_month = lt.timeline_x(30) - lt.timeline_x(0)
    months_2_3 = lt.timeline_x(90) - lt.timeline_x(30)
    rest = lt.timeline_x(365) - lt.timeline_x(90)
    assert first_month > months_2_3 and first_month > rest
    assert first_month / 30 > 10 * (rest / 275)  # a day in month 1 is far wider than a day later on


def test_time_axis_refuses_non_numbers():
    with pytest.raises(ValueError):
        lt.timeline_x("day 3")


# --- Day summary and tables ------------------------------------------------------------------------------


def test_day_summary_puts_the_pieces_together():
    s = lt.day_summary(45, "biphasic")
    assert s.icaht.id == "late" and s.period.id == "prolonged"
    assert {p.id for p in s.prophylaxis} >= {"antibacterial", "antifungal"}
    assert all(not r.applies for r in s.current_rules)
    assert [r.applies for r in s.before_rules] == [False, True]
    text = " ".join(s.lines())
    assert "Day 45" in text and "conceptual" in text
    with pytest.raises(ValueError):
        lt.day_summary(400)


@pytest.mark.parametrize("maker", [lt.going_home_table, lt.infection_table, lt.prophylaxis_table, lt.call_now_list])
def test_tables_render_accessible_html_and_text(maker):
    bundle = maker()._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<caption" in html and 'scope="col"' in html and "<script" not in html
    assert bundle["text/plain"].strip()


def test_table_view_escapes_its_cells():
    html = lt._table("cap", ["A"], [["<b>x</b> & **bold**"]], "")._repr_mimebundle_()["text/html"]
    assert "&lt;b&gt;x&lt;/b&gt; &amp; <strong>bold</strong>" in html
