"""Missions that cannot be flown raise ConstraintViolation naming the constraint and the place."""

from __future__ import annotations

import re

import pytest

from overwatch.errors import ConstraintViolation
from overwatch.planning import plan
from tests.planning.missions import make_mission, straight_route, vehicle

LATLON = re.compile(r"lat -?\d+\.\d+, lon -?\d+\.\d+ \(near route km \d+\.\d\d\)")


def _square(cx: float, cy: float, half: float) -> list[tuple[float, float]]:
    return [
        (cx - half, cy - half),
        (cx + half, cy - half),
        (cx + half, cy + half),
        (cx - half, cy + half),
    ]


def test_launch_inside_a_keep_out() -> None:
    mission = make_mission(
        straight_route(3000.0), launch=(1500.0, -500.0), keep_outs=[_square(1500.0, -500.0, 100.0)]
    )
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "airspace"
    assert LATLON.search(err.value.where)
    assert "launch site" in str(err.value)


def test_launch_inside_the_border_buffer() -> None:
    border = [(-2000.0, 400.0), (5000.0, 400.0)]
    mission = make_mission(
        straight_route(3000.0), launch=(1500.0, 350.0), border=border, border_buffer_m=200.0
    )
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "airspace"
    assert "border zone" in str(err.value)


def test_launch_walled_in_by_keep_outs() -> None:
    walls = [
        [(900.0, -1100.0), (2100.0, -1100.0), (2100.0, -1050.0), (900.0, -1050.0)],
        [(900.0, -450.0), (2100.0, -450.0), (2100.0, -400.0), (900.0, -400.0)],
        [(900.0, -1100.0), (950.0, -1100.0), (950.0, -400.0), (900.0, -400.0)],
        [(2050.0, -1100.0), (2100.0, -1100.0), (2100.0, -400.0), (2050.0, -400.0)],
    ]
    mission = make_mission(straight_route(3000.0), launch=(1500.0, -750.0), keep_outs=walls)
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "reachability"
    assert LATLON.search(str(err.value))


def test_launch_walled_in_by_a_tiny_keep_in() -> None:
    mission = make_mission(
        straight_route(3000.0), launch=(0.0, -50.0), keep_in=_square(0.0, -50.0, 20.0)
    )
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "reachability"
    assert "walled in" in str(err.value)


def test_rally_point_in_a_keep_out() -> None:
    mission = make_mission(
        straight_route(3000.0),
        launch=(0.0, -300.0),
        rally=[(2000.0, -600.0)],
        keep_outs=[_square(2000.0, -600.0, 100.0)],
    )
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "rally"
    assert "rally point 1" in err.value.where and LATLON.search(err.value.where)


def test_rally_point_unreachable() -> None:
    # a rally point enclosed by keep-outs, outside them but with no way in
    ring = [
        [(1800.0, -900.0), (2200.0, -900.0), (2200.0, -850.0), (1800.0, -850.0)],
        [(1800.0, -550.0), (2200.0, -550.0), (2200.0, -500.0), (1800.0, -500.0)],
        [(1800.0, -900.0), (1850.0, -900.0), (1850.0, -500.0), (1800.0, -500.0)],
        [(2150.0, -900.0), (2200.0, -900.0), (2200.0, -500.0), (2150.0, -500.0)],
    ]
    mission = make_mission(
        straight_route(3000.0), launch=(0.0, -300.0), rally=[(2000.0, -700.0)], keep_outs=ring
    )
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "rally"
    assert "unreachable" in str(err.value)


def test_endurance_shorter_than_the_transit() -> None:
    short = vehicle(endurance_s=8 * 60.0)
    mission = make_mission(
        straight_route(3000.0, 1000.0), launch=(-6000.0, -2000.0), the_vehicle=short
    )
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "endurance"
    assert "cannot reach the watch position" in str(err.value)
    assert LATLON.search(str(err.value))


def test_battery_too_small_to_even_climb() -> None:
    mission = make_mission(straight_route(2000.0), the_vehicle=vehicle(endurance_s=60.0))
    with pytest.raises(ConstraintViolation, match="endurance") as err:
        plan(mission)
    assert "climbing to 80 m and landing" in str(err.value)


def test_altitude_limits_contradict() -> None:
    mission = make_mission(straight_route(2000.0), min_alt_m=150.0, max_alt_m=100.0)
    with pytest.raises(ConstraintViolation) as err:
        plan(mission)
    assert err.value.constraint == "altitude"


def test_bad_vehicle_numbers() -> None:
    mission = make_mission(straight_route(2000.0), the_vehicle=vehicle(cruise_speed_m_s=0.0))
    with pytest.raises(ConstraintViolation, match=r"vehicle\.cruise_speed_m_s"):
        plan(mission)
