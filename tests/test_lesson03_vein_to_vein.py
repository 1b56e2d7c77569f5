"""Lesson 03 data and figures: the lymphodepletion table, the journey file, and the charts drawn from them."""

from __future__ import annotations

import textwrap

import pytest

from course.core.errors import CourseDataError
from course.engine.questions.model import bank_path, load_bank
from course.figures.catalog import show
from course.figures.style import MIN_FONT_PT
from course.lessons.l03_the_five_steps.model import (
    BRANDS,
    VEIN_TO_VEIN_FILE,
    dropout_range,
    journey,
    load_journey,
    load_regimens,
    regimen,
    regimens,
)


def test_every_brand_has_a_row_and_ids_are_unique():
    rows = regimens()
    assert {r.product for r in rows} == set(BRANDS)
    assert len({r.id for r in rows}) == len(rows)
    assert all(r.references for r in rows)


def test_label_days_as_taught():
    assert regimen("yescarta").ld_days == (-5, -4, -3)
    assert regimen("tecartus-mcl").ld_days == (-5, -4, -3)
    assert regimen("yescarta").days_between_chemo_and_infusion() == 3
    assert regimen("kymriah-all").window_after_ld == (2, 14)
    assert len(regimen("kymriah-all").ld_days) == 4
    assert regimen("kymriah-lbcl").window_after_ld == (2, 11)
    assert regimen("kymriah-fl").window_after_ld == (2, 6)
    assert regimen("breyanzi").window_after_ld == (2, 7)
    assert regimen("carvykti").window_after_ld == (2, 4)
    assert regimen("abecma").window_after_ld == (2, 2)
    assert regimen("aucatzyl").infusion_days == (1, 10)


def test_myeloma_rows_are_drawn_as_in_the_pivotal_trials():
    """KarMMa and CARTITUDE-1: chemotherapy on days -5 to -3, two full rest days, infusion on day 0 (review A18)."""
    for rid in ("abecma", "carvykti"):
        r = regimen(rid)
        assert r.ld_days == (-5, -4, -3) and r.infusion_days == (0,)
        assert r.rest_days_before_infusion() == 2 and r.days_between_chemo_and_infusion() == 3


def test_windows_are_drawn_only_where_both_readings_allow():
    """Review C1: "infuse N to M days after lymphodepletion ends" is drawn from N full rest days (the later
    reading of the earliest day) to M calendar days after the last dose (the earlier reading of the latest day).
    Only Abecma, whose maker's schedule confirms the rest-day count, keeps M rest days at the end."""
    windowed = [r for r in regimens() if r.window_after_ld]
    assert {r.id for r in windowed} == {"kymriah-all", "kymriah-lbcl", "kymriah-fl", "breyanzi", "abecma", "carvykti"}
    for r in windowed:
        assert r.rest_days_before_infusion() == r.window_after_ld[0], r.id
        if r.id == "abecma":
            assert r.last_day == "rest" and r.latest_confirmed
            assert r.latest_first_infusion_day == r.ld_days[-1] + 1 + r.window_after_ld[1] == r.infusion_days[0]
        else:
            assert r.last_day == "plain" and not r.latest_confirmed, r.id
            assert r.latest_first_infusion_day == r.ld_days[-1] + r.window_after_ld[1], r.id
        assert r.latest_first_infusion_day >= r.infusion_days[0], r.id
    assert all(r.last_day is None for r in regimens() if not r.window_after_ld)
    # Rows whose label fixes the days: two rest days (Yescarta, Tecartus MCL), one (Tecartus ALL).
    assert [regimen(i).rest_days_before_infusion() for i in ("yescarta", "tecartus-mcl", "tecartus-all")] == [2, 2, 1]


