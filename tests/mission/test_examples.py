"""The example missions load, build their geometry, and are laid out as documented."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from shapely.geometry import Point

from overwatch.geo import geodesic_distance_m
from overwatch.mission import MissionGeometry, load_mission, read_mission
from tests.mission.helpers import BASE, mutate, write

MISSIONS = Path(__file__).resolve().parents[2] / "missions"
# other parts keep their own files here too (e.g. simulator scenarios): name ours
EXAMPLES = [
    MISSIONS / n
    for n in ("customs-post.yaml", "foot-patrol.yaml", "relief-patrol.yaml", "vehicle-patrol.yaml")
]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_loads_cleanly_and_its_geometry_holds(path: Path) -> None:
    result = read_mission(path)
    assert result.warnings == ()
    geo = MissionGeometry.of(result.mission)
    assert geo.is_allowed(geo.launch)
    assert all(geo.is_allowed(r) for r in geo.rally)
    assert geo.border is not None and geo.border_zone is not None
    assert not geo.route.intersects(geo.border_zone)  # our side, outside the buffer
    assert geo.keep_in is not None and geo.keep_in.covers(geo.route)
    assert not any(poly.intersects(geo.route) for _, poly in geo.keep_outs)
    assert geo.schedule.length_m == pytest.approx(geo.route.length)


def geodesic_length_m(path: Path) -> float:
    route = load_mission(path).patrol.route
    return sum(
        geodesic_distance_m(*a.as_tuple(), *b.as_tuple()) for a, b in itertools.pairwise(route)
    )


def test_vehicle_patrol() -> None:
    path = MISSIONS / "vehicle-patrol.yaml"
    mission = load_mission(path)
    assert 11_500 <= geodesic_length_m(path) <= 12_500
    geo = MissionGeometry.of(mission)
    assert geo.border is not None
    gaps = [geo.border.distance(Point(c)) for c in geo.route.coords]
    assert min(gaps) >= 700 and max(gaps) <= 1_500
    assert mission.airspace.border is not None and mission.airspace.border.buffer_m == 400
    assert mission.patrol.speed_m_s == pytest.approx(30 / 3.6)
    assert mission.patrol.leg_speeds_m_s[:4] == (20 / 3.6,) * 4
    assert mission.patrol.start_time.isoformat() == "2026-12-01T06:30:00+01:00"
    v = mission.vehicle
    assert (v.cruise_speed_m_s, v.max_speed_m_s, v.endurance_s, v.reserve_fraction) == (
        15.0,
        20.0,
        2100.0,
        0.2,
    )
    assert (v.camera.hfov_deg, v.camera.vfov_deg, v.camera.width_px) == (70.0, 55.0, 1280)
    ow = mission.overwatch
    assert (ow.strategy, ow.altitude_agl_m, ow.corridor_width_m) == ("lead", 80.0, 100.0)
    assert (ow.lead_min_s, ow.lead_max_s, ow.lead.target_lead_s) == (30.0, 300.0, 120.0)
    assert {k.name for k in mission.airspace.keep_out} == {"Dan Kassari village", "weekly market"}
    assert len(mission.launch.rally) == 2
    checkpoint = next(h for h in mission.patrol.halts if h.name == "checkpoint")
    assert checkpoint.duration_s == 300.0
    # the checkpoint point lies 50 m off the road near 7.93 km
    assert checkpoint.at_m == pytest.approx(7_931.6, abs=1.0)


def test_foot_patrol() -> None:
    path = MISSIONS / "foot-patrol.yaml"
    mission = load_mission(path)
    assert 3_700 <= geodesic_length_m(path) <= 4_300
    assert mission.patrol.kind == "foot"
    assert mission.patrol.speed_m_s == pytest.approx(1.25)
    assert len(mission.patrol.halts) == 3
    assert mission.launch.with_patrol and mission.launch.site == mission.patrol.route[0]
    assert mission.overwatch.strategy == "bounding"
    assert mission.overwatch.bounding.hop_m == 600.0


def test_customs_post() -> None:
    mission = load_mission(MISSIONS / "customs-post.yaml")
    static = mission.overwatch.static
    assert mission.overwatch.strategy == "static"
    assert static.orbit_radius_m == 120.0 and static.duration_s == 2700.0
    assert static.site == mission.patrol.route[-1]
    geo = MissionGeometry.of(mission)
    assert static.site is not None
    orbit = geo.frame.point(*static.site.as_tuple()).buffer(static.orbit_radius_m).exterior
    assert geo.is_allowed(orbit)


@pytest.mark.parametrize("offset_m", [-60.0, 0.0, 45.0])
@pytest.mark.parametrize("station_m", [150.0, 900.0, 1_700.0])
def test_halt_point_snaps_to_its_station(tmp_path: Path, offset_m: float, station_m: float) -> None:
    mission = load_mission(write(tmp_path, BASE))
    geo = MissionGeometry.of(mission)
    on_route = geo.route.interpolate(station_m)
    ahead = geo.route.interpolate(station_m + 1.0)
    dx, dy = ahead.x - on_route.x, ahead.y - on_route.y
    norm = (dx * dx + dy * dy) ** 0.5
    x, y = on_route.x - dy / norm * offset_m, on_route.y + dx / norm * offset_m
    lat, lon = geo.frame.to_wgs84(x, y)
    halts = f"  halts:\n    - {{name: here, at: [{lat:.9f}, {lon:.9f}], duration: 2 min}}\n"
    snapped = load_mission(write(tmp_path, mutate("vehicle:", halts + "vehicle:"), "h.yaml"))
    assert snapped.patrol.halts[0].at_m == pytest.approx(station_m, abs=0.5)
    assert snapped.patrol.halts[0].duration_s == 120.0


def test_the_documented_example_loads(tmp_path: Path) -> None:
    doc = (MISSIONS.parent / "docs" / "mission-format.md").read_text(encoding="utf-8")
    section = doc[doc.index("## A fully annotated example") :]
    block = section[section.index("```yaml\n") + len("```yaml\n") : section.index("\n```\n")]
    (tmp_path / "routes").mkdir()
    geojson = MISSIONS / "routes" / "konni-border-road.geojson"
    (tmp_path / "routes" / geojson.name).write_bytes(geojson.read_bytes())
    result = read_mission(write(tmp_path, block, "documented.yaml"))
    assert result.warnings == ()
    mission = result.mission
    assert mission.patrol.halts[0].name == "radio check"  # sorted along the route
    assert mission.overwatch.static.orbit_radius_m == 120.0
    assert mission.vehicle.turnaround_s == 360.0
    MissionGeometry.of(mission)
