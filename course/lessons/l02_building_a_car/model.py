"""Building a CAR: the parts, what each does, and which generation a design belongs to (lesson 02).

Pure logic, no widgets or drawing. The rules follow the course's sources:

- parts, outside to inside: binder (usually an scFv), hinge, transmembrane, co-stimulatory domain(s),
  CD3-zeta; CD3-zeta gives signal 1 (activation), co-stimulation gives signal 2 ``sadelain2013-car-design``;
- generations: 1st = binder + CD3-zeta; 2nd = + one co-stimulatory domain (as of December 2025, all seven
  CAR-T products approved by the US FDA);
  3rd = + two; 4th = a CAR plus an inducible payload such as a cytokine; a later design adds a truncated
  IL-2 receptor beta chain for a JAK-STAT ("signal 3") input ``kagoya2018-jak-stat``;
- CD28 versus 4-1BB as usually taught ``cappell2021-cd28-41bb``: CD28 linked with faster expansion and
  more neurotoxicity, 4-1BB with longer persistence. The products have not been compared head to head and
  differ in much more than the co-stimulatory domain, so the notes say the persistence claim cannot be put
  down to 4-1BB alone;
- "same signalling layout" compares what is inside the cell only (co-stimulatory domain plus CD3-zeta),
  so a design with one 4-1BB domain matches all five 4-1BB products, whatever its binder.
"""

from __future__ import annotations

from dataclasses import dataclass

from course.clinical.products import products_with

BINDERS = {
    "scFv": "single-chain variable fragment (scFv)",
    "VHH": "two single-domain (VHH) antibodies",
    "none": "no binder",
}
HINGES = {
    "CD8a": "CD8-alpha hinge and transmembrane",
    "CD28": "CD28 hinge and transmembrane",
}
COSTIMULATORY = ("CD28", "4-1BB", "OX40")
PAYLOADS = {
    "none": "no extra payload",
    "cytokine": "inducible cytokine (for example IL-12)",
    "il2rb": "IL-2 receptor beta fragment (cytokine-type signal)",
}
ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}

BINDER_NOTES = {
    "scFv": (
        "Binder: the variable parts of an antibody's heavy and light chains, joined by a short flexible "
        "linker. It grips its target protein on the cell surface directly, with no MHC needed."
    ),
    "VHH": (
        "Binder: two small single-domain antibodies (VHH, first found in llamas), as in Carvykti, aimed at two "
        "different sites on BCMA. More binders do not change the generation: that is counted inside the cell."
    ),
    "none": "Binder missing: with nothing outside the cell, the receptor cannot recognise any target.",
}
HINGE_NOTES = {
    "CD8a": (
        "Hinge and transmembrane from CD8-alpha: the hinge gives reach and flexibility, the transmembrane part "
        "anchors the CAR in the membrane. Kymriah uses a CD8 hinge and transmembrane region."
    ),
    "CD28": (
        "Hinge and transmembrane from CD28: the same two jobs, reach and flexibility outside the cell and an "
        "anchor in the membrane, taken from another T-cell protein."
    ),
}
PAYLOAD_NOTES = {
    "none": "",
    "cytokine": (
        "Payload: an extra gene, switched on only when the CAR fires, makes a cytokine (such as IL-12) to "
        "strengthen the attack. This makes a fourth-generation ('TRUCK' or 'armoured') design, still "
        "experimental."
    ),
    "il2rb": (
        "Payload: a piece of the IL-2 receptor beta chain inside the CAR adds a cytokine-type signal (JAK-STAT, "
        "'signal 3'). A next-generation design, sometimes called fifth generation, tested in the laboratory."
    ),
}


def costim_note(domain: str) -> str:
    """What one co-stimulatory domain does, with the approved products that use it (from products.yaml)."""
    users = products_with(costimulatory=domain) if domain != "OX40" else []
    used = f" Used by {_join(users)}." if users else " Not used by any approved product."
    if domain == "CD28":
        return (
            "CD28 co-stimulation (signal 2)." + used + " As usually taught, CD28 CARs expand faster and have "
            "been linked with more neurotoxicity (ICANS) in trials. This is a generalisation: the trials also "
            "differed in disease, dose and grading scale."
        )
    if domain == "4-1BB":
        return (
            "4-1BB (CD137) co-stimulation (signal 2)." + used + " Often taught as giving slower expansion and "
            "longer persistence. But products with different co-stimulatory domains have not been compared head "
            "to head, and they also differ in binder, hinge, dose, manufacturing and disease, so differences in "
            "persistence cannot be put down to 4-1BB alone."
        )
    return (
        "OX40 co-stimulation (signal 2), from another co-stimulatory receptor of T cells." + used + " It appears "
        "in experimental third-generation designs."
    )