def test_carvykti_us_and_eu_windows_differ_by_one_day_and_the_chart_draws_the_us_one():
    """US: 2 to 4 days after completion, read plainly, ends on day 1; EU and CARTITUDE-1: 5 to 7 days after the
    START (day -5), so days 0 to 2. The chart draws the US days and names the EU ones; no 'confirmed' for Carvykti."""
    r = regimen("carvykti")
    start = r.ld_days[0]
    assert r.infusion_days[0] == start + 5 == 0
    assert r.latest_first_infusion_day == r.ld_days[-1] + 4 == 1 < start + 7
    assert "5 to 7 days after day −5" in r.infusion_note and "days 0 to 2" in r.infusion_note
    assert "day 1" in r.note and "day 2" in r.note and "own country" in r.note
    view = show("l03_vein_to_vein", regimen_id="carvykti")
    assert "days -5, -4, -3" in view.alt and "then 2 rest days" in view.alt and "day 1" in view.alt
    assert "both readings" in view.caption and "own country" in view.caption
    assert "confirmed for Carvykti" not in view.caption


def test_window_arithmetic():
    r = regimen("kymriah-all")
    assert r.ld_days == (-6, -5, -4, -3) and r.infusion_days[0] == 0
    assert r.latest_first_infusion_day == 11  # 14 calendar days after the last dose (day -3): day 11
    assert regimen("kymriah-lbcl").latest_first_infusion_day == 8
    assert regimen("kymriah-fl").latest_first_infusion_day == 3
    assert regimen("breyanzi").latest_first_infusion_day == 4  # review K2: the 11th after chemotherapy ends the 4th
    assert regimen("abecma").latest_first_infusion_day == 0
    assert regimen("carvykti").latest_first_infusion_day == 1
    assert regimen("yescarta").latest_first_infusion_day == 0
    assert regimen("aucatzyl").days_between_chemo_and_infusion() is None
    assert regimen("aucatzyl").rest_days_before_infusion() is None


def test_unverified_rows_are_flagged_and_say_so():
    unverified = {r.id for r in regimens() if not r.verified}
    assert unverified == {"aucatzyl"}  # its regimen is confirmed; only the day numbering is not
    for rid in unverified:
        assert "not verified" in regimen(rid).note.lower()
    assert regimen("aucatzyl").ld_days == ()  # no chemotherapy days are drawn for an unverified regimen


def test_journey_steps_monitoring_and_dropout():
    j = journey()
    assert [s.name for s in j.steps] == ["Leukapheresis", "Engineering", "Expansion", "Lymphodepletion", "Infusion"]
    assert j.monitoring_changed == "June 2025"
    assert (j.rule("stay-near").current_days, j.rule("stay-near").before_days) == (14, 28)
    assert (j.rule("no-driving").current_days, j.rule("no-driving").before_days) == (14, 56)
    assert j.rule("daily-checks").current_days == 7
    low, high = dropout_range()
    assert round(low) == 8 and round(high) == 31  # "8% to 31%" in the notebook and the bank
    with pytest.raises(KeyError, match="stay-near"):
        j.rule("nope")


def test_bank_answers_agree_with_the_data():
    bank = load_bank(bank_path("03_the_five_steps"))
    zuma2 = next(d for d in journey().not_infused if d.trial == "ZUMA-2")
    assert bank.get("q03-not-infused-calc").answer == round(zuma2.percent_not_infused, 1)
    assert bank.get("q03-yescarta-days").answer == regimen("yescarta").days_between_chemo_and_infusion()
    kymriah = regimen("kymriah-all").window_after_ld
    assert kymriah[0] <= 11 <= kymriah[1] and bank.get("q03-kymriah-window").answer is True
    assert (
        bank.get("q03-stay-near")
        .options[0]
        .text.startswith(f"At least {journey().rule('stay-near').current_days // 7} weeks")
    )


def _write(tmp_path, text: str):
    path = tmp_path / "lymphodepletion.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD_ROW = """
  - id: x
    product: Yescarta
    indication: adults
    regimen: Flu/Cy
    ld_days: [-5, -4, -3]
    infusion_days: [0]
    window_after_ld: null
    timing: day 0
    note: ""
    verified: true
    references: [yescarta-label]
