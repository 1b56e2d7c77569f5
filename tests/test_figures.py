"""Every catalogued figure: reproducible PNG bytes, readable text, alt text and caption, no leaks."""

from __future__ import annotations

import io

import pytest
from matplotlib.figure import Figure
from PIL import Image

from course.figures import cache
from course.figures.catalog import catalog, show
from course.figures.render import (
    DISPLAY_WIDTH_PX,
    MIN_TEXT_CSS_PX,
    FigureView,
    displayed_scale,
    png_bytes,
    smallest_text_css_px,
)
from course.figures.style import MIN_FONT_PT, OKABE_ITO

NAMES = sorted(catalog())


@pytest.mark.parametrize("name", NAMES)
def test_figure_function_returns_a_matplotlib_figure(name):
    assert isinstance(catalog()[name].draw(), Figure)


@pytest.mark.parametrize("name", NAMES)
def test_png_is_byte_identical_run_to_run_and_has_no_software_tag(name):
    first, second = show(name).png, show(name).png
    assert first == second
    image = Image.open(io.BytesIO(first))
    assert "Software" not in image.info
    assert image.width >= 400


@pytest.mark.parametrize("name", NAMES)
def test_text_is_at_least_9_pt_and_alt_and_caption_say_something(name):
    view = show(name)
    assert view.smallest_font_pt >= MIN_FONT_PT
    assert len(view.alt.split()) >= 15, "alt text must describe the figure, not name it"
    assert len(view.caption.split()) >= 6
    bundle = view._repr_mimebundle_()
    assert f'alt="{view.alt[:20]}' in bundle["text/html"].replace("&#x27;", "'")
    assert "<figcaption" in bundle["text/html"] and set(bundle) == {"text/html", "text/plain"}  # PNG stored once


def _shown_variants() -> list[tuple[str, dict]]:
    """Every figure with its default options, plus every set of options a notebook shows it with
    (the figure cache holds one entry per figure and options that ``course execute`` drew)."""
    variants = {(name, "{}"): (name, {}) for name in NAMES}
    for entry in cache.entries():
        variants.setdefault((entry["figure"], repr(entry["options"])), (entry["figure"], entry["options"]))
    return sorted(variants.values(), key=repr)


@pytest.mark.parametrize(("name", "options"), _shown_variants(), ids=lambda v: v if isinstance(v, str) else repr(v)[:60])
def test_text_is_legible_at_the_size_the_notebook_shows_the_figure(name, options):
    """Review student-trial finding 13: no text under 12 CSS px (9 pt) on screen, tick labels included.

    Every Text artist of the drawn Matplotlib figure counts (titles, labels, tick labels, legends,
    annotations). A figure wider than the notebook's output area is shrunk to it, so its text is
    measured after that shrinking (course.figures.render.DISPLAY_WIDTH_PX)."""
    fig = catalog()[name].draw(**options)
    fig.draw_without_rendering()  # tick labels and other texts Matplotlib makes only when drawing
    px = smallest_text_css_px(fig)
    width = fig.get_figwidth() * fig.dpi
    assert px >= MIN_TEXT_CSS_PX, (
        f"{name} {options}: smallest text {px:.1f} CSS px on screen ({width:.0f}-px PNG shown "
        f"{displayed_scale(fig) * width:.0f} px wide); needs {MIN_TEXT_CSS_PX:g}"
    )


def test_displayed_size_follows_the_img_style():
    """The measure above assumes the <img> shows at its own size, shrunk only to fit the output area."""
    html = FigureView(Figure(figsize=(3, 2)), "alt text " * 8, "a caption of six words here").html()
    assert 'style="max-width:100%;height:auto"' in html and " width=" not in html
    small, wide = Figure(figsize=(DISPLAY_WIDTH_PX / 200, 2), dpi=100), Figure(figsize=(DISPLAY_WIDTH_PX / 50, 2), dpi=100)
    assert displayed_scale(small) == 1.0 and displayed_scale(wide) == pytest.approx(0.5)


def test_figure_view_refuses_missing_alt_text():
    with pytest.raises(ValueError, match="alt text"):
        FigureView(Figure(), "", "caption")


def test_unknown_figure_lists_the_catalogue():
    with pytest.raises(KeyError, match="five_steps"):
        show("nope")


def test_png_bytes_stable_for_a_plain_figure():
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot([0, 1], [1, 0], color=OKABE_ITO["blue"])
    assert png_bytes(fig) == png_bytes(fig)


def test_palette_is_okabe_ito():
    assert OKABE_ITO["vermillion"] == "#D55E00" and OKABE_ITO["bluish_green"] == "#009E73"


def test_palette_keeps_small_coloured_marks_exactly():
    """A small bluish-green marker beside a large blue bar must stay bluish green, not merge into blue."""
    fig = Figure(figsize=(4, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    ax.barh([0], [0.9], color=OKABE_ITO["blue"], height=0.8)
    ax.plot([0.95], [0], marker="s", markersize=6, color=OKABE_ITO["bluish_green"], linestyle="none")
    ax.set_xlim(0, 1)
    image = Image.open(io.BytesIO(png_bytes(fig))).convert("RGB")
    colours = {rgb for _, rgb in image.getcolors(maxcolors=image.width * image.height)}
    assert (0x00, 0x72, 0xB2) in colours and (0x00, 0x9E, 0x73) in colours
    assert (255, 255, 255) in colours  # white stays white (PIL's own palette mapping shifts it)
