"""Where sorties land and relaunch: fixed sites, or with the patrol's vehicle.

A :class:`LandingPolicy` gives the flight three things: the routed path home
from any point and time, a cheap lower bound of its length, and where the next
sortie takes off.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from overwatch.planning.model import FloatArray
from overwatch.planning.routeview import RouteView
from overwatch.planning.zone import FlyZone

XY = tuple[float, float]


class LandingPolicy(Protocol):
    """Where a sortie ends and where the next one starts."""

    def return_path(self, zone: FlyZone, xy: XY, t_s: float, speed_m_s: float) -> FloatArray:
        """The clear path (m, 2) home from ``xy`` at time ``t_s``, ending on the landing site."""
        ...

    def lower_bound_m(self, xy: XY, t_s: float) -> float:
        """A distance no longer than the return path's, metres (cheap)."""
        ...

    def relaunch_site(self, zone: FlyZone, landed: XY, t_s: float) -> XY:
        """Where the next sortie takes off, at relaunch time ``t_s``."""
        ...


@dataclass(frozen=True)
class FixedSites:
    """Land at whichever of the launch site and the rally points is quickest; relaunch there."""

    sites: tuple[XY, ...]

    def return_path(self, zone: FlyZone, xy: XY, t_s: float, speed_m_s: float) -> FloatArray:
        paths = [zone.path(xy, site) for site in self.sites]
        return min(paths, key=length_m)

    def lower_bound_m(self, xy: XY, t_s: float) -> float:
        return min(math.dist(xy, site) for site in self.sites)

    def relaunch_site(self, zone: FlyZone, landed: XY, t_s: float) -> XY:
        return landed


@dataclass(frozen=True, eq=False)
class WithPatrol:
    """The launcher rides with the patrol: land where the patrol will be, relaunch from the vehicle.

    The landing point is the patrol's predicted position when the drone gets
    there (solved by a few fixed-point steps), pushed into allowed airspace;
    the battery is swapped on the move and the next sortie takes off from the
    patrol's position ``turnaround_s`` later.
    """

    route: RouteView
    cruise_m_s: float
    _t: list[float] = field(default_factory=list, repr=False)
    _x: list[float] = field(default_factory=list, repr=False)
    _y: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        sched = self.route.schedule
        t = np.arange(0.0, sched.duration_s + 1.0, 1.0)
        xy = self.route.points(sched.station_at(t))
        self._t.extend(t.tolist())
        self._x.extend(xy[:, 0].tolist())
        self._y.extend(xy[:, 1].tolist())

    def _patrol(self, t_s: float) -> XY:
        ts = self._t
        if t_s <= ts[0]:
            return (self._x[0], self._y[0])
        if t_s >= ts[-1]:
            return (self._x[-1], self._y[-1])
        i = bisect.bisect_right(ts, t_s) - 1
        f = (t_s - ts[i]) / (ts[i + 1] - ts[i])
        return (
            self._x[i] + (self._x[i + 1] - self._x[i]) * f,
            self._y[i] + (self._y[i + 1] - self._y[i]) * f,
        )

    def return_path(self, zone: FlyZone, xy: XY, t_s: float, speed_m_s: float) -> FloatArray:
        target = self._patrol(t_s)
        path = zone.path(xy, _pushed(zone, target))
        for _ in range(3):
            eta = length_m(path) / speed_m_s
            path = zone.path(xy, _pushed(zone, self._patrol(t_s + eta)))
        return path

    def lower_bound_m(self, xy: XY, t_s: float) -> float:
        # drone and patrol close in at most cruise + patrol speed
        closing = self.cruise_m_s / (self.cruise_m_s + self.route.max_speed_m_s)
        return math.dist(xy, self._patrol(t_s)) * closing

    def relaunch_site(self, zone: FlyZone, landed: XY, t_s: float) -> XY:
        return _pushed(zone, self._patrol(t_s))


def as_xy(a: FloatArray) -> XY:
    """A row of an (n, 2) array as a plain ``(x_m, y_m)`` pair."""
    return (float(a[0]), float(a[1]))


def length_m(path: FloatArray) -> float:
    """Length of a polyline (n, 2), metres."""
    return float(np.hypot(*np.diff(path, axis=0).T).sum())


def _pushed(zone: FlyZone, point: XY) -> XY:
    return as_xy(zone.push(np.array([point], dtype=float))[0])
