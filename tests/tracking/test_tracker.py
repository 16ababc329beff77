"""The patrol tracker on synthetic fix streams."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pytest

from overwatch.feeds.fix import PatrolFix
from overwatch.mission import MissionGeometry
from overwatch.tracking import PatrolEstimate, PatrolTracker, TrackerConfig, TrackFix, TrackMode
from tests.tracking.missions import ORIGIN, START_S, geometry
from tests.tracking.streams import Leg, along_route, fixes, route_index, station_profile

# an L-shaped 12 km route: 6 km east, then 6 km north
L_ROUTE = [(0.0, 0.0), (3000.0, 0.0), (6000.0, 0.0), (6000.0, 3000.0), (6000.0, 6000.0)]


def to_origin(g: MissionGeometry, xy_m: np.ndarray) -> np.ndarray:
    """Mission-frame metres → the test's ORIGIN-frame metres."""
    lat, lon = g.frame.to_wgs84(float(xy_m[0]), float(xy_m[1]))
    return np.asarray(ORIGIN.to_local(lat, lon))


def run(
    tracker: PatrolTracker, stream: Iterable[tuple[float, TrackFix]]
) -> list[tuple[float, PatrolEstimate]]:
    return [(t, tracker.update(fix)) for t, fix in stream]


def test_noisy_constant_speed_is_tracked_and_predicted() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0)
    truth = station_profile([Leg(900.0, 8.0)])
    tracker = PatrolTracker(g)
    history = run(tracker, fixes(g, along_route(g, truth), t_end_s=600.0, noise_m=4.0))
    errors = [abs((e.station_m or 0.0) - truth(t)) for t, e in history[60:]]
    assert max(errors) < 10.0
    est = tracker.estimate(START_S + 600.0)
    assert est.mode is TrackMode.ON_ROUTE
    assert not est.halted
    assert est.speed_m_s == pytest.approx(8.0, abs=0.5)
    assert est.pace == pytest.approx(1.0, abs=0.06)
    assert abs(est.schedule_slip_s or 0.0) < 2.0
    pred = tracker.prediction()
    assert pred is not None
    # 120 s ahead the patrol has turned the corner: the forecast follows the route
    index = route_index(g)
    ahead = pred.position_at(START_S + 720.0)
    assert np.hypot(*(ahead - index.point_at(truth(720.0)))) < 40.0
    arrivals = tracker.arrival_times_s(np.array([truth(600.0) + 800.0, 0.0, 99_999.0]))
    assert arrivals[0] - START_S == pytest.approx(700.0, abs=5.0)
    assert math.isnan(arrivals[1]) and math.isnan(arrivals[2])


def test_unplanned_halt_is_detected_and_resumption_seen() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0)
    truth = station_profile([Leg(200.0, 8.0), Leg(120.0, 0.0), Leg(300.0, 8.0)])
    tracker = PatrolTracker(g)
    halted_at: list[float] = []
    for t, fix in fixes(g, along_route(g, truth), t_end_s=500.0, rate_hz=2.0, noise_m=3.0):
        est = tracker.update(fix)
        if est.halted:
            halted_at.append(t)
    assert halted_at, "the halt was never detected"
    assert 200.0 <= halted_at[0] <= 215.0
    assert 320.0 <= halted_at[-1] <= 332.0
    assert all(200.0 <= t <= 332.0 for t in halted_at)


def test_planned_halt_remaining_time_shapes_the_forecast() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0, halts=[(1600.0, 300.0)])
    truth = station_profile([Leg(200.0, 8.0), Leg(300.0, 0.0), Leg(300.0, 8.0)])
    tracker = PatrolTracker(g)
    run(tracker, fixes(g, along_route(g, truth), t_end_s=320.0, noise_m=3.0))
    est = tracker.estimate(START_S + 320.0)
    assert est.halted and est.planned_halt_index == 0
    pred = tracker.prediction()
    assert pred is not None
    # it leaves at t=500 and reaches 1600 + 800 m 100 s later
    assert float(pred.arrival_time_s(2400.0)) - START_S == pytest.approx(600.0, abs=15.0)
    assert float(pred.station_at(START_S + 450.0)) == pytest.approx(1600.0, abs=10.0)
    # once it has left, the planned halt is not waited for again
    run(tracker, ((t, f) for t, f in fixes(g, along_route(g, truth), t_end_s=600.0) if t > 320))
    pred = tracker.prediction()
    assert pred is not None and not tracker.estimate(START_S + 600.0).halted
    assert float(pred.arrival_time_s(truth(600.0) + 800.0)) - START_S == pytest.approx(
        700.0, abs=8.0
    )


