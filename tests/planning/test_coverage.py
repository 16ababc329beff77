"""The lead-coverage metric on hand-made trajectories."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from overwatch.mission import Camera, MissionGeometry
from overwatch.planning import LeadCoverage, Trajectory, lead_coverage
from tests.planning.missions import make_mission, straight_route, vehicle


def _hover(
    x_m: float, y_m: float, t_s: np.ndarray, *, alt_m: float = 400.0, pitch: float = -90.0
) -> Trajectory:
    n = len(t_s)
    return Trajectory(
        t_s=t_s.astype(float),
        x_m=np.full(n, x_m),
        y_m=np.full(n, y_m),
        alt_rel_m=np.full(n, alt_m),
        yaw_deg=np.zeros(n),
        gimbal_pitch_deg=np.full(n, pitch),
        sortie=np.zeros(n, dtype=np.int64),
        watching=np.ones(n, dtype=bool),
    )


@pytest.fixture(scope="module")
def wide_geometry() -> MissionGeometry:
    """A 1 km straight route seen by a camera whose footprint covers it all from 400 m."""
    cam = Camera(hfov_deg=170.0, vfov_deg=170.0, gimbal_pitch_deg=-90.0)
    mission = make_mission(straight_route(1000.0, 500.0), the_vehicle=vehicle(camera=cam))
    return MissionGeometry.of(mission)


def _middle(geometry: MissionGeometry) -> tuple[float, float]:
    p = geometry.route.interpolate(0.5, normalized=True)
    return float(p.x), float(p.y)


def test_huge_footprint_at_the_right_time_covers_everything(wide_geometry: MissionGeometry) -> None:
    end = wide_geometry.schedule.duration_s
    cov = lead_coverage(
        _hover(*_middle(wide_geometry), np.arange(-400.0, end + 1.0)), wide_geometry
    )
    assert cov.lead_coverage == 1.0
    assert cov.gaps == ()
    assert cov.longest_gap_m == 0.0
    assert cov.sample_count == len(cov.station_m) * 11  # 100 m corridor, every 10 m
    assert np.all(cov.station_fraction == 1.0)


def test_too_early_covers_nothing(wide_geometry: MissionGeometry) -> None:
    lead_max = wide_geometry.mission.overwatch.lead_max_s
    # every station is reached at t >= 0, so its window opens at -lead_max at the earliest
    cov = lead_coverage(
        _hover(*_middle(wide_geometry), np.arange(-1000.0, -lead_max - 1.0)), wide_geometry
    )
    assert cov.lead_coverage == 0.0
    assert len(cov.gaps) == 1
    assert cov.longest_gap_m == pytest.approx(wide_geometry.schedule.length_m, abs=1e-6)
    assert (
        cov.gaps[0].reason
        == "drone landed for good: the rest of the route is beyond its range or endurance"
    )


def test_too_late_covers_nothing(wide_geometry: MissionGeometry) -> None:
    lead_min = wide_geometry.mission.overwatch.lead_min_s
    end = wide_geometry.schedule.duration_s
    # the last station's window closes at end - lead_min; start just after it
    cov = lead_coverage(
        _hover(*_middle(wide_geometry), np.arange(end - lead_min + 1.0, end + 600.0)), wide_geometry
    )
    assert cov.lead_coverage == 0.0
    assert cov.gaps[0].reason == "drone not yet launched"


def test_inside_the_window_only_partly_covers(wide_geometry: MissionGeometry) -> None:
    """Hovering from -lead_max to -200 s sees exactly the stations whose window opened by then."""
    ow = wide_geometry.mission.overwatch
    speed = 30 / 3.6
    t_stop = -200.0
    cov = lead_coverage(
        _hover(*_middle(wide_geometry), np.arange(-ow.lead_max_s, t_stop + 1.0)), wide_geometry
    )
    expected_m = (t_stop + ow.lead_max_s) * speed  # 833 m: stations whose window opened by t_stop
    seen = cov.station_m[cov.station_fraction == 1.0]
    assert seen.max() == pytest.approx(expected_m, abs=10.0)
    assert cov.lead_coverage == pytest.approx(expected_m / 1000.0, abs=0.02)
    assert len(cov.gaps) == 1
    assert cov.gaps[0].start_m == pytest.approx(expected_m, abs=10.0)
    assert cov.gaps[0].end_m == pytest.approx(1000.0)


def test_footprint_must_contain_the_sample(wide_geometry: MissionGeometry) -> None:
    """A narrow camera straight down sees a strip: lanes away from the centreline stay unseen."""
    narrow = replace(
        wide_geometry.mission,
        vehicle=vehicle(camera=Camera(hfov_deg=10.0, vfov_deg=10.0, gimbal_pitch_deg=-90.0)),
    )
    geometry = MissionGeometry.of(narrow)
    coords = np.asarray(geometry.route.coords)
    # fly along the centreline, on time (lead 100 s), camera straight down
    t = np.arange(-400.0, geometry.schedule.duration_s + 1.0)
    s = geometry.schedule.station_at(t + 100.0)
    x = np.interp(s, [0.0, geometry.schedule.length_m], [coords[0, 0], coords[-1, 0]])
    y = np.interp(s, [0.0, geometry.schedule.length_m], [coords[0, 1], coords[-1, 1]])
    traj = replace(_hover(0.0, 0.0, t, alt_m=50.0), x_m=x, y_m=y)
    cov = LeadCoverage()(traj, geometry)
    # footprint half-width 50·tan(5°) ≈ 4.4 m: only the centre lane (offset 0) is covered
    assert cov.lead_coverage == pytest.approx(1 / 11, abs=0.01)
    assert np.all(cov.station_fraction > 0)


def test_ground_rows_do_not_count(wide_geometry: MissionGeometry) -> None:
    end = wide_geometry.schedule.duration_s
    traj = _hover(*_middle(wide_geometry), np.arange(-400.0, end + 1.0))
    grounded = replace(traj, sortie=np.full(len(traj), -1, dtype=np.int64))
    assert lead_coverage(grounded, wide_geometry).lead_coverage == 0.0
