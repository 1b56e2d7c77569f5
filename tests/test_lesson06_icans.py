"""Lesson 06 (ICANS): the grading helpers, the vignette answers, the product table and its loader."""

from __future__ import annotations

import inspect
import re
from typing import get_args

import pytest
import yaml

from course import clinical
from course.core.errors import CourseDataError
from course.core.references import registry
from course.engine.questions.model import bank_path, load_bank
from course.engine.views import html as views
from course.lessons.l06_icans import model as icans
from course.lessons.l06_icans import timing as icans_timing

BANK = load_bank(bank_path("06_icans"))


def q(qid):
    return BANK.get(qid)


def correct_text(qid):
    question = q(qid)
    return question.options[question.correct_options()[0]].text


# --- Every grade asked in a vignette is the one course.clinical computes from its inputs.


def test_every_vignette_is_a_question_of_the_bank():
    assert set(icans.VIGNETTES) <= set(BANK.ids())
    assert set(icans.ICE_CALCULATIONS) <= set(BANK.ids())


@pytest.mark.parametrize("qid", sorted(icans.VIGNETTES))
def test_vignette_assessment_is_clinical_icans_grade(qid):
    vignette = icans.VIGNETTES[qid]
    assert vignette.assessment().grade == clinical.icans_grade(**vignette.inputs)


def test_aphasia_ice_0_but_arousable_is_grade_3_by_the_ice_domain():
    result = icans.VIGNETTES["q06-aphasia"].assessment()
    assert result.grade == clinical.icans_grade(0, "alert")
    assert correct_text("q06-aphasia").startswith(f"Grade {result.grade.grade}, set by the ICE score")
    assert [d.key for d in result.deciding] == ["ice"]


def test_unarousable_is_grade_4():
    result = icans.VIGNETTES["q06-unarousable"].assessment()
    assert result.grade == clinical.icans_grade(None, "unarousable")
    assert correct_text("q06-unarousable") == f"Grade {result.grade.grade}"
    assert {d.key for d in result.deciding} == {"ice", "consciousness"}


def test_tremor_does_not_change_the_grade():
    result = icans.VIGNETTES["q06-tremor"].assessment()
    grade = clinical.icans_grade(**icans.VIGNETTES["q06-tremor"].inputs).grade
    assert result.grade.grade == grade
    claimed = re.search(r"from (\d) to (\d)", q("q06-tremor").stem)
    assert int(claimed.group(1)) == grade
    assert q("q06-tremor").answer is (int(claimed.group(2)) == grade)
    assert "tremor" not in inspect.signature(clinical.icans_grade).parameters


def test_intracranial_hemorrhage_is_excluded():
    grade = clinical.icans_grade(**icans.VIGNETTES["q06-hemorrhage"].inputs).grade
    text = correct_text("q06-hemorrhage")
    assert text.startswith("It does not") and "excluded" in text
    assert f"give grade {grade}" in text
    assert not any("hemorrhage" in p or "haemorrhage" in p for p in inspect.signature(clinical.icans_grade).parameters)


def test_seizure_numeric_answer_is_the_computed_grade():
    result = icans.VIGNETTES["q06-seizure"].assessment()
    assert q("q06-seizure").answer == clinical.icans_grade(**icans.VIGNETTES["q06-seizure"].inputs).grade
    assert [d.key for d in result.deciding] == ["seizure"]
    ice_only = clinical.ice_grade(icans.VIGNETTES["q06-seizure"].inputs["ice"]).grade
    assert any(e.value == ice_only for e in q("q06-seizure").common_errors)


def test_which_domain_names_the_deciding_domain():
    result = icans.VIGNETTES["q06-which-domain"].assessment()
    text = correct_text("q06-which-domain")
    assert text == f"Grade {result.grade.grade}, set by the {icans.SHORT_NAMES[result.deciding[0].key]} domain"
    assert len(result.deciding) == 1


