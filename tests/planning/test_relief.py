"""Continuous relief: the team's sorties on one timeline, handed over on station."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from overwatch.errors import ConstraintViolation
from overwatch.items import Cmd, Frame
from overwatch.mission import Drone, Mission, Overwatch, ReliefParams, load_mission
from overwatch.planning import TeamPlan, plan, plan_team, plan_violations
from overwatch.planning.model import Plan
from overwatch.planning.planner import RELIEF_SEPARATION_M
from tests.planning.missions import generated_mission, make_mission, straight_route

EXAMPLE = Path(__file__).resolve().parents[2] / "missions" / "relief-patrol.yaml"


def with_team(mission: Mission, count: int) -> Mission:
    """``mission`` with ``count`` drones: copies of the first, each with its own name and sysid."""
    copies = (replace(mission.vehicle, name=f"copter-{i}", sysid=i) for i in range(2, count + 1))
    return replace(mission, extra_drones=tuple(Drone(v, mission.launch) for v in copies))


@pytest.fixture(scope="module")
def example() -> TeamPlan:
    return plan_team(load_mission(EXAMPLE))


@pytest.fixture(scope="module")
def trio() -> TeamPlan:
    """A 20 km winding road, keep-outs and a border, the launcher riding with the patrol."""
    mission = generated_mission(7, 20_000.0, keep_out_count=8, with_patrol=True)
    short = replace(mission, vehicle=replace(mission.vehicle, endurance_s=25 * 60.0))
    return plan_team(with_team(short, 3))


def watching_at(drone: Plan, t_s: float) -> bool:
    traj = drone.trajectory
    i = int(np.argmin(np.abs(traj.t_s - t_s)))
    return bool(traj.watching[i]) and abs(float(traj.t_s[i]) - t_s) <= 1.0


@pytest.mark.parametrize("name", ["example", "trio"])
def test_the_fresh_drone_is_on_station_overlap_before_the_tired_one_leaves(
    name: str, request: pytest.FixtureRequest
) -> None:
    team: TeamPlan = request.getfixturevalue(name)
    assert team.relief_mode == "continuous" and team.reliefs
    for r in team.reliefs:
        assert r.tired != r.fresh
        assert r.overlap_s >= team.overlap_s
        fresh, tired = team.drones[r.fresh], team.drones[r.tired]
        # from the trajectories themselves: both watch through the overlap
        for t in np.arange(r.leave_t_s - team.overlap_s, r.leave_t_s, 5.0):
            assert watching_at(fresh, float(t)), (r, t)
            assert watching_at(tired, float(t)), (r, t)
        # and the tired one has gone home (or is going) right after
        assert not watching_at(tired, r.leave_t_s + 5.0)
        assert fresh.sorties[r.fresh_sortie].takeoff_t_s < r.on_station_t_s
        assert tired.sorties[r.tired_sortie].landing_t_s > r.leave_t_s


@pytest.mark.parametrize("name", ["example", "trio"])
def test_every_sortie_keeps_its_reserve_and_its_drones_constraints(
    name: str, request: pytest.FixtureRequest
) -> None:
    team: TeamPlan = request.getfixturevalue(name)
    for drone in team.drones:
        reserve = drone.mission.vehicle.reserve_fraction
        assert drone.sorties
        assert all(s.reserve_at_landing >= reserve - 1e-9 for s in drone.sorties)
        assert plan_violations(drone) == []
        # one drone never flies two sorties at once, and swaps its battery in between
        for a, b in itertools.pairwise(drone.sorties):
            assert b.takeoff_t_s >= a.landing_t_s + drone.mission.vehicle.turnaround_s - 1e-6


@pytest.mark.parametrize("name", ["example", "trio"])
def test_the_team_watches_at_least_what_one_drone_with_swaps_does(
    name: str, request: pytest.FixtureRequest
) -> None:
    team: TeamPlan = request.getfixturevalue(name)
    assert team.coverage.lead_coverage >= team.single.coverage.lead_coverage
    assert team.coverage.longest_gap_m <= team.single.coverage.longest_gap_m
    # the union is at least each drone's own share
    for drone in team.drones:
        assert team.coverage.lead_coverage >= drone.coverage.lead_coverage
    assert team.single.sorties and len(team.single.sorties) > 1  # it needed swaps


def test_the_example_leaves_no_gap_at_any_relief(example: TeamPlan) -> None:
    assert example.coverage.lead_coverage >= 0.995
    assert example.single.coverage.lead_coverage < 0.9  # one drone leaves a swap gap
    assert example.single.coverage.longest_gap_m > 500
    assert len(example.reliefs) >= 2
    for r in example.reliefs:
        near = [g for g in example.coverage.gaps if g.start_m - 300 < r.station_m < g.end_m + 300]
        assert all(g.length_m <= 50.0 for g in near), (r, near)
    assert example.coverage.longest_gap_m <= 50.0
    # what the team leaves unwatched, one drone leaves too: no relief opens a gap
    for gap in example.coverage.gaps:
        middle = (gap.start_m + gap.end_m) / 2
        assert any(g.start_m <= middle <= g.end_m for g in example.single.coverage.gaps)
    # both drones fly, from their own launch sites
    assert [len(d.sorties) for d in example.drones] == [2, 2]
    first, second = (d.sorties[0].takeoff_xy_m for d in example.drones)
    assert np.hypot(first[0] - second[0], first[1] - second[1]) > 5_000


def test_three_drones_take_turns(trio: TeamPlan) -> None:
    fresh = [r.fresh for r in trio.reliefs]
    assert {1, 2} <= set(fresh)
    assert fresh == [(k + 1) % 3 for k in range(len(fresh))]  # each rested longest in turn
    assert trio.coverage.longest_gap_m <= 50.0
    assert trio.notes == ()


def test_drones_sharing_a_pose_are_separated_vertically(example: TeamPlan) -> None:
    assert example.drones[0].trajectory.alt_rel_m.max() == pytest.approx(80.0)
    for r in example.reliefs:
        t = r.leave_t_s - example.overlap_s / 2
        heights = []
        for drone in (example.drones[r.tired], example.drones[r.fresh]):
            traj = drone.trajectory
            heights.append(float(traj.alt_rel_m[int(np.argmin(np.abs(traj.t_s - t)))]))
        assert abs(heights[0] - heights[1]) >= RELIEF_SEPARATION_M - 1e-9
    # and so are their missions' items
    levels = {
        round(it.alt_m)
        for d in example.drones
        for s in d.sorties
        for it in s.items
        if it.command == Cmd.NAV_WAYPOINT and it.frame == Frame.GLOBAL_RELATIVE_ALT
    }
    assert levels == {80, 95}


def test_an_altitude_band_too_narrow_for_the_team_is_refused() -> None:
    narrow = make_mission(straight_route(4_000.0), min_alt_m=70.0, max_alt_m=90.0)
    with pytest.raises(ConstraintViolation) as info:
        plan_team(with_team(narrow, 2))
    assert info.value.constraint == "altitude" and "15 m" in info.value.detail


def test_swap_mode_is_todays_plan() -> None:
    mission = make_mission(straight_route(8_000.0), with_patrol=True)
    team = plan_team(mission)
    single = plan(mission)
    assert team.relief_mode == "swap" and team.reliefs == ()
    assert team.drones == (team.single,)
    assert team.coverage.lead_coverage == single.coverage.lead_coverage
    assert [s.items for s in team.single.sorties] == [s.items for s in single.sorties]
    # two drones told to swap: the first flies alone, as before
    pair = with_team(mission, 2)
    swapping = replace(pair, overwatch=replace(pair.overwatch, relief=ReliefParams(mode="swap")))
    assert plan_team(swapping).drones[0].coverage.lead_coverage == single.coverage.lead_coverage


def test_continuous_relief_with_one_drone_is_refused() -> None:
    ow = Overwatch(relief=ReliefParams(mode="continuous"))
    mission = make_mission(straight_route(4_000.0), overwatch=ow)
    with pytest.raises(ConstraintViolation) as info:
        plan_team(mission)
    assert info.value.constraint == "relief"


def test_a_drone_that_cannot_reach_the_watch_is_left_out() -> None:
    # a foot patrol: the first drone, swapping its own battery, easily catches up again
    mission = make_mission(straight_route(8_000.0), speed_m_s=5 / 3.6, launch=(0.0, -500.0))
    weak = replace(mission.vehicle, name="weak", sysid=2, endurance_s=240.0, climb_rate_m_s=1.0)
    team = plan_team(replace(mission, extra_drones=(Drone(weak, mission.launch),)))
    assert team.drones[1].sorties == () and team.reliefs == ()
    swaps = [n for n in team.notes if n.startswith("no other drone can relieve quad")]
    assert swaps and all("it swaps its battery" in n for n in swaps)
    # the first drone then swaps its battery and comes back, as it would alone
    assert len(team.drones[0].sorties) == len(swaps) + 1
    assert team.coverage.lead_coverage >= 0.9 * team.single.coverage.lead_coverage


def test_a_longer_overlap_is_honoured() -> None:
    rally = [(x, -300.0) for x in (5_000.0, 10_000.0, 15_000.0, 20_000.0, 25_000.0)]
    mission = with_team(make_mission(straight_route(25_000.0), rally=rally), 2)
    ow = replace(mission.overwatch, relief=ReliefParams(overlap_s=180.0))
    team = plan_team(replace(mission, overwatch=ow))
    assert team.reliefs and all(r.overlap_s >= 180.0 for r in team.reliefs)
    assert team.min_relief_overlap_s is not None and team.min_relief_overlap_s >= 180.0