"""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("product: Yescarta", "product: Yescarta®"), "brand names"),
        (("ld_days: [-5, -4, -3]", "ld_days: [-1, 0, 1]"), "end before the first infusion"),
        (("ld_days: [-5, -4, -3]", "ld_days: [-3, -4, -5]"), "increasing order"),
        (("window_after_ld: null", "window_after_ld: [3, 5]"), "earliest day of the window"),  # 2 rest days, not 3
        (("window_after_ld: null", "window_after_ld: [5, 2]"), "earliest <= latest"),
        (("window_after_ld: null", "window_after_ld: [2, 5]"), "how its last day is counted"),
        (("window_after_ld: null", "window_after_ld: null\n    last_day: plain"), "only a row with window_after_ld"),
        (("window_after_ld: null", "window_after_ld: [2, 2]\n    last_day: plain"), "falls before the first"),
        (("window_after_ld: null", "window_after_ld: [2, 5]\n    last_day: maybe"), "last_day"),
        (("references: [yescarta-label]", "references: [no-such-key]"), "unknown reference"),
        (("verified: true", "verified: maybe"), "true or false"),
        (("verified: true", "verified: false"), "Not verified"),
        (("infusion_days: [0]", "infusion_days: []"), "must not be empty"),
    ],
)
def test_bad_rows_are_refused_with_row_and_field_named(tmp_path, change, words):
    rows = "regimens:" + GOOD_ROW.replace(*change)
    with pytest.raises(CourseDataError, match=words) as error:
        load_regimens(_write(tmp_path, rows))
    assert "lymphodepletion.yaml" in str(error.value)


@pytest.mark.parametrize(("last_day", "latest"), [("plain", 2), ("rest", 3)])
def test_a_window_counts_its_last_day_as_the_row_says(tmp_path, last_day, latest):
    """Days -5 to -3 and day 0 leave two rest days: a [2, 5] window fits. Its latest day is 5 calendar days after
    day -3 (plain: day 2), or after 5 rest days (rest, only where a source confirms it: day 3)."""
    rows = (
        GOOD_ROW.replace("window_after_ld: null", f"window_after_ld: [2, 5]\n    last_day: {last_day}")
        .replace("id: x", "id: w")
    )
    loaded = [r for r in load_regimens_lenient(_write(tmp_path, "regimens:" + rows)) if r.id == "w"]
    assert loaded[0].latest_first_infusion_day == latest


def load_regimens_lenient(path):
    """The rows of a test file that need not have every brand."""
    from course.core import schema
    from course.core.references import registry
    from course.lessons.l03_the_five_steps.model import Regimen

    return schema.load_rows(path, "regimens", Regimen, what="regimen", known=registry())


def test_missing_brand_and_duplicate_ids_are_refused(tmp_path):
    with pytest.raises(CourseDataError, match="no row for"):
        load_regimens(_write(tmp_path, "regimens:" + GOOD_ROW))
    with pytest.raises(CourseDataError, match="used twice"):
        load_regimens(_write(tmp_path, "regimens:" + GOOD_ROW + GOOD_ROW))


def test_journey_validation(tmp_path):
    path = tmp_path / "vein_to_vein.yaml"
    text = VEIN_TO_VEIN_FILE.read_text(encoding="utf-8")
    path.write_text(text.replace("before_days: 56", "before_days: 7"), encoding="utf-8")
    with pytest.raises(CourseDataError, match="before_days"):
        load_journey(path)
    path.write_text(text.replace("infused: 68", "infused: 80"), encoding="utf-8")
    with pytest.raises(CourseDataError, match="cannot exceed"):
        load_journey(path)
    path.write_text(text.replace("where: manufacturing site", "where: the moon", 1), encoding="utf-8")
    with pytest.raises(CourseDataError, match="where"):
        load_journey(path)


@pytest.mark.parametrize("rid", [r.id for r in regimens()])
def test_timeline_draws_every_product_readably(rid):
    view = show("l03_vein_to_vein", regimen_id=rid)
    r = regimen(rid)
    assert view.smallest_font_pt >= MIN_FONT_PT
    assert r.product in view.alt and r.product in view.caption
    if not r.verified:
        assert "not verified" in view.alt.lower() and "Not verified" in view.caption
    if r.product == "Aucatzyl":  # never had a REMS: a note, no June 2025 bars
        assert "June 2025" in view.alt and "No monitoring bars" in view.alt
        assert "follow the Aucatzyl label" in view.caption
    else:
        assert "at least 7 days" in view.alt and "at least 14 days" in view.alt
        assert "check each current label" in view.caption
    assert "conceptual illustration, not patient data" in view.caption.lower()
    if r.infusion_note:
        assert r.infusion_note in view.alt


def test_timeline_without_the_old_rules_says_less():
    with_old = show("l03_vein_to_vein", regimen_id="yescarta", show_before=True)
    without = show("l03_vein_to_vein", regimen_id="yescarta", show_before=False)
    assert "before June 2025" in with_old.alt and "before June 2025" not in without.alt
    assert with_old.png != without.png


def test_five_steps_and_dropout_figures_describe_their_data():
    steps = show("l03_five_steps_timed")
    assert "17 days" in steps.alt and "Conceptual illustration, not patient data" in steps.caption
    dropout = show("l03_not_infused")
    for d in journey().not_infused:
        assert f"{d.not_infused} of {d.enrolled}" in dropout.alt


def test_bank_order_is_the_order_the_notebook_shows():
    """Question numbers come from the bank order, so it must equal the order of lesson.question calls."""
    import json
    import re

    from course.core.paths import NOTEBOOKS

    nb = json.loads((NOTEBOOKS / "03_the_five_steps.ipynb").read_text(encoding="utf-8"))
    shown = [
        m
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for m in re.findall(r'lesson\.question\("([^"]+)"\)', "".join(cell["source"]))
    ]
    assert shown == load_bank(bank_path("03_the_five_steps")).ids()


def test_abecma_delay_and_kymriah_count_state_their_rules():
    """Review C2: the delay rule and the white-cell time frame are taught, with whose they are and since when."""
    abecma = regimen("abecma")
    assert abecma.window_after_ld == (2, 2)  # no window drawn: the delay is described, not charted
    assert "up to 7 days" in abecma.note and "only if" in abecma.note  # never as routine flexibility
    assert "active infection" in abecma.note and "inflammatory disorder" in abecma.note
    assert "2021" in abecma.note and "November 2025" in abecma.note  # whose rule, and that a newer revision exists
    assert "abecma-hcp-nurse-faq" in abecma.references
    assert "7 days" in abecma.infusion_note and "set reasons" in abecma.infusion_note
    for rid in ("kymriah-lbcl", "kymriah-fl"):
        assert "within 1 week before" in regimen(rid).note and "kymriah-uspi-2025" in regimen(rid).references


def test_fever_question_grade_comes_from_the_clinical_rules():
    from course.clinical import crs_grade

    bank = load_bank(bank_path("03_the_five_steps"))
    q = bank.get("q03-fever-first-day")
    assert "38.2 °C" in q.stem and "normal" in q.stem
    assert crs_grade(38.2).grade == 1
    assert any("grade 1" in o.feedback for o in q.options)


def test_steroid_rule_is_not_cited_to_yescarta():
    bank = load_bank(bank_path("03_the_five_steps"))
    q = bank.get("q03-infusion-checklist")
    steroid = next(o for o in q.options if "dexamethasone" in o.text.lower())
    assert not steroid.correct and "without an order" in steroid.feedback
    assert {"kymriah-label", "abecma-label", "carvykti-label"} <= set(q.references)
