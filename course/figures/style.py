"""The course's figure style, defined once: Okabe-Ito colours, readable type, white background."""

from __future__ import annotations

import matplotlib

from course.figures.render import MIN_FONT_PT as MIN_FONT_PT

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#767676",
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow")]
DPI = 100

RC = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "svg.hashsalt": "cart-course",
    "path.simplify": True,
}


def apply_style() -> None:
    """Use the Agg backend's defaults plus the course style (idempotent, cheap)."""
    matplotlib.rcParams.update(RC)


# Every drawing module imports this one (directly or through another lesson's figures), so the
# course style is in force before anything is drawn, without the setup cell importing Matplotlib.
apply_style()