def test_speed_up_raises_pace_and_pulls_arrivals_in() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0)
    truth = station_profile([Leg(150.0, 8.0), Leg(600.0, 12.0)])
    tracker = PatrolTracker(g)
    run(tracker, fixes(g, along_route(g, truth), t_end_s=400.0, noise_m=3.0))
    est = tracker.estimate(START_S + 400.0)
    assert est.pace == pytest.approx(1.5, abs=0.08)
    assert est.speed_m_s == pytest.approx(12.0, abs=0.6)
    pred = tracker.prediction()
    assert pred is not None
    s_now = truth(400.0)
    assert float(pred.arrival_time_s(s_now + 1200.0)) - START_S == pytest.approx(500.0, abs=8.0)
    assert est.schedule_slip_s is not None and est.schedule_slip_s < -50.0  # ahead of plan


def test_detour_goes_off_route_dead_reckons_and_rejoins() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0)
    index = route_index(g)

    def truth_xy(t: float) -> tuple[float, float]:
        # on the route to x=1600 (t=200), 200 m north at 4 m/s (50 s), 100 s east at 8 m/s
        # 200 m back south (50 s), then on along the route from x=2400
        if t < 200.0:
            return 8.0 * t, 0.0
        if t < 250.0:
            return 1600.0, 4.0 * (t - 200.0)
        if t < 350.0:
            return 1600.0 + 8.0 * (t - 250.0), 200.0
        if t < 400.0:
            return 2400.0, 200.0 - 4.0 * (t - 350.0)
        return 2400.0 + 8.0 * (t - 400.0), 0.0

    tracker = PatrolTracker(g, TrackerConfig(off_route_m=50.0, off_route_after_s=10.0))
    modes: dict[float, TrackMode] = {}
    for t, fix in fixes(g, truth_xy, t_end_s=520.0, rate_hz=1.0, noise_m=3.0, frame=ORIGIN):
        modes[t] = tracker.update(fix).mode
        if t == 300.0:
            pred = tracker.prediction()
            assert pred is not None and pred.dead_reckoning
            # dead reckoning along the actual heading (east), not along the route
            ahead = to_origin(g, pred.position_at(START_S + 310.0))
            assert ahead[0] == pytest.approx(1600 + 8.0 * 60, abs=25.0)
            assert ahead[1] == pytest.approx(200.0, abs=25.0)
    assert modes[205.0] is TrackMode.ON_ROUTE
    off = [t for t, m in modes.items() if m is TrackMode.OFF_ROUTE]
    assert 212.0 <= off[0] <= 230.0  # 50 m off at t=212.5, plus 10 s
    assert 390.0 <= off[-1] <= 400.0
    assert modes[520.0] is TrackMode.ON_ROUTE
    est = tracker.estimate(START_S + 520.0)
    assert est.station_m == pytest.approx(2400.0 + 8.0 * 120.0, abs=15.0)
    assert est.station_m is not None
    assert np.hypot(*(to_origin(g, index.point_at(est.station_m)) - (3360.0, 0.0))) < 15.0


def test_dropout_goes_stale_then_recovers_further_along() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0)
    truth = station_profile([Leg(900.0, 8.0)])
    tracker = PatrolTracker(g, TrackerConfig(stale_after_s=10.0))
    stream = fixes(g, along_route(g, truth), t_end_s=400.0, gaps=[(200.0, 260.0)])
    for t, fix in stream:
        if t == 260.0:
            assert tracker.estimate(START_S + 205.0).mode is TrackMode.ON_ROUTE
            assert tracker.estimate(START_S + 215.0).mode is TrackMode.STALE
            stale = tracker.estimate(START_S + 259.0)
            assert stale.mode is TrackMode.STALE and stale.age_s == pytest.approx(60.0)
        est = tracker.update(fix)
        if t == 260.0:
            assert est.mode is TrackMode.ON_ROUTE
            assert est.station_m == pytest.approx(truth(260.0), abs=10.0)
    assert tracker.estimate(START_S + 400.0).station_m == pytest.approx(truth(400.0), abs=8.0)


