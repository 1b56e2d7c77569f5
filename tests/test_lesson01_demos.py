"""Lesson 01 figures and demos: the lineage explorer and the product explorer react to their controls."""

from __future__ import annotations

import pytest

from course.figures.catalog import show
from course.lessons.l01_what_car_t_treats.demos import (
    LINEAGE_NOTES,
    LineageExplorer,
    ProductExplorer,
    lineage_demo,
    product_demo,
)
from course.lessons.l01_what_car_t_treats.figures import b_lineage, hit_stages, lines_history
from tests.demo_support import static_view


def test_hit_stages_follow_the_simplified_lineage():
    assert hit_stages(None) == []
    cd19 = hit_stages("CD19")
    assert "Stem cell" not in cd19 and "Pro-B" in cd19 and "Plasmablast" in cd19
    assert hit_stages("BCMA") == ["Memory B", "Plasmablast", "Plasma cell"]


def test_lineage_refuses_unknown_target():
    with pytest.raises(ValueError, match="highlight"):
        b_lineage("CD20")


def test_lines_history_is_drawn_from_the_product_table():
    lbcl = lines_history("LBCL")
    assert [n for _, n in lbcl["Yescarta"]] == [2, 1]
    assert [n for _, n in lines_history("MM")["Carvykti"]] == [4, 1]
    assert "Tecartus" not in lbcl


def test_lesson01_figure_alt_text_follows_the_options():
    assert "Abecma, Carvykti" in show("l01_approval_timeline", disease="MM").alt
    assert "Filtered to multiple myeloma" in show("l01_approval_timeline", disease="MM").caption
    assert "Plasma cell" in show("l01_b_lineage", highlight="BCMA").alt
    assert "Conceptual illustration, not patient data" in show("l01_b_lineage").caption


def test_lineage_explorer_redraws_on_choice():
    demo = LineageExplorer()
    before_figure, before_note = demo.figure.value, demo.note.value
    assert "cart-l01-target-choice" in demo.choice._dom_classes and demo.choice.description
    demo.choice.value = "CD19"
    assert demo.figure.value != before_figure and demo.note.value != before_note
    assert "B-cell aplasia" in demo.note.value and "Pro-B" in demo.note.value
    demo.choice.value = "BCMA"
    assert "plasma cells" in demo.note.value and "Plasma cell" in demo.figure.value


def test_lineage_demo_static_view_shows_figure_and_both_targets():
    bundle = lineage_demo()._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<img" in html and 'alt="Diagram of B-cell maturation' in html
    assert "CD19 CAR." in html and "BCMA CAR." in html
    assert LINEAGE_NOTES["CD19"][:30] in bundle["text/plain"]


def test_product_explorer_filters_summary_table_and_timeline():
    demo = ProductExplorer()
    assert demo.disease.description == "Disease:" and demo.target.description == "Target:"
    assert "cart-l01-disease" in demo.disease._dom_classes and "cart-l01-target" in demo.target._dom_classes
    assert "7 of 7 products match" in demo.summary.value
    figure = demo.figure.value
    demo.disease.value = "MM"
    assert "2 of 7 products match" in demo.summary.value and "Abecma, Carvykti" in demo.summary.value
    assert "Kymriah" not in demo.table.value and "(matches)" in demo.table.value
    assert demo.figure.value != figure
    demo.target.value = "CD19"
    assert "0 of 7" in demo.summary.value and "No approved product" in demo.table.value
    demo.disease.value = "any"
    assert "5 of 7" in demo.summary.value


def test_product_demo_static_view_is_the_full_table():
    demo = product_demo()
    bundle = demo._repr_mimebundle_()
    assert all(brand in bundle["text/html"] for brand in ("Kymriah", "Aucatzyl", "Carvykti"))
    assert "<table" in bundle["text/html"] and "<img" in bundle["text/html"]
    assert "To use the controls, run the notebook" in static_view(demo)
    assert demo.text.count("\n") == 6  # the plain text: one line a product, under the caption
    assert bundle["text/plain"] == demo.text.split("\n")[0]  # the file stores the caption only


def test_bank_order_is_the_order_the_notebook_shows_the_questions():
    import json
    import re

    from course.core.paths import NOTEBOOKS
    from course.engine.questions.model import all_banks

    cells = json.loads((NOTEBOOKS / "01_what_car_t_treats.ipynb").read_text())["cells"]
    shown = [
        m
        for cell in cells
        if cell["cell_type"] == "code"
        for m in re.findall(r'lesson\.question\("([^"]+)"\)', "".join(cell["source"]))
    ]
    bank = next(b for b in all_banks() if b.lesson == "01_what_car_t_treats")
    assert shown == bank.ids()


def test_bcma_note_mentions_possible_brain_cells():
    assert "brain" in LINEAGE_NOTES["BCMA"] and "lesson 06" in LINEAGE_NOTES["BCMA"]
