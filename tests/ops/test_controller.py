"""The live controller on scripted inputs: no sockets, no event loop, no wall clock.

A kinematic drone (``tests.guidance.sim``) flies the controller's setpoints and
takes its mode changes; a scripted patrol feeds the tracker. Each test runs in
milliseconds and does not depend on the machine's load.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import pytest
from shapely.geometry import Point

from overwatch.errors import OverwatchError
from overwatch.guidance import GuidanceConfig, GuidanceState
from overwatch.mission import BoundingParams, StaticParams
from overwatch.ops.controller import (
    ROI_EVERY_S,
    Action,
    Controller,
    FollowBaselinePilot,
    ForwardPatrol,
    Goto,
    Land,
    Note,
    Relaunch,
    SetMode,
    SetRoi,
    VehicleInput,
    new_pilot,
)
from overwatch.ops.follow_baseline import follow_approach
from overwatch.planning.strategies import BoundingStrategy, WatchRequest, static_site
from overwatch.tracking import PatrolTracker, TrackFix
from tests.guidance.sim import Drone
from tests.tracking.missions import START_S, geometry, pts
from tests.tracking.streams import Leg, route_index, station_profile

STRAIGHT = [(0.0, 0.0), (6000.0, 0.0), (12000.0, 0.0)]


@dataclass
class Scripted:
    """The controller in a closed loop with a kinematic drone and a scripted patrol."""

    strategy: str = "lead"
    endurance_s: float = 1800.0
    drain_pct_per_s: float = 0.0
    relaunch_after_swap: bool = True
    armed: bool = True
    mode: str = "GUIDED"
    link_lost: bool = False
    climbing: bool = False
    start_x_m: float = 0.0  # how far along the straight route the drone starts (m)
    #: patrol feed outages, (from, to) seconds: no fixes reach the tracker then
    dropouts: tuple[tuple[float, float], ...] = ()
    #: the patrol picks the landed, disarmed drone up and carries it (recovery: with_patrol)
    carried: bool = False
    mission: dict[str, object] = field(default_factory=dict)  # more of make_mission's keywords
    t: float = 0.0
    log: list[tuple[float, list[Action]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.g = geometry(
            STRAIGHT,
            speed_m_s=8.0,
            target_lead_s=120.0,
            endurance_s=self.endurance_s,
            **self.mission,
        )
        self.controller = Controller(
            self.g,
            self.strategy,
            # the point-mass drone drains as fast in transit as on station
            GuidanceConfig(transit_drain_factor=1.0),
            relaunch_after_swap=self.relaunch_after_swap,
        )
        self.tracker = PatrolTracker(self.g)
        self.truth = station_profile([Leg(1500.0, 8.0)])
        self._route = route_index(self.g)
        x, y = self.g.route.coords[0]
        self.drone = Drone(
            float(x) + self.start_x_m,
            float(y),
            alt_rel_m=80.0,
            drain_pct_per_s=self.drain_pct_per_s,
        )

    def run(self, seconds: float, dt: float = 0.5) -> list[Action]:
        """Tick for ``seconds`` of patrol time; every action taken meanwhile."""
        taken: list[Action] = []
        for _ in range(round(seconds / dt)):
            p = self._route.point_at(self.truth(self.t))
            near = math.hypot(self.drone.x_m - p[0], self.drone.y_m - p[1]) < 150.0
            if self.carried and not self.armed and self.drone.alt_rel_m <= 0.0 and near:
                self.drone.x_m, self.drone.y_m = float(p[0]), float(p[1])
            if not any(a <= self.t < b for a, b in self.dropouts):
                lat, lon = self.g.frame.to_wgs84(float(p[0]), float(p[1]))
                self.tracker.update(TrackFix(START_S + self.t, lat, lon))
            seen = VehicleInput(
                self.drone.snapshot(self.g),
                self.armed,
                self.mode,
                link_lost=self.link_lost,
                climbing=self.climbing,
            )
            actions = self.controller.step(START_S + self.t, seen, self.tracker)
            self.log.append((self.t, actions))
            taken += actions
            for action in actions:
                if isinstance(action, SetMode):
                    self.mode = action.mode
                elif isinstance(action, Land):
                    self.mode = "LAND"
            command = self.controller.last_command
            steered = any(isinstance(a, Goto) for a in actions)
            if command is not None and (self.mode == "LAND" or steered):
                self.drone.step(command, dt)
                if self.drone.landed:
                    self.armed = False
            elif self.mode == "FOLLOW":  # ArduPilot flies it: here it only spends its battery
                self.drone.battery_pct -= self.drone.drain_pct_per_s * dt
            self.t += dt
        return taken


def kinds(actions: list[Action]) -> set[type]:
    return {type(a) for a in actions}


def test_before_overwatch_starts_nothing_is_sent() -> None:
    s = Scripted()
    assert s.run(30.0) == []
    assert s.controller.setpoints == 0


def test_once_started_each_tick_sends_a_setpoint_that_leads_the_patrol() -> None:
    s = Scripted()
    s.controller.start()
    actions = s.run(60.0)
    gotos = [a for a in actions if isinstance(a, Goto)]
    assert len(gotos) == 120  # one per tick
    command = s.controller.last_command
    assert command is not None and command.state is GuidanceState.WATCH_AHEAD
    assert command.target_station_m is not None and command.target_station_m > s.truth(s.t)
    assert s.controller.setpoints == 120
    # what the camera saw on the way counts: road ahead watched before the patrol gets there
    prediction = s.tracker.prediction()
    assert prediction is not None and s.controller.coverage.provisional(prediction).any()


def test_no_setpoint_outside_guided_while_climbing_or_with_the_link_lost() -> None:
    for change in ({"mode": "LOITER"}, {"climbing": True}, {"link_lost": True}):
        s = Scripted(**change)  # type: ignore[arg-type]
        s.controller.start()
        assert not any(isinstance(a, Goto | SetRoi) for a in s.run(20.0)), change


def test_the_camera_is_aimed_at_most_every_two_seconds_and_only_when_the_aim_moved() -> None:
    s = Scripted()
    s.controller.start()
    s.run(120.0)
    aims = [(t, a) for t, actions in s.log for a in actions if isinstance(a, SetRoi)]
    assert len(aims) >= 3
    times = [t for t, _ in aims]
    assert min(b - a for a, b in itertools.pairwise(times)) >= ROI_EVERY_S
    for (_, a), (_, b) in itertools.pairwise(aims):
        assert abs(a.lat_deg - b.lat_deg) + abs(a.lon_deg - b.lon_deg) > 1e-4


def test_operator_stop_ends_the_setpoints_and_return_home_brings_them_back() -> None:
    s = Scripted()
    s.controller.start()
    s.run(10.0)
    s.controller.stop()
    assert not kinds(s.run(10.0)) & {Goto, SetRoi}
    s.controller.return_home()
    assert Goto in kinds(s.run(5.0))
    command = s.controller.last_command
    assert command is not None and command.state is GuidanceState.RETURNING


def test_an_energy_return_lands_then_a_fresh_battery_relaunches() -> None:
    s = Scripted(endurance_s=600.0, drain_pct_per_s=100.0 / 600.0)
    s.controller.start()
    actions: list[Action] = []
    while s.armed and s.t < 900.0:
        actions += s.run(10.0)
    assert not s.armed, "the drone never came down"
    assert Land in kinds(actions)
    # Land is asked while the armed drone is not yet in LAND, never after
    lands = [t for t, a in s.log if any(isinstance(x, Land) for x in a)]
    assert len(lands) == 1
    assert s.run(5.0) == []  # on the ground with a flat battery: it waits
    s.drone.battery_pct, s.drone.landed = 100.0, False
    assert kinds(s.run(1.0)) == {Relaunch}
    s.controller.relaunched()


def test_a_landing_that_drifts_off_the_return_point_lands_on() -> None:
    """LAND mode holds no position exactly: a descent blown 15 m off the point (beyond the
    10 m that started the landing) is still a landing, not a return again."""
    s = Scripted(endurance_s=600.0, drain_pct_per_s=100.0 / 600.0)
    s.controller.start()
    while s.mode != "LAND" and s.t < 900.0:
        s.run(1.0)
    assert s.mode == "LAND", "the drone never began to land"
    s.drone.x_m += 15.0
    for _ in range(4):
        s.run(0.5)
        command = s.controller.last_command
        assert command is not None and command.state is GuidanceState.LANDING, command
        assert command.action == "land"


def _states(s: Scripted, until_s: float) -> tuple[list[GuidanceState], float]:
    """Guidance's states, each once in a row, until ``until_s``; the lowest battery while up."""
    states: list[GuidanceState] = []
    lowest = 100.0
    while s.t < until_s:
        s.run(0.5)
        command = s.controller.last_command
        if command is not None and (not states or states[-1] is not command.state):
            states.append(command.state)
        if s.armed:
            lowest = min(lowest, s.drone.battery_pct)
    return states, lowest


