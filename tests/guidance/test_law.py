"""The guidance law in closed loop with the tracker and a kinematic drone."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Point

from overwatch.guidance import (
    EnergyModel,
    FenceOutcome,
    Guidance,
    GuidanceConfig,
    GuidanceState,
    VehicleSnapshot,
)
from overwatch.mission import MissionGeometry
from overwatch.tracking import PatrolTracker, TrackFix
from tests.guidance.sim import Drone, Loop
from tests.tracking.missions import START_S, geometry
from tests.tracking.streams import Leg, station_profile

STRAIGHT = [(0.0, 0.0), (6000.0, 0.0), (12000.0, 0.0)]


def drone_at(g: MissionGeometry, x: float, y: float, alt: float = 80.0, **kw: float) -> Drone:
    lat, lon = g.frame.to_wgs84(0.0, 0.0)
    del lat, lon
    return Drone(x_m=x, y_m=y, alt_rel_m=alt, **kw)  # type: ignore[arg-type]


def start_xy(g: MissionGeometry) -> tuple[float, float]:
    x, y = g.route.coords[0]
    return float(x), float(y)


def test_lead_point_stays_ahead_through_a_halt_and_a_speed_up() -> None:
    g = geometry(STRAIGHT, speed_m_s=8.0, target_lead_s=120.0)
    truth = station_profile([Leg(400.0, 8.0), Leg(200.0, 0.0), Leg(900.0, 12.0)])
    loop = Loop(g, Guidance(g), Drone(*start_xy(g), alt_rel_m=0.0), truth)
    first = loop.run(0.0, 1.0)
    assert first.state is GuidanceState.CLIMB_OUT and first.vd_m_s < 0
    cmd = loop.run(1.0, 300.0)
    assert cmd.state is GuidanceState.WATCH_AHEAD
    assert cmd.target_station_m == pytest.approx(truth(300.0) + 8.0 * 120.0, abs=25.0)
    assert cmd.lead_s == pytest.approx(120.0, abs=3.0)
    assert math.hypot(cmd.x_m - loop.drone.x_m, cmd.y_m - loop.drone.y_m) < 30.0
    assert cmd.roi is not None and cmd.yaw_deg == pytest.approx(90.0, abs=1.0)
    # halted (at 3200 m from t=400): loiter, still, ahead of the patrol or (sweeping the
    # stretch between, see test_swap_and_detour) over it, never behind it
    loop.run(300.0, 590.0)
    halted = [c for t, c in loop.commands if 420.0 <= t < 590.0]
    assert {c.state for c in halted} == {GuidanceState.LOITER_AHEAD}
    assert all((c.vn_m_s, c.ve_m_s) == (0.0, 0.0) for c in halted)
    targets = [c.target_station_m or 0.0 for c in halted]
    assert min(targets) >= 3200.0 - 5.0
    assert max(targets) > 3200.0 + 8.0 * 30.0
    # speeding up to 12 m/s: the lead window follows the actual pace
    fast = loop.run(590.0, 900.0)
    assert fast.state is GuidanceState.WATCH_AHEAD
    assert fast.target_station_m == pytest.approx(truth(900.0) + 12.0 * 120.0, abs=60.0)
    assert fast.ve_m_s == pytest.approx(12.0, abs=1.0)
    assert math.hypot(fast.x_m - loop.drone.x_m, fast.y_m - loop.drone.y_m) < 40.0
    for _, c in loop.commands:
        assert g.is_allowed(Point(c.x_m, c.y_m))


def test_keep_out_over_the_route_is_never_entered() -> None:
    box = [(2800.0, -300.0), (3600.0, -300.0), (3600.0, 300.0), (2800.0, 300.0)]
    g = geometry(STRAIGHT, speed_m_s=10.0, target_lead_s=60.0, keep_outs_xy_m=[box])
    truth = station_profile([Leg(1200.0, 10.0)])
    loop = Loop(g, Guidance(g), Drone(*start_xy(g), alt_rel_m=80.0), truth)
    loop.run(0.0, 420.0)
    outcomes = {c.fence for _, c in loop.commands}
    assert FenceOutcome.MOVED in outcomes or FenceOutcome.SHORTENED in outcomes
    for (_, c), (x, y) in zip(loop.commands, loop.drone.path, strict=True):
        assert g.is_allowed(Point(c.x_m, c.y_m)), "a setpoint inside the keep-out"
        assert g.is_allowed(Point(x, y)), "the drone flew into the keep-out"


@pytest.mark.parametrize("contingency", ["orbit", "hold_checkpoint", "return"])
def test_stale_feed_triggers_the_configured_contingency(contingency: str) -> None:
    g = geometry(
        STRAIGHT,
        speed_m_s=8.0,
        target_lead_s=60.0,
        halts=[(2500.0, 60.0)],
        rally_xy_m=[(1500.0, -400.0)],
    )
    truth = station_profile([Leg(2000.0, 8.0)])
    cfg = GuidanceConfig(
        stale_contingency=contingency,  # type: ignore[arg-type]
        orbit_radius_m=120.0,
        stale_forecast_s=0.0,  # no bridge on the forecast first (see the test below)
    )
    loop = Loop(g, Guidance(g, cfg), Drone(*start_xy(g), alt_rel_m=80.0), truth)
    loop.feed_on = lambda t: not (200.0 <= t < 320.0)
    loop.run(0.0, 200.0)
    last = loop.tracker.estimate(START_S + 200.0)
    cmd = loop.run(200.0, 240.0)
    if contingency == "orbit":
        assert cmd.state is GuidanceState.CONTINGENCY_ORBIT
        assert last.x_m is not None and last.y_m is not None
        assert math.hypot(cmd.x_m - last.x_m, cmd.y_m - last.y_m) == pytest.approx(120.0, abs=1.0)
        assert cmd.roi is not None
    elif contingency == "hold_checkpoint":
        # last seen at ~1600 m: the next checkpoint ahead is the planned halt at 2500 m
        assert cmd.state is GuidanceState.CONTINGENCY_HOLD_CHECKPOINT
        assert cmd.target_station_m == pytest.approx(2500.0, abs=1.0)
    else:
        assert cmd.state is GuidanceState.RETURNING
        assert cmd.energy.return_point == "rally 1"
    back = loop.run(240.0, 340.0)
    if contingency == "return":
        # it landed at the rally point; with the feed back the return is called off
        # and guidance asks to climb out again (the session decides to take off)
        assert back.state is GuidanceState.CLIMB_OUT
    else:
        assert back.state is GuidanceState.WATCH_AHEAD  # the feed came back at t=320


def test_a_short_dropout_on_the_road_is_bridged_on_the_forecast_then_orbited() -> None:
    g = geometry(STRAIGHT, speed_m_s=8.0, target_lead_s=60.0)
    truth = station_profile([Leg(3000.0, 8.0)])
    cfg = GuidanceConfig(orbit_radius_m=120.0, stale_forecast_s=120.0)
    loop = Loop(g, Guidance(g, cfg), Drone(*start_xy(g), alt_rel_m=80.0), truth)
    loop.feed_on = lambda t: not (200.0 <= t < 400.0)
    loop.run(0.0, 200.0)
    last = loop.tracker.estimate(START_S + 200.0)
    assert last.station_m is not None
    cmd = loop.run(200.0, 300.0)  # stale for 100 s: the lead point went on with the forecast
    assert cmd.state is GuidanceState.WATCH_AHEAD, cmd
    assert "watching ahead on the forecast" in cmd.note
    assert cmd.target_station_m is not None
    assert cmd.target_station_m == pytest.approx(last.station_m + 8.0 * (100.0 + 60.0), abs=40.0)
    cmd = loop.run(300.0, 340.0)  # stale for 140 s: the contingency's orbit
    assert cmd.state is GuidanceState.CONTINGENCY_ORBIT
    assert last.x_m is not None and last.y_m is not None
    assert math.hypot(cmd.x_m - last.x_m, cmd.y_m - last.y_m) == pytest.approx(120.0, abs=1.0)


def test_return_is_decided_before_the_reserve_is_spent() -> None:
    # the battery drains 40 % faster than the vehicle's nominal endurance says
    g = geometry(
        STRAIGHT,
        speed_m_s=8.0,
        target_lead_s=120.0,
        endurance_s=900.0,
        reserve_fraction=0.2,
        recovery="launch",
    )
    truth = station_profile([Leg(2000.0, 8.0)])
    drone = Drone(*start_xy(g), alt_rel_m=80.0, drain_pct_per_s=1.4 * 100.0 / 900.0)
    # this point-mass drone drains as fast in transit as on station: tell the energy model so
    loop = Loop(g, Guidance(g, GuidanceConfig(transit_drain_factor=1.0)), drone, truth)
    t = 0.0
    while not drone.landed and t < 900.0:
        loop.run(t, t + 10.0)
        t += 10.0
    assert drone.landed
    states = [c.state for _, c in loop.commands]
    assert GuidanceState.RETURNING in states
    first_return = states.index(GuidanceState.RETURNING)
    decided = loop.commands[first_return][1]
    assert decided.energy.must_return
    assert decided.gap is not None and decided.gap.end_m > decided.gap.start_m > truth(
        loop.commands[first_return][0]
    )
    assert drone.battery_pct >= 20.0, f"landed with {drone.battery_pct:.1f} % (reserve 20 %)"
    # turned back when the margin reached the configured 60 s, not much earlier
    assert decided.energy.margin_s is not None and 55.0 < decided.energy.margin_s <= 60.0
    assert decided.energy.drain_pct_per_s == pytest.approx(1.4 * 100.0 / 900.0, rel=0.02)
    assert drone.battery_pct < 40.0, "turned back far too early"
    assert math.hypot(drone.x_m - start_xy(g)[0], drone.y_m - start_xy(g)[1]) < 15.0
    # on the ground: the return holds until a fresh battery goes in
    now = START_S + t
    on_ground = drone.snapshot(g)
    assert loop.guidance.tick(now, on_ground, loop.tracker).state is GuidanceState.LANDING
    loop.guidance.operator_resume()  # does not cancel an energy return
    assert loop.guidance.tick(now, on_ground, loop.tracker).state is GuidanceState.LANDING
    fresh = VehicleSnapshot(on_ground.lat_deg, on_ground.lon_deg, 0.0, battery_remaining_pct=100.0)
    again = loop.guidance.tick(now + 1.0, fresh, loop.tracker)
    assert again.state is GuidanceState.CLIMB_OUT and not again.energy.must_return


def test_operator_overrides() -> None:
    g = geometry(STRAIGHT, speed_m_s=8.0, target_lead_s=60.0)
    truth = station_profile([Leg(2000.0, 8.0)])
    guidance = Guidance(g)
    loop = Loop(g, guidance, Drone(*start_xy(g), alt_rel_m=80.0), truth)
    loop.run(0.0, 100.0)
    guidance.operator_hold()
    held = loop.run(100.0, 130.0)
    assert held.state is GuidanceState.OPERATOR_HOLD
    first_hold = next(c for t, c in loop.commands if t >= 100.0)
    assert (held.x_m, held.y_m) == pytest.approx((first_hold.x_m, first_hold.y_m))
    lat, lon = g.frame.to_wgs84(1500.0, 300.0)
    guidance.operator_look_at(lat, lon)
    look = loop.run(130.0, 140.0)
    assert look.state is GuidanceState.LOOK_AT
    assert look.roi is not None and (look.roi.lat_deg, look.roi.lon_deg) == pytest.approx(
        (lat, lon)
    )
    guidance.operator_resume()
    assert loop.run(140.0, 200.0).state is GuidanceState.WATCH_AHEAD
    guidance.operator_land()
    land = loop.run(200.0, 201.0)
    assert land.state is GuidanceState.LANDING and land.action == "land"
    guidance.operator_resume()
    guidance.operator_return()
    ret = loop.run(201.0, 202.0)
    assert ret.state is GuidanceState.RETURNING and ret.energy.return_point == "home"
    final = loop.run(202.0, 400.0)
    assert final.state is GuidanceState.LANDING and loop.drone.landed
    with pytest.raises(ValueError, match="look at"):
        guidance.operator_look_at(float("nan"), 2.0)


def test_escort_orbits_the_predicted_position() -> None:
    g = geometry(STRAIGHT, speed_m_s=8.0, strategy="escort")
    truth = station_profile([Leg(2000.0, 8.0)])
    loop = Loop(g, Guidance(g), Drone(*start_xy(g), alt_rel_m=80.0), truth)
    cmd = loop.run(0.0, 200.0)
    assert cmd.state is GuidanceState.ESCORT
    centre = loop.patrol_xy(200.0 + 60.0)  # escort.ahead_s = 60
    assert math.hypot(cmd.x_m - centre[0], cmd.y_m - centre[1]) == pytest.approx(150.0, abs=15.0)


def test_off_route_patrol_is_watched_where_it_actually_goes() -> None:
    g = geometry(STRAIGHT, speed_m_s=8.0)
    tracker = PatrolTracker(g)
    # along the route to x=800, then north-east off it
    for k in range(200):
        t = float(k)
        x, y = (8.0 * t, 0.0) if t < 100 else (800.0 + 4.0 * (t - 100), 6.0 * (t - 100))
        ox, oy = g.route.coords[0]
        lat, lon = g.frame.to_wgs84(ox + x, oy + y)
        tracker.update(TrackFix(START_S + t, lat, lon))
    guidance = Guidance(g)
    lat, lon = g.frame.to_wgs84(1000.0, 300.0)
    cmd = guidance.tick(START_S + 199.0, VehicleSnapshot(lat, lon, 80.0), tracker)
    assert cmd.state is GuidanceState.WATCH_OFF_ROUTE
    ox, oy = g.route.coords[0]
    expect = (ox + 800.0 + 4.0 * 129, oy + 6.0 * 129)  # 30 s ahead of t=199
    assert math.hypot(cmd.x_m - expect[0], cmd.y_m - expect[1]) < 30.0


def test_waiting_for_the_first_fix() -> None:
    g = geometry(STRAIGHT)
    lat, lon = g.frame.to_wgs84(*start_xy(g))
    cmd = Guidance(g).tick(
        START_S, VehicleSnapshot(lat, lon, 80.0, battery_remaining_pct=None), PatrolTracker(g)
    )
    assert cmd.state is GuidanceState.WAITING_FOR_PATROL
    assert cmd.energy.battery_pct is None and not cmd.energy.must_return


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="stale_contingency"):
        GuidanceConfig(stale_contingency="panic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fence_margin_m"):
        GuidanceConfig(fence_margin_m=-1.0)


def test_path_check_catches_a_crossing() -> None:
    box = [(2800.0, -300.0), (3600.0, -300.0), (3600.0, 300.0), (2800.0, 300.0)]
    g = geometry(STRAIGHT, keep_outs_xy_m=[box])
    ox, oy = g.route.coords[0]
    assert not g.is_allowed(LineString([(ox + 2500, oy), (ox + 3900, oy)]))


def test_a_chase_drains_the_window_but_the_patrol_is_planned_on_the_sortie_average() -> None:
    g = geometry(STRAIGHT, endurance_s=1000.0)
    energy = EnergyModel(g.mission.vehicle)  # nominal: 0.1 %/s
    for t in range(0, 121, 5):  # a climb-out and chase at three times the nominal drain
        energy.observe(float(t), 100.0 - 0.3 * t)
    assert energy.drain_pct_per_s() == pytest.approx(0.3, rel=0.01)
    assert energy.sortie_drain_pct_per_s() == pytest.approx(0.1)  # too short to count
    for t in range(125, 601, 5):  # then the watch, at the nominal drain
        energy.observe(float(t), 64.0 - 0.1 * (t - 120))
    assert energy.drain_pct_per_s() == pytest.approx(0.1, rel=0.01)
    assert energy.sortie_drain_pct_per_s() == pytest.approx((100.0 - 16.0) / 600.0, rel=0.01)
    energy.observe(605.0, 100.0)  # a fresh pack: its own average, from nothing
    assert energy.sortie_drain_pct_per_s() == pytest.approx(0.1)
    assert energy.sortie_flight_left_s(100.0) == pytest.approx(800.0)
