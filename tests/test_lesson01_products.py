"""Lesson 01 data: the approved-product table (assets/products.yaml) and its loader course/products.py."""

from __future__ import annotations

import copy

import pytest
import yaml

from course.clinical.products import (
    BRANDS,
    PRODUCTS_FILE,
    LabelDate,
    catalogue,
    filter_products,
    load_catalogue,
    load_products,
    products_with,
)
from course.core.errors import CourseDataError
from course.core.references import registry
from course.lessons.l01_what_car_t_treats.model import product_table, table_html, table_text

RAW = yaml.safe_load(PRODUCTS_FILE.read_text())


def write(tmp_path, data):
    path = tmp_path / "products.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_the_seven_us_products_with_exact_brand_names():
    assert [p.brand for p in load_products()] == list(BRANDS)
    assert BRANDS == ("Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Abecma", "Carvykti", "Aucatzyl")


def test_targets_costimulation_and_vectors_match_the_fact_sheet():
    rows = {p.brand: (p.target, p.costimulatory, p.vector) for p in load_products()}
    assert rows == {
        "Kymriah": ("CD19", "4-1BB", "lentiviral"),
        "Yescarta": ("CD19", "CD28", "gammaretroviral"),
        "Tecartus": ("CD19", "CD28", "gammaretroviral"),
        "Breyanzi": ("CD19", "4-1BB", "lentiviral"),
        "Abecma": ("BCMA", "4-1BB", "lentiviral"),
        "Carvykti": ("BCMA", "4-1BB", "lentiviral"),
        "Aucatzyl": ("CD19", "4-1BB", "lentiviral"),
    }


def test_first_approval_dates_and_unverified_day_given_as_month_only():
    dates = {p.brand: str(p.first_approval) for p in load_products()}
    assert dates == {
        "Kymriah": "30 Aug 2017",
        "Yescarta": "18 Oct 2017",
        "Tecartus": "24 Jul 2020",
        "Breyanzi": "5 Feb 2021",  # fact sheet section 11
        "Abecma": "26 Mar 2021",
        "Carvykti": "28 Feb 2022",
        "Aucatzyl": "8 Nov 2024",
    }
    assert "5 February 2021" in catalogue().get("Breyanzi").notes
    assert "27" in catalogue().get("Abecma").notes  # the conflicting date is named, and the choice said


def test_key_indications_and_earlier_lines():
    kym = catalogue().get("Kymriah").indications[0]
    assert (kym.disease, kym.population) == ("B-ALL", "children and young adults up to 25 years")
    lines = {(p.brand, i.disease, str(i.approved)): i.prior_lines for p in load_products() for i in p.indications}
    assert lines[("Yescarta", "LBCL", "1 Apr 2022")] == 1
    assert lines[("Breyanzi", "LBCL", "24 Jun 2022")] == 1
    assert lines[("Abecma", "MM", "26 Mar 2021")] == 4 and lines[("Abecma", "MM", "4 Apr 2024")] == 2
    assert lines[("Carvykti", "MM", "5 Apr 2024")] == 1
    assert lines[("Breyanzi", "MZL", "4 Dec 2025")] == 2


def test_every_row_and_indication_cites_known_references():
    known = registry()
    for p in load_products():
        assert p.references and set(p.references) <= set(known)
        for ind in p.indications:
            assert ind.references and set(ind.references) <= set(known)


@pytest.mark.parametrize(
    ("disease", "target", "brands"),
    [
        ("MM", None, ["Abecma", "Carvykti"]),
        ("MCL", None, ["Tecartus", "Breyanzi"]),
        ("B-ALL", None, ["Kymriah", "Tecartus", "Aucatzyl"]),
        (None, "CD19", ["Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Aucatzyl"]),
        ("LBCL", "BCMA", []),
        (None, None, list(BRANDS)),
    ],
)
def test_filter(disease, target, brands):
    assert [p.brand for p in filter_products(load_products(), disease, target)] == brands


def test_filter_refuses_unknown_values():
    with pytest.raises(ValueError, match="unknown disease"):
        filter_products(load_products(), disease="AML")
    with pytest.raises(ValueError, match="unknown target"):
        filter_products(load_products(), target="HER2")


def test_products_with_costimulatory_domain():
    assert products_with(costimulatory="CD28") == ["Yescarta", "Tecartus"]
    assert products_with(costimulatory="4-1BB", target="BCMA") == ["Abecma", "Carvykti"]


