"""Figures of lesson 02 (building a CAR): TCR versus CAR when a tumour loses MHC, the labelled parts
of a CAR across the membrane, the generations side by side, and the "build a CAR" diagram.

All are conceptual drawings. One helper, ``draw_car``, draws any ``CarDesign`` so the parts look the
same in every figure; every part carries its name as text, so colour is never the only cue.
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch, Rectangle

from course.figures.catalog import Entry
from course.figures.shapes import canvas
from course.figures.style import OKABE_ITO
from course.lessons.l02_building_a_car.model import CarDesign, classify

INK = OKABE_ITO["black"]
PART_STYLE = {  # face colour, hatch, text colour
    "binder": (OKABE_ITO["blue"], None, "white"),
    "hinge": ("#BBBBBB", None, INK),
    "transmembrane": ("#555555", None, "white"),
    "CD28": (OKABE_ITO["vermillion"], "//", INK),
    "4-1BB": (OKABE_ITO["bluish_green"], None, INK),
    "OX40": (OKABE_ITO["reddish_purple"], "..", INK),
    "il2rb": (OKABE_ITO["sky_blue"], "xx", INK),
    "cd3z": (OKABE_ITO["orange"], None, INK),
    "payload": (OKABE_ITO["yellow"], None, INK),
}


def _missing_label(ax, x: float, y: float, text: str, size: float, **extra) -> None:
    """The bold red words inside a dashed outline that name a part a design lacks ("no binder", "MHC lost")."""
    ax.text(x, y, text, fontsize=size, ha="center", va="center", color=OKABE_ITO["vermillion"], fontweight="bold", **extra)


def membrane(ax, x0: float, x1: float, y: float, label: str = "", height: float = 0.36) -> None:
    """A lipid bilayer band from x0 to x1 whose lower edge is at y."""
    ax.add_patch(Rectangle((x0, y), x1 - x0, height, facecolor="#F2E6C9", edgecolor="none", zorder=0))
    ax.plot([x0, x1], [y, y], color="#8C7A4F", linewidth=1.5, zorder=0)
    ax.plot([x0, x1], [y + height, y + height], color="#8C7A4F", linewidth=1.5, zorder=0)
    if label:
        ax.text(x0 + 0.08, y + height / 2, label, fontsize=9.5, va="center", style="italic", zorder=1)


def _box(
    ax, x: float, y: float, w: float, h: float, kind: str, text: str, fontsize: float = 10, missing: bool = False
) -> None:
    face, hatch, colour = PART_STYLE[kind]
    if missing:
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor="white",
                edgecolor=OKABE_ITO["vermillion"],
                linewidth=2,
                linestyle="--",
                zorder=3,
            )
        )
        colour = OKABE_ITO["vermillion"]
    else:
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=face,
                edgecolor=INK,
                linewidth=1.2,
                hatch=hatch,
                zorder=3,
            )
        )
    if text:
        bg = None if missing or hatch is None else dict(facecolor="white", edgecolor="none", pad=0.6, alpha=0.85)
        ax.text(
            x + w / 2,
            y + h / 2,
            text,
            fontsize=fontsize,
            ha="center",
            va="center",
            color=colour,
            fontweight="bold",
            zorder=4,
            bbox=bg,
        )


def draw_car(
    ax, x: float, m: float, design: CarDesign, width: float = 1.5, fontsize: float = 10, labels: bool = True
) -> dict[str, tuple[float, float]]:
    """Draw ``design`` centred on x with the membrane's lower edge at m (membrane 0.36 high).

    Returns the centre (x, y) of each drawn part, for callouts.
    """
    centres: dict[str, tuple[float, float]] = {}
    top = m + 0.36
    # transmembrane across the bilayer, hinge above it
    ax.add_patch(
        Rectangle((x - 0.09, m - 0.05), 0.18, 0.46, facecolor=PART_STYLE["transmembrane"][0], edgecolor=INK, zorder=3)
    )
    centres["transmembrane"] = (x, m + 0.18)
    ax.add_patch(
        Rectangle((x - 0.07, top + 0.05), 0.14, 0.75, facecolor=PART_STYLE["hinge"][0], edgecolor=INK, zorder=3)
    )
    centres["hinge"] = (x, top + 0.42)
    # binder on top of the hinge
    by = top + 0.8
    if design.binder == "scFv":
        for dx, name in ((-0.3, "VH"), (0.3, "VL")):
            ax.add_patch(
                Ellipse((x + dx, by + 0.38), 0.55, 0.75, facecolor=PART_STYLE["binder"][0], edgecolor=INK, zorder=3)
            )
            if labels:
                ax.text(
                    x + dx,
                    by + 0.38,
                    name,
                    fontsize=fontsize,
                    ha="center",
                    va="center",
                    color="white",
                    fontweight="bold",
                    zorder=4,
                )
        ax.plot([x - 0.03, x + 0.03], [by + 0.12, by + 0.12], color=INK, linewidth=2, zorder=4)
        centres["binder"] = (x, by + 0.38)
    elif design.binder == "VHH":
        for dy in (0.25, 0.72):
            ax.add_patch(Ellipse((x, by + dy), 0.46, 0.42, facecolor=PART_STYLE["binder"][0], edgecolor=INK, zorder=3))
            if labels:
                ax.text(
                    x, by + dy, "VHH", fontsize=9, ha="center", va="center", color="white", fontweight="bold", zorder=4
                )
        centres["binder"] = (x, by + 0.48)
    else:
        ax.add_patch(
            Ellipse(
                (x, by + 0.38),
                0.9,
                0.7,
                facecolor="white",
                edgecolor=OKABE_ITO["vermillion"],
                linewidth=2,
                linestyle="--",
                zorder=3,
            )
        )
        _missing_label(ax, x, by + 0.38, "no\nbinder", 9, zorder=4)
        centres["binder"] = (x, by + 0.38)
    # signalling domains below the membrane, top to bottom
    y = m - 0.1
    h = 0.5
    for domain in design.costim:
        y -= h + 0.06
        _box(ax, x - width / 2, y, width, h, domain, domain if labels else "", fontsize)
        centres.setdefault("costim", (x, y + h / 2))
        centres[f"costim:{domain}"] = (x, y + h / 2)
    if design.payload == "il2rb":
        y -= h + 0.06
        _box(ax, x - width / 2, y, width, h, "il2rb", "IL-2R\u03b2" if labels else "", fontsize)
        centres["il2rb"] = (x, y + h / 2)
    y -= 0.62 + 0.06
    _box(
        ax,
        x - width / 2,
        y,
        width,
        0.62,
        "cd3z",
        ("CD3\u03b6" if design.cd3z else "CD3\u03b6\nmissing") if labels else "",
        fontsize,
        missing=not design.cd3z,
    )
    centres["cd3z"] = (x, y + 0.31)
    if design.payload == "cytokine":
        # The payload is a separate gene in the nucleus, not part of the receptor: the CAR's signal (dashed
        # arrow) switches it on, and the cell then makes and releases the cytokine (dots).
        nh, nw = 0.8, min(width * 1.15, 1.7)
        ny = y - 0.38 - nh / 2  # centre of the nucleus
        ax.add_patch(Ellipse((x, ny), nw, nh, facecolor="#F4F4F4", edgecolor="#555555", linewidth=1.2, zorder=3))
        gw, gh = nw * 0.78, 0.3
        _box(ax, x - gw / 2, ny - gh / 2 - 0.1, gw, gh, "payload", "cytokine gene" if labels else "", 9)
        if labels:
            ax.text(x, ny + 0.2, "nucleus", fontsize=9, style="italic", ha="center", va="center", zorder=4)
        ax.annotate(
            "",
            xy=(x, ny + nh / 2),
            xytext=(x, y),
            arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.3, linestyle="--"),
            zorder=2,
        )
        for dx, dy in ((0.12, -0.25), (0.2, 0.05), (0.1, 0.3)):
            ax.add_patch(
                Circle((x + nw / 2 + dx, ny + dy), 0.07, facecolor=PART_STYLE["payload"][0], edgecolor=INK, zorder=3)
            )
        centres["payload"] = (x, ny)
    return centres


# --------------------------------------------------------------------------- TCR versus CAR
def _mhc(ax, x: float, y: float, lost: bool = False) -> None:
    """MHC hanging down from a membrane at y (cup opening downwards), peptide in the groove."""
    if lost:
        ax.add_patch(
            Rectangle(
                (x - 0.4, y - 0.85),
                0.8,
                0.85,
                facecolor="white",
                edgecolor=OKABE_ITO["vermillion"],
                linestyle="--",
                linewidth=2,
            )
        )
        _missing_label(ax, x, y - 0.42, "MHC\nlost", 9.5)
        return
    face = dict(facecolor=OKABE_ITO["orange"], edgecolor=INK)
    ax.add_patch(Rectangle((x - 0.4, y - 0.85), 0.2, 0.85, **face))
    ax.add_patch(Rectangle((x + 0.2, y - 0.85), 0.2, 0.85, **face))
    ax.add_patch(Rectangle((x - 0.4, y - 0.2), 0.8, 0.2, **face))
    ax.add_patch(Circle((x, y - 0.62), 0.15, facecolor=OKABE_ITO["vermillion"], edgecolor=INK, hatch="xx"))
    ax.text(x - 0.5, y - 0.42, "MHC +\npeptide", fontsize=9.5, ha="right", va="center")


def _antigen(ax, x: float, y: float) -> None:
    """A surface protein (e.g. CD19) hanging down from a membrane at y."""
    ax.add_patch(Rectangle((x - 0.05, y - 0.5), 0.1, 0.5, facecolor=OKABE_ITO["reddish_purple"], edgecolor=INK))
    ax.add_patch(Circle((x, y - 0.62), 0.2, facecolor=OKABE_ITO["reddish_purple"], edgecolor=INK, hatch=".."))
    ax.text(x + 0.3, y - 0.45, "CD19", fontsize=9.5, ha="left", va="center")


def _tcr(ax, x: float, y: float, reach: float) -> None:
    """A TCR standing up from a membrane whose top edge is at y."""
    for dx in (-0.14, 0.14):
        ax.add_patch(Rectangle((x + dx - 0.09, y), 0.18, reach, facecolor=OKABE_ITO["sky_blue"], edgecolor=INK))
    ax.text(x - 0.3, y + 0.3, "TCR", fontsize=9.5, ha="right", va="center")


def tcr_vs_car() -> Figure:
    """Left: a tumour cell with MHC (TCR and CAR both bind). Right: MHC lost (only the CAR binds)."""
    fig, ax = canvas(10.0, 5.9)
    t_y = 2.05  # lower edge of the T-cell membrane
    tumour_y = t_y + 2.68  # lower edge of the tumour membrane: the CAR's binder just reaches CD19
    for x0, title in ((0.2, "A. Tumour cell still shows MHC"), (5.2, "B. Tumour cell has lost MHC")):
        ax.text(x0 + 2.3, 5.6, title, fontsize=12, fontweight="bold", ha="center")
        membrane(ax, x0, x0 + 4.6, tumour_y, "tumour cell")
        membrane(ax, x0, x0 + 4.6, t_y, "T cell")
        lost = x0 > 1
        _mhc(ax, x0 + 1.5, tumour_y, lost=lost)
        _antigen(ax, x0 + 3.3, tumour_y)
        _tcr(ax, x0 + 1.5, t_y + 0.36, 1.5 if not lost else 1.1)
        draw_car(ax, x0 + 3.3, t_y, CarDesign("scFv", "CD8a", ("4-1BB",), True, "none"), width=0.9, fontsize=9.5)
        ax.text(x0 + 3.7, t_y + 0.85, "CAR", fontsize=9.5, ha="left", va="center")
        ok = OKABE_ITO["bluish_green"]
        no = OKABE_ITO["vermillion"]
        tcr_text, tcr_col = (
            ("\u2714 TCR reads\npeptide on MHC", ok) if not lost else ("\u2718 TCR has\nnothing to read", no)
        )
        ax.text(x0 + 1.5, 0.35, tcr_text, fontsize=10, ha="center", va="center", color=tcr_col, fontweight="bold")
        ax.text(
            x0 + 3.3,
            0.35,
            "\u2714 CAR binds\nCD19 directly",
            fontsize=10,
            ha="center",
            va="center",
            color=ok,
            fontweight="bold",
        )
    return fig


# --------------------------------------------------------------------------- parts of a CAR
PART_CALLOUTS = (
    ("binder", "Binder (scFv): recognises the target\nprotein, e.g. CD19, with no MHC"),
    ("hinge", "Hinge (spacer): reach and flexibility"),
    ("transmembrane", "Transmembrane domain: anchors\nthe CAR in the membrane"),
    ("costim", "Co-stimulatory domain (CD28 or\n4-1BB): signal 2, expansion, survival"),
    ("cd3z", "CD3-zeta: signal 1, switches\nthe T cell on"),
)


def car_parts() -> Figure:
    """A second-generation CAR across the T-cell membrane under a target cell, every part labelled."""
    fig, ax = canvas(8.8, 5.9)
    m = 2.7
    membrane(ax, 0.3, 4.6, m, "T-cell membrane")
    membrane(ax, 0.3, 4.6, 5.35, "cancer cell membrane")
    _antigen(ax, 3.0, 5.35)
    centres = draw_car(ax, 3.0, m, CarDesign("scFv", "CD8a", ("4-1BB",), True, "none"), width=1.6, fontsize=11)
    ax.text(0.35, m + 1.1, "Outside\nthe cell", fontsize=10.5, style="italic", va="center")
    ax.text(0.35, m - 1.0, "Inside\nthe cell", fontsize=10.5, style="italic", va="center")
    text_x = 5.0
    for kind, label in PART_CALLOUTS:
        cx, cy = centres[kind]
        ty = {"binder": 4.55, "hinge": 3.75, "transmembrane": 2.88, "costim": 2.05, "cd3z": 1.05}[kind]
        ax.annotate(
            label,
            xy=(cx + (0.85 if kind in ("costim", "cd3z") else 0.56 if kind == "binder" else 0.12), cy),  # binder: the VL rim, not its label
            xytext=(text_x, ty),
            fontsize=10.5,
            va="center",
            arrowprops=dict(arrowstyle="-", color="#555555", lw=1, shrinkA=2, shrinkB=2),
            zorder=5,
            bbox=dict(facecolor="white", edgecolor="none", pad=1),
        )
    ax.text(
        4.4,
        0.3,
        "The order from outside to inside: binder, hinge, transmembrane, co-stimulatory, CD3-zeta.",
        fontsize=10,
        ha="center",
        style="italic",
    )
    return fig


# --------------------------------------------------------------------------- generations
GENERATIONS = (
    ("1st", CarDesign("scFv", "CD8a", (), True, "none"), "binder + CD3\u03b6"),
    (
        "2nd",
        CarDesign("scFv", "CD8a", ("4-1BB",), True, "none"),
        "+ one co-stimulatory\n(CD28 or 4-1BB): all 7\nFDA-approved products\n(as of Dec 2025)",
    ),
    (
        "3rd",
        CarDesign("scFv", "CD8a", ("CD28", "4-1BB"), True, "none"),
        "+ two co-stimulatory\n(e.g. CD28 + 4-1BB\nor OX40)",
    ),
    (
        "4th",
        CarDesign("scFv", "CD8a", ("4-1BB",), True, "cytokine"),
        "a CAR whose signal\nswitches on a separate\ncytokine gene (TRUCK)",
    ),
    (
        "Next ('5th')",
        CarDesign("scFv", "CD8a", ("CD28",), True, "il2rb"),
        "2nd-gen CAR +\nIL-2R\u03b2 piece:\nJAK-STAT signal",
    ),
)


def generations() -> Figure:
    """Five CAR designs side by side, from first generation to the IL-2R beta design."""
    fig, ax = canvas(9.8, 6.0)
    m = 3.4
    membrane(ax, 0.1, 9.7, m)
    ax.text(0.1, m + 0.55, "Outside", fontsize=10, style="italic", va="center")
    ax.text(0.1, m - 0.3, "Inside", fontsize=10, style="italic", va="center")
    for k, (title, design, text) in enumerate(GENERATIONS):
        x = 1.4 + k * 1.86
        ax.text(x, 5.8, title, fontsize=12, fontweight="bold", ha="center", va="center")
        ax.text(x, 5.5, "generation" if k < 4 else "design", fontsize=10, ha="center", va="center")
        draw_car(ax, x, m, design, width=1.3, fontsize=9.5)
        ax.text(x, 0.45, text, fontsize=10, ha="center", va="center", linespacing=1.15)
    return fig


# --------------------------------------------------------------------------- build a CAR
def _design(binder="scFv", hinge="CD8a", costim=("4-1BB",), cd3z=True, payload="none") -> CarDesign:
    return CarDesign(binder, hinge, tuple(costim), cd3z, payload)


def build_a_car(
    binder: str = "scFv",
    hinge: str = "CD8a",
    costim: tuple[str, ...] = ("4-1BB",),
    cd3z: bool = True,
    payload: str = "none",
) -> Figure:
    """The learner's design on the left, the verdict (generation, signals, similar products) on the right."""
    design = _design(binder, hinge, costim, cd3z, payload)
    verdict = classify(design)
    fig, ax = canvas(10.0, 5.7)
    m = 3.4  # room below the membrane for two co-stimulatory domains, CD3-zeta and a cytokine-gene nucleus
    membrane(ax, 0.2, 3.8, m, "membrane")
    ax.text(0.25, 5.45, "Outside the T cell", fontsize=10, style="italic")
    ax.text(0.25, 0.15, "Inside the T cell", fontsize=10, style="italic")
    draw_car(ax, 2.5, m, design, width=1.5, fontsize=10)
    x = 4.2
    ok, no = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]
    colour = ok if verdict.works else no
    mark = "\u2714" if verdict.works else "\u2718"
    top = 5.55
    ax.text(x + 0.2, top - 0.4, f"{mark} {verdict.label}", fontsize=13, fontweight="bold", color=INK, va="center")
    y = top - 0.85
    for line in textwrap.wrap(verdict.headline, 60):
        ax.text(x + 0.2, y, line, fontsize=10.5, va="center")
        y -= 0.3
    y -= 0.12
    signal2 = (
        f"{len(design.costim)} domain{'s' if len(design.costim) != 1 else ''}: {' + '.join(design.costim)}"
        if design.costim
        else "none (first-generation layout)"
    )
    rows = (
        ("Binder", "yes" if design.binder != "none" else "missing", "\u2714" if design.binder != "none" else "\u2718"),
        ("Signal 1 (CD3-zeta)", "yes" if design.cd3z else "missing", "\u2714" if design.cd3z else "\u2718"),
        ("Signal 2 (co-stimulation)", signal2, "\u2714" if design.costim else "\u25cb"),
        (
            "Extra payload",
            {"none": "none", "cytokine": "inducible cytokine", "il2rb": "IL-2R beta fragment"}[design.payload],
            "\u25cb" if design.payload == "none" else "\u2714",
        ),
    )
    for name, value, symbol in rows:
        bad = symbol == "\u2718"
        ax.text(
            x + 0.2,
            y,
            f"{symbol} {name}: {value}",
            fontsize=10.5,
            va="center",
            color=OKABE_ITO["vermillion"] if bad else INK,
            fontweight="bold" if bad else "normal",
        )
        y -= 0.34
    y -= 0.08
    if verdict.like:
        like = "Same signalling domains (co-stimulation + CD3-zeta) as: " + ", ".join(verdict.like) + " (binder and hinge differ)"
    elif verdict.works:
        like = "No approved product has this layout."
    else:
        like = "It could not work as a treatment."
    for line in textwrap.wrap(like, 60):
        ax.text(x + 0.2, y, line, fontsize=10.5, va="center", style="italic")
        y -= 0.3
    ax.add_patch(
        FancyBboxPatch(
            (x, y - 0.05),
            5.55,
            top - y + 0.05,
            boxstyle="round,pad=0,rounding_size=0.1",
            facecolor="none",
            edgecolor=colour,
            linewidth=2.5,
        )
    )
    return fig


