"""Lesson 09 data: the pivotal-trial table (assets/efficacy.yaml), its loader and its pure queries."""

from __future__ import annotations

import copy
import json

import pytest

from course.clinical.products import catalogue
from course.core.paths import NOTEBOOKS
from course.core.references import cited_keys, registry
from course.lessons.l09_outcomes_access_future import model as ef
from tests.data_support import assert_refused, read_yaml

PIVOTAL = {
    "ELIANA",
    "JULIET",
    "ZUMA-1",
    "TRANSCEND NHL 001",
    "ZUMA-2",
    "ZUMA-3",
    "KarMMa",
    "CARTITUDE-1",
    "ZUMA-5",
    "FELIX",
}


@pytest.fixture
def raw():
    return read_yaml(ef.DATA_FILE)


def test_table_loads_with_the_ten_pivotal_trials_of_the_fact_sheet():
    table = ef.efficacy()
    assert {t.trial for t in table.trials} == PIVOTAL
    assert table.as_of
    for t in table.trials:
        assert t.target in ("CD19", "BCMA") and t.target == catalogue().get(t.product).target
        assert t.references and all(k in registry() for k in t.references)
        assert t.overall_measure and t.complete_measure and t.follow_up and t.population


def test_published_figures_match_the_fact_sheet():
    """Section 8 of the fact sheet (publication figures); the chart never uses the label's."""
    expected = {
        "ELIANA": (75, 81, 60),  # section 11: CR 60% + CRi 21% (Maude 2018)
        "JULIET": (93, 52, 40),
        "ZUMA-1": (101, 82, 54),
        "TRANSCEND NHL 001": (256, 73, 53),
        "ZUMA-2": (60, 93, 67),
        "KarMMa": (128, 73, 33),
        "CARTITUDE-1": (97, 97, 67),
        "ZUMA-5": (104, 92, 74),
        "FELIX": (94, 77, 55),
    }
    for name, (n, overall, complete) in expected.items():
        t = ef.efficacy().get(name)
        assert (t.n, t.overall, t.complete) == (n, overall, complete), name


def test_label_figures_are_shown_beside_the_paper_where_they_differ():
    """Fact sheet 'Uncertain' item 2: ZUMA-2 label 87/62, KarMMa label 72 / sCR 28."""
    zuma2, karmma = ef.efficacy().get("ZUMA-2"), ef.efficacy().get("KarMMa")
    assert (zuma2.label.overall, zuma2.label.complete) == (87, 62)
    assert (karmma.label.overall, karmma.label.complete, karmma.label.n) == (72, 28, 100)
    assert "stringent" in karmma.label.complete_measure
    assert {t.trial for t in ef.label_differences()} == {"ZUMA-1", "ZUMA-2", "KarMMa", "ZUMA-3", "FELIX"}
    # section 11 of the fact sheet: the 2017 Yescarta label gave 72% / 51% (IRC, n = 101)
    zuma1 = ef.efficacy().get("ZUMA-1")
    assert (zuma1.label.overall, zuma1.label.complete, zuma1.label.n) == (72, 51, 101)
    assert ef.efficacy().get("ELIANA").label is None  # the label's ELIANA analysis is not shown


def test_not_infused_percent_arithmetic_and_refusals():
    assert ef.not_infused_percent(111, 101) == 9.0
    assert ef.not_infused_percent(74, 68) == 8.1
    assert ef.not_infused_percent(10, 10) == 0.0
    for enrolled, received in ((0, 0), (10, 11), (10, -1)):
        with pytest.raises(ValueError):
            ef.not_infused_percent(enrolled, received)
    with pytest.raises(ValueError, match="whole numbers"):
        ef.not_infused_percent(10.5, 3)
    with pytest.raises(ValueError, match="whole numbers"):
        ef.not_infused_percent(True, 0)


def test_enrolment_rows_and_range_of_the_trials_shown():
    """Counts from each primary publication (CARTITUDE-1: 113 enrolled, 97 infused, Berdeja 2021 abstract)."""
    rows = ef.with_enrolment()
    assert [t.trial for t in rows][0] == "JULIET" and [t.trial for t in rows][-1] == "ZUMA-2"
    assert len(rows) == 8
    low, high = ef.not_infused_range()
    assert (low, high) == (8.1, 31.1)
    zuma1 = ef.efficacy().get("ZUMA-1")
    assert (zuma1.enrolled, zuma1.received, zuma1.not_infused) == (111, 101, 10)
    cartitude = ef.efficacy().get("CARTITUDE-1")
    assert (cartitude.enrolled, cartitude.received, cartitude.not_infused_pct) == (113, 97, 14.2)
    assert cartitude.enrolment_references == ("berdeja2021-cartitude1",)
    # not verified from the primary papers for this course, so not shown
    assert ef.efficacy().get("ELIANA").not_infused_pct is None
    assert ef.efficacy().get("ZUMA-5").not_infused_pct is None


