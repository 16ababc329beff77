"""Sortie breaks planned at a halt, the lead rebuilt after a relaunch, detours watched ahead."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pytest

from overwatch.guidance import Guidance, GuidanceConfig, GuidanceState
from tests.guidance.sim import Drone, Loop
from tests.tracking.missions import START_S, geometry
from tests.tracking.streams import Leg, station_profile

STRAIGHT = [(0.0, 0.0), (6000.0, 0.0), (12000.0, 0.0)]


@dataclass
class DetourLoop(Loop):
    """The patrol leaves the route northwards between two stations (a parallel detour)."""

    detour_from_m: float = 1600.0
    detour_to_m: float = 2600.0
    offset_m: float = 150.0

    def patrol_xy(self, t: float) -> tuple[float, float]:
        x, y = super().patrol_xy(t)
        s = self.station(t)
        if self.detour_from_m < s < self.detour_to_m:
            ramp = min(s - self.detour_from_m, self.detour_to_m - s, 100.0) / 100.0
            y += self.offset_m * ramp
        return x, y


def test_a_detour_beside_the_route_keeps_the_route_ahead_watched() -> None:
    g = geometry(STRAIGHT, speed_m_s=8.0, target_lead_s=120.0)
    truth = station_profile([Leg(2000.0, 8.0)])
    x0, y0 = g.route.coords[0]
    loop = DetourLoop(g, Guidance(g), Drone(float(x0), float(y0), alt_rel_m=80.0), truth)
    cmd = loop.run(0.0, 270.0)  # the patrol is 150 m off the route at station ~2150 m
    assert cmd.state is GuidanceState.WATCH_OFF_ROUTE
    ahead = (cmd.target_station_m or 0.0) - truth(270.0)
    assert 8.0 * 60.0 < ahead < 8.0 * 150.0, f"only {ahead:.0f} m ahead of the patrol"
    assert abs(cmd.y_m - y0) < 5.0, "the setpoint left the route"
    back = loop.run(270.0, 400.0)  # rejoined at 2600 m (t=325)
    assert back.state is GuidanceState.WATCH_AHEAD
    assert back.target_station_m == pytest.approx(truth(400.0) + 8.0 * 120.0, abs=60.0)


def test_the_swap_is_planned_at_the_halt_and_the_lead_is_rebuilt_after() -> None:
    # 12 km at 8 m/s with a 10 min halt at 6 km: one 1000 s battery cannot do it all
    g = geometry(
        STRAIGHT,
        speed_m_s=8.0,
        target_lead_s=120.0,
        endurance_s=1000.0,
        halts=[(6000.0, 600.0)],
        rally_xy_m=[(6000.0, -300.0)],
        recovery="rally",
    )
    truth = station_profile([Leg(6000.0, 8.0), Leg(600.0, 0.0), Leg(6000.0, 8.0)])
    x0, y0 = g.route.coords[0]
    drone = Drone(float(x0), float(y0), alt_rel_m=80.0, drain_pct_per_s=0.1)
    guidance = Guidance(g, GuidanceConfig(transit_drain_factor=1.0))
    loop = Loop(g, guidance, drone, truth)
    t = 0.0
    while not drone.landed and t < 1000.0:
        loop.run(t, t + 5.0)
        t += 5.0
    assert drone.landed
    timeline = [(when, c) for when, c in loop.commands]
    first = {c.state: when for when, c in reversed(timeline)}
    # it ran ahead to the halt, then left inside the lead window before the halt began (750 s)
    assert GuidanceState.RUN_AHEAD in first and GuidanceState.RETURNING in first
    assert first[GuidanceState.RUN_AHEAD] < first[GuidanceState.RETURNING]
    leave = first[GuidanceState.RETURNING]
    assert 750.0 - 300.0 <= leave <= 750.0 - 200.0, f"left at {leave:.0f} s"
    returning = next(c for when, c in timeline if when == leave)
    assert "swap" in returning.note and returning.energy.return_point == "rally 1"
    planned = next(c for when, c in timeline if c.energy.swap_station_m is not None)
    assert planned.energy.swap_station_m == pytest.approx(6000.0, abs=1.0)
    ahead = [c for _, c in timeline if c.state is GuidanceState.RUN_AHEAD]
    assert max(c.target_station_m or 0.0 for c in ahead) == pytest.approx(6000.0, abs=10.0)
    assert drone.battery_pct >= 20.0
    # a fresh battery: climb out, then build the lead back up from the patrol
    drone.battery_pct, drone.landed = 100.0, False
    climb = loop.run(t, t + 5.0)
    assert climb.state is GuidanceState.CLIMB_OUT
    loop.run(t + 5.0, t + 60.0)
    rebuilt = [c for when, c in loop.commands if when > t + 40.0]
    assert all(c.state in (GuidanceState.WATCH_AHEAD, GuidanceState.LOITER_AHEAD) for c in rebuilt)
    assert rebuilt[0].lead_s is not None and rebuilt[0].lead_s < 120.0


def test_a_halt_that_outlasts_its_forecast_is_swept_back_to_the_patrol() -> None:
    # an unplanned 15 min halt at 2.4 km: the forecast keeps saying "moving on now", so
    # the lead point sits ahead; the stretch between it and the patrol must be seen again
    g = geometry(STRAIGHT, speed_m_s=8.0, target_lead_s=60.0, lead_min_s=30.0, lead_max_s=300.0)
    truth = station_profile([Leg(300.0, 8.0), Leg(900.0, 0.0), Leg(600.0, 8.0)])
    x0, y0 = g.route.coords[0]
    loop = Loop(g, Guidance(g), Drone(float(x0), float(y0), alt_rel_m=80.0), truth)
    loop.run(0.0, 1100.0)
    halted = [(t, c) for t, c in loop.commands if 450.0 <= t <= 1100.0]
    assert {c.state for _, c in halted} == {GuidanceState.LOITER_AHEAD}
    ahead = [(c.target_station_m or 0.0) - 2400.0 for _, c in halted]
    assert min(ahead) < 5.0, "never swept back over the patrol"
    assert max(ahead) > 300.0, "never watched from the lead point"
    # both ends come round well inside the lead window (300 s − 30 s)
    over = [t for (t, c), a in zip(halted, ahead, strict=True) if a < 5.0]
    far = [t for (t, c), a in zip(halted, ahead, strict=True) if a > 300.0]
    for times in (over, far):
        gaps = [b - a for a, b in itertools.pairwise(times) if b - a > 1.0]
        assert gaps and max(gaps) < 270.0
    # moving again: back on the lead
    moving = loop.run(1100.0, 1260.0)
    assert moving.state is GuidanceState.WATCH_AHEAD


def test_a_swap_no_halt_can_hide_asks_the_operator_for_a_stop_at_a_safe_point() -> None:
    # 12 km at 8 m/s, no halt, a 1000 s battery, recovered beside the patrol; a keep-out
    # (a village) straddles the road where the battery gives out
    village = [(5600.0, -200.0), (6400.0, -200.0), (6400.0, 200.0), (5600.0, 200.0)]
    g = geometry(
        STRAIGHT,
        speed_m_s=8.0,
        target_lead_s=120.0,
        endurance_s=1000.0,
        keep_outs_xy_m=[village],
        recovery="with_patrol",
    )
    truth = station_profile([Leg(1500.0, 8.0)])
    x0, y0 = g.route.coords[0]
    drone = Drone(float(x0), float(y0), alt_rel_m=80.0, drain_pct_per_s=0.1)
    loop = Loop(g, Guidance(g, GuidanceConfig(transit_drain_factor=1.0)), drone, truth)
    cmd = loop.run(0.0, 60.0)
    stop = cmd.energy.stop_request
    assert stop is not None and cmd.energy.swap_station_m is None
    # where the patrol is when the drone is down beside it, moved back out of the village
    # (and its fence margin): the battery, 94 % at 60 s, says go at ~730 s, at ~5.9 km
    assert 5600.0 - 300.0 < stop.station_m < 5600.0 - 20.0
    assert stop.by_s - START_S == pytest.approx(stop.station_m / 8.0, abs=5.0)
    assert stop.duration_s > g.mission.vehicle.turnaround_s
    text = stop.text(cmd.time_s)
    assert text.startswith(f"stop the patrol at km {stop.station_m / 1000:.2f} in ")
    assert "battery swap" in text


SHORT = [(0.0, 0.0), (5000.0, 0.0), (10000.0, 0.0)]


def _fly(loop: Loop, until_s: float) -> float:
    """Run ``loop`` in 5 s steps until the drone lands or ``until_s``; the time reached."""
    t = 0.0
    while not loop.drone.landed and t < until_s:
        loop.run(t, t + 5.0)
        t += 5.0
    return t


def test_an_early_halt_that_spares_a_later_break_is_taken_for_the_swap() -> None:
    # 10 km at 8 m/s with a 10 min halt at 1.6 km (t 200–800): a 1500 s battery cannot do
    # it all, a fresh one at the halt can; at the halt the battery is still 87 % full
    g = geometry(
        SHORT,
        speed_m_s=8.0,
        target_lead_s=120.0,
        endurance_s=1500.0,
        halts=[(1600.0, 600.0)],
        recovery="with_patrol",
    )
    truth = station_profile([Leg(200.0, 8.0), Leg(600.0, 0.0), Leg(1050.0, 8.0)])
    x0, y0 = g.route.coords[0]
    drone = Drone(float(x0), float(y0), alt_rel_m=80.0, drain_pct_per_s=100.0 / 1500.0)
    loop = Loop(g, Guidance(g, GuidanceConfig(transit_drain_factor=1.0)), drone, truth)
    t = _fly(loop, 900.0)
    assert drone.landed and t < 400.0, f"landed at {t:.0f} s"
    planned = [c.energy.swap_station_m for _, c in loop.commands]
    assert 1600.0 in [round(s or 0.0) for s in planned]
    assert all(c.energy.stop_request is None for _, c in loop.commands)
    # down at the halt itself, where the patrol stands for the swap, as it arrives
    halt = g.route.interpolate(1600.0)
    assert math.hypot(drone.x_m - halt.x, drone.y_m - halt.y) < 15.0
    returning = next(c for _, c in loop.commands if c.state is GuidanceState.RETURNING)
    assert returning.energy.return_point == "the patrol at the halt at km 1.60"
    assert drone.battery_pct > 80.0


def test_near_the_end_the_drone_stays_within_its_reserve_and_asks_no_stop() -> None:
    # 10 km at 8 m/s (1250 s), no halt, 1000 s of usable battery: short by a few minutes
    # at the very end, where a swap would never be back before the patrol is in
    g = geometry(
        SHORT, speed_m_s=8.0, target_lead_s=120.0, endurance_s=1400.0, recovery="with_patrol"
    )
    truth = station_profile([Leg(1300.0, 8.0)])
    x0, y0 = g.route.coords[0]
    drone = Drone(float(x0), float(y0), alt_rel_m=80.0, drain_pct_per_s=100.0 / 1400.0)
    loop = Loop(g, Guidance(g, GuidanceConfig(transit_drain_factor=1.0)), drone, truth)
    _fly(loop, 1300.0)
    assert all(c.energy.stop_request is None for _, c in loop.commands)
    assert all(c.energy.swap_station_m is None for _, c in loop.commands)
    watching = [t for t, c in loop.commands if c.state is GuidanceState.WATCH_AHEAD]
    assert max(watching) > 950.0  # watched on into the last minutes, to the reserve
    assert drone.landed and drone.battery_pct >= 20.0 - 1.0  # the reserve, kept