def test_a_feed_outage_orbits_the_last_known_position_then_watches_ahead_again() -> None:
    # three minutes without fixes, two minutes in: the first two bridged on the forecast,
    # then the configured contingency, then the lead again
    s = Scripted(dropouts=((120.0, 300.0),))
    s.controller.start()
    states, _ = _states(s, 450.0)
    assert GuidanceState.CONTINGENCY_ORBIT in states, states
    after = states[states.index(GuidanceState.CONTINGENCY_ORBIT) + 1 :]
    assert GuidanceState.WATCH_AHEAD in after, states
    # fixes flowed again after the outage and the patrol was tracked on along its route
    est = s.tracker.estimate(START_S + s.t)
    assert est.station_m is not None and est.station_m > 1500.0
    assert abs(est.station_m - s.truth(s.t)) < 30.0
    # the drone was steered all through: each tick of the outage too
    outage = [a for t, a in s.log if 120.0 <= t < 180.0]
    assert all(any(isinstance(x, Goto) for x in actions) for actions in outage)


def test_a_tired_battery_comes_home_before_the_reserve_and_climbs_out_after_the_swap() -> None:
    # a pack for a quarter of the patrol: home before the reserve, a swap, back up to watch
    s = Scripted(endurance_s=600.0, drain_pct_per_s=100.0 / 600.0, mission={"recovery": "launch"})
    reserve_pct = 100.0 * s.g.mission.vehicle.reserve_fraction
    s.controller.start()
    states, lowest = _states(s, 900.0)
    assert GuidanceState.RETURNING in states and GuidanceState.LANDING in states, states
    assert not s.armed, "the drone never came down"
    assert lowest >= reserve_pct, f"the battery went down to {lowest:.0f} % ({reserve_pct:.0f} %)"
    after = _swap_and_relaunch(s)
    assert set(after[1:]) & {GuidanceState.RUN_AHEAD, GuidanceState.WATCH_AHEAD}, after
    assert s.drone.alt_rel_m > 75.0


