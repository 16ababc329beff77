"""Energy: how long the battery lasts, what it takes to get back, when to turn home.

The consumption model is linear in time: a full battery lasts the vehicle's
``endurance_s`` (quoted for overwatch flying, about 10 m/s), so it drains
``100 / endurance_s`` percent per second; when the battery reports falling
faster than that (wind, a tired pack), the measured rate over the last
``window_s`` seconds is used instead. A multicopter draws more at cruise speed
than at overwatch speed (parasitic drag grows with the square of airspeed):
transits home are counted ``transit_drain_factor`` times dearer. The reserve
(``reserve_fraction`` of a full battery) must still be there on landing.

>>> from overwatch.mission import Camera, Vehicle
>>> v = Vehicle("q", 1, 10.0, 15.0, 3.0, 2.0, 1000.0, 0.2, Camera())
>>> m = EnergyModel(v)
>>> m.flight_left_s(50.0)
300.0
>>> m.return_needed_s(distance_m=1000.0, alt_rel_m=80.0)
140.0
"""

from __future__ import annotations

from collections import deque

import numpy as np

from overwatch.mission import Vehicle

#: a battery's average drain counts for planning once it has flown this long, s
SORTIE_WINDOW_S = 300.0


class EnergyModel:
    """Battery bookkeeping for one vehicle (percent, seconds, metres)."""

    def __init__(
        self, vehicle: Vehicle, window_s: float = 120.0, transit_drain_factor: float = 1.0
    ) -> None:
        if vehicle.endurance_s <= 0 or vehicle.cruise_speed_m_s <= 0:
            raise ValueError("vehicle.endurance_s and vehicle.cruise_speed_m_s must be > 0")
        if transit_drain_factor <= 0:
            raise ValueError("transit_drain_factor must be > 0")
        self.vehicle = vehicle
        self.window_s = window_s
        self.transit_drain_factor = transit_drain_factor
        self._samples: deque[tuple[float, float]] = deque()
        self._t0 = 0.0  # the first sample's time, which the sums count from
        self._sums = [0.0] * 5
        self._sortie: tuple[float, float] | None = None  # this battery's first sample
        self._latest: tuple[float, float] | None = None

    @property
    def nominal_drain_pct_per_s(self) -> float:
        return 100.0 / self.vehicle.endurance_s

    @property
    def reserve_pct(self) -> float:
        return 100.0 * self.vehicle.reserve_fraction

    def observe(self, now_s: float, battery_pct: float | None) -> None:
        """Record a battery reading (percent) taken at ``now_s``."""
        if battery_pct is None or not np.isfinite(battery_pct):
            return
        if self._samples and battery_pct > self._samples[-1][1] + 5.0:
            self._samples.clear()  # a fresh battery: the old slope means nothing
            self._sortie = None
        if self._sortie is None:
            self._sortie = (now_s, float(battery_pct))
        self._latest = (now_s, float(battery_pct))
        if not self._samples:
            self._t0 = now_s
            self._sums = [0.0] * 5
        self._samples.append((now_s, float(battery_pct)))
        self._add(now_s, float(battery_pct), 1.0)
        while self._samples and now_s - self._samples[0][0] > self.window_s:
            self._add(*self._samples.popleft(), -1.0)
        if self._samples[0][0] - self._t0 > self.window_s:  # count from the window's start
            self._t0 = self._samples[0][0]
            self._sums = [0.0] * 5
            for t_s, pct in self._samples:
                self._add(t_s, pct, 1.0)

    def _add(self, t_s: float, pct: float, sign: float) -> None:
        """Keep the least-squares sums (n, Σt, Σp, Σt², Σtp; t from the first sample)."""
        t = t_s - self._t0
        for i, value in enumerate((1.0, t, pct, t * t, t * pct)):
            self._sums[i] += sign * value

    def measured_drain_pct_per_s(self) -> float | None:
        """Least-squares drain over the window (percent per second), when 30 s or more are known."""
        if len(self._samples) < 3 or self._samples[-1][0] - self._samples[0][0] < 30.0:
            return None
        n, st, sp, stt, stp = self._sums
        slope = (stp - st * sp / n) / (stt - st * st / n)
        return -slope if slope < 0 else None

    def drain_pct_per_s(self) -> float:
        """The drain to plan with: the larger of nominal and measured."""
        measured = self.measured_drain_pct_per_s()
        nominal = self.nominal_drain_pct_per_s
        return nominal if measured is None else max(nominal, measured)

    def flight_left_s(self, battery_pct: float) -> float:
        """Seconds of flight before the battery reaches the reserve."""
        return (battery_pct - self.reserve_pct) / self.drain_pct_per_s()

    def sortie_drain_pct_per_s(self) -> float:
        """The drain to plan the rest of a patrol with: the larger of nominal and this
        battery's average so far, once it has flown :data:`SORTIE_WINDOW_S`. A climb-out or
        a chase at cruise speed drains faster for a minute or two; the watch that follows
        does not, so the window's slope, right for the way home, is too dear for the hours
        ahead, while a pack that is tired or fights wind shows in the average."""
        nominal = self.nominal_drain_pct_per_s
        first, last = self._sortie, self._latest
        if first is None or last is None or last[0] - first[0] < SORTIE_WINDOW_S:
            return nominal
        return max(nominal, (first[1] - last[1]) / (last[0] - first[0]))

    def sortie_flight_left_s(self, battery_pct: float) -> float:
        """Seconds of flight before the reserve at :meth:`sortie_drain_pct_per_s`."""
        return (battery_pct - self.reserve_pct) / self.sortie_drain_pct_per_s()

    def return_needed_s(self, *, distance_m: float, alt_rel_m: float) -> float:
        """Battery, in seconds of flight at the planning drain, to fly ``distance_m`` at
        cruise speed (``transit_drain_factor`` dearer) and descend from ``alt_rel_m``."""
        return self.transit_s(distance_m) * self.transit_drain_factor + self.descent_s(alt_rel_m)

    def transit_s(self, distance_m: float) -> float:
        """Clock seconds to fly ``distance_m`` at cruise speed."""
        return max(distance_m, 0.0) / self.vehicle.cruise_speed_m_s

    def descent_s(self, alt_rel_m: float) -> float:
        """Clock seconds to descend from ``alt_rel_m`` to the ground."""
        return max(alt_rel_m, 0.0) / self.vehicle.descent_rate_m_s

    def climb_s(self, alt_rel_m: float) -> float:
        """Clock seconds to climb from the ground to ``alt_rel_m``."""
        return max(alt_rel_m, 0.0) / self.vehicle.climb_rate_m_s
