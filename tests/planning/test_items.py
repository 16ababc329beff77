"""Mission-item helpers: Douglas–Peucker and the item shapes ArduPilot expects."""

from __future__ import annotations

import numpy as np

from overwatch.items import Cmd, Frame, MissionType
from overwatch.mission import MissionGeometry
from overwatch.planning.mavitems import douglas_peucker, fence_items, rally_items
from tests.planning.missions import make_mission, straight_route


def test_douglas_peucker_drops_points_within_tolerance() -> None:
    x = np.linspace(0.0, 1000.0, 101)
    y = np.where(np.arange(101) % 2 == 0, 3.0, -3.0)  # zig-zag of ±3 m
    keep = douglas_peucker(np.column_stack([x, y]), 10.0)
    assert keep.tolist() == [0, 100]


def test_douglas_peucker_keeps_corners() -> None:
    leg1 = np.column_stack([np.linspace(0, 500, 51), np.zeros(51)])
    leg2 = np.column_stack([np.full(50, 500.0), np.linspace(10, 500, 50)])
    keep = douglas_peucker(np.vstack([leg1, leg2]), 10.0)
    assert keep.tolist() == [0, 50, 100]


def test_fence_and_rally_items() -> None:
    mission = make_mission(
        straight_route(3000.0),
        launch=(0.0, -200.0),
        keep_in=[(-1000.0, -1000.0), (4000.0, -1000.0), (4000.0, 1000.0), (-1000.0, 1000.0)],
        keep_outs=[[(1000.0, -300.0), (1200.0, -300.0), (1100.0, -150.0)]],
        rally=[(2500.0, -300.0)],
    )
    geometry = MissionGeometry.of(mission)
    fence = fence_items(geometry)
    assert [it.command for it in fence] == [Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION] * 4 + [
        Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION
    ] * 3
    assert [it.param1 for it in fence] == [4.0] * 4 + [3.0] * 3
    assert all(it.mission_type == MissionType.FENCE and it.frame == Frame.GLOBAL for it in fence)
    # vertices are the mission's own, in degrees
    ko = mission.airspace.keep_out[0].polygon
    got = {(round(it.lat_deg, 7), round(it.lon_deg, 7)) for it in fence[4:]}
    assert got == {(round(p.lat_deg, 7), round(p.lon_deg, 7)) for p in ko}
    rally = rally_items(geometry, 80.0)
    assert len(rally) == 1
    r = rally[0]
    assert r.command == Cmd.NAV_RALLY_POINT and r.mission_type == MissionType.RALLY
    assert r.frame == Frame.GLOBAL_RELATIVE_ALT and r.alt_m == 80.0
    assert abs(r.lat_deg - mission.launch.rally[0].lat_deg) < 1e-7
