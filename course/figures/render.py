"""Turning a figure into a displayable, accessible output: PNG with alt text and a caption.

Each figure is stored ONCE in a notebook: as a ``text/html`` ``<figure>`` whose ``<img>`` carries
the PNG as a data URI, its alt text and its caption, plus a one-line ``text/plain`` label (the
caption: the description is the ``<img>``'s alt text, which every reader below shows). There is
no separate ``image/png`` output (until issue 10 every figure was stored twice, which took the
notebook files to 299 KB; without the copy the largest is under 250 KB). Why that is enough:

- nbviewer renders with nbconvert's HTML exporter (lab template), which ranks ``text/html`` above
  ``image/png``: the ``image/png`` copy was never shown there, and a bare ``image/png`` would be
  drawn without alt text (nbconvert fills in "No description has been provided for this image").
  ``tests/test_notebooks.py`` converts every notebook with nbconvert and checks that every figure
  appears as an ``<img>`` of the stored PNG with its alt text and caption.
- JupyterLab and Notebook 7 rank ``text/html`` above ``image/png`` too, so they never showed the
  copy either: a figure displays exactly as before (their sanitiser filters the scheme of ``href``
  and ``cite`` only, not of ``<img src>``, so the data URI renders in an untrusted notebook too).
- GitHub's notebook view renders ``text/html`` outputs (every quiz, table and demo of the course
  relies on that already) and, like nbconvert, prefers it to ``image/png``; a ``data:`` image in
  an HTML output is reported to display there (activeviam/atoti-notebooks#425). GitHub cannot be
  checked from a test without network: if it ever drops the data URI, the browser shows the alt
  text in the image's place and the caption stays below it.
"""

from __future__ import annotations

import base64
import io
import math
from html import escape
from typing import TYPE_CHECKING

from course.core.references import render_bracket_keys
from course.core.text import inline_html, plain

if TYPE_CHECKING:  # Matplotlib is imported only to draw: a figure read from the cache never needs it
    from matplotlib.figure import Figure

MIN_FONT_PT = 9  # the course style's smallest text (course.figures.style imports Matplotlib)

# How big a figure's text really is on the student's screen. The ``<img>`` below has
# ``max-width:100%`` and no width of its own: a PNG narrower than the output area shows at its own
# size (one PNG pixel per CSS px), a wider one is shrunk to the output area. Measured in JupyterLab 4
# in Chromium, 1280 x 900 window, file browser open (the layout students first see; review
# student-trial finding 13): the output area is 848 CSS px and every figure displays at 828 CSS px
# wide, so a 1000-pixel figure is shown at 83% and its 9.5 pt text at about 10.9 px.
DISPLAY_WIDTH_PX = 828
MIN_TEXT_CSS_PX = 12.0  # 9 pt at the displayed size (CSS: 1 pt = 4/3 px), what the design rule asks


def displayed_scale(fig: Figure) -> float:
    """How much the notebook shrinks the figure's PNG (1.0: shown at its own size)."""
    width_px = fig.get_figwidth() * fig.dpi
    return min(1.0, DISPLAY_WIDTH_PX / width_px)


def smallest_text_css_px(fig: Figure) -> float:
    """The height of the figure's smallest text, in CSS px, at the size the notebook shows it.

    A font of ``s`` points is ``s * dpi / 72`` PNG pixels tall, then shrunk by ``displayed_scale``."""
    return smallest_font_pt(fig) * fig.dpi / 72 * displayed_scale(fig)

# At most 128 colours a figure: the flat colours exactly (below), the rest for anti-aliased edges.
# Measured over the 38 cached figures: 554 KB at 256 colours, 512 KB at 128, with no difference
# visible side by side at 3x zoom; at 64 the edges of smoothed bold text took on tints.
PALETTE_COLOURS = 128
KEY_COLOUR_SHARE = 0.0005  # a colour covering at least 0.05% of the image is kept exactly
MAX_KEY_COLOURS = 96


def _palette(image, counts: list[tuple[int, tuple[int, int, int]]]) -> list[tuple[int, int, int]]:
    """``PALETTE_COLOURS`` colours: every colour that covers a visible area kept exactly (so a small blue marker
    never turns green), the remaining slots filled by median cut for anti-aliased edges."""
    from PIL import Image

    total = image.width * image.height
    key = [rgb for count, rgb in sorted(counts, reverse=True) if count >= KEY_COLOUR_SHARE * total][:MAX_KEY_COLOURS]
    rest = image.quantize(
        colors=PALETTE_COLOURS - len(key), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    ).getpalette()[: 3 * (PALETTE_COLOURS - len(key))]
    extra = [tuple(rest[i : i + 3]) for i in range(0, len(rest), 3)]
    return key + [c for c in extra if c not in key]