@pytest.mark.parametrize(
    ("text", "shown"), [("2017-08-30", "30 Aug 2017"), ("2021-02", "Feb 2021"), ("2024", "2024")]
)
def test_label_dates_keep_their_precision(text, shown):
    assert str(LabelDate.parse(text)) == shown


@pytest.mark.parametrize("text", ["2021-02-30", "2021-13", "21-02-01", "Feb 2021", ""])
def test_label_dates_refuse_bad_text(text):
    with pytest.raises(ValueError):
        LabelDate.parse(text)


def test_label_dates_order_and_axis_position():
    assert LabelDate.parse("2024") < LabelDate.parse("2024-04-05") < LabelDate.parse("2024-05")
    assert 2017.6 < LabelDate.parse("2017-08-30").decimal_year < 2017.7


def _mutated(mutate):
    data = copy.deepcopy(RAW)
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d["products"][0].update(brand="Kymria"), "field 'brand'"),
        (lambda d: d["products"][1].update(target="CD20"), "product 'Yescarta': field 'target'"),
        (lambda d: d["products"][1].update(costimulatory="CD27"), "field 'costimulatory'"),
        (lambda d: d["products"][1].update(first_approval="2017-10-19"), "field 'first_approval'"),
        (lambda d: d["products"][1].update(references=[]), "field 'references'"),
        (lambda d: d["products"][1].update(references=["no-such-key"]), "unknown reference key"),
        (lambda d: d["products"][1].update(colour="red"), "field 'colour'"),
        (lambda d: d["products"][2].update(brand="Yescarta"), "listed twice"),
        (lambda d: d["products"][3]["indications"][0].update(disease="AML"), r"indications row '#1': field 'disease'"),
        (lambda d: d["products"][3]["indications"][1].update(references=[]), r"indications row '#2': field 'references'"),
        (lambda d: d["products"][3]["indications"][1].update(prior_lines=0), r"indications row '#2': field 'prior_lines'"),
        (lambda d: d["products"][3]["indications"][1].update(approved="24 June 2022"), r"indications row '#2': field 'approved'"),
        (lambda d: d["products"][3]["indications"].reverse(), "order of approval"),
        (lambda d: d.pop("as_of"), "as_of"),
    ],
)
def test_bad_rows_fail_with_product_and_field_named(tmp_path, mutate, words):
    with pytest.raises(CourseDataError, match=words):
        load_catalogue(write(tmp_path, _mutated(mutate)))


def test_unquoted_yaml_date_is_refused(tmp_path):
    path = tmp_path / "products.yaml"
    path.write_text(PRODUCTS_FILE.read_text().replace('first_approval: "2017-08-30"', "first_approval: 2017-08-30"))
    with pytest.raises(CourseDataError, match="quote the date"):
        load_catalogue(path)


def test_table_html_escapes_marks_matches_and_handles_no_rows():
    html = table_html(filter_products(load_products(), "MM"), "MM")
    assert html.count("<tr>") == 3  # header + 2 products
    assert "fda2021-yescarta-fl" in table_html(load_products())  # indication-level sources are listed too
    assert "(matches)" in html and "Abecma" in html and "Kymriah" not in html
    assert 'scope="col"' in html and "<caption" in html
    assert "No approved product" in table_html([], None)
    assert "&lt;" not in table_html(load_products())  # nothing in the data needs escaping by accident
    assert table_text([]) == "No approved product matches this choice."


def test_product_table_display_object():
    bundle = product_table(target="BCMA")._repr_mimebundle_()
    assert "Carvykti" in bundle["text/html"] and "Kymriah" not in bundle["text/plain"]


def test_every_table_source_is_cited_in_the_notebook_markdown():
    """lesson.references() lists only [@key] citations in Markdown (and question references)."""
    import json

    from course.core.paths import NOTEBOOKS
    from course.core.references import cited_keys

    cells = json.loads((NOTEBOOKS / "01_what_car_t_treats.ipynb").read_text())["cells"]
    cited = set()
    for cell in cells:
        if cell["cell_type"] == "markdown":
            cited |= set(cited_keys("".join(cell["source"])))
    table = {k for p in load_products() for k in p.references + tuple(k for i in p.indications for k in i.references)}
    assert table - cited == set()


def test_accelerated_approval_only_where_a_source_marks_it():
    marked = {
        (p.brand, i.disease) for p in load_products() for i in p.indications if "accelerated" in i.setting.lower()
    }
    assert marked == {
        ("Tecartus", "MCL"), ("Yescarta", "FL"), ("Breyanzi", "FL"), ("Kymriah", "FL"), ("Breyanzi", "CLL/SLL")
    }