def test_filter_by_disease_and_target():
    assert [t.trial for t in ef.filter_trials(target="BCMA")] == ["KarMMa", "CARTITUDE-1"]
    assert {t.trial for t in ef.filter_trials(disease="B-ALL")} == {"ELIANA", "ZUMA-3", "FELIX"}
    assert ef.filter_trials(disease="MM", target="CD19") == []
    everything = ef.filter_trials()
    assert len(everything) == 10
    order = [ef.DISEASE_ORDER.index(t.disease) for t in everything]
    assert order == sorted(order)
    with pytest.raises(ValueError, match="unknown disease"):
        ef.filter_trials(disease="AML")
    with pytest.raises(ValueError, match="unknown target"):
        ef.filter_trials(target="CD22")


def test_durability_rows():
    rows = {d.id: d for d in ef.efficacy().durability}
    assert rows["zuma1-5y"].result.startswith("42.6%")
    assert "32 of 97" in rows["cartitude1-5y"].result
    assert rows["cll-decade"].more_than and rows["cll-decade"].years == 10
    assert all(len(d.short) <= 50 for d in rows.values())


def test_html_table_shows_definitions_label_note_and_escapes():
    html = ef.table_html(ef.filter_trials(), show_label=True)
    assert html.count("<tr>") == 11 and "◇ Label differs" in html and "stringent complete response" in html
    assert "IMWG" in html and "Lugano" in html
    without = ef.table_html(ef.filter_trials(), show_label=False)
    assert "Label figures" not in without and "◇ Label differs" not in without
    assert "No pivotal trial" in ef.table_html([])
    assert "Not a league table" in ef.comparability_note_html()
    table = ef.enrolment_table()
    bundle = table._repr_mimebundle_()
    assert "31.1%" in bundle["text/html"] and 'role="img"' in bundle["text/html"]
    assert table.text.count("\n") == 7 and bundle["text/plain"] == table.text.split("\n")[0]


def test_rows_without_a_verified_label_figure_say_the_label_has_its_own_analysis():
    html = ef.table_html(ef.filter_trials(), show_label=True)
    assert "Same as the publication" not in html
    assert html.count("The label reports its own analysis of this trial") == 4  # ZUMA-5 shows its FL note instead
    assert "follicular lymphoma only" in html and "94% overall and 79% complete" in html
    assert "March 2021 approval" in html and "different, deeper category" in html
    assert "(primary efficacy analysis (" not in html  # no double parentheses
    assert "follicular and marginal zone lymphoma pooled" in html


def test_the_notebook_markdown_cites_every_key_of_its_tables():
    """lesson.references() lists Markdown [@key] citations only, so each table's keys are cited beside it."""
    nb = json.loads((NOTEBOOKS / "09_outcomes_access_future.ipynb").read_text(encoding="utf-8"))
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    cited = cited_keys(markdown)
    figure_keys = [k for d in ef.efficacy().durability for k in d.references]
    missing = [k for k in ef.trial_table_keys() + ef.enrolment_table_keys() + figure_keys if k not in cited]
    assert missing == []
    assert "assets/efficacy.yaml" not in markdown and "course's sources" not in markdown


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d["trials"][0].update(overall=120), "'overall': must be a percentage"),
        (lambda d: d["trials"][1].update(complete=99), "cannot exceed the overall"),
        (lambda d: d["trials"][1].update(received=500), "cannot exceed enrolled"),
        (lambda d: d["trials"][1].update(received=None), "give both"),
        (lambda d: d["trials"][0].update(product="Imaginel"), "not in the course's product table"),
        (lambda d: d["trials"][0].update(disease="AML"), "'disease'"),
        (lambda d: d["trials"][0].update(references=["no-such-key"]), "unknown reference key"),
        (lambda d: d["trials"][0].update(price=1), "'price': is not a field"),
        (lambda d: d["trials"][1]["label"].update(overall=None, complete=None), "needs an overall or a complete"),
        (lambda d: d["trials"].append(copy.deepcopy(d["trials"][0])), "field 'trial': used twice"),
        (lambda d: d["durability"][0].update(months=0), "'months'"),
        (lambda d: d["durability"][0].update(short="x" * 60), "at most 50 characters"),
        (lambda d: d.pop("as_of"), "as_of"),
    ],
)
def test_bad_rows_are_refused_with_file_row_and_field(tmp_path, raw, mutate, words):
    assert_refused(ef.load_efficacy, raw, mutate, words, tmp_path, "efficacy.yaml")
