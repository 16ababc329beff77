"""Random roads and the borders beside them, in metres: the ground of a generated patrol.

A road is a smooth random walk of its heading. The curvature (degrees per
metre) is an Ornstein–Uhlenbeck process, so bends come and go smoothly, and the
heading is pulled gently back towards the road's mean bearing, so the road
winds without wandering off. The heading never strays more than
:attr:`RoadStyle.max_wander_deg` (below 90°) from the mean bearing, so every
step makes progress along it and the road can never cross itself.

The styles are fitted to the example routes in ``missions/routes/``: the Konni
border road turns at most about 6° between vertices 260 m apart, the Makalondi
foot path, a handheld GPS track, up to about 12° every 85 m.

A border follows the road on one side: the road smoothed over a few
kilometres, pushed sideways by a gap that swells and narrows along it, and
drawn a few kilometres past both ends of the road (as borders in mission files
are: longer than the stretch patrolled).

Everything here is in a local metric frame (``x`` east, ``y`` north, metres)
and draws from the numpy ``Generator`` it is given, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: the step of the heading random walk, metres
WALK_STEP_M = 10.0
#: the step the border is built on before it is thinned to its vertices, metres
_BORDER_STEP_M = 50.0


@dataclass(frozen=True)
class RoadStyle:
    """How a road winds and how densely it is drawn.

    ``curvature_sd_deg_per_m`` is the spread of the curvature,
    ``curvature_correlation_m`` how long a bend lasts, ``heading_pull_m`` how
    quickly the heading returns to the mean bearing (the length over which a
    deviation decays, without new bends), ``vertex_spacing_m`` how far apart
    the route's vertices lie (±10 %).
    """

    vertex_spacing_m: float
    curvature_sd_deg_per_m: float
    curvature_correlation_m: float
    heading_pull_m: float
    max_wander_deg: float = 70.0


#: a laterite road drawn in QGIS, like routes/konni-border-road.geojson
VEHICLE_ROAD = RoadStyle(
    vertex_spacing_m=260.0,
    curvature_sd_deg_per_m=0.012,
    curvature_correlation_m=600.0,
    heading_pull_m=2500.0,
)
#: a bush path recorded by a handheld GPS, like routes/makalondi-foot-patrol.gpx
FOOT_PATH = RoadStyle(
    vertex_spacing_m=85.0,
    curvature_sd_deg_per_m=0.065,
    curvature_correlation_m=150.0,
    heading_pull_m=800.0,
)


def winding_road(
    rng: np.random.Generator,
    length_m: float,
    style: RoadStyle,
    bearing_deg: float,
    *,
    bendiness: float = 1.0,
) -> FloatArray:
    """The vertices (n, 2) of a road ``length_m`` long whose mean bearing is ``bearing_deg``.

    ``bendiness`` scales the style's curvature (1: as the examples). The road
    starts at (0, 0); its length along the vertices is ``length_m`` to the
    millimetre.
    """
    if not length_m > 0.0:
        raise ValueError(f"a road needs a positive length, got {length_m} m")
    headings = bearing_deg + _heading_deviation(rng, length_m * 1.05, style, bendiness)
    rad = np.radians(headings)
    steps = WALK_STEP_M * np.column_stack([np.sin(rad), np.cos(rad)])
    dense = np.vstack([np.zeros((1, 2)), np.cumsum(steps, axis=0)])
    spacing = style.vertex_spacing_m * rng.uniform(0.9, 1.1, size=int(length_m // 50) + 2)
    stations = np.concatenate([[0.0], np.cumsum(spacing)])
    # no sliver of a last leg: the last vertex but one sits a third of a spacing short at least
    inside = stations < length_m - style.vertex_spacing_m / 3.0
    stations = np.append(stations[inside], length_m)
    road = along(dense, stations)
    return _with_length(road, length_m)


def border_beside(
    rng: np.random.Generator,
    road: FloatArray,
    *,
    side: int,
    gap_m: tuple[float, float],
    smoothing_m: float,
    beyond_m: float,
    vertex_spacing_m: float,
) -> FloatArray:
    """The vertices of a border on ``side`` of ``road`` (+1 its right, -1 its left).

    The border is the road smoothed over ``smoothing_m``, pushed ``side`` by a
    gap that varies smoothly between ``gap_m[0]`` and ``gap_m[1]`` metres, and
    extended ``beyond_m`` past each end of the road; its vertices lie about
    ``vertex_spacing_m`` apart. Where the road bends more sharply than the
    smoothing, the border comes closer than the gap: callers check the
    distance they need.
    """
    length = polyline_length_m(road)
    stations = np.arange(-beyond_m, length + beyond_m + _BORDER_STEP_M / 2, _BORDER_STEP_M)
    centre = _smoothed(extended_along(road, stations), round(smoothing_m / _BORDER_STEP_M))
    heading = np.arctan2(*np.gradient(centre, axis=0).T)  # clockwise from north
    right = np.column_stack([np.cos(heading), -np.sin(heading)])
    low, high = gap_m
    wavelength = rng.uniform(4_000.0, 12_000.0)
    phase = rng.uniform(0.0, 2.0 * np.pi)
    swell = 0.5 + 0.5 * np.sin(2.0 * np.pi * stations / wavelength + phase)
    gap = low + (high - low) * swell
    line = centre + side * right * gap[:, None]
    count = max(2, round(float(stations[-1] - stations[0]) / vertex_spacing_m) + 1)
    picks = np.linspace(0, len(line) - 1, count).round().astype(int)
    return np.asarray(line[picks], dtype=float)


def polyline_length_m(points: FloatArray) -> float:
    """The length of a polyline (n, 2), metres."""
    return float(np.hypot(*np.diff(points, axis=0).T).sum())


def cumulative_m(points: FloatArray) -> FloatArray:
    """The distance along a polyline (n, 2) at each of its vertices, metres (0 first)."""
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])


def along(points: FloatArray, stations_m: FloatArray) -> FloatArray:
    """The points (m, 2) at ``stations_m`` along a polyline, clamped to its ends."""
    s = cumulative_m(points)
    x = np.interp(stations_m, s, points[:, 0])
    y = np.interp(stations_m, s, points[:, 1])
    return np.column_stack([x, y])


def extended_along(points: FloatArray, stations_m: FloatArray) -> FloatArray:
    """Like :func:`along`, but stations before the start or past the end continue straight on."""
    s = cumulative_m(points)
    out = along(points, np.clip(stations_m, 0.0, s[-1]))
    head = _unit(points[1] - points[0])
    tail = _unit(points[-1] - points[-2])
    before = stations_m < 0.0
    after = stations_m > s[-1]
    out[before] = points[0] + head * stations_m[before, None]
    out[after] = points[-1] + tail * (stations_m[after, None] - s[-1])
    return out


def heading_at_deg(points: FloatArray, stations_m: FloatArray) -> FloatArray:
    """The polyline's heading (degrees clockwise from north) on the leg at each station."""
    s = cumulative_m(points)
    leg = np.clip(np.searchsorted(s, stations_m, side="right") - 1, 0, len(points) - 2)
    d = points[leg + 1] - points[leg]
    return np.asarray(np.degrees(np.arctan2(d[:, 0], d[:, 1])), dtype=float)