def _swap_and_relaunch(s: Scripted) -> list[GuidanceState]:
    """A fresh pack; the relaunch arms it and takes it up (the driver's part): the states
    of the five minutes after, starting with the climb out."""
    s.drone.battery_pct, s.drone.landed = 100.0, False
    assert kinds(s.run(1.0)) == {Relaunch}
    s.armed, s.mode = True, "GUIDED"
    s.controller.relaunched()
    after, _ = _states(s, s.t + 300.0)
    assert after[0] is GuidanceState.CLIMB_OUT, after
    return after


def test_with_the_patrol_the_tired_drone_lands_beside_it_and_relaunches_from_it() -> None:
    # recovery: with_patrol: the patrol carries the batteries, so the drone lands where the
    # patrol will be, not back at the start; the patrol carries it on, and it relaunches there
    s = Scripted(
        endurance_s=600.0,
        drain_pct_per_s=100.0 / 600.0,
        carried=True,
        mission={"recovery": "with_patrol"},
    )
    reserve_pct = 100.0 * s.g.mission.vehicle.reserve_fraction
    s.controller.start()
    states: list[GuidanceState] = []
    lowest = 100.0
    while s.armed and s.t < 900.0:
        s.run(1.0)
        lowest = min(lowest, s.drone.battery_pct)
        command = s.controller.last_command
        if command is not None and (not states or states[-1] is not command.state):
            states.append(command.state)
    assert not s.armed and GuidanceState.LANDING in states, states
    assert s.controller.last_command is not None
    assert s.controller.last_command.energy.return_point == "the patrol"
    assert lowest >= reserve_pct, f"the battery went down to {lowest:.0f} % ({reserve_pct:.0f} %)"
    # down beside the patrol (within a few seconds of its driving), far from the start
    patrol = s._route.point_at(s.truth(s.t))
    start = s.g.route.coords[0]
    assert math.hypot(s.drone.x_m - patrol[0], s.drone.y_m - patrol[1]) < 80.0
    assert math.hypot(s.drone.x_m - start[0], s.drone.y_m - start[1]) > 2000.0
    # carried on through the turnaround, then a fresh pack: it relaunches from the patrol
    s.run(120.0)
    patrol = s._route.point_at(s.truth(s.t))
    assert math.hypot(s.drone.x_m - patrol[0], s.drone.y_m - patrol[1]) < 10.0  # a tick behind
    after = _swap_and_relaunch(s)
    assert GuidanceState.WATCH_AHEAD in after or GuidanceState.RUN_AHEAD in after, after
    assert GuidanceState.RETURNING not in after, after


