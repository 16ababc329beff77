"""Fence checks: no setpoint in a forbidden area, no straight path through one."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from overwatch.guidance import FenceGuard, FenceOutcome, Guidance, GuidanceConfig, VehicleSnapshot
from overwatch.mission import MissionGeometry
from overwatch.tracking import PatrolTracker, TrackFix
from tests.tracking.missions import START_S, geometry

STRAIGHT = [(0.0, 0.0), (3000.0, 0.0), (6000.0, 0.0)]
BOX = [(2800.0, -300.0), (3600.0, -300.0), (3600.0, 300.0), (2800.0, 300.0)]


def local(g: MissionGeometry, x: float, y: float) -> tuple[float, float]:
    """Test-frame metres (route start at 0, 0) → the mission frame."""
    ox, oy = g.route.coords[0]
    return float(ox) + x, float(oy) + y


def test_each_outcome() -> None:
    g = geometry(STRAIGHT, keep_outs_xy_m=[BOX])
    guard = FenceGuard(g, margin_m=20.0)
    ok = guard.check(local(g, 1000, 0), local(g, 1500, 100))
    assert ok.outcome is FenceOutcome.OK and (ok.x_m, ok.y_m) == local(g, 1500, 100)
    moved = guard.check(local(g, 2000, 0), local(g, 2850, 0))  # 50 m inside the box
    assert moved.outcome is FenceOutcome.MOVED
    assert math.isclose(moved.x_m, local(g, 2780, 0)[0], abs_tol=0.5)
    detour = guard.check(local(g, 2500, 0), local(g, 3900, 0))  # the box is in the way
    assert detour.outcome is FenceOutcome.DETOUR
    assert g.is_allowed(LineString([local(g, 2500, 0), (detour.x_m, detour.y_m)]))
    escape = guard.check(local(g, 3000, 0), local(g, 5000, 0))  # the drone is inside
    assert escape.outcome is FenceOutcome.ESCAPE
    assert g.is_allowed(Point(escape.x_m, escape.y_m))


def test_keep_in_without_a_way_round_shortens_or_holds() -> None:
    # a keep-in shaped like a U: the straight line between the arms leaves it
    u = [(-500, -500), (4000, -500), (4000, 2000), (3000, 2000), (3000, 500), (1000, 500),
         (1000, 2000), (-500, 2000)]  # fmt: skip
    g = geometry([(0.0, 0.0), (3500.0, 0.0)], keep_in_xy_m=u)
    guard = FenceGuard(g, margin_m=20.0)
    res = guard.check(local(g, 0, 1500), local(g, 3500, 1500))
    assert res.outcome in (FenceOutcome.DETOUR, FenceOutcome.SHORTENED, FenceOutcome.HOLD)
    assert g.is_allowed(LineString([local(g, 0, 1500), (res.x_m, res.y_m)]))


coords = st.floats(min_value=-1500.0, max_value=7500.0, allow_nan=False)


@st.composite
def scenes(draw: st.DrawFn) -> tuple[MissionGeometry, tuple[float, float], float, str]:
    n_boxes = draw(st.integers(0, 3))
    boxes = []
    for _ in range(n_boxes):
        x = draw(st.floats(0.0, 6000.0))
        y = draw(st.floats(-600.0, 600.0))
        w = draw(st.floats(50.0, 700.0))
        h = draw(st.floats(50.0, 700.0))
        boxes.append([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
    border = None
    if draw(st.booleans()):
        yb = draw(st.floats(150.0, 900.0))
        border = [(-2000.0, yb), (8000.0, yb + draw(st.floats(-300.0, 300.0)))]
    g = geometry(
        STRAIGHT,
        keep_outs_xy_m=boxes,
        border_xy_m=border,
        border_buffer_m=100.0,
        launch_xy_m=(0.0, -1000.0),
    )
    drone = (draw(coords), draw(st.floats(-1500.0, 1500.0)))
    station = draw(st.floats(0.0, 6000.0))
    mode = draw(st.sampled_from(["lead", "escort", "stale", "hold"]))
    return g, drone, station, mode


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_no_setpoint_or_path_enters_a_forbidden_area(
    scene: tuple[MissionGeometry, tuple[float, float], float, str],
) -> None:
    g, (dx, dy), station, mode = scene
    drone_xy = local(g, dx, dy)
    if not g.is_allowed(Point(drone_xy)):
        drone_xy = (
            FenceGuard(g).check(drone_xy, drone_xy).x_m,
            FenceGuard(g).check(drone_xy, drone_xy).y_m,
        )
    assert g.is_allowed(Point(drone_xy))
    tracker = PatrolTracker(g)
    for k in range(3):
        px, py = local(g, min(station + 8.0 * k, 6000.0), 0.0)
        lat, lon = g.frame.to_wgs84(px, py)
        tracker.update(TrackFix(START_S + station / 8.0 + k, lat, lon))
    now = START_S + station / 8.0 + 2.0
    if mode == "stale":
        now += 60.0
    cfg = GuidanceConfig(mode="escort" if mode == "escort" else "lead")
    guidance = Guidance(g, cfg)
    if mode == "hold":
        guidance.operator_hold()
    lat, lon = g.frame.to_wgs84(*drone_xy)
    for tick in range(3):
        cmd = guidance.tick(
            now + tick, VehicleSnapshot(lat, lon, 80.0, battery_remaining_pct=90.0), tracker
        )
        assert g.is_allowed(Point(cmd.x_m, cmd.y_m)), f"{cmd.state}: setpoint forbidden"
        if (cmd.x_m, cmd.y_m) != drone_xy:
            path = LineString([drone_xy, (cmd.x_m, cmd.y_m)])
            assert g.is_allowed(path), f"{cmd.state}: path crosses a forbidden area ({cmd.fence})"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_closed_loop_never_crosses_a_forbidden_area(
    scene: tuple[MissionGeometry, tuple[float, float], float, str],
) -> None:
    """An ideal drone that is wherever it was told: every leg it flies stays allowed."""
    g, _, station, mode = scene
    drone_xy = local(g, 0.0, -1000.0)  # the launch site
    tracker = PatrolTracker(g)
    guidance = Guidance(g, GuidanceConfig(mode="escort" if mode == "escort" else "lead"))
    t0 = START_S + station / 8.0
    for k in range(60):
        t = t0 + 2.0 * k
        px, py = local(g, min(station + 16.0 * k, 6000.0), 0.0)
        lat, lon = g.frame.to_wgs84(px, py)
        if mode != "stale" or k < 20:
            tracker.update(TrackFix(t, lat, lon))
        dlat, dlon = g.frame.to_wgs84(*drone_xy)
        cmd = guidance.tick(
            t, VehicleSnapshot(dlat, dlon, 80.0, battery_remaining_pct=90.0), tracker
        )
        leg = LineString([drone_xy, (cmd.x_m, cmd.y_m)])
        if (cmd.x_m, cmd.y_m) != drone_xy:
            assert g.is_allowed(leg), f"tick {k}: {cmd.state} leg crosses ({cmd.fence})"
        drone_xy = (cmd.x_m, cmd.y_m)
