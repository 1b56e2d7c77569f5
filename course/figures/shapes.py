"""Drawing pieces several figures share: a blank canvas, a titled box, an arrow, and crisp small text.

Each keeps the look its first users had (their numbers are the defaults or passed by the caller),
so a figure drawn with these is byte-for-byte the PNG it was before they were shared.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text

from course.figures.style import apply_style


def canvas(width: float, height: float) -> tuple[Figure, Axes]:
    """A blank, axis-free drawing area in inches (x 0..width, y 0..height), the course style set:
    diagrams place every box and arrow by these coordinates."""
    apply_style()
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


ON_WHITE = {"facecolor": "white", "edgecolor": "none", "pad": 1}  # a label's own white patch over lines behind it


def on_white(ax: Axes, x: float, y: float, text: str, **style) -> None:
    """A label on a white patch, readable where it crosses a bar, a line or a dashed outline."""
    ax.text(x, y, text, bbox=ON_WHITE, **style)


def titled_box(
    ax,
    x: float,
    y: float,
    w: float,
    h: float,
    title: str,
    body: str,
    colour: str,
    *,
    title_colour: str = "white",
    body_colour: str = "black",
    band: float = 0.42,
    rounding: float = 0.08,
    linewidth: float = 2.2,
    dashed: bool = False,
    title_size: float = 11,
    body_size: float = 10.0,
    left: bool = False,
) -> None:
    """A rounded box with a coloured title band on top (no band when ``title`` is empty)."""
    style = f"round,pad=0.02,rounding_size={rounding}"
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle=style,
            facecolor="white",
            edgecolor=colour,
            linewidth=linewidth,
            linestyle="--" if dashed else "-",
        )
    )
    centre = y + h / 2
    if title:
        ax.add_patch(
            FancyBboxPatch(
                (x, y + h - band), w, band, boxstyle=style, facecolor=colour, edgecolor=colour, linewidth=linewidth
            )
        )
        ax.text(
            x + w / 2,
            y + h - band / 2,
            title,
            ha="center",
            va="center",
            fontsize=title_size,
            fontweight="bold",
            color=title_colour,
        )
        centre = y + (h - band) / 2
    if left:
        ax.text(x + 0.2, centre, body, ha="left", va="center", fontsize=body_size, color=body_colour, linespacing=1.35)
    else:
        ax.text(
            x + w / 2, centre, body, ha="center", va="center", fontsize=body_size, color=body_colour, linespacing=1.3
        )


def arrow(
    ax,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    colour: str = "black",
    style: str = "-|>",
    width: float = 2.0,
    rad: float = 0.0,
    dashed: bool = False,
    shrink: float | None = None,
) -> None:
    """A straight or curved (``rad``) arrow; ``shrink=0`` lets it touch the points it joins."""
    ends = {} if shrink is None else {"shrinkA": shrink, "shrinkB": shrink}
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=18,
            linewidth=width,
            color=colour,
            linestyle="--" if dashed else "-",
            connectionstyle=f"arc3,rad={rad:g}",
            **ends,
        )
    )


def crisp_text(fig: Figure, keep_bold: bool = False) -> Figure:
    """Hinted, non-antialiased text: sharp at the course's dpi and about half the PNG size.

    ``keep_bold`` leaves bold text antialiased: hinted bold type loses the dots of its i's at small sizes.
    """
    for text in fig.findobj(Text):
        if not (keep_bold and text.get_fontweight() in ("bold", 700)):
            text.set_antialiased(False)
    return fig
