"""The patrol timetable: speeds per leg and halts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from overwatch.mission.schedule import PatrolSchedule

L_ROUTE = LineString([(0, 0), (1000, 0), (1000, 1000)])


def test_per_leg_speeds_set_the_arrival_times():
    s = PatrolSchedule.build(L_ROUTE, (10.0, 5.0), [])
    assert s.arrival_time_s(1000.0) == 100.0
    assert s.arrival_time_s(1500.0) == 200.0
    assert s.duration_s == 300.0


def test_a_halt_holds_the_station_and_delays_what_follows():
    s = PatrolSchedule.build(L_ROUTE, (10.0, 10.0), [(400.0, 120.0)])
    assert s.arrival_time_s(400.0) == 40.0
    assert s.departure_time_s(400.0) == 160.0
    assert s.station_at(100.0) == 400.0
    assert s.is_halted(100.0) and not s.is_halted(170.0)
    assert np.isclose(s.arrival_time_s(500.0), 170.0)
    assert s.duration_s == 320.0


def test_a_halt_at_the_start_delays_departure():
    s = PatrolSchedule.build(L_ROUTE, (10.0, 10.0), [(0.0, 60.0)])
    assert s.arrival_time_s(0.0) == 0.0
    assert s.departure_time_s(0.0) == 60.0
    assert np.isclose(s.arrival_time_s(10.0), 61.0, atol=1e-6)


def test_positions_and_headings_follow_the_route():
    s = PatrolSchedule.build(L_ROUTE, (10.0, 10.0), [])
    assert np.allclose(s.position_at(50.0), [500.0, 0.0])
    assert np.allclose(s.position_at(np.array([0.0, 150.0])), [[0.0, 0.0], [1000.0, 500.0]])
    assert s.heading_at_station(500.0) == 90.0  # east
    assert s.heading_at_station(1500.0) == 0.0  # north


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(1.0, 30.0), min_size=2, max_size=2),
    st.lists(st.tuples(st.floats(0, 2000), st.floats(1, 600)), max_size=4),
)
def test_station_and_arrival_are_inverse_and_monotone(speeds, halts):
    s = PatrolSchedule.build(L_ROUTE, tuple(speeds), halts)
    stations = np.linspace(0, 2000, 101)
    arrivals = s.arrival_time_s(stations)
    assert np.all(np.diff(arrivals) >= 0)
    assert np.allclose(s.station_at(arrivals), stations, atol=1e-6)
    assert np.all(s.departure_time_s(stations) >= arrivals - 1e-9)
    halt_total = sum(d for _, d in halts)
    moving = 1000 / speeds[0] + 1000 / speeds[1]
    assert np.isclose(s.duration_s, moving + halt_total)
