"""Quantities with units: parsing, conversion to SI, and the errors for bad ones."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overwatch.errors import QuantityError
from overwatch.mission.units import UNITS, Kind, format_quantity, parse_quantity


@pytest.mark.parametrize(
    ("text", "kind", "si"),
    [
        ("80 m", Kind.LENGTH, 80.0),
        ("1.2 km", Kind.LENGTH, 1200.0),
        ("1.2km", Kind.LENGTH, 1200.0),
        ("400 ft", Kind.LENGTH, 121.92),
        ("30 km/h", Kind.SPEED, 30 / 3.6),
        ("15 m/s", Kind.SPEED, 15.0),
        ("10 kn", Kind.SPEED, 10 * 1852 / 3600),
        ("35 min", Kind.DURATION, 2100.0),
        ("90 s", Kind.DURATION, 90.0),
        ("1.5 h", Kind.DURATION, 5400.0),
        ("20 %", Kind.FRACTION, 0.2),
        ("70 deg", Kind.ANGLE, 70.0),
        ("-45°", Kind.ANGLE, -45.0),
        ("1e3 m", Kind.LENGTH, 1000.0),
        ("30 KM/H", Kind.SPEED, 30 / 3.6),
    ],
)
def test_parse(text: str, kind: Kind, si: float) -> None:
    assert parse_quantity(text, kind) == pytest.approx(si)


def test_bare_number_is_refused() -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(80, Kind.LENGTH)
    assert info.value.found == "80 (a bare number)"
    assert info.value.expected == "a length with a unit, e.g. '80 m' or '1.2 km'"
    with pytest.raises(QuantityError, match="bare number"):
        parse_quantity("80", Kind.LENGTH)


def test_wrong_kind_and_unknown_unit() -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity("80 km/h", Kind.LENGTH)
    assert info.value.found == "'80 km/h' (a speed)"
    with pytest.raises(QuantityError) as info:
        parse_quantity("80 furlongs", Kind.LENGTH)
    assert "unknown unit 'furlongs'" in info.value.found
    with pytest.raises(QuantityError):
        parse_quantity("fast", Kind.SPEED)
    with pytest.raises(QuantityError):
        parse_quantity("M", Kind.LENGTH)


def test_case_sensitive_spelling_wins() -> None:
    # "m" is metres; a case-insensitive match only helps spellings like "KM/H"
    assert parse_quantity("5 m", Kind.LENGTH) == 5.0
    assert parse_quantity("5 Min", Kind.DURATION) == 300.0


units_and_kinds = st.sampled_from(sorted(UNITS.items()))


@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    unit=units_and_kinds,
)
def test_round_trip(value: float, unit: tuple[str, tuple[Kind, float]]) -> None:
    spelling, (kind, factor) = unit
    si = value * factor
    text = format_quantity(si, kind, spelling)
    assert math.isclose(parse_quantity(text, kind), si, rel_tol=1e-9, abs_tol=1e-9)


@given(
    value=st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False),
    unit=units_and_kinds,
    other=st.sampled_from(list(Kind)),
)
def test_other_kinds_always_refused(
    value: float, unit: tuple[str, tuple[Kind, float]], other: Kind
) -> None:
    spelling, (kind, _) = unit
    if other is kind:
        return
    with pytest.raises(QuantityError) as info:
        parse_quantity(f"{value} {spelling}", other)
    assert f"(a {kind.value})" in info.value.found