def right_of(heading_deg: FloatArray | float) -> FloatArray:
    """Unit vectors (n, 2) pointing to the right of travel on ``heading_deg``."""
    h = np.radians(np.atleast_1d(np.asarray(heading_deg, dtype=float)))
    return np.column_stack([np.cos(h), -np.sin(h)])


def _heading_deviation(
    rng: np.random.Generator, length_m: float, style: RoadStyle, bendiness: float
) -> FloatArray:
    """The heading's deviation from the mean bearing at every walk step, degrees."""
    n = int(np.ceil(length_m / WALK_STEP_M))
    keep = np.exp(-WALK_STEP_M / style.curvature_correlation_m)
    sd = style.curvature_sd_deg_per_m * bendiness
    kicks = rng.normal(0.0, sd * np.sqrt(1.0 - keep * keep), size=n)
    curvature = float(rng.normal(0.0, sd))
    deviation = float(rng.normal(0.0, style.max_wander_deg / 6.0))
    pull = WALK_STEP_M / style.heading_pull_m
    limit = style.max_wander_deg
    out = np.empty(n)
    for i in range(n):
        out[i] = deviation
        curvature = curvature * keep + float(kicks[i])
        deviation += curvature * WALK_STEP_M - deviation * pull
        if abs(deviation) > limit:
            # turn back at the limit, so the road never doubles back on itself
            deviation = float(np.clip(deviation, -limit, limit))
            curvature = -curvature
    return out


def _with_length(road: FloatArray, length_m: float) -> FloatArray:
    """``road`` with its last vertex moved along the last leg so the road is ``length_m`` long."""
    short = length_m - polyline_length_m(road[:-1])
    out = road.copy()
    out[-1] = road[-2] + _unit(road[-1] - road[-2]) * short
    return out


def _smoothed(points: FloatArray, window: int) -> FloatArray:
    """A moving average of ``points`` over ``window`` samples, the ends held."""
    if window < 2:
        return points
    pad = window // 2
    padded = np.vstack([np.repeat(points[:1], pad, 0), points, np.repeat(points[-1:], pad, 0)])
    kernel = np.ones(window) / window
    x = np.convolve(padded[:, 0], kernel, mode="same")[pad : pad + len(points)]
    y = np.convolve(padded[:, 1], kernel, mode="same")[pad : pad + len(points)]
    return np.column_stack([x, y])


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.hypot(v[0], v[1]))
    return v / n if n > 0 else np.array([0.0, 1.0])
