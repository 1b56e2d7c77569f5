"""Lesson 02: the CAR-design rules (course/car_design.py) and the build-a-CAR widget."""

from __future__ import annotations

import pytest

from course.figures.catalog import show
from course.lessons.l02_building_a_car.demos import CarBuilder, car_builder
from course.lessons.l02_building_a_car.model import CarDesign, classify, costim_note, describe


@pytest.mark.parametrize(
    ("design", "generation", "label"),
    [
        (CarDesign(costim=()), 1, "First generation"),
        (CarDesign(costim=("4-1BB",)), 2, "Second generation"),
        (CarDesign(costim=("CD28",)), 2, "Second generation"),
        (CarDesign(costim=("CD28", "4-1BB")), 3, "Third generation"),
        (CarDesign(costim=("CD28", "OX40")), 3, "Third generation"),
        (CarDesign(costim=("4-1BB",), payload="cytokine"), 4, "Fourth generation (TRUCK or armoured CAR)"),
        (CarDesign(costim=("CD28",), payload="il2rb"), 5, "Next generation (sometimes called fifth)"),
    ],
)
def test_generations(design, generation, label):
    verdict = classify(design)
    assert verdict.works and verdict.generation == generation and verdict.label == label


def test_no_cd3_zeta_is_not_a_working_car_whatever_else_it_has():
    verdict = classify(CarDesign(costim=("CD28", "4-1BB"), cd3z=False))
    assert not verdict.works and verdict.generation is None and not verdict.signal1
    assert verdict.label == "Not a working CAR" and "no activation signal" in verdict.headline
    assert any("Co-stimulation alone" in n for n in verdict.notes)


def test_no_binder_is_not_a_working_car_and_both_problems_are_named():
    assert "cannot recognise" in classify(CarDesign(binder="none")).headline
    both = classify(CarDesign(binder="none", cd3z=False)).headline
    assert "no binder" in both and "no CD3-zeta" in both


def test_second_generation_layouts_name_the_approved_products():
    four_1bb = ("Kymriah", "Breyanzi", "Abecma", "Carvykti", "Aucatzyl")
    assert classify(CarDesign(costim=("4-1BB",))).like == four_1bb
    # the layout is matched inside the cell only: binder and hinge do not change the list
    assert classify(CarDesign(binder="VHH", costim=("4-1BB",))).like == four_1bb
    assert classify(CarDesign(hinge="CD28", costim=("4-1BB",))).like == four_1bb
    assert classify(CarDesign(binder="VHH", costim=("CD28",))).like == ("Yescarta", "Tecartus")
    assert classify(CarDesign(costim=("CD28",))).like == ("Yescarta", "Tecartus")
    assert classify(CarDesign(costim=("OX40",))).like == ()
    assert classify(CarDesign(costim=("CD28", "4-1BB"))).like == ()


def test_costimulation_notes_teach_the_generalisation_with_its_limits():
    assert "neurotoxicity" in costim_note("CD28") and "generalisation" in costim_note("CD28")
    assert "Yescarta and Tecartus" in costim_note("CD28")
    assert "head to head" in costim_note("4-1BB") and "4-1BB alone" in costim_note("4-1BB")
    assert "Not used by any approved product" in costim_note("OX40")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"binder": "Fab"}, "binder"),
        ({"hinge": "IgG4"}, "hinge"),
        ({"costim": ("CD28", "4-1BB", "OX40")}, "zero, one or two"),
        ({"costim": ("CD27",)}, "co-stimulatory"),
        ({"costim": ("CD28", "CD28")}, "twice"),
        ({"cd3z": "yes"}, "cd3z"),
        ({"payload": "IL-15"}, "payload"),
    ],
)
def test_invalid_designs_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        CarDesign(**kwargs)


def test_from_choices_counts_a_repeated_domain_once():
    design = CarDesign.from_choices("scFv", "CD8a", "CD28", "CD28", True, "none")
    assert design.costim == ("CD28",)
    assert CarDesign.from_choices("scFv", "CD28", "none", "4-1BB", True, "none").costim == ("4-1BB",)


def test_parts_run_outside_to_inside():
    kinds = [k for k, _ in CarDesign(costim=("CD28", "4-1BB"), payload="il2rb").parts()]
    assert kinds == ["binder", "hinge", "transmembrane", "costim", "costim", "il2rb", "cd3z"]
    assert describe(CarDesign()).startswith("Outside to inside: single-chain variable fragment (scFv)")


def test_build_a_car_figure_follows_the_design():
    good, broken = show("l02_build_a_car"), show("l02_build_a_car", cd3z=False)
    assert good.png != broken.png
    assert "Not a working CAR" in broken.alt and "Second generation" in good.alt
    assert good.smallest_font_pt >= 9


def test_builder_controls_are_labelled_and_hooked():
    builder = CarBuilder()
    for control in (builder.binder, builder.hinge, builder.costim1, builder.costim2, builder.cd3z, builder.payload):
        assert control.description
        assert any(c.startswith("cart-l02-") for c in control._dom_classes)


def test_builder_redraws_when_cd3_zeta_is_removed():
    builder = CarBuilder()
    figure, notes = builder.figure.value, builder.notes.value
    assert "Second generation" in notes and "Kymriah" in builder.figure.value
    assert "Carvykti" in builder.figure.value and "Aucatzyl" in builder.figure.value
    builder.cd3z.value = False
    assert builder.figure.value != figure and builder.notes.value != notes
    assert "Not a working CAR" in builder.notes.value and "no activation signal" in builder.notes.value


def test_builder_generations_payload_and_duplicate_note():
    builder = CarBuilder()
    builder.costim2.value = "OX40"
    assert "Third generation" in builder.notes.value
    builder.payload.value = "cytokine"
    assert "Fourth generation" in builder.notes.value
    builder.payload.value = "none"
    builder.costim2.value = "4-1BB"
    assert "counts once" in builder.notes.value and "Second generation" in builder.notes.value
    builder.binder.value = "none"
    assert "no binder" in builder.notes.value


def test_builder_static_view_shows_the_default_design():
    bundle = car_builder()._repr_mimebundle_()
    assert "<img" in bundle["text/html"] and "Second generation" in bundle["text/html"]
    assert "In Jupyter you can swap" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Build a CAR (default): Second generation.")
