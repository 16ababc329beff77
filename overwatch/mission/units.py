"""Quantities with units, as mission files write them: ``80 m``, ``30 km/h``, ``35 min``.

A mission file never holds a bare number where a unit matters; the loader
converts every quantity to SI once, here: metres, metres per second,
seconds, degrees (angles stay in degrees, as everywhere in Overwatch) and
plain fractions for percentages (``20 %`` → ``0.2``).

>>> parse_quantity("1.2 km", Kind.LENGTH)
1200.0
>>> parse_quantity("36 km/h", Kind.SPEED)
10.0
>>> parse_quantity("20 %", Kind.FRACTION)
0.2
>>> try:
...     parse_quantity("80 km/h", Kind.LENGTH)
... except QuantityError as exc:
...     print(exc.found)
'80 km/h' (a speed)
"""

from __future__ import annotations

import math
import re
from enum import Enum

from overwatch.errors import QuantityError


class Kind(Enum):
    """What a quantity measures; the value is how messages name it."""

    LENGTH = "length"
    SPEED = "speed"
    DURATION = "duration"
    ANGLE = "angle"
    FRACTION = "percentage"


#: unit spelling → (kind, factor to SI). Spellings are matched case-sensitively
#: first, then case-insensitively (so ``KM/H`` works but ``m`` never means ``M``).
UNITS: dict[str, tuple[Kind, float]] = {
    "m": (Kind.LENGTH, 1.0),
    "metre": (Kind.LENGTH, 1.0),
    "metres": (Kind.LENGTH, 1.0),
    "meter": (Kind.LENGTH, 1.0),
    "meters": (Kind.LENGTH, 1.0),
    "km": (Kind.LENGTH, 1000.0),
    "ft": (Kind.LENGTH, 0.3048),
    "nmi": (Kind.LENGTH, 1852.0),
    "m/s": (Kind.SPEED, 1.0),
    "km/h": (Kind.SPEED, 1000.0 / 3600.0),
    "kph": (Kind.SPEED, 1000.0 / 3600.0),
    "kn": (Kind.SPEED, 1852.0 / 3600.0),
    "kt": (Kind.SPEED, 1852.0 / 3600.0),
    "mph": (Kind.SPEED, 1609.344 / 3600.0),
    "s": (Kind.DURATION, 1.0),
    "sec": (Kind.DURATION, 1.0),
    "min": (Kind.DURATION, 60.0),
    "h": (Kind.DURATION, 3600.0),
    "hr": (Kind.DURATION, 3600.0),
    "deg": (Kind.ANGLE, 1.0),
    "°": (Kind.ANGLE, 1.0),
    "rad": (Kind.ANGLE, 180.0 / math.pi),
    "%": (Kind.FRACTION, 0.01),
}

#: the unit each kind is written in by default (examples in messages, formatting)
PREFERRED: dict[Kind, str] = {
    Kind.LENGTH: "m",
    Kind.SPEED: "m/s",
    Kind.DURATION: "s",
    Kind.ANGLE: "deg",
    Kind.FRACTION: "%",
}

EXAMPLES: dict[Kind, str] = {
    Kind.LENGTH: "'80 m' or '1.2 km'",
    Kind.SPEED: "'15 m/s' or '30 km/h'",
    Kind.DURATION: "'90 s' or '35 min'",
    Kind.ANGLE: "'70 deg'",
    Kind.FRACTION: "'20 %'",
}

_QUANTITY = re.compile(
    r"^\s*(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>\S.*?)?\s*$"
)


def expected_text(kind: Kind) -> str:
    """How an error message asks for a quantity of ``kind``."""
    return f"a {kind.value} with a unit, e.g. {EXAMPLES[kind]}"


def lookup_unit(unit: str) -> tuple[Kind, float] | None:
    """The kind and SI factor of a unit spelling, or ``None`` when unknown."""
    if unit in UNITS:
        return UNITS[unit]
    lowered = unit.lower()
    for spelling, entry in UNITS.items():
        if spelling.lower() == lowered:
            return entry
    return None


def parse_quantity(value: object, kind: Kind) -> float:
    """Read ``value`` (text such as ``"80 m"``) as a ``kind`` quantity, in SI units.

    Bare numbers (``80``), unknown units and units of another kind raise
    :class:`QuantityError`. Angles are returned in degrees, percentages as
    fractions.
    """
    if isinstance(value, bool) or value is None:
        raise QuantityError(repr(value), expected_text(kind))
    if isinstance(value, int | float):
        raise QuantityError(f"{value!r} (a bare number)", expected_text(kind))
    if not isinstance(value, str):
        raise QuantityError(f"a {type(value).__name__}", expected_text(kind))
    match = _QUANTITY.match(value)
    if match is None:
        raise QuantityError(repr(value), expected_text(kind))
    number = float(match["number"])
    unit = match["unit"]
    if unit is None:
        raise QuantityError(f"{value.strip()!r} (a bare number)", expected_text(kind))
    entry = lookup_unit(unit)
    if entry is None:
        raise QuantityError(f"{value!r} (unknown unit {unit!r})", expected_text(kind))
    found_kind, factor = entry
    if found_kind is not kind:
        raise QuantityError(f"{value!r} (a {found_kind.value})", expected_text(kind))
    if not math.isfinite(number):
        raise QuantityError(repr(value), expected_text(kind))
    return number * factor


def format_quantity(value_si: float, kind: Kind, unit: str | None = None) -> str:
    """Write an SI value back as text in ``unit`` (default: the kind's preferred unit).

    >>> format_quantity(10.0, Kind.SPEED, "km/h")
    '36 km/h'
    """
    unit = unit or PREFERRED[kind]
    entry = lookup_unit(unit)
    if entry is None or entry[0] is not kind:
        raise ValueError(f"{unit!r} is not a {kind.value} unit")
    return f"{value_si / entry[1]:.12g} {unit}"