def test_ice_10_with_drowsiness_is_still_icans():
    inputs = icans.VIGNETTES["q06-ice10"].inputs
    grade = clinical.icans_grade(**inputs).grade
    assert grade > 0 and q("q06-ice10").answer is True  # the statement: she has ICANS despite ICE 10
    assert f"grade {grade}" in q("q06-ice10").feedback_true


def test_isolated_icans_explanation_states_the_computed_grade():
    grade = clinical.icans_grade(**icans.VIGNETTES["q06-isolated-icans"].inputs).grade
    assert f"grade {grade} ICANS" in q("q06-isolated-icans").explanation
    # ASCO by grade: supportive care at grade 1; dexamethasone 10 mg at grade 2; tocilizumab only with CRS.
    assert grade == 2 and correct_text("q06-isolated-icans").startswith("Dexamethasone 10 mg IV")
    assert "only if CRS is also present" in q("q06-isolated-icans").explanation


def test_fever_is_not_an_early_sign_of_icans():
    question = q("q06-early-signs")
    (fever,) = [o for o in question.options if "38.4" in o.text]
    assert not fever.correct
    assert fever.feedback.startswith("Report this fever now under the CRS plan")
    assert "report" not in question.stem.lower()


def test_ice_calculation_answer_is_clinical_ice_score():
    items = icans.ICE_CALCULATIONS["q06-ice-calc"]
    score = clinical.ice_score(**items)
    assert q("q06-ice-calc").answer == score
    assert f"grade {clinical.ice_grade(score).grade} ICANS" in q("q06-ice-calc").explanation


def test_onset_question_answer_is_the_earliest_onset_in_the_table():
    row = icans_timing.earliest_onset()
    assert correct_text("q06-onset-product") == f"{row.label}, median day {row.onset_median_days:g}"
    for option in q("q06-onset-product").options:
        label, day = re.match(r"(.+), median day (\d+)", option.text).groups()
        match = [r for r in icans_timing.products() if r.label == label]
        assert match and match[0].onset_median_days == float(day)


def test_grade_words_in_o3_explanations_match_their_vignettes():
    for qid, vignette in icans.VIGNETTES.items():
        grade = vignette.assessment().grade.grade
        numbers = {int(n) for n in re.findall(r"grade (\d)", q(qid).explanation.lower())}
        if numbers:
            assert grade in numbers, qid


# --- The domain helper and the tables read the rules from course.clinical.


def test_assess_names_each_domain_and_the_worst_one():
    result = icans.assess(6, "awakens_to_tactile", raised_icp="focal_edema")
    assert result.grade.grade == 3
    assert [d.key for d in result.deciding] == ["consciousness", "raised_icp"]
    assert "level of consciousness and raised ICP / cerebral edema domains" in result.sentence()
    assert icans.assess(10).sentence().startswith("No ICANS")
    assert icans.assess(10).deciding == ()


def test_assess_refuses_bad_inputs_like_clinical():
    with pytest.raises(ValueError, match="unarousable"):
        icans.assess(None, "alert")
    with pytest.raises(ValueError, match="consciousness"):
        icans.assess(5, "sleepy")


def test_bedside_notes_say_why_they_do_not_count():
    assert icans.bedside_notes() == []
    tremor, bleed = icans.bedside_notes(tremor=True, hemorrhage=True)
    assert "does not change the ICANS grade" in tremor
    assert "excluded" in bleed


def test_choice_labels_cover_every_clinical_choice():
    for key, table in icans.TABLES.items():
        assert list(icans.CHOICE_LABELS[key]) == list(table)


def test_grading_table_cells_come_from_clinical():
    rows = {r[0]: r[1:] for r in icans.grading_table().rows}
    assert rows["ICE score"][:3] == ["ICE 7–9", "ICE 3–6", "ICE 0–2"]
    assert rows["Motor findings"] == ["—", "—", "—", icans.CHOICE_LABELS["motor"]["deep_focal_weakness"]]
    for key, table in icans.TABLES.items():
        for value, (grade, _) in table.items():
            if grade:
                assert rows[icans.DOMAIN_NAMES[key]][grade - 1] == icans.CHOICE_LABELS[key][value]


