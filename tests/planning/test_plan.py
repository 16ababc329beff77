"""Planning whole missions: coverage, sorties, halts, strategies, items."""

from __future__ import annotations

import math

import numpy as np
import pytest

from overwatch.items import Cmd, Frame, MissionType
from overwatch.mission import Overwatch
from overwatch.mission.model import EscortParams, StaticParams
from overwatch.planning import Plan, fence_polygons, plan, plan_violations
from tests.planning.missions import generated_mission, make_mission, straight_route


@pytest.fixture(scope="module")
def straight_12km() -> Plan:
    """The reference: 12 km straight at 30 km/h; 15 m/s quad, 80 m, 70×55°, 35 min; 100 m corridor.

    The launcher rides with the patrol: from a fixed site at the route's start a
    35-minute battery cannot fly 12 km out and back while watching.
    """
    return plan(make_mission(straight_route(12_000.0), with_patrol=True), "lead")


def test_lead_covers_95_percent_of_a_straight_12km_route(straight_12km: Plan) -> None:
    assert straight_12km.coverage.lead_coverage >= 0.95
    assert straight_12km.coverage.longest_gap_m < 100.0
    assert plan_violations(straight_12km) == []


def test_baseline_is_planned_the_same_way(straight_12km: Plan) -> None:
    base = straight_12km.baseline_trajectory
    assert len(base) > 100
    assert 0.0 <= straight_12km.baseline_coverage.lead_coverage <= 1.0
    # FOLLOW holds its offset from the patrol's current position while on task
    sched = straight_12km.geometry.schedule
    on = base.watching & (base.t_s > 60) & (base.t_s < sched.duration_s - 60)
    patrol = sched.position_at(base.t_s[on])
    ahead = np.hypot(base.x_m[on] - patrol[:, 0], base.y_m[on] - patrol[:, 1])
    assert np.median(ahead) == pytest.approx(250.0, abs=5.0)


def test_lead_flies_ahead_of_the_patrol(straight_12km: Plan) -> None:
    traj = straight_12km.trajectory
    sched = straight_12km.geometry.schedule
    on = traj.watching & (traj.t_s > 0)
    drone_s = np.asarray(
        [
            straight_12km.geometry.route.project(_pt(x, y))
            for x, y in zip(traj.x_m[on], traj.y_m[on], strict=True)
        ]
    )
    patrol_s = sched.station_at(traj.t_s[on])
    assert np.all(drone_s > patrol_s)
    # the camera looks forward along the route (east)
    assert np.median(np.abs(((traj.yaw_deg[on] - 90.0) + 180.0) % 360.0 - 180.0)) < 5.0


