"""What actors look like: a few boxes each, in fractions of the actor's true size.

A vehicle is a body on four wheels with a glazed cabin and a roof; a person
has two legs, a torso, two arms and a head; an object (crate, pack, IED) is
one box. The renderer scales each part by the actor's ``length_m`` (along
its heading), ``width_m`` and ``height_m`` and draws it as a shaded 3-D box,
so silhouettes keep their true size in metres at any range.
"""

from __future__ import annotations

from dataclasses import dataclass

Rgb = tuple[int, int, int]


@dataclass(frozen=True)
class Part:
    """One box of an actor, in fractions of its length (x, forward), width (y, right), height.

    ``x``, ``y``: the box centre; ``half_l``, ``half_w``: its half sizes;
    ``z0``, ``z1``: its bottom and top. ``shade`` scales the actor's body
    colour; ``colour`` (0..255) replaces it (tyres, glass, skin).
    """

    x: float
    y: float
    half_l: float
    half_w: float
    z0: float
    z1: float
    shade: float = 1.0
    colour: Rgb | None = None

    def rgb(self, body: Rgb) -> tuple[float, float, float]:
        if self.colour is not None:
            return (float(self.colour[0]), float(self.colour[1]), float(self.colour[2]))
        return (body[0] * self.shade, body[1] * self.shade, body[2] * self.shade)


TYRE: Rgb = (28, 28, 30)
GLASS: Rgb = (46, 56, 66)
SKIN: Rgb = (150, 110, 84)

VEHICLE_PARTS: tuple[Part, ...] = (
    *(Part(x, y, 0.10, 0.09, 0.0, 0.34, colour=TYRE) for x in (-0.31, 0.31) for y in (-0.41, 0.41)),
    Part(0.0, 0.0, 0.5, 0.5, 0.17, 0.56),  # body
    Part(-0.10, 0.0, 0.22, 0.45, 0.56, 0.92, colour=GLASS),  # cabin glazing
    Part(-0.12, 0.0, 0.20, 0.44, 0.92, 1.0),  # roof
)

PERSON_PARTS: tuple[Part, ...] = (
    Part(0.0, -0.16, 0.16, 0.13, 0.0, 0.48, shade=0.55),  # legs
    Part(0.0, 0.16, 0.16, 0.13, 0.0, 0.48, shade=0.55),
    Part(0.0, 0.0, 0.24, 0.34, 0.46, 0.82),  # torso
    Part(0.0, -0.44, 0.12, 0.08, 0.47, 0.81, shade=0.85),  # arms
    Part(0.0, 0.44, 0.12, 0.08, 0.47, 0.81, shade=0.85),
    Part(0.02, 0.0, 0.22, 0.20, 0.85, 1.0, colour=SKIN),  # head
)

OBJECT_PARTS: tuple[Part, ...] = (
    Part(0.0, 0.0, 0.5, 0.5, 0.0, 0.9),
    Part(0.0, 0.0, 0.46, 0.46, 0.9, 1.0, shade=0.85),  # lid
)

PARTS: dict[str, tuple[Part, ...]] = {
    "vehicle": VEHICLE_PARTS,
    "person": PERSON_PARTS,
    "object": OBJECT_PARTS,
}


def parts_of(kind: str) -> tuple[Part, ...]:
    """The parts of an actor kind (unknown kinds are drawn as objects)."""
    return PARTS.get(kind, OBJECT_PARTS)