def test_ice_items_table_points_total_ten_and_escape_html():
    table = icans.ice_items_table()
    assert sum(int(r[2]) for r in table.rows[:-1]) == 10
    bundle = views.table("cap <b>", ["a"], [["<script>x</script>"]])._repr_mimebundle_()
    assert "<script>" not in bundle["text/html"] and "&lt;script&gt;" in bundle["text/html"]


# --- assets/icans_timing.yaml


def test_timing_table_loads_and_every_reference_resolves():
    rows = icans_timing.products()
    assert len(rows) >= 8
    keys = set(registry())
    for row in rows:
        assert set(row.references) <= keys
        assert row.grade3_plus_pct <= row.any_grade_pct
        if row.onset_range_days:
            assert row.onset_range_days[0] <= row.onset_median_days <= row.onset_range_days[1]


def test_timing_figures_match_the_fact_sheet():
    # The numbers of the course fact sheet (section 5c), from the product labels cited in the data file.
    expected = {
        "kymriah-all": (40, 13, 6),
        "kymriah-dlbcl": (21, 12, 6),
        "yescarta-lbcl": (87, 31, 4),
        "tecartus-mcl": (81, 37, 6),
        "tecartus-all": (87, 35, None),
        "breyanzi-lbcl": (30, 10, None),
        "abecma-mm": (28, 4, 2),
        "carvykti-mm": (21, 10, 8),
        "aucatzyl-all": (24, 7.1, None),
    }
    for pid, (any_pct, g3, onset) in expected.items():
        row = icans_timing.get(pid)
        assert (row.any_grade_pct, row.grade3_plus_pct, row.onset_median_days) == (any_pct, g3, onset)


def test_every_key_of_the_table_is_cited_in_the_notebook_markdown():
    """lesson.references() lists only [@key] citations of the Markdown and the questions' keys, so a key
    that only the data table uses must be cited in the Markdown too, or it is missing from the list."""
    import json

    from course.core.references import cited_keys
    from course.engine.lesson import notebook_path

    nb = json.loads(notebook_path("06_icans").read_text(encoding="utf-8"))
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    cited = set(cited_keys(markdown))
    for row in icans_timing.products():
        assert set(row.references) <= cited, (row.id, set(row.references) - cited)


def test_mixed_sources_and_approximate_figures_are_shown_as_such():
    kymriah = icans_timing.get("kymriah-all")
    assert kymriah.onset_label == "Kymriah (US label, ELIANA data set)" and kymriah.timing_mark == "†"
    rows = {r[0] + r[1]: r for r in icans_timing.timing_table().rows}
    kymriah_row = next(r for key, r in rows.items() if "ELIANA" in key)
    assert kymriah_row[4] == "day 6 (1–359)†" and kymriah_row[5] == "6 days†"
    assert icans_timing.footnotes() == [
        "†US label, broader definition of neurological events than the 40% incidence.",
        "‡ICANS alone, a narrower count than the all-neurotoxicity percentages.",
    ]
    carvykti = next(r for key, r in rows.items() if "CARTITUDE-1" in key)
    assert carvykti[4] == "day 8 (3–12)‡" and carvykti[5] == "4 days‡"  # onset of ICANS only, marked as such
    assert "US label, broader definition" in icans_timing.timing_table()._repr_mimebundle_()["text/html"]
    assert "US label, broader definition" in icans_timing.timing_table().text
    assert icans_timing.get("carvykti-mm").incidence_text() == (
        "about 21% / about 10% (all neurotoxicity, CARTITUDE-1)"
    )
    assert icans_timing.get("aucatzyl-all").incidence_text() == (
        "24% (label) / 7.1% (FELIX publication (the label counts differently))"
    )
    assert icans_timing.get("abecma-mm").incidence_text() == "28% / 4%"
    assert icans_timing.get("yescarta-lbcl").as_of.startswith("Yescarta US label, October 2017")
    assert icans_timing.get("tecartus-all").as_of.startswith("FDA review of the October 2021 ALL approval")