def test_a_swap_no_halt_can_hide_is_asked_of_the_operator_once_as_a_stop() -> None:
    s = Scripted(
        endurance_s=600.0,
        drain_pct_per_s=100.0 / 600.0,
        carried=True,
        mission={"recovery": "with_patrol"},
    )
    assert s.run(5.0) == []  # not started: nothing asked either
    s.controller.start()
    asked: list[tuple[float, str]] = []
    while s.armed and s.t < 900.0:
        asked += [(s.t, a.text) for a in s.run(1.0) if isinstance(a, Note) and "stop" in a.text]
    assert asked, "no stop was asked for"
    first_s, text = asked[0]
    assert text.startswith("stop the patrol at km ") and "battery swap at the patrol" in text
    # asked early, with the minutes to go, and not again while the stop stays put
    assert first_s < 60.0 and " in " in text
    km = [float(t.split("km ")[1].split()[0]) for _, t in asked]
    assert all(abs(b - a) * 1000.0 >= 300.0 for a, b in itertools.pairwise(km))


def test_what_a_plan_does_not_foresee_is_kept_to_explain_a_shortfall() -> None:
    # a return for energy away from any halt, and a feed outage of 90 s
    s = Scripted(
        endurance_s=600.0,
        drain_pct_per_s=100.0 / 600.0,
        carried=True,
        dropouts=((100.0, 190.0),),
        mission={"recovery": "with_patrol"},
    )
    s.controller.start()
    while s.armed and s.t < 900.0:
        s.run(1.0)
    tally = s.controller.shortfall
    assert [g.reason.split(":")[0] for g in tally.breaks] == ["energy"]
    assert tally.stale_s == pytest.approx(90.0 - s.tracker.config.stale_after_s, abs=2.0)
    reasons = tally.reasons(s.controller.coverage.summary(), slip_s=330.0)
    assert reasons[0] == "the patrol was 6 min late on its schedule"
    assert reasons[1].startswith("the patrol feed was stale for 1.")
    gap = tally.breaks[0]
    assert reasons[2] == (
        f"energy return away from a halt (km {gap.start_m / 1000:.1f}–{gap.end_m / 1000:.1f} "
        "expected unwatched)"
    )
    assert tally.reasons(s.controller.coverage.summary(), slip_s=30.0)[0].startswith(
        "the patrol feed"
    )


