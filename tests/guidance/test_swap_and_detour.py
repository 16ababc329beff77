"""Sortie breaks planned at a halt, the lead rebuilt after a relaunch, detours watched ahead."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from overwatch.guidance import Guidance, GuidanceConfig, GuidanceState
from tests.guidance.sim import Drone, Loop
from tests.tracking.missions import geometry
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
