"""Property tests: on generated missions, every plan keeps every constraint.

Missions are random winding roads with keep-outs beside them (some close
enough to push the drone off the road), a border following the road on the
other side, and a keep-in box. The checks here are written independently of
the planner's own final check (they sample points along every leg).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overwatch.items import Cmd, Frame, MissionType
from overwatch.mission import Drone
from overwatch.planning import Plan, Trajectory, fence_polygons, plan, plan_team
from overwatch.planning.checks import item_path
from tests.planning.missions import generated_mission, vehicle


@st.composite
def missions(draw: st.DrawFn) -> tuple[object, str]:
    seed = draw(st.integers(0, 10_000))
    length = draw(st.floats(3_000.0, 14_000.0))
    count = draw(st.integers(0, 8))
    with_patrol = draw(st.booleans())
    endurance_min = draw(st.sampled_from([12.0, 20.0, 35.0]))
    strategy = draw(st.sampled_from(["lead", "escort", "bounding", "static"]))
    if strategy == "static":
        # the site is the route's end: keep it within reach of the battery, there and back
        length = min(length, 4_000.0)
        endurance_min = max(endurance_min, 20.0)
    mission = generated_mission(
        seed,
        length,
        keep_out_count=count,
        with_patrol=with_patrol,
        the_vehicle=vehicle(endurance_s=endurance_min * 60.0),
    )
    return mission, strategy


def _leg_points(traj: Trajectory, step_m: float = 2.0) -> np.ndarray:
    """Points every ``step_m`` along every airborne leg of ``traj`` (n, 2)."""
    air = traj.airborne
    legs = np.flatnonzero(air[1:] & air[:-1] & (traj.sortie[1:] == traj.sortie[:-1]))
    out = []
    for i in legs:
        a = np.array([traj.x_m[i], traj.y_m[i]])
        b = np.array([traj.x_m[i + 1], traj.y_m[i + 1]])
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step_m)))
        f = np.linspace(0.0, 1.0, n + 1)[:, None]
        out.append(a + (b - a) * f)
    return np.vstack(out) if out else np.zeros((0, 2))


def _check(p: Plan) -> None:
    geometry = p.geometry
    air = p.mission.airspace
    for traj in (p.trajectory, p.baseline_trajectory):
        pts = _leg_points(traj)
        geoms = shapely.points(pts)
        # never inside a keep-out or the border zone (incl. the far side)
        assert not shapely.intersects(geometry.forbidden, geoms).any()
        # always inside the keep-in
        assert geometry.keep_in is not None
        assert shapely.covers(geometry.keep_in, geoms).all()
        # altitude limits, except the vertical take-off and landing legs
        up = traj.airborne
        assert (traj.alt_rel_m[up] <= air.max_alt_agl_m + 1e-9).all()
        low = np.flatnonzero(up & (traj.alt_rel_m < air.min_alt_agl_m))
        for j in low.tolist():
            if j > 0 and traj.sortie[j - 1] == traj.sortie[j]:
                assert (traj.x_m[j], traj.y_m[j]) == (traj.x_m[j - 1], traj.y_m[j - 1])
    reserve = p.mission.vehicle.reserve_fraction
    assert p.sorties
    for s in p.sorties:
        # every sortie lands with at least the reserve
        assert s.reserve_at_landing >= reserve - 1e-9
        assert s.flight_time_s <= p.mission.vehicle.endurance_s * (1 - reserve) + 1e-6
        # items start with the home placeholder, then take-off
        assert s.items[0].command == Cmd.NAV_WAYPOINT and s.items[0].frame == Frame.GLOBAL
        assert s.items[1].command == Cmd.NAV_TAKEOFF
        assert s.items[-1].command in (Cmd.NAV_RETURN_TO_LAUNCH, Cmd.NAV_LAND)
        assert all(it.mission_type == MissionType.MISSION for it in s.items)
        # the simplified waypoints stay in allowed airspace too
        path = item_path(p, s)
        if len(path) >= 2:
            lines = shapely.linestrings(np.stack([path[:-1], path[1:]], axis=1))
            assert not shapely.intersects(geometry.forbidden, lines).any()
            assert shapely.covers(geometry.keep_in, lines).all()
    # fence item counts match the polygons
    polys = fence_polygons(geometry)
    assert len(p.fence_items) == sum(fp.vertex_count for fp in polys)
    i = 0
    for fp in polys:
        assert {int(it.param1) for it in p.fence_items[i : i + fp.vertex_count]} == {
            fp.vertex_count
        }
        i += fp.vertex_count
    assert 0.0 <= p.coverage.lead_coverage <= 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(missions())
def test_plans_keep_every_constraint(case: tuple[object, str]) -> None:
    mission, strategy = case
    _check(plan(mission, strategy))  # type: ignore[arg-type]


@st.composite
def teams(draw: st.DrawFn) -> tuple[object, str]:
    mission, strategy = draw(missions())
    count = draw(st.integers(2, 3))
    base = mission.vehicle  # type: ignore[attr-defined]
    copies = (replace(base, name=f"copter-{i}", sysid=i) for i in range(2, count + 1))
    extra = tuple(Drone(v, mission.launch) for v in copies)  # type: ignore[attr-defined]
    return replace(mission, extra_drones=extra), strategy  # type: ignore[type-var]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(teams())
def test_team_plans_keep_every_constraint_and_hand_over_on_station(
    case: tuple[object, str],
) -> None:
    mission, strategy = case
    team = plan_team(mission, strategy)  # type: ignore[arg-type]
    for drone in team.drones:
        if drone.sorties:
            _check(drone)
        for a, b in itertools.pairwise(drone.sorties):  # a battery swap between two sorties
            assert b.takeoff_t_s >= a.landing_t_s + drone.mission.vehicle.turnaround_s - 1e-6
    for r in team.reliefs:
        assert r.tired != r.fresh
        fresh = team.drones[r.fresh].mission.vehicle.name
        late = any(n.startswith(f"{fresh} reaches the watch") for n in team.notes)
        assert late or r.overlap_s >= team.overlap_s
        if r.overlap_s < team.overlap_s and r.fresh_sortie > 0:
            # late only because it could not take off sooner after its battery swap
            sorties = team.drones[r.fresh].sorties
            ready = sorties[r.fresh_sortie - 1].landing_t_s
            ready += team.drones[r.fresh].mission.vehicle.turnaround_s
            assert sorties[r.fresh_sortie].takeoff_t_s <= ready + 30.0
    assert team.coverage.lead_coverage >= max(d.coverage.lead_coverage for d in team.drones)
    if not team.notes:
        assert team.coverage.longest_gap_m <= team.single.coverage.longest_gap_m + 1e-6