def test_when_the_job_is_done_a_drone_recovered_with_the_patrol_lands_beside_it() -> None:
    s = Scripted(mission={"recovery": "with_patrol"})
    s.controller.start()
    s.run(400.0)  # the patrol at ~3.2 km
    s.controller.return_home(job_done=True)
    while s.armed and s.t < 700.0:
        s.run(1.0)
    assert not s.armed
    command = s.controller.last_command
    assert command is not None and command.energy.return_point == "the patrol"
    patrol = s._route.point_at(s.truth(s.t))
    assert math.hypot(s.drone.x_m - patrol[0], s.drone.y_m - patrol[1]) < 150.0
    start = s.g.route.coords[0]
    assert math.hypot(s.drone.x_m - start[0], s.drone.y_m - start[1]) > 3000.0


def test_no_relaunch_when_the_session_does_not_relaunch_after_a_swap() -> None:
    s = Scripted(endurance_s=600.0, drain_pct_per_s=100.0 / 600.0, relaunch_after_swap=False)
    s.controller.start()
    while s.armed and s.t < 900.0:
        s.run(10.0)
    s.drone.battery_pct, s.drone.landed = 100.0, False
    assert Relaunch not in kinds(s.run(5.0))


def _follow_until_taken_over(s: Scripted) -> list[Action]:
    s.mode = "FOLLOW"
    before = s.run(5.0)
    assert before and all(isinstance(a, ForwardPatrol) for a in before)  # fed even before start
    s.controller.active = True  # FOLLOW engaged
    flying: list[Action] = []
    while s.mode == "FOLLOW" and s.t < 900.0:
        flying += s.run(0.5)
    assert s.mode != "FOLLOW", "guidance never took the drone home"
    assert not {Goto, SetRoi} & set(map(type, flying)), "setpoints while FOLLOW flew"
    taken = [a for a in flying if isinstance(a, SetMode | Note)]
    assert taken[0] == SetMode("GUIDED", "energy return")
    assert isinstance(taken[1], Note) and taken[1].text.startswith("FOLLOW baseline:")
    return flying


def test_follow_baseline_forwards_the_patrol_and_takes_over_only_to_come_home() -> None:
    s = Scripted(
        "follow-baseline", endurance_s=600.0, drain_pct_per_s=100.0 / 600.0, start_x_m=1000
    )
    _follow_until_taken_over(s)
    assert s.mode == "GUIDED"
    after = s.run(5.0)
    assert Goto in kinds(after) and ForwardPatrol in kinds(after)
    command = s.controller.last_command
    assert command is not None and command.state is GuidanceState.RETURNING
    assert sum(isinstance(a, SetMode) for _, actions in s.log for a in actions) == 1
    s.controller.relaunched()  # up again on a fresh battery: FOLLOW flies it again
    assert isinstance(s.controller.pilot, FollowBaselinePilot) and not s.controller.pilot.guided


def test_follow_baseline_hands_over_an_energy_return_that_lands_at_once() -> None:
    # already over its landing site: guidance goes straight to landing, and still takes it
    s = Scripted(
        "follow-baseline",
        endurance_s=600.0,
        drain_pct_per_s=100.0 / 600.0,
        mission={"recovery": "launch"},
    )
    flying = _follow_until_taken_over(s)
    assert Land in kinds(flying) and s.mode == "LAND"


def test_follow_baseline_plans_no_swaps_and_return_home_hands_it_to_lead() -> None:
    c = Controller(geometry(STRAIGHT), "follow-baseline", GuidanceConfig(plan_swaps=True))
    assert c.guidance.config.plan_swaps is False and c.guidance.config.mode == "lead"
    c.return_home()
    assert c.strategy == "lead" and c.active and c.guidance.config.plan_swaps is True


