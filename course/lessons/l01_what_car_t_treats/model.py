"""Lesson 01's view of the product table: the approved products as an HTML table and as text.

The table's data and rules live in ``course.clinical.products`` (used by several lessons); how lesson 01
shows it lives here, so the clinical layer stays free of views.
"""

from __future__ import annotations

from html import escape

from course.clinical.products import Product, catalogue, filter_products, load_products
from course.core.references import cite_html
from course.engine.views import html as views
from course.engine.views.tables import framed_table


def table_html(products: list[Product] | tuple[Product, ...], disease: str | None = None) -> str:
    """An accessible HTML table: one row per product, its indications listed with their dates.

    With ``disease``, the matching indications are marked in words (not colour alone).
    """
    if not products:
        return (
            '<p class="cart-products-empty"><strong>No approved product matches this choice.</strong> '
            "Try another disease or target.</p>"
        )
    cell = f'style="{views.CELL_PLAIN}"'
    rows = []
    for p in products:
        items = []
        for i in p.indications:
            mark = " <strong>(matches)</strong>" if disease is not None and i.disease == disease else ""
            items.append(
                f'<li style="text-align:left"><strong>{escape(i.disease)}</strong>, {escape(i.population)}: '
                f"{escape(i.setting)} ({escape(str(i.approved))}){mark}</li>"
            )
        note = f'<br><span style="font-size:0.9em">{escape(p.notes)}</span>' if p.notes else ""
        keys = tuple(dict.fromkeys(p.references + tuple(k for i in p.indications for k in i.references)))
        rows.append(
            f'<tr><th scope="row" {cell}>{escape(p.brand)}<br><span style="font-weight:normal">'
            f"({escape(p.generic)})</span></th><td {cell}>{escape(p.target)}</td>"
            f"<td {cell}>{escape(p.costimulatory)}</td><td {cell}>{escape(p.vector)}</td>"
            f"<td {cell}>{escape(str(p.first_approval))}{note}</td>"
            f'<td {cell}><ul style="margin:0;padding-left:1.1em">{"".join(items)}</ul></td>'
            f"<td {cell}>{cite_html(keys)}</td></tr>"
        )
    head = (
        "Product",
        "Target",
        "Co-stimulatory domain",
        "Vector",
        "First US approval",
        "Indications (disease, patients, setting, date)",
        "Sources",
    )
    caption = (
        f"Approved CAR-T products in the US (sources checked up to {escape(catalogue().as_of)}). "
        "All are autologous second-generation CARs."
    )
    return framed_table(f"cart-products {views.ROOMY}", "0.92em", caption, head, rows)


def table_text(products: list[Product] | tuple[Product, ...]) -> str:
    """The same table as plain text, one product per line."""
    if not products:
        return "No approved product matches this choice."
    return "\n".join(
        f"{p.brand} ({p.generic}): {p.target}, {p.costimulatory}, {p.vector}, first US approval "
        f"{p.first_approval}; " + "; ".join(f"{i.disease} ({i.approved})" for i in p.indications)
        for p in products
    )


def product_table(disease: str | None = None, target: str | None = None) -> views.Static:
    """The table, filtered, as static HTML and text."""
    rows = filter_products(load_products(), disease, target)
    return views.Static(table_html(rows, disease), table_text(rows), rows)


# The B-cell lineage of the lineage figure and demo: data, so the demo needs no drawing code.
STAGES = (
    # name, carries CD19, carries BCMA ("yes", "some", "")
    ("Stem cell", "", ""),
    ("Pro-B", "yes", ""),
    ("Pre-B", "yes", ""),
    ("Immature B", "yes", ""),
    ("Mature\n(naive) B", "yes", ""),
    ("Memory B", "yes", "some"),
    ("Plasmablast", "yes", "yes"),
    ("Plasma cell", "some", "yes"),
)
LINEAGE_CANCERS = (
    # first stage index, last stage index, label
    (1, 3, "B-ALL (from B-cell precursors)"),
    (4, 5, "Lymphomas, CLL (mature B cells)"),
    (7, 7, "Myeloma"),
)


def hit_stages(target: str | None) -> list[str]:
    """Stage names (one line) that a CAR against ``target`` can reach: carries it fully or partly."""
    if target is None:
        return []
    column = 1 if target == "CD19" else 2
    return [s[0].replace("\n", " ") for s in STAGES if s[column]]