def _colour_counts(image) -> list[tuple[int, tuple[int, int, int]]]:
    """Every distinct colour with its pixel count. PIL sizes its table by ``maxcolors`` (16 bytes a
    slot): asking for width x height at once cost 8 MB of peak memory per figure, so grow the limit
    only when a figure really has that many colours (course figures have a few thousand)."""
    limit = 1 << 14
    while True:
        counts = image.getcolors(maxcolors=min(limit, image.width * image.height))
        if counts is not None:
            return counts
        limit *= 16


def _code(count_rgb: tuple[int, tuple[int, int, int]]) -> int:
    r, g, b = count_rgb[1]
    return r | g << 8 | b << 16


def _by_use(nearest, pixel_counts, size: int):
    """Renumber the palette by how many pixels use each entry, most first, and drop unused entries.

    Returns the renumbered colour-to-entry map and the old entry of each new one. The PNG then
    stores only the colours it uses (a padded 256-entry PLTE is 768 bytes) and the commonest
    colours get the smallest indices; the pixels are exactly the same."""
    import numpy as np

    use = np.bincount(nearest, weights=pixel_counts, minlength=size)
    order = np.lexsort((np.arange(size), -use))  # most used first; ties by entry, so runs repeat exactly
    order = order[use[order] > 0]
    rank = np.zeros(size, dtype=np.uint8)
    rank[order] = np.arange(len(order), dtype=np.uint8)
    return rank[nearest], order


ROWS_PER_BAND = 64  # pixels are mapped to the palette a band of rows at a time: a lower peak RSS