def test_halts_make_the_drone_wait_ahead() -> None:
    halt_at, halt_s = 3000.0, 300.0
    p = plan(
        make_mission(straight_route(6000.0), halts=[(halt_at, halt_s)], with_patrol=True), "lead"
    )
    traj, sched = p.trajectory, p.geometry.schedule
    arrive = float(sched.arrival_time_s(halt_at))
    # the longest hover of the flight: the drone keeps the patrol's timing, L seconds ahead
    level = traj.airborne & (traj.alt_rel_m >= 79.0)
    still = np.zeros(len(traj), dtype=bool)
    still[1:] = level[1:] & level[:-1] & (np.hypot(np.diff(traj.x_m), np.diff(traj.y_m)) < 0.2)
    edges = np.diff(np.concatenate([[0], still.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    longest = int(np.argmax(stops - starts))
    t0, t1 = traj.t_s[starts[longest]], traj.t_s[stops[longest] - 1]
    assert t1 - t0 >= 0.9 * halt_s
    assert t0 < arrive + halt_s and t1 > arrive  # it overlaps the patrol's halt
    i = starts[longest]
    drone_s = p.geometry.route.project(_pt(traj.x_m[i], traj.y_m[i]))
    assert drone_s == pytest.approx(halt_at, abs=20.0)  # waiting over the halt, camera beyond it
    assert np.all(sched.station_at(traj.t_s[starts[longest] : stops[longest]]) <= drone_s + 1e-6)
    loiters = [it for s in p.sorties for it in s.items if it.command == Cmd.NAV_LOITER_TIME]
    assert loiters and max(it.param1 for it in loiters) >= halt_s * 0.8
    assert p.coverage.lead_coverage >= 0.95


def test_long_route_needs_several_sorties_and_reports_the_gaps() -> None:
    p = plan(generated_mission(3, 40_000.0, keep_out_count=10, with_patrol=True), "lead")
    reserve = p.mission.vehicle.reserve_fraction
    assert len(p.sorties) >= 3
    assert all(s.reserve_at_landing >= reserve - 1e-9 for s in p.sorties)
    assert p.coverage.gaps, "swapping batteries must leave something unwatched"
    assert any("battery swap" in g.reason for g in p.coverage.gaps)
    assert p.coverage.longest_gap_m == max(g.length_m for g in p.coverage.gaps)
    assert 0.5 < p.coverage.lead_coverage < 1.0
    # sorties follow each other with the turnaround between them
    for a, b in zip(p.sorties, p.sorties[1:], strict=False):
        assert b.takeoff_t_s - a.landing_t_s >= p.mission.vehicle.turnaround_s - 1e-9
    # with the launcher riding along, each sortie lands near the patrol
    for s in p.sorties:
        patrol = p.geometry.schedule.position_at(s.landing_t_s)
        assert math.dist(s.landing_xy_m, (float(patrol[0]), float(patrol[1]))) < 400.0


def test_fixed_site_sorties_return_to_launch_or_rally() -> None:
    route = straight_route(20_000.0)
    p = plan(
        make_mission(route, launch=(0.0, -300.0), rally=[(10_000.0, -300.0), (18_000.0, -300.0)]),
        "lead",
    )
    sites = [(float(p.geometry.launch.x), float(p.geometry.launch.y))] + [
        (float(r.x), float(r.y)) for r in p.geometry.rally
    ]
    assert len(p.sorties) >= 2
    for s in p.sorties:
        assert min(math.dist(s.landing_xy_m, site) for site in sites) < 1.0
        last = s.items[-1]
        if s.landing_xy_m == s.takeoff_xy_m:
            assert last.command == Cmd.NAV_RETURN_TO_LAUNCH
        else:
            assert last.command == Cmd.NAV_LAND
    assert len(p.rally_items) == 2
    assert all(
        it.command == Cmd.NAV_RALLY_POINT and it.mission_type == MissionType.RALLY
        for it in p.rally_items
    )


def test_sortie_items_are_an_ardupilot_mission(straight_12km: Plan) -> None:
    frame = straight_12km.geometry.frame
    for s in straight_12km.sorties:
        items = s.items
        assert (
            items[0].command == Cmd.NAV_WAYPOINT and items[0].frame == Frame.GLOBAL
        )  # home placeholder
        assert items[1].command == Cmd.NAV_TAKEOFF and items[1].alt_m == 80.0
        assert items[2].command == Cmd.DO_CHANGE_SPEED
        commands = {it.command for it in items}
        assert Cmd.DO_SET_ROI_LOCATION in commands and Cmd.NAV_WAYPOINT in commands
        for it in items:
            if it.command in (Cmd.NAV_WAYPOINT, Cmd.NAV_LOITER_TIME) and it is not items[0]:
                assert it.frame == Frame.GLOBAL_RELATIVE_ALT
                x, y = frame.to_local(it.lat_deg, it.lon_deg)
                assert straight_12km.geometry.extent.contains(_pt(x, y))
        speeds = [it.param2 for it in items if it.command == Cmd.DO_CHANGE_SPEED]
        assert all(0 < v <= straight_12km.mission.vehicle.max_speed_m_s + 1e-6 for v in speeds)
        # simplification keeps the mission small
        assert len(items) < 200


def test_fence_items_match_the_polygons() -> None:
    p = plan(generated_mission(5, 8000.0, keep_out_count=4, with_patrol=True), "lead")
    polys = fence_polygons(p.geometry)
    assert [fp.inclusion for fp in polys].count(True) == 1
    assert len(polys) >= 1 + 4 + 1  # keep-in, keep-outs, border zone
    assert len(p.fence_items) == sum(fp.vertex_count for fp in polys)
    i = 0
    for fp in polys:
        group = p.fence_items[i : i + fp.vertex_count]
        want = (
            Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION
            if fp.inclusion
            else Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION
        )
        assert all(it.command == want and it.param1 == fp.vertex_count for it in group)
        assert all(it.mission_type == MissionType.FENCE for it in group)
        assert 3 <= fp.vertex_count <= 40
        i += fp.vertex_count
    # the simplified border zone still contains the real one inside the extent
    border = [fp.polygon for fp in polys if "zone" in fp.name]
    real = p.geometry.border_zone.intersection(p.geometry.extent)  # type: ignore[union-attr]
    from shapely.ops import unary_union

    assert unary_union(border).buffer(1.0).covers(real)


@pytest.mark.parametrize("strategy", ["escort", "bounding", "static"])
def test_other_strategies_plan_soundly(strategy: str) -> None:
    p = plan(generated_mission(7, 6000.0, keep_out_count=5, with_patrol=True), strategy)
    assert p.strategy == strategy
    assert plan_violations(p) == []
    assert len(p.sorties) >= 1
    assert p.trajectory.watching.any()


def test_escort_orbits_the_predicted_position() -> None:
    ow = Overwatch(strategy="escort", escort=EscortParams(radius_m=150.0, ahead_s=60.0))
    p = plan(make_mission(straight_route(5000.0), with_patrol=True, overwatch=ow))
    traj, sched = p.trajectory, p.geometry.schedule
    on = traj.watching & (traj.t_s > 30) & (traj.t_s < sched.duration_s - 90)
    centre = sched.position_at(traj.t_s[on] + 60.0)
    r = np.hypot(traj.x_m[on] - centre[:, 0], traj.y_m[on] - centre[:, 1])
    assert np.median(r) == pytest.approx(150.0, abs=15.0)


def test_static_holds_over_the_site() -> None:
    ow = Overwatch(
        strategy="static", static=StaticParams(site=None, orbit_radius_m=0.0, duration_s=600.0)
    )
    route = straight_route(2000.0)
    p = plan(make_mission(route, launch=(1500.0, -200.0), overwatch=ow))
    traj = p.trajectory
    end = p.geometry.route.coords[-1]
    on = traj.watching
    assert on.sum() > 500
    assert np.all(np.hypot(traj.x_m[on] - end[0], traj.y_m[on] - end[1]) < 1.0)
    assert np.all(traj.gimbal_pitch_deg[on] == -90.0)


def test_desired_positions_in_a_keep_out_are_pushed_out_and_the_camera_still_aims_at_the_road() -> (
    None
):
    # a keep-out straddling the road from 2 to 3 km
    ko = [(2000.0, -150.0), (3000.0, -150.0), (3000.0, 150.0), (2000.0, 150.0)]
    p = plan(make_mission(straight_route(5000.0), keep_outs=[ko], with_patrol=True), "lead")
    assert plan_violations(p) == []
    traj, geometry = p.trajectory, p.geometry
    keep_out = geometry.keep_outs[0][1]
    on = np.flatnonzero(traj.watching)
    stations = np.asarray([geometry.route.project(_pt(traj.x_m[i], traj.y_m[i])) for i in on])
    beside = on[(stations > 2100.0) & (stations < 2900.0)]
    assert len(beside) > 30
    for i in beside:
        assert keep_out.distance(_pt(traj.x_m[i], traj.y_m[i])) > 0.0
        assert geometry.route.distance(_pt(traj.x_m[i], traj.y_m[i])) >= 150.0
    # from beside the keep-out the camera is pitched down towards the road ahead
    assert np.all(traj.gimbal_pitch_deg[beside] < -10.0)
    assert p.coverage.lead_coverage > 0.5


def test_unknown_strategy_is_a_clear_error() -> None:
    from overwatch.errors import PlanningError

    with pytest.raises(PlanningError, match="unknown strategy 'zigzag'"):
        plan(make_mission(straight_route(2000.0)), "zigzag")


def _pt(x: float, y: float) -> object:
    from shapely.geometry import Point

    return Point(float(x), float(y))