def _build_alt(binder="scFv", hinge="CD8a", costim=("4-1BB",), cd3z=True, payload="none") -> str:
    from course.lessons.l02_building_a_car.model import describe

    design = _design(binder, hinge, costim, cd3z, payload)
    verdict = classify(design)
    like = f" Same signalling domains (co-stimulation + CD3-zeta) as {', '.join(verdict.like)}; binder and hinge differ by product." if verdict.like else ""
    return (
        f"Diagram of a CAR across the T-cell membrane. {describe(design)} Verdict panel: {verdict.label}. "
        f"{verdict.headline}{like}"
    )


def _build_caption(binder="scFv", hinge="CD8a", costim=("4-1BB",), cd3z=True, payload="none") -> str:
    verdict = classify(_design(binder, hinge, costim, cd3z, payload))
    return (
        f"**Your CAR: {verdict.label.lower()}.** The parts you chose, outside to inside, and what they add up "
        "to. Conceptual illustration, not patient data."
    )


FIGURES = {
    "l02_tcr_vs_car": Entry(
        tcr_vs_car,
        lambda: (
            "Two panels, each with a tumour cell membrane at the top and a T-cell membrane at the bottom. The "
            "CAR is drawn as a second-generation CAR: binder, hinge, transmembrane part, then a 4-1BB "
            "co-stimulatory domain and CD3-zeta inside the T cell. Panel "
            "A: the tumour cell shows a peptide on MHC and the surface protein CD19; the T-cell receptor binds "
            "the peptide on MHC (tick) and the CAR binds CD19 directly (tick). Panel B: the tumour cell has "
            "lost MHC; the T-cell receptor has nothing to read (cross) but the CAR still binds CD19 (tick)."
        ),
        lambda: (
            "**Why MHC does not matter to a CAR.** A T-cell receptor needs a peptide shown on MHC; a CAR "
            "binds a whole molecule on the cell surface. The CAR is drawn with a 4-1BB co-stimulatory domain, "
            "like most approved products; the TCR's own signalling partners are not drawn. Conceptual "
            "illustration, not patient data."
        ),
    ),
    "l02_car_parts": Entry(
        car_parts,
        lambda: (
            "Diagram of a second-generation CAR crossing the T-cell membrane, with a cancer cell membrane "
            "above carrying CD19. From outside to inside: the binder (an scFv made of VH and VL parts) "
            "touches CD19; a hinge leads down to the transmembrane domain in the membrane; inside the cell "
            "sit a 4-1BB co-stimulatory domain and then CD3-zeta. Callouts give each part's job: recognise "
            "the target without MHC, reach and flexibility, anchoring, signal 2 for expansion and survival, "
            "and signal 1 that switches the T cell on."
        ),
        lambda: (
            "**The parts of a CAR, outside to inside.** A second-generation design like those of the approved "
            "products. Conceptual illustration, not patient data."
        ),
    ),
    "l02_generations": Entry(
        generations,
        lambda: (
            "Five CAR drawings side by side across one membrane. First generation: binder and CD3-zeta only. "
            "Second generation: one co-stimulatory domain (CD28 or 4-1BB) plus CD3-zeta, the design of all "
            "seven FDA-approved products as of December 2025. Third generation: two co-stimulatory domains, "
            "for example CD28 and 4-1BB. Fourth generation: a second-generation CAR and, apart from it in the "
            "nucleus, a cytokine gene that the CAR's signal switches on (dashed arrow); dots show the cytokine "
            "released (TRUCK). Next design, sometimes "
            "called fifth: a second-generation CAR with a piece of the IL-2 receptor beta chain for a "
            "JAK-STAT signal."
        ),
        lambda: (
            "**CAR generations.** What is added at each step is counted inside the cell. In the fourth "
            "generation the cytokine gene is not part of the receptor: it sits in the nucleus and the cell "
            "makes the cytokine only when the CAR signals. Conceptual illustration, not patient data."
        ),
    ),
    "l02_build_a_car": Entry(build_a_car, _build_alt, _build_caption),
}