def test_escort_flies_the_escort_law_and_strategies_switch() -> None:
    c = Controller(geometry(STRAIGHT), "escort")
    assert c.strategy == "escort" and c.guidance.config.mode == "escort"
    c.use("lead")
    assert c.strategy == "lead" and c.guidance.config.mode == "lead"


def test_an_unknown_strategy_is_refused_by_name() -> None:
    expected = "expected lead, escort, bounding, static, follow-baseline"
    with pytest.raises(OverwatchError, match=rf"unknown strategy 'chase': {expected}"):
        new_pilot("chase")
    with pytest.raises(OverwatchError, match="unknown strategy 'follow'"):
        Controller(geometry(STRAIGHT), "follow")  # the planner's baseline is FOLLOW mode live


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _aims_xy(s: Scripted) -> list[tuple[float, tuple[float, float]]]:
    return [
        (t, s.g.frame.to_local(a.lat_deg, a.lon_deg))
        for t, actions in s.log
        for a in actions
        if isinstance(a, SetRoi)
    ]


def test_bounding_reaches_each_vantage_point_before_the_patrol_enters_its_stretch() -> None:
    # 12 km due east at 8 m/s, lead 120 s; stretches of 800 m, vantage points 150 m off
    hop_m, standoff_m = 800.0, 150.0
    s = Scripted("bounding", mission={"bounding": BoundingParams(standoff_m, hop_m)})
    s.controller.start()
    x0, y0 = s.g.route.coords[0]
    entered: dict[int, float] = {}  # stretch k → when the patrol entered it
    reached: dict[int, float] = {}  # stretch k → when the drone was first beside its middle
    while s.t < 1450.0:
        before = s.truth(s.t)
        s.run(0.5)
        k = int(s.truth(s.t) // hop_m)
        if k != int(before // hop_m):
            entered[k] = s.t
        along = (s.drone.x_m - x0) / hop_m - 0.5
        k_beside = round(along)
        off_road = abs(s.drone.y_m - y0)
        if abs(along - k_beside) * hop_m < 15.0 and abs(off_road - standoff_m) < 15.0:
            reached.setdefault(k_beside, s.t)
    assert sorted(entered) == list(range(1, 15))
    for k, t in entered.items():
        # beside the stretch's middle before the patrol enters it; once the drone has caught
        # up from the launch, at least the lead window's minimum (30 s) before
        margin_s = 0.0 if k == 1 else 30.0
        assert k in reached and reached[k] <= t - margin_s, (k, reached.get(k), t)
    command = s.controller.last_command
    assert command is not None and command.state is GuidanceState.BOUNDING
    # the camera is on the road, about the lead ahead of the patrol
    aims = _aims_xy(s)
    assert len(aims) > 50
    for t, aim in aims[10:]:
        assert s.g.route.distance(Point(aim)) < 2.0
        assert 0.0 < s.g.route.project(Point(aim)) - s.truth(t) < 8.0 * 120.0 + 50.0
    # the live drone holds where the plan's bounding track holds (from the third stretch:
    # the plan starts a lead before the patrol, the live drone at the launch)
    plan = BoundingStrategy().watch_track(WatchRequest(s.g, 80.0))
    planned = {(round(x), round(y)) for x, y in plan.xy_m if x > x0 + 2 * hop_m}
    held = {(round(x), round(y)) for x, y in s.drone.path}
    assert len(planned) >= 12 and planned <= held


def _site_xy(s: Scripted) -> tuple[float, float]:
    """The static site in the mission's frame: 2 km along the route, 600 m north of it."""
    site = tuple(static_site(s.g, s.g.mission.overwatch.static.site))
    x0, y0 = s.g.route.coords[0]
    assert _distance_m(site, (x0 + 2000.0, y0 + 600.0)) < 5.0
    return float(site[0]), float(site[1])


def _static(orbit_radius_m: float, duration_s: float | None = 600.0) -> Scripted:
    site = pts([(2000.0, 600.0)])[0]
    params = StaticParams(site=site, orbit_radius_m=orbit_radius_m, duration_s=duration_s)
    return Scripted("static", mission={"static": params, "rally_xy_m": [(0.0, 300.0)]})


def test_static_orbits_the_site_with_the_camera_on_it_until_the_watch_is_done() -> None:
    s = _static(orbit_radius_m=120.0)
    site = _site_xy(s)
    s.controller.start()
    on_station: float | None = None
    while s.controller.finished(START_S + s.t, s.tracker) is None:
        assert s.t < 1200.0, "the static watch never ended"
        s.run(0.5)
        command = s.controller.last_command
        r = _distance_m((s.drone.x_m, s.drone.y_m), site)
        if on_station is None and abs(r - 120.0) < 50.0:
            on_station = s.t
        if on_station is not None and s.t > on_station + 30.0:
            assert command is not None and command.state is GuidanceState.STATIC_WATCH
            assert abs(r - 120.0) < 30.0, (s.t, r)
    assert on_station is not None
    assert s.t == pytest.approx(on_station + 600.0, abs=1.0)  # watched for its duration
    # the camera was on the site all the while, and the drone went round it
    aims = _aims_xy(s)
    assert aims and all(_distance_m(aim, site) < 2.0 for _, aim in aims)
    bearings = {
        round(math.degrees(math.atan2(x - site[0], y - site[1])) % 360 / 45)
        for x, y in s.drone.path[-600:]
    }
    assert len(bearings) >= 8
    # then it goes home (or the rally point) and lands on its own
    while s.armed and s.t < 2000.0:
        s.run(1.0)
    assert not s.armed and s.drone.landed
    command = s.controller.last_command
    assert command is not None and "static watch complete" in command.note


def test_static_without_an_orbit_holds_over_the_site_looking_down() -> None:
    s = _static(orbit_radius_m=0.0, duration_s=None)
    s.controller.start()
    s.run(400.0)
    site = _site_xy(s)
    assert _distance_m((s.drone.x_m, s.drone.y_m), site) < 2.0
    aims = _aims_xy(s)
    assert aims and _distance_m(aims[-1][1], site) < 2.0
    # a watch without a duration lasts the patrol
    assert s.controller.finished(START_S + s.t, s.tracker) is None
    s.run(1100.0)
    assert s.controller.finished(START_S + s.t, s.tracker) == "patrol arrived"


def test_no_vehicle_or_no_fix_yet_means_no_action() -> None:
    s = Scripted()
    s.controller.start()
    assert s.controller.step(START_S, None, s.tracker) == []
    snap = s.drone.snapshot(s.g)
    assert s.controller.step(START_S, VehicleInput(snap, True, "GUIDED"), s.tracker) == []
    assert math.isclose(snap.alt_rel_m, 80.0)


def test_the_follow_baseline_approach_flies_to_the_offset_ahead_until_close_enough() -> None:
    s = Scripted("follow-baseline", start_x_m=0.0)
    s.run(10.0)  # the patrol is 80 m along; the drone over the route's start
    est = s.tracker.estimate(START_S + s.t)
    assert est.station_m is not None
    snap = s.drone.snapshot(s.g)
    ahead_m = s.g.mission.overwatch.baseline.offset_ahead_m
    goal = follow_approach(s.g, est, snap, within_m=10.0, target_within_m=1.0)
    assert goal is not None
    gx, gy = s.g.frame.to_local(*goal)
    x0, y0 = s.g.route.coords[0]
    assert math.isclose(gx - float(x0), est.station_m + ahead_m, abs_tol=1.0)
    assert math.isclose(gy, float(y0), abs_tol=1.0)  # on the straight route
    # close enough to the offset, or to the patrol itself: FOLLOW takes over
    assert follow_approach(s.g, est, snap, within_m=ahead_m + 200.0, target_within_m=1.0) is None
    assert follow_approach(s.g, est, snap, within_m=1.0, target_within_m=500.0) is None