def test_get_unknown_product_lists_the_ids():
    with pytest.raises(KeyError, match="abecma-mm"):
        icans_timing.get("nope")


def test_timing_table_view_has_every_product():
    table = icans_timing.timing_table()
    bundle = table._repr_mimebundle_()
    for row in icans_timing.products():
        assert row.brand in bundle["text/html"] and row.brand in table.text
    assert "<table" in bundle["text/html"]


GOOD = {
    "id": "x-1",
    "brand": "B",
    "generic": "g",
    "target": "CD19",
    "disease": "d",
    "trial": "T",
    "scale": "astct-icans",
    "counted": "c",
    "any_grade_pct": 20,
    "grade3_plus_pct": 5,
    "onset_median_days": 4,
    "onset_range_days": [1, 9],
    "duration_median_days": None,
    "duration_range_days": None,
    "crs_relation": None,
    "note": None,
    "as_of": "2024 label",
    "references": ["lee2019-astct"],
}


def _load(tmp_path, **changes):
    row = {**GOOD, **changes}
    row = {k: v for k, v in row.items() if v != "DROP"}
    path = tmp_path / "icans_timing.yaml"
    path.write_text(yaml.safe_dump({"products": [row]}))
    return icans_timing.load_icans_timing(path, known_refs={"lee2019-astct"})


def test_loader_accepts_a_good_row(tmp_path):
    (row,) = _load(tmp_path)
    assert row.onset_range_days == (1.0, 9.0) and row.label == "B (T)"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"grade3_plus_pct": 30}, "'grade3_plus_pct': cannot exceed"),
        ({"any_grade_pct": 120}, "'any_grade_pct': must be between 0 and 100"),
        ({"onset_range_days": [5, 9]}, "'onset_range_days': must contain the median"),
        ({"onset_median_days": None}, "'onset_range_days': a range needs"),
        ({"scale": "penn"}, "'scale': must be one of"),
        ({"target": "CD22"}, "'target'"),
        ({"references": ["nope-key"]}, "unknown reference key"),
        ({"references": []}, "'references'"),
        ({"source": "somewhere.com"}, "'source': is not a field"),
        ({"trial": ""}, "'trial': must be text and not empty"),
        ({"as_of": "DROP"}, "'as_of': is missing"),
        ({"onset_median_days": "six"}, "must be a number"),
        ({"approximate": "yes"}, "'approximate': must be true or false"),
        ({"grade3_source": ""}, "'grade3_source': must be text and not empty"),
        (
            {"onset_median_days": None, "onset_range_days": None, "timing_footnote": "label"},
            "'timing_footnote': needs an onset or a duration",
        ),
    ],
)
def test_loader_names_file_row_and_field(tmp_path, changes, words):
    with pytest.raises(CourseDataError, match=re.escape("icans_timing.yaml: row 'x-1'")) as err:
        _load(tmp_path, **changes)
    assert words in str(err.value)


def test_every_declared_scale_is_explained():
    assert set(get_args(icans_timing.Scale)) == set(icans_timing.SCALES) == set(icans_timing.SCALE_WORDS)


def test_loader_refuses_duplicates_and_empty_files(tmp_path):
    path = tmp_path / "icans_timing.yaml"
    path.write_text(yaml.safe_dump({"products": [GOOD, GOOD]}))
    with pytest.raises(CourseDataError, match="used twice"):
        icans_timing.load_icans_timing(path, known_refs={"lee2019-astct"})
    path.write_text("products: []\n")
    with pytest.raises(CourseDataError, match="non-empty list"):
        icans_timing.load_icans_timing(path)
