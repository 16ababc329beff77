"""Live lead coverage against an offline brute-force computation."""

from __future__ import annotations

import numpy as np
import pytest

from overwatch.geo.camera import footprint_corners, points_in_quads
from overwatch.guidance import VehicleSnapshot
from overwatch.guidance.coverage import CameraPose, LiveCoverage
from overwatch.mission import MissionGeometry
from overwatch.tracking import PatrolPrediction, RouteIndex
from tests.tracking.missions import geometry

ROUTE = [(0.0, 0.0), (400.0, 0.0), (400.0, 300.0)]


def brute_force(
    live: LiveCoverage,
    poses: list[tuple[float, CameraPose]],
    arrival_of_station: np.ndarray,
) -> np.ndarray:
    """Every sample against every pose, straight from the definition."""
    covered = np.zeros(live.sample_count, dtype=bool)
    arrival = np.repeat(arrival_of_station, live.lanes)
    for t, p in poses:
        quad = footprint_corners(
            p.x_m, p.y_m, p.height_m, p.yaw_deg, p.pitch_deg, live.hfov_deg, live.vfov_deg
        )
        inside = points_in_quads(np.broadcast_to(quad, (live.sample_count, 4, 2)), live.samples_xy)
        lead = arrival - t
        covered |= inside & (lead >= live.lead_min_s) & (lead <= live.lead_max_s)
    return covered


def test_live_equals_brute_force_on_a_small_case() -> None:
    g = geometry(ROUTE, speed_m_s=2.0, lead_min_s=20.0, lead_max_s=90.0)
    live = LiveCoverage(g, max_intervals=8)
    index = RouteIndex.build(g.route, (1.0, 1.0))

    # the patrol: 2 m/s with a 40 s halt at 200 m
    def patrol_station(t: float) -> float:
        return float(np.interp(t, [0.0, 100.0, 140.0, 400.0], [0.0, 200.0, 200.0, 720.0]))

    rng = np.random.default_rng(5)
    poses: list[tuple[float, CameraPose]] = []
    for k in range(0, 800):
        t = k * 0.5
        # a drone wandering ahead of the patrol, looking forward, sometimes away
        s = patrol_station(t) + 60.0 + 40.0 * np.sin(t / 17.0)
        x, y = index.point_at(s)
        yaw = float(index.heading_deg_at(s)) + float(rng.normal(0.0, 25.0))
        if 150.0 <= t < 170.0:
            yaw += 180.0  # looking back for a while
        pose = CameraPose(float(x) + 20.0, float(y), 40.0, yaw % 360.0, -40.0)
        poses.append((t, pose))
        live.observe(t, pose)
        live.patrol_at(t, patrol_station(t))
    live.patrol_at(400.0, 720.0)
    stations = live.stations
    arrival = np.interp(stations, [0.0, 200.0, 720.0], [0.0, 100.0, 400.0])
    expected = brute_force(live, poses, arrival)
    got = live.covered
    assert 0.05 < expected.mean() < 0.95, "the case should be neither trivial nor hopeless"
    assert np.array_equal(got, expected), f"{(got != expected).sum()} samples differ"
    summary = live.summary()
    assert summary.resolved == live.sample_count
    assert summary.lead_coverage == pytest.approx(expected.mean())
    assert all(g.end_m > g.start_m for g in summary.gaps)


def forecast(g: MissionGeometry) -> PatrolPrediction:
    """The patrol leaving station 0 at t=0 at its planned 2 m/s."""
    return PatrolPrediction.along_route(
        RouteIndex.build(g.route, (2.0, 2.0)),
        t_ref_s=0.0,
        station_m=0.0,
        pace=1.0,
        halt_remaining_s=0.0,
        halts_ahead=[],
    )


def hover_over_300m(g: MissionGeometry, live: LiveCoverage, t0: float) -> None:
    """Look straight down on station 300 m for ten seconds from ``t0``."""
    x, y = RouteIndex.build(g.route, (1.0, 1.0)).point_at(300.0)
    for k in range(21):
        live.observe(t0 + k * 0.5, CameraPose(float(x), float(y), 60.0, 90.0, -90.0))


def test_seen_too_early_does_not_count() -> None:
    g = geometry(ROUTE, speed_m_s=2.0, lead_min_s=20.0, lead_max_s=90.0)
    live = LiveCoverage(g)
    live.patrol_at(0.0, 0.0)
    hover_over_300m(g, live, 0.0)  # the patrol reaches 300 m at 150 s: 140-150 s ahead, too early
    assert live.summary().covered == 0
    assert not live.provisional(forecast(g)).any()
    live.patrol_at(130.0, 260.0)
    live.patrol_at(150.0, 300.0)
    near = np.abs(live.stations - 300.0) < 1.0
    assert not live.covered.reshape(-1, live.lanes)[near].any()


