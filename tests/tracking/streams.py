"""Synthetic patrol fix streams: a true motion plus seeded GPS noise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString

from overwatch.geo import LocalFrame
from overwatch.mission import MissionGeometry
from overwatch.tracking import RouteIndex, TrackFix
from tests.tracking.missions import START_S


@dataclass(frozen=True)
class Leg:
    """``duration_s`` seconds at ``speed_m_s`` along the route (0: a halt)."""

    duration_s: float
    speed_m_s: float


def station_profile(legs: list[Leg]) -> Callable[[float], float]:
    """True station (m) at mission time ``t`` (s since the start) for a list of legs."""
    knots_t = np.concatenate([[0.0], np.cumsum([leg.duration_s for leg in legs])])
    knots_s = np.concatenate([[0.0], np.cumsum([leg.duration_s * leg.speed_m_s for leg in legs])])
    return lambda t: float(np.interp(t, knots_t, knots_s))


def route_index(geometry: MissionGeometry) -> RouteIndex:
    return RouteIndex.build(geometry.route, geometry.mission.patrol.leg_speeds_m_s)


def fixes(
    geometry: MissionGeometry,
    truth_xy: Callable[[float], tuple[float, float]],
    *,
    t_end_s: float,
    rate_hz: float = 1.0,
    noise_m: float = 3.0,
    seed: int = 1,
    gaps: list[tuple[float, float]] | None = None,
    frame: LocalFrame | None = None,
) -> Iterator[tuple[float, TrackFix]]:
    """Yield ``(mission_time_s, fix)`` pairs from 0 to ``t_end_s``; none inside ``gaps``.

    ``truth_xy`` gives metres in ``frame`` (default: the mission's own frame).
    """
    frame = frame or geometry.frame
    rng = np.random.default_rng(seed)
    for k in range(int(t_end_s * rate_hz) + 1):
        t = k / rate_hz
        if gaps and any(a <= t < b for a, b in gaps):
            continue
        x, y = truth_xy(t)
        nx, ny = rng.normal(0.0, noise_m, 2) if noise_m > 0 else (0.0, 0.0)
        lat, lon = frame.to_wgs84(x + float(nx), y + float(ny))
        yield t, TrackFix(time_s=START_S + t, lat_deg=lat, lon_deg=lon)


def along_route(
    geometry: MissionGeometry, station: Callable[[float], float]
) -> Callable[[float], tuple[float, float]]:
    route: LineString = geometry.route
    index = RouteIndex.build(route, geometry.mission.patrol.leg_speeds_m_s)

    def xy(t: float) -> tuple[float, float]:
        p = index.point_at(station(t))
        return float(p[0]), float(p[1])

    return xy