def test_hairpin_route_is_not_snapped_to_the_other_leg() -> None:
    # 2 km east, a tight turn, and 2 km back west only 30 m north of the outbound leg
    hairpin = [(0.0, 0.0), (2000.0, 0.0), (2000.0, 30.0), (0.0, 30.0)]
    g = geometry(hairpin, speed_m_s=5.0)
    truth = station_profile([Leg(900.0, 5.0)])
    tracker = PatrolTracker(g)
    previous = 0.0
    for t, fix in fixes(g, along_route(g, truth), t_end_s=780.0, noise_m=8.0, seed=7):
        est = tracker.update(fix)
        assert est.station_m is not None
        assert abs(est.station_m - truth(t)) < 20.0, f"snapped to the wrong leg at t={t}"
        assert est.station_m >= previous - 40.0
        previous = est.station_m


def test_hairpin_acquisition_uses_the_timetable() -> None:
    hairpin = [(0.0, 0.0), (2000.0, 0.0), (2000.0, 30.0), (0.0, 30.0)]
    g = geometry(hairpin, speed_m_s=5.0)
    tracker = PatrolTracker(g)
    # first fix at mission time 700 s: the timetable says 3500 m, on the return leg,
    # even though the fix (with noise) sits closer to the outbound leg
    lat, lon = ORIGIN.to_wgs84(530.0, 12.0)
    est = tracker.update(TrackFix(START_S + 700.0, lat, lon))
    assert est.station_m == pytest.approx(3500.0, abs=5.0)


def test_bad_and_out_of_order_fixes_are_counted_not_used() -> None:
    g = geometry(L_ROUTE)
    tracker = PatrolTracker(g)
    lat, lon = ORIGIN.to_wgs84(100.0, 0.0)
    tracker.update(PatrolFix(time_s=START_S + 12.0, lat_deg=lat, lon_deg=lon, speed_m_s=8.0))
    tracker.update(TrackFix(START_S + 11.0, lat, lon))
    tracker.update(TrackFix(START_S + 13.0, float("nan"), lon))
    tracker.update(TrackFix(START_S + 14.0, 95.0, lon))
    est = tracker.estimate(START_S + 14.0)
    assert est.fixes_accepted == 1 and est.fixes_rejected == 3
    assert est.station_m == pytest.approx(100.0, abs=0.5)


def test_before_any_fix_it_is_acquiring() -> None:
    tracker = PatrolTracker(geometry(L_ROUTE))
    est = tracker.estimate(START_S)
    assert est.mode is TrackMode.ACQUIRING and est.station_m is None
    assert tracker.prediction() is None
    assert np.isnan(tracker.arrival_times_s(np.array([10.0]))).all()


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="rejoin_m"):
        TrackerConfig(off_route_m=20.0, rejoin_m=30.0)
    with pytest.raises(ValueError, match="stale_after_s"):
        TrackerConfig(stale_after_s=-1.0)


def test_receiver_speed_and_course_are_used() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0)
    truth = station_profile([Leg(100.0, 8.0), Leg(100.0, 0.0), Leg(100.0, 8.0)])
    index = route_index(g)
    tracker = PatrolTracker(g)
    halted_at = None
    for k in range(150):
        t = float(k)
        x, y = index.point_at(truth(t))
        lat, lon = g.frame.to_wgs84(float(x), float(y))
        speed = 0.0 if 100.0 <= t < 200.0 else 8.0
        est = tracker.update(PatrolFix(START_S + t, lat, lon, speed_m_s=speed, course_deg=90.0))
        if est.halted and halted_at is None:
            halted_at = t
    # the median Doppler speed over the window drops at once: no 15 s of fitting
    assert halted_at is not None and 100.0 <= halted_at <= 110.0
    assert est.ground_speed_m_s == 0.0


def test_locate_puts_a_cue_on_the_route_and_gives_its_eta() -> None:
    g = geometry(L_ROUTE, speed_m_s=8.0)
    truth = station_profile([Leg(900.0, 8.0)])
    tracker = PatrolTracker(g)
    run(tracker, fixes(g, along_route(g, truth), t_end_s=100.0, noise_m=0.0))
    lat, lon = ORIGIN.to_wgs84(6040.0, 1000.0)  # 40 m off the second leg
    cue = tracker.locate(lat, lon)
    assert cue.station_m == pytest.approx(7000.0, abs=2.0)
    assert cue.distance_m == pytest.approx(40.0, abs=1.0)
    eta = tracker.arrival_times_s(np.array([cue.station_m]))[0] - START_S
    assert eta == pytest.approx(7000.0 / 8.0, abs=3.0)