def test_seen_inside_the_window_counts_once_the_patrol_arrives() -> None:
    g = geometry(ROUTE, speed_m_s=2.0, lead_min_s=20.0, lead_max_s=90.0)
    live = LiveCoverage(g)
    live.patrol_at(0.0, 0.0)
    hover_over_300m(g, live, 100.0)  # 40-50 s before the patrol arrives
    assert live.summary().covered == 0  # pending: nobody has arrived yet
    assert live.provisional(forecast(g)).any()
    live.patrol_at(150.0, 300.0)
    grid = live.covered.reshape(-1, live.lanes)
    assert grid[np.abs(live.stations - 300.0) < 1.0][:, 2:-2].all()  # ±30 m of the centre line
    assert not grid[live.stations > 400.0].any()
    assert live.summary().resolved_coverage > 0.0


def test_a_halt_delays_the_arrival_times() -> None:
    g = geometry(ROUTE, speed_m_s=2.0, lead_min_s=20.0, lead_max_s=90.0)
    live = LiveCoverage(g)
    live.patrol_at(0.0, 0.0)
    live.patrol_at(100.0, 200.0)
    live.patrol_at(400.0, 200.0)  # halted for 300 s at 200 m
    live.patrol_at(410.0, 220.0)
    assert live.arrival_s[live.stations == 210.0] == pytest.approx(405.0)


def test_camera_pose_from_a_vehicle() -> None:
    g = geometry(ROUTE)
    lat, lon = g.frame.to_wgs84(10.0, 20.0)
    pose = CameraPose.of_vehicle(
        VehicleSnapshot(lat, lon, 70.0, heading_deg=350.0, gimbal_yaw_deg=20.0), g
    )
    assert (pose.x_m, pose.y_m) == pytest.approx((10.0, 20.0), abs=1e-6)
    assert pose.yaw_deg == pytest.approx(10.0) and pose.pitch_deg == -45.0 and pose.height_m == 70.0


def test_agrees_with_the_planners_offline_metric() -> None:
    """Flown along a timetable, live coverage is the planner's lead coverage, sample for sample."""
    from overwatch.planning.coverage import lead_coverage
    from overwatch.planning.model import Trajectory

    g = geometry(ROUTE, speed_m_s=2.0, halts=[(200.0, 40.0)], lead_min_s=20.0, lead_max_s=90.0)
    schedule = g.schedule
    index = RouteIndex.build(g.route, (1.0, 1.0))
    t = np.arange(0.0, 400.0, 0.5)
    n = len(t)
    ahead = np.asarray(schedule.station_at(t)) + 60.0 + 40.0 * np.sin(t / 17.0)
    xy = index.point_at(ahead)
    yaw = (index.heading_deg_at(ahead) + np.random.default_rng(5).normal(0.0, 25.0, n)) % 360.0
    trajectory = Trajectory(
        t_s=t,
        x_m=xy[:, 0] + 20.0,
        y_m=xy[:, 1],
        alt_rel_m=np.full(n, 40.0),
        yaw_deg=yaw,
        gimbal_pitch_deg=np.full(n, -40.0),
        sortie=np.zeros(n, dtype=np.int64),
        watching=np.ones(n, dtype=bool),
    )
    offline = lead_coverage(trajectory, g)
    live = LiveCoverage(g, max_intervals=8)
    for k in range(n):
        pose = CameraPose(
            float(trajectory.x_m[k]), float(trajectory.y_m[k]), 40.0, float(yaw[k]), -40.0
        )
        live.observe(float(t[k]), pose)
        live.patrol_at(float(t[k]), float(schedule.station_at(t[k])))
    summary = live.summary()
    assert summary.sample_count == offline.sample_count
    assert 0.05 < offline.lead_coverage < 0.95
    assert summary.lead_coverage == pytest.approx(offline.lead_coverage)
    assert np.array_equal(summary.station_fraction, offline.station_fraction)


@pytest.mark.parametrize("reach_m", [5.0, 60.0, 250.0, 2000.0])
def test_the_stations_near_the_camera_are_those_a_scan_finds(reach_m: float) -> None:
    # the grid's cells, and the scan a far-reaching camera falls back to
    live = LiveCoverage(geometry(ROUTE, speed_m_s=2.0, lead_min_s=20.0, lead_max_s=90.0))
    live.patrol_at(0.0, 0.0)
    live.patrol_at(50.0, 130.0)  # the stations behind the patrol are no longer pending
    rng = np.random.default_rng(11)
    for x, y in rng.uniform(-300.0, 700.0, size=(200, 2)):
        scan = np.flatnonzero(np.hypot(*(live.centres - (x, y)).T) <= reach_m)
        scan = scan[live.stations[scan] >= live.stations[live._resolved]]
        assert np.array_equal(live._stations_near(x, y, reach_m), scan)