def _join(names: list[str] | tuple[str, ...]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class CarDesign:
    """One CAR, outside to inside. ``costim`` is zero to two different co-stimulatory domains."""

    binder: str = "scFv"
    hinge: str = "CD8a"
    costim: tuple[str, ...] = ("4-1BB",)
    cd3z: bool = True
    payload: str = "none"

    def __post_init__(self) -> None:
        if self.binder not in BINDERS:
            raise ValueError(f"binder must be one of {', '.join(BINDERS)}, not {self.binder!r}")
        if self.hinge not in HINGES:
            raise ValueError(f"hinge must be one of {', '.join(HINGES)}, not {self.hinge!r}")
        costim = tuple(self.costim)
        object.__setattr__(self, "costim", costim)
        if len(costim) > 2:
            raise ValueError("this builder takes zero, one or two co-stimulatory domains")
        for domain in costim:
            if domain not in COSTIMULATORY:
                raise ValueError(f"co-stimulatory domain must be one of {', '.join(COSTIMULATORY)}, not {domain!r}")
        if len(set(costim)) != len(costim):
            raise ValueError("the same co-stimulatory domain is listed twice")
        if not isinstance(self.cd3z, bool):
            raise ValueError("cd3z must be True or False")
        if self.payload not in PAYLOADS:
            raise ValueError(f"payload must be one of {', '.join(PAYLOADS)}, not {self.payload!r}")

    @classmethod
    def from_choices(cls, binder: str, hinge: str, costim1: str, costim2: str, cd3z: bool, payload: str) -> CarDesign:
        """From two co-stimulatory slots ('none' = empty); a domain chosen twice counts once."""
        costim = tuple(dict.fromkeys(c for c in (costim1, costim2) if c != "none"))
        return cls(binder, hinge, costim, cd3z, payload)

    def parts(self) -> list[tuple[str, str]]:
        """(kind, label) from outside the cell to inside, as drawn."""
        out = [("binder", BINDERS[self.binder]), ("hinge", HINGES[self.hinge].replace(" and transmembrane", ""))]
        out.append(("transmembrane", "transmembrane"))
        out += [("costim", c) for c in self.costim]
        if self.payload == "il2rb":
            out.append(("il2rb", "IL-2R beta"))
        out.append(("cd3z", "CD3-zeta" if self.cd3z else "CD3-zeta missing"))
        return out


@dataclass(frozen=True)
class Verdict:
    works: bool
    generation: int | None  # 1 to 4; 5 for the IL-2R beta design; None when it does not work
    label: str
    headline: str
    signal1: bool
    signal2: int
    notes: tuple[str, ...]
    like: tuple[str, ...]  # approved products with the same layout


def classify(design: CarDesign) -> Verdict:
    """The generation of a design, whether it can activate a T cell, and what each choice does."""
    notes = [BINDER_NOTES[design.binder], HINGE_NOTES[design.hinge]]
    notes += [costim_note(c) for c in design.costim]
    if len(design.costim) == 2:
        notes.append("Two co-stimulatory domains make a third-generation CAR; none of the approved products uses one.")
    if design.cd3z:
        notes.append(
            "CD3-zeta (signal 1): the activation switch taken from the T-cell receptor complex. Every "
            "working CAR needs it."
        )
    else:
        notes.append(
            "CD3-zeta missing: the CAR may still bind its target, but no activation signal reaches the T "
            "cell. Co-stimulation alone (signal 2) does not switch a T cell on. Not a working CAR."
        )
    if PAYLOAD_NOTES[design.payload]:
        notes.append(PAYLOAD_NOTES[design.payload])

    problems = []
    if design.binder == "none":
        problems.append("no binder, so it cannot recognise a target")
    if not design.cd3z:
        problems.append("no CD3-zeta, so there is no activation signal")
    if problems:
        headline = "Not a working CAR: " + " and ".join(problems) + "."
        return Verdict(False, None, "Not a working CAR", headline, design.cd3z, len(design.costim), tuple(notes), ())

    base = len(design.costim) + 1
    like: tuple[str, ...] = ()
    if design.payload == "cytokine":
        generation, label = 4, "Fourth generation (TRUCK or armoured CAR)"
        headline = f"A {ORDINAL[base]}-generation CAR plus an inducible cytokine: a fourth-generation design."
    elif design.payload == "il2rb":
        generation, label = 5, "Next generation (sometimes called fifth)"
        headline = f"A {ORDINAL[base]}-generation CAR plus an IL-2 receptor beta fragment: a next-generation design."
    else:
        generation, label = base, f"{ORDINAL[base].capitalize()} generation"
        headline = {
            1: "First generation: binder and CD3-zeta only. It can activate, but without co-stimulation the cells "
            "did not expand or last well in early trials.",
            2: "Second generation: one co-stimulatory domain plus CD3-zeta, the design of all seven CAR-T "
            "products approved by the US FDA (as of December 2025).",
            3: "Third generation: two co-stimulatory domains plus CD3-zeta. Tested in trials; none approved.",
        }[base]
        if base == 2:
            # Signalling layout = what is inside the cell (co-stimulatory domain + CD3-zeta); binder and hinge
            # are not compared, so Carvykti (two VHH binders) matches an scFv design with 4-1BB too.
            like = tuple(products_with(costimulatory=design.costim[0]))
    return Verdict(True, generation, label, headline, True, len(design.costim), tuple(notes), like)


def describe(design: CarDesign) -> str:
    """One plain sentence listing the parts, outside to inside."""
    return "Outside to inside: " + ", ".join(label for _, label in design.parts()) + "."
