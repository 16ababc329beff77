"""The fly zone: pushing targets out of forbidden areas and routing around them."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from overwatch.errors import ConstraintViolation
from overwatch.mission import MissionGeometry
from overwatch.planning.zone import FlyZone
from tests.planning.missions import make_mission, straight_route


def _zone(**kw: object) -> FlyZone:
    mission = make_mission(straight_route(4000.0), launch=(0.0, -500.0), **kw)  # type: ignore[arg-type]
    return FlyZone.build(MissionGeometry.of(mission))


def _local(zone: FlyZone, xy: tuple[float, float]) -> tuple[float, float]:
    """Test coordinates (around the test origin) → the mission's own frame."""
    from tests.planning.missions import ORIGIN

    lat, lon = ORIGIN.to_wgs84(*xy)
    return zone.geometry.frame.to_local(lat, lon)


def test_path_goes_round_a_wall_and_is_clear() -> None:
    wall = [(1900.0, -1500.0), (2100.0, -1500.0), (2100.0, 600.0), (1900.0, 600.0)]
    zone = _zone(keep_outs=[wall])
    a, b = _local(zone, (1000.0, -800.0)), _local(zone, (3000.0, -800.0))
    assert not zone.segment_clear(a, b)
    path = zone.path(a, b)
    assert tuple(path[0]) == pytest.approx(a) and tuple(path[-1]) == pytest.approx(b)
    assert zone.segments_clear(path).all()
    length = float(np.hypot(*np.diff(path, axis=0).T).sum())
    straight = float(np.hypot(b[0] - a[0], b[1] - a[1]))
    assert straight < length < 3 * straight
    # it stays a margin away from the wall
    lines = shapely.linestrings(np.stack([path[:-1], path[1:]], axis=1))
    assert shapely.distance(zone.geometry.keep_outs[0][1], lines).min() >= zone.margin_m / 2 - 1e-6


def test_no_path_into_an_enclosed_pocket() -> None:
    ring = [
        [(2800.0, -1400.0), (3200.0, -1400.0), (3200.0, -1350.0), (2800.0, -1350.0)],
        [(2800.0, -1050.0), (3200.0, -1050.0), (3200.0, -1000.0), (2800.0, -1000.0)],
        [(2800.0, -1400.0), (2850.0, -1400.0), (2850.0, -1000.0), (2800.0, -1000.0)],
        [(3150.0, -1400.0), (3200.0, -1400.0), (3200.0, -1000.0), (3150.0, -1000.0)],
    ]
    zone = _zone(keep_outs=ring)
    with pytest.raises(ConstraintViolation) as err:
        zone.path(_local(zone, (0.0, -500.0)), _local(zone, (3000.0, -1200.0)))
    assert err.value.constraint == "reachability"


def test_push_moves_forbidden_points_to_the_nearest_safe_point() -> None:
    block = [(1500.0, -200.0), (2500.0, -200.0), (2500.0, 200.0), (1500.0, 200.0)]
    zone = _zone(keep_outs=[block])
    inside = np.array(
        [_local(zone, (2000.0, 150.0)), _local(zone, (2000.0, -150.0)), _local(zone, (1000.0, 0.0))]
    )
    pushed = zone.push(inside)
    ko = zone.geometry.keep_outs[0][1]
    # the first two leave the block across its nearest side, by the margin; the third stays
    for p in pushed[:2]:
        d = ko.distance(shapely.Point(p))
        assert zone.margin_m * 0.7 <= d <= zone.margin_m * 1.3
    assert np.hypot(*(pushed[0] - inside[0])) == pytest.approx(50.0 + zone.margin_m, abs=5.0)
    assert tuple(pushed[2]) == tuple(inside[2])


def test_border_far_side_is_blocked() -> None:
    zone = _zone(border=[(-3000.0, 600.0), (7000.0, 600.0)], border_buffer_m=100.0)
    assert zone.point_allowed(*_local(zone, (2000.0, 400.0)))
    assert not zone.point_allowed(*_local(zone, (2000.0, 650.0)))  # in the buffer
    assert not zone.point_allowed(*_local(zone, (2000.0, 5000.0)))  # the far side
    pushed = zone.push(np.array([_local(zone, (2000.0, 3000.0))]))
    assert zone.point_allowed(*pushed[0])
