"""Figures of lesson 01 (what CAR-T treats): T-cell recognition, the B-cell lineage with CD19 and
BCMA, the approval timeline and the move to earlier lines. The last two are drawn from
``assets/products.yaml`` through ``course.clinical.products``; the first two are conceptual drawings.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from course.clinical.products import DISEASES, TARGETS, Product, filter_products, load_products
from course.figures.catalog import Entry
from course.figures.shapes import canvas
from course.figures.style import OKABE_ITO, apply_style
from course.lessons.l01_what_car_t_treats.model import LINEAGE_CANCERS, STAGES, hit_stages

INK = OKABE_ITO["black"]
MUTED = "#9A9A9A"  # lines and marker edges of greyed-out items
MUTED_TEXT = OKABE_ITO["grey"]  # #767676: still 4.5:1 contrast on white
TARGET_STYLE = {  # colour AND marker shape, so target never rests on colour alone
    "CD19": (OKABE_ITO["blue"], "o"),
    "BCMA": (OKABE_ITO["orange"], "s"),
}


def fresh() -> None:
    """Set the course style before drawing (FigureView frees each drawn figure's memory itself)."""
    apply_style()


# --------------------------------------------------------------------------- T-cell recognition
def t_cell_recognition() -> Figure:
    """A CD8 T cell reading a peptide held in MHC class I (signal 1) plus co-stimulation (signal 2)."""
    fig, ax = canvas(9.6, 4.6)
    # the two cells, as large arcs entering from the sides; membranes near x = 3.1 and x = 6.5
    ax.add_patch(Circle((-0.5, 2.3), 3.7, facecolor="#FDF3E1", edgecolor=OKABE_ITO["orange"], linewidth=2.5))
    ax.add_patch(Circle((10.1, 2.3), 3.7, facecolor="#EAF3FA", edgecolor=OKABE_ITO["blue"], linewidth=2.5))
    ax.text(0.2, 4.35, "Target or\npresenting cell", fontsize=11, fontweight="bold", va="top")
    ax.text(9.4, 4.35, "CD8 T cell", fontsize=11, fontweight="bold", va="top", ha="right")

    # signal 1: MHC class I (C shape) holding a peptide, the TCR (two chains) reaching over from the T cell
    y1 = 3.0
    mhc = dict(facecolor=OKABE_ITO["orange"], edgecolor=INK)
    ax.add_patch(Rectangle((3.05, y1 - 0.55), 1.0, 0.22, **mhc))
    ax.add_patch(Rectangle((3.05, y1 - 0.33), 0.22, 0.66, **mhc))
    ax.add_patch(Rectangle((3.05, y1 + 0.33), 1.0, 0.22, **mhc))
    ax.add_patch(Circle((3.78, y1), 0.2, facecolor=OKABE_ITO["vermillion"], edgecolor=INK, hatch="xx"))
    tcr = dict(facecolor=OKABE_ITO["sky_blue"], edgecolor=INK)
    ax.add_patch(Rectangle((4.05, y1 - 0.42), 2.5, 0.3, **tcr))
    ax.add_patch(Rectangle((4.05, y1 + 0.12), 2.5, 0.3, **tcr))
    ax.text(3.5, y1 + 0.72, "MHC class I", fontsize=10, ha="center")
    ax.text(3.7, y1 - 0.8, "peptide in the MHC groove", fontsize=10, ha="center", style="italic")
    ax.text(5.4, y1 + 0.62, "T-cell receptor", fontsize=10, ha="center")
    ax.text(
        4.8,
        4.25,
        "1  Signal 1: the receptor recognises a short\n    peptide held in MHC (the antigen)",
        fontsize=10.5,
        ha="center",
        va="center",
        fontweight="bold",
    )

    # signal 2: co-stimulatory receptor meets its partner ligand
    y2 = 1.45
    ax.add_patch(Rectangle((3.0, y2 - 0.15), 1.75, 0.3, facecolor=OKABE_ITO["bluish_green"], edgecolor=INK, hatch="//"))
    ax.add_patch(Rectangle((4.8, y2 - 0.15), 1.75, 0.3, facecolor=OKABE_ITO["reddish_purple"], edgecolor=INK))
    ax.text(3.85, y2 + 0.3, "partner ligand", fontsize=10, ha="center")
    ax.text(5.6, y2 + 0.3, "co-stimulatory\nreceptor (e.g. CD28)", fontsize=10, ha="center", va="bottom")
    ax.text(
        4.8,
        0.85,
        "2  Signal 2: co-stimulation tells the\n    T cell to multiply and survive",
        fontsize=10.5,
        ha="center",
        va="center",
        fontweight="bold",
    )
    ax.text(
        4.8,
        0.2,
        "Signal 1 without signal 2 gives a weak response that does not last.",
        fontsize=10,
        ha="center",
        style="italic",
    )
    return fig


# --------------------------------------------------------------------------- B-cell lineage
def b_lineage(highlight: str | None = None) -> Figure:
    """B-cell maturation stages with the markers each carries; ``highlight`` a CAR target."""
    if highlight not in (None, *TARGETS):
        raise ValueError(f"highlight must be None or one of {TARGETS}")
    fig, ax = canvas(10.4, 5.35)
    xs = [0.75 + i * 1.27 for i in range(len(STAGES))]
    y = 3.35
    ax.text(0.15, 4.78, "Where each stage lives:", fontsize=10, va="center", style="italic")
    for x0, x1, place in (
        (xs[0], xs[3], "bone marrow"),
        (xs[4], xs[6], "blood, lymph nodes, spleen"),
        (xs[7], xs[7], "bone marrow"),
    ):
        ax.plot([x0 - 0.45, x1 + 0.45], [4.45, 4.45], color=INK, linewidth=1.2)
        ax.text((x0 + x1) / 2, 4.58, place, fontsize=10, ha="center", va="bottom")
    column = {None: None, "CD19": 1, "BCMA": 2}[highlight]
    for i, (name, _cd19, _bcma) in enumerate(STAGES):
        hit = column is not None and STAGES[i][column]
        ax.add_patch(
            Circle(
                (xs[i], y),
                0.42,
                facecolor="white",
                edgecolor=OKABE_ITO["vermillion"] if hit else INK,
                linewidth=4 if hit else 1.5,
                hatch="xx" if hit else None,
            )
        )
        ax.add_patch(Circle((xs[i], y), 0.2, facecolor="#DDDDDD", edgecolor=INK, linewidth=1))
        ax.text(xs[i], y - 0.58, name, fontsize=10, ha="center", va="top", linespacing=1.1)
        if hit:
            ax.text(
                xs[i],
                y + 0.56,
                "target" if STAGES[i][column] == "yes" else "some",
                fontsize=10,
                ha="center",
                fontweight="bold",
                color=OKABE_ITO["vermillion"],
            )
        if i:
            ax.add_patch(
                FancyArrowPatch(
                    (xs[i - 1] + 0.45, y),
                    (xs[i] - 0.45, y),
                    arrowstyle="-|>",
                    mutation_scale=12,
                    linewidth=1.3,
                    color=INK,
                )
            )

    def bar(row_y: float, label: str, column_index: int, colour: str) -> None:
        ax.text(0.1, row_y, label, fontsize=11, fontweight="bold", va="center")
        for i, stage in enumerate(STAGES):
            level = stage[column_index]
            if not level:
                continue
            ax.add_patch(
                Rectangle(
                    (xs[i] - 0.635, row_y - 0.15),
                    1.27,
                    0.3,
                    facecolor=colour if level == "yes" else "white",
                    edgecolor=colour,
                    linewidth=1.5,
                    hatch=None if level == "yes" else "///",
                )
            )

    bar(1.7, "CD19", 1, OKABE_ITO["blue"])
    bar(1.15, "BCMA", 2, OKABE_ITO["orange"])
    ax.text(0.1, 0.63, "Key:", fontsize=10, va="center", fontweight="bold")
    ax.add_patch(Rectangle((0.65, 0.52), 0.5, 0.22, facecolor=OKABE_ITO["blue"], edgecolor=OKABE_ITO["blue"]))
    ax.text(1.25, 0.63, "carried", fontsize=10, va="center")
    ax.add_patch(Rectangle((2.1, 0.52), 0.5, 0.22, facecolor="white", edgecolor=OKABE_ITO["blue"], hatch="///"))
    ax.text(2.7, 0.63, "only some cells carry it", fontsize=10, va="center")
    for first, last, label in LINEAGE_CANCERS:
        x0, x1 = xs[first] - 0.5, xs[last] + 0.5
        ax.plot([x0, x1], [0.3, 0.3], color=OKABE_ITO["grey"], linewidth=2)
        ax.text((x0 + x1) / 2, 0.12, label, fontsize=10, ha="center", va="center")
    if highlight:
        ax.text(
            10.3,
            5.12,
            f"Highlighted: cells a {highlight} CAR can reach (thick hatched ring)",
            fontsize=10,
            ha="right",
            va="center",
            fontweight="bold",
            color=OKABE_ITO["vermillion"],
        )
    return fig


# --------------------------------------------------------------------------- approval timeline
def _groups(product: Product) -> list[tuple[float, str, list]]:
    """Indications of one product grouped by year: (x position, label, indications)."""
    groups: dict[int, list] = {}
    for ind in product.indications:
        groups.setdefault(ind.approved.year, []).append(ind)
    out = []
    seen: set[str] = set()
    for inds in groups.values():
        parts = []
        for ind in inds:
            part = ind.disease
            if ind.disease in seen and ind.prior_lines in (1, 2):
                part += f", {ind.prior_lines + 1}{'nd' if ind.prior_lines == 1 else 'rd'} line"
            parts.append(part)
        seen.update(ind.disease for ind in inds)
        out.append((inds[0].approved.decimal_year, " · ".join(dict.fromkeys(parts)), inds))
    return out


def approval_timeline(disease: str | None = None, target: str | None = None) -> Figure:
    """Every US approval by product and year; matching ones solid, the rest greyed (with a word key)."""
    products = sorted(load_products(), key=lambda p: p.first_approval)
    chosen = {p.brand for p in filter_products(products, disease, target)}
    filtered = disease is not None or target is not None
    fresh()
    fig = Figure(figsize=(10.0, 5.0))
    ax = fig.add_axes((0.24, 0.11, 0.74, 0.76))
    n = len(products)
    for row, p in enumerate(products):
        yy = n - 1 - row
        colour, marker = TARGET_STYLE[p.target]
        product_on = p.brand in chosen
        ax.plot(
            [p.first_approval.decimal_year, 2026.0],
            [yy, yy],
            color=colour if product_on else MUTED,
            linewidth=1.2,
            linestyle=":",
            zorder=1,
        )
        for k, (x, label, inds) in enumerate(_groups(p)):
            on = product_on and (disease is None or any(i.disease == disease for i in inds))
            ax.plot(
                [x],
                [yy],
                marker=marker,
                markersize=10,
                color=colour if on else "white",
                markeredgecolor=colour if on else MUTED,
                markeredgewidth=2,
                zorder=3,
                linestyle="none",
            )
            ax.text(
                x,
                yy + (0.3 if k % 2 == 0 else -0.32),
                label,
                fontsize=9.5,
                ha="center",
                va="center",
                color=INK if on else MUTED_TEXT,
                fontweight="bold" if on and filtered else "normal",
            )
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{p.brand} · {p.target} · {p.costimulatory}" for p in reversed(products)], fontsize=10.5)
    for label, p in zip(ax.get_yticklabels(), reversed(products), strict=True):
        label.set_color(INK if p.brand in chosen else MUTED_TEXT)
    ax.set_xlim(2016.6, 2026.3)
    ax.set_ylim(-0.7, n - 0.35)
    ax.set_xticks(range(2017, 2027))
    ax.set_xlabel("Year of US approval")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    key = "Circle = CD19 product, square = BCMA product."
    if filtered:
        what = " and ".join(x for x in (disease, target and f"target {target}") if x)
        key += f"\nSolid: matches {what}; hollow grey: does not match."
    fig.text(0.24, 0.975, key, fontsize=10, va="top", linespacing=1.3)
    return fig


# --------------------------------------------------------------------------- earlier lines
LINES_PANELS = (("LBCL", "Large B-cell lymphoma"), ("MM", "Multiple myeloma"))
LINE_STYLES = ("-", "--", "-.")
LINE_MARKERS = ("o", "s", "^")
LINE_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"])


def lines_history(disease: str) -> dict[str, list[tuple[float, int]]]:
    """For each product: (decimal year, prior lines required) at each approval in ``disease``."""
    out: dict[str, list[tuple[float, int]]] = {}
    for p in sorted(load_products(), key=lambda p: p.first_approval):
        steps = [
            (i.approved.decimal_year, i.prior_lines)
            for i in p.indications
            if i.disease == disease and i.prior_lines is not None
        ]
        if steps:
            out[p.brand] = steps
    return out


def earlier_lines() -> Figure:
    """Step lines: the fewest earlier treatment lines each label requires, over time (LBCL and myeloma)."""
    fresh()
    fig = Figure(figsize=(10.0, 4.3))
    axes = [fig.add_axes((0.08 + i * 0.47, 0.15, 0.36, 0.68)) for i in range(2)]
    for ax, (code, title) in zip(axes, LINES_PANELS, strict=True):
        history = lines_history(code)
        ends = []
        for k, (brand, steps) in enumerate(history.items()):
            offset = (k - (len(history) - 1) / 2) * 0.09  # keeps equal lines visible side by side
            xs = [x for x, _ in steps] + [2026.0]
            ys = [lines + offset for _, lines in steps]
            ys = ys + [ys[-1]]
            ax.step(xs, ys, where="post", color=LINE_COLOURS[k], linestyle=LINE_STYLES[k], linewidth=2.2)
            ax.plot(
                [x for x, _ in steps],
                ys[:-1],
                marker=LINE_MARKERS[k],
                color=LINE_COLOURS[k],
                linestyle="none",
                markersize=8,
            )
            ends.append([ys[-1], brand])
        ends.sort()
        for j in range(1, len(ends)):  # end labels at least 0.3 apart, so they never overlap
            ends[j][0] = max(ends[j][0], ends[j - 1][0] + 0.3)
        for y_end, brand in ends:
            ax.text(2026.15, y_end, brand, fontsize=10, va="center", color=INK)
        ax.set_title(title, fontsize=12, loc="left")
        ax.set_xlim(2017, 2026)
        ax.set_xticks(range(2017, 2027, 2))
        ax.set_ylim(0.5, 4.5)
        ax.set_yticks([1, 2, 3, 4])
        ax.set_xlabel("Year")
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    axes[0].set_ylabel("Earlier lines of therapy\nrequired by the label")
    fig.text(
        0.08,
        0.93,
        "Lower is earlier use. Lines are offset slightly so equal values stay visible.",
        fontsize=10,
        va="center",
    )
    return fig


# --------------------------------------------------------------------------- catalogue entries
def _timeline_alt(disease: str | None = None, target: str | None = None) -> str:
    products = sorted(load_products(), key=lambda p: p.first_approval)
    rows = "; ".join(
        f"{p.brand} ({p.target}, {p.costimulatory}): " + ", ".join(f"{label} ({int(x)})" for x, label, _ in _groups(p))
        for p in products
    )
    chosen = filter_products(products, disease, target)
    focus = ""
    if disease or target:
        focus = (
            " Products matching the filter are drawn solid: "
            + (", ".join(p.brand for p in chosen) or "none")
            + "; the others are hollow and grey."
        )
    return (
        "Timeline from 2017 to 2025 with one row per approved CAR-T product and a marker for each year "
        f"in which it gained a US indication. {rows}.{focus}"
    )


def _timeline_caption(disease: str | None = None, target: str | None = None) -> str:
    what = ""
    if disease or target:
        what = (
            " Filtered to "
            + " and ".join(x for x in (disease and DISEASES[disease], target and f"target {target}") if x)
            + "."
        )
    return (
        "**US approvals of CAR-T products by year.** Each marker is a year in which a product gained an "
        "indication; '2nd line' and '3rd line' mark moves to earlier treatment. Drawn from the course's "
        f"product table (assets/products.yaml), with sources in the table below.{what}"
    )


def _lineage_alt(highlight: str | None = None) -> str:
    base = (
        "Diagram of B-cell maturation from left to right: stem cell, pro-B, pre-B and immature B cells in the "
        "bone marrow; mature naive B, memory B cells and plasmablasts in blood, lymph nodes and spleen; plasma "
        "cells back in the bone marrow. A CD19 bar runs from pro-B cells to plasmablasts and is hatched at the "
        "plasma cell, meaning only some plasma cells keep it. A BCMA bar covers plasmablasts and plasma cells, "
        "hatched at memory B cells, meaning only a few late B cells carry it. Underneath, B-ALL is placed at the "
        "precursor stages, lymphomas and CLL at mature B cells, and myeloma at the plasma cell."
    )
    if highlight:
        base += (
            f" The cells a {highlight} CAR can reach have a thick hatched ring: "
            + ", ".join(hit_stages(highlight))
            + "."
        )
    return base


def _lines_alt() -> str:
    panels = []
    for code, title in LINES_PANELS:
        parts = []
        for brand, steps in lines_history(code).items():
            moves = " then ".join(f"{n} line{'s' if n > 1 else ''} from {int(x)}" for x, n in steps)
            parts.append(f"{brand}: {moves}")
        panels.append(f"{title}: " + "; ".join(parts))
    return (
        "Two step charts of the fewest earlier lines of therapy each US label requires before the product, "
        "from 2017 to 2025; lower means earlier use. " + ". ".join(panels) + "."
    )


FIGURES = {
    "l01_t_cell_recognition": Entry(
        t_cell_recognition,
        lambda: (
            "Diagram of a presenting or target cell on the left and a CD8 T cell on the right. Signal 1: the "
            "T-cell receptor binds a short peptide held in an MHC class I molecule on the other cell. Signal "
            "2, lower down: a co-stimulatory receptor such as CD28 on the T cell binds its partner ligand. A "
            "note says signal 1 without signal 2 gives a weak response that does not last."
        ),
        lambda: (
            "**How a T cell normally recognises its target.** The receptor reads a peptide shown by MHC "
            "(signal 1) and needs co-stimulation (signal 2) to expand. Conceptual illustration, not patient "
            "data."
        ),
    ),
    "l01_b_lineage": Entry(
        b_lineage,
        _lineage_alt,
        lambda highlight=None: (
            "**CD19 and BCMA along the B-cell lineage (simplified).** CD19 runs from pro-B cells to "
            "plasmablasts and is lost by most plasma cells; BCMA appears late, on plasmablasts and plasma cells. "
            "Real expression varies between cells and studies. Conceptual illustration, not patient data."
        ),
    ),
    "l01_approval_timeline": Entry(approval_timeline, _timeline_alt, _timeline_caption),
    "l01_earlier_lines": Entry(
        earlier_lines,
        lambda: _lines_alt(),
        lambda: (
            "**CAR-T moves to earlier lines.** For each product, the fewest earlier lines of therapy its US "
            "label requires, by year, from the course's product table. Other diseases are left out because "
            "their labels are not all phrased as a number of lines."
        ),
    ),
}