def _indexed(image, rgbx: bytes | memoryview | None = None):
    """The image as palette indices, each pixel mapped to its exact or nearest palette colour.

    Done with numpy rather than PIL's quantize(palette=...), which maps through a coarse colour
    cube and shifts white to (252, 252, 251). Pixels are handled as one 32-bit code each (``rgbx``:
    4 bytes a pixel, the 4th ignored; taken from the image when not given) and the distinct colours
    (a few thousand) are matched in small blocks; pixels are mapped a band of rows at a time. Both
    keep the kernel's peak memory low on a hub (a full-image int64 index alone was 4 MB a figure).
    """
    import numpy as np
    from PIL import Image

    counts = _colour_counts(image)
    palette = np.array(_palette(image, counts), dtype=np.int32)
    codes = np.array(sorted(r | g << 8 | b << 16 for _, (r, g, b) in counts), dtype=np.uint32)
    colours = np.stack([codes & 255, (codes >> 8) & 255, (codes >> 16) & 255], axis=1).astype(np.int32)
    nearest = np.empty(len(colours), dtype=np.uint8)
    for start in range(0, len(colours), 256):
        block = colours[start : start + 256]
        nearest[start : start + 256] = ((block[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    nearest, used = _by_use(nearest, np.array([n for n, _ in sorted(counts, key=_code)], dtype=np.int64), len(palette))
    pixels = np.frombuffer(image.convert("RGBX").tobytes() if rgbx is None else rgbx, dtype="<u4")
    indices = np.empty(len(pixels), dtype=np.uint8)
    band = image.width * ROWS_PER_BAND
    for start in range(0, len(pixels), band):
        packed = pixels[start : start + band] & np.uint32(0x00FFFFFF)
        indices[start : start + band] = nearest[np.searchsorted(codes, packed)]
    out = Image.fromarray(indices.reshape(image.height, image.width), mode="P")
    out.putpalette([int(v) for rgb in palette[used] for v in rgb])
    return out


def _rgba(fig: Figure) -> tuple[memoryview, tuple[int, int]]:
    """The figure's pixels as RGBA bytes and their size: the very pixels ``savefig(format="png")``
    would encode (same renderer, dpi and facecolour), without a PNG encode and decode round trip."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba")
    size = fig.canvas.get_width_height(physical=True)
    raw = buffer.getbuffer()  # a view: no second copy of the pixels
    if len(raw) != 4 * size[0] * size[1]:  # savefig.dpi differs from figure.dpi: never in the course style
        raise ValueError(f"figure of {size} pixels rendered {len(raw)} bytes; set savefig.dpi to 'figure'")
    return raw, size


def png_bytes(fig: Figure) -> bytes:
    """Small PNG bytes that are the same run to run.

    No 'Software' or date metadata; the image is stored with a palette of at most 128 colours that keeps every
    colour covering a visible area exactly (see _palette), which looks the same for flat diagrams
    and makes files about 3 times smaller, so notebooks stay light for a hub and nbviewer.
    """
    raw, size = _rgba(fig)
    return _png(raw, size)


def _png(raw: memoryview, size: tuple[int, int]) -> bytes:
    """The palette PNG of rendered RGBA pixels (see png_bytes)."""
    from PIL import Image

    image = Image.frombuffer("RGBA", size, raw, "raw", "RGBA", 0, 1).convert("RGB")
    indexed = _indexed(image, raw)
    del image, raw
    _trim_heap()  # the quantizer's and the pixels' pages back before the PNG encoder takes its own
    out = io.BytesIO()
    indexed.save(out, format="png", optimize=True)
    return out.getvalue()


def _trim_heap() -> None:
    """Hand freed heap pages back to the system now (glibc ``malloc_trim``; elsewhere nothing).

    Without it the pages of one step's temporary buffers stay resident while the next step
    allocates its own, and a kernel's peak memory is their sum rather than the largest one."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _texts(fig: Figure) -> list:
    """Every visible, non-empty text of the figure: titles, labels, tick labels, legends, notes."""
    return [
        t
        for t in fig.findobj(match=lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
        if t.get_visible() and str(t.get_text()).strip()
    ]


def smallest_font_pt(fig: Figure) -> float:
    """The smallest visible text size in the figure, in points (the style forbids < 9 pt)."""
    sizes = [t.get_fontsize() for t in _texts(fig)]
    return min(sizes) if sizes else float(MIN_FONT_PT)


def legible_font_pt(fig: Figure) -> float:
    """The smallest font size, in points, that this figure shows at ``MIN_TEXT_CSS_PX`` or more:
    9 pt for a figure that fits the output area, more for a wider one (10.45 pt at 1000 px)."""
    needed = MIN_TEXT_CSS_PX * 72 / (fig.dpi * displayed_scale(fig))
    return max(float(MIN_FONT_PT), math.ceil(needed * 20 - 1e-9) / 20)  # up to the next 0.05 pt


def raise_small_text(fig: Figure) -> Figure:
    """Set every text smaller than ``legible_font_pt`` to that size; larger text is left alone.

    The catalogue applies this to every figure it draws (course.figures.catalog.Entry), so a figure
    drawn wider than the notebook shows it cannot carry text that ends up under 12 CSS px on screen.
    Drawing code still states its sizes; only the ones that would shrink below the minimum change."""
    floor = legible_font_pt(fig)
    for ax in fig.axes:  # tick labels Matplotlib creates only when it draws take the axis's size
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            sizes = [t.label1.get_fontsize() for t in axis.get_major_ticks() + axis.get_minor_ticks()]
            if sizes and max(sizes) < floor:
                ax.tick_params(axis=name, which="both", labelsize=floor)
    fig.draw_without_rendering()  # lay out once, so every text that will be drawn exists
    for text in _texts(fig):
        if text.get_fontsize() < floor:
            text.set_fontsize(floor)
    return fig


def release_memory(fig: Figure) -> None:
    """Give a drawn figure's memory back at once: figures hold reference cycles, and on a hub every
    megabyte per kernel counts (measured: about 7 MB less peak RSS per lesson)."""
    import gc

    fig.clear()
    gc.collect()
    _trim_heap()


class FigureView:
    """A figure as PNG inside ``<figure>`` with alt text and caption, and a text description.

    No ``image/png`` entry: every viewer the course targets shows the ``text/html`` one (see the
    module docstring), so a second copy of the PNG would only make the notebook heavier.
    """

    def __init__(self, fig: Figure, alt: str, caption: str):
        if not alt.strip() or not caption.strip():
            raise ValueError("every figure needs alt text and a caption")
        self.alt, self.caption = alt.strip(), caption.strip()
        self.smallest_font_pt = smallest_font_pt(fig)
        raw, size = _rgba(fig)
        release_memory(fig)  # before the palette step, not after: about 4 MB less peak per figure
        self.png = _png(raw, size)
        # Course figures are plain Figure() objects, never registered with pyplot: nothing to close,
        # and not importing pyplot keeps each kernel about 10 MB lighter on a hub.

    @classmethod
    def stored(cls, png: bytes, alt: str, caption: str, smallest_font_pt: float) -> FigureView:
        """A figure drawn earlier (course.figures.cache): the same output, no Matplotlib needed."""
        view = cls.__new__(cls)
        view.png, view.alt, view.caption, view.smallest_font_pt = png, alt, caption, smallest_font_pt
        return view

    def html(self) -> str:
        """The accessible ``<figure>``: the PNG as a data URI, its alt text and its caption."""
        data = base64.b64encode(self.png).decode("ascii")
        return (
            '<figure class="cart-figure">'
            f'<img src="data:image/png;base64,{data}" alt="{escape(self.alt, quote=True)}" '
            'style="max-width:100%;height:auto">'
            f"<figcaption>{render_bracket_keys(inline_html(self.caption))}</figcaption>"  # styled by the course stylesheet
            "</figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {
            "text/html": self.html(),
            "text/plain": f"Figure: {plain(self.caption)}",  # the description is the <img> alt text
        }
