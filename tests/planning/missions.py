"""Missions for planner tests, built from the dataclasses in metres around a fixed origin."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from overwatch.geo import LocalFrame
from overwatch.mission import (
    Airspace,
    Border,
    Camera,
    GeoPoint,
    Halt,
    KeepOut,
    Launch,
    Mission,
    Overwatch,
    Patrol,
    Vehicle,
)

ORIGIN = LocalFrame(13.5, 2.1)
XY = tuple[float, float]


def geo(xy: Sequence[XY]) -> tuple[GeoPoint, ...]:
    """Local metres around ORIGIN → GeoPoints."""
    out = []
    for x, y in xy:
        lat, lon = ORIGIN.to_wgs84(float(x), float(y))
        out.append(GeoPoint(lat, lon))
    return tuple(out)


def vehicle(**changes: object) -> Vehicle:
    """The reference quad: 15 m/s max, 12 m/s cruise, 35 min, 20 % reserve, 70×55° at -45°."""
    base = Vehicle(
        name="quad",
        sysid=1,
        cruise_speed_m_s=12.0,
        max_speed_m_s=15.0,
        climb_rate_m_s=3.0,
        descent_rate_m_s=2.0,
        endurance_s=35 * 60.0,
        reserve_fraction=0.2,
        camera=Camera(hfov_deg=70.0, vfov_deg=55.0, gimbal_pitch_deg=-45.0),
        turnaround_s=300.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def make_mission(
    route: Sequence[XY],
    *,
    speed_m_s: float = 30 / 3.6,
    halts: Sequence[tuple[float, float]] = (),
    keep_outs: Sequence[Sequence[XY]] = (),
    border: Sequence[XY] | None = None,
    border_buffer_m: float = 200.0,
    keep_in: Sequence[XY] | None = None,
    launch: XY | None = None,
    with_patrol: bool = False,
    rally: Sequence[XY] = (),
    strategy: str = "lead",
    the_vehicle: Vehicle | None = None,
    overwatch: Overwatch | None = None,
    min_alt_m: float = 20.0,
    max_alt_m: float = 120.0,
) -> Mission:
    """A mission from local metres (x east, y north) around ORIGIN."""
    launch_xy = launch if launch is not None else route[0]
    return Mission(
        name="test",
        patrol=Patrol(
            callsign="P1",
            route=geo(route),
            speed_m_s=speed_m_s,
            leg_speeds_m_s=tuple(speed_m_s for _ in range(len(route) - 1)),
            halts=tuple(Halt(at_m=a, duration_s=d) for a, d in halts),
            start_time=datetime(2026, 1, 1, 6, 0, tzinfo=UTC),
        ),
        vehicle=the_vehicle or vehicle(),
        launch=Launch(site=geo([launch_xy])[0], with_patrol=with_patrol, rally=geo(rally)),
        airspace=Airspace(
            keep_in=geo(keep_in) if keep_in is not None else None,
            keep_out=tuple(KeepOut(name=f"ko{i}", polygon=geo(p)) for i, p in enumerate(keep_outs)),
            border=Border(name="border", line=geo(border), buffer_m=border_buffer_m)
            if border
            else None,
            min_alt_agl_m=min_alt_m,
            max_alt_agl_m=max_alt_m,
        ),
        overwatch=overwatch or Overwatch(strategy=strategy),  # type: ignore[arg-type]
    )


def straight_route(length_m: float, step_m: float = 1000.0) -> list[XY]:
    n = max(1, round(length_m / step_m))
    return [(i * length_m / n, 0.0) for i in range(n + 1)]


def winding_route(
    rng: random.Random, length_m: float, leg_m: float = 500.0, turn_deg: float = 35.0
) -> list[XY]:
    """A random winding road heading roughly east, ``length_m`` long, legs of ``leg_m``."""
    heading = 90.0
    pts = [(0.0, 0.0)]
    done = 0.0
    while done < length_m - 1e-6:
        step = min(leg_m, length_m - done)
        heading += rng.uniform(-turn_deg, turn_deg)
        heading = min(max(heading, 30.0), 150.0)  # keep going east
        x, y = pts[-1]
        rad = math.radians(heading)
        pts.append((x + step * math.sin(rad), y + step * math.cos(rad)))
        done += step
    return pts


def border_north_of(route: Sequence[XY], gap_m: float, every_m: float = 2000.0) -> list[XY]:
    """A border line following the route's northern envelope ``gap_m`` above it."""
    xs = [p[0] for p in route]
    x0, x1 = min(xs) - 1000.0, max(xs) + 1000.0
    out = []
    n = max(2, math.ceil((x1 - x0) / every_m) + 1)
    for i in range(n):
        x = x0 + (x1 - x0) * i / (n - 1)
        near = [p[1] for p in _densify(route, 100.0) if abs(p[0] - x) <= every_m]
        y = (max(near) if near else max(p[1] for p in route)) + gap_m
        out.append((x, y))
    return out


def keep_outs_beside(
    rng: random.Random,
    route: Sequence[XY],
    count: int,
    *,
    min_station_m: float = 800.0,
    near_m: float = 60.0,
) -> list[list[XY]]:
    """``count`` small polygons south of the route, ``near_m`` or more from its centreline."""
    dense = _densify(route, 50.0)
    out = []
    stations = sorted(rng.uniform(min_station_m / 50.0, len(dense) - 2) for _ in range(count))
    for s in stations:
        i = int(s)
        (ax, ay), (bx, by) = dense[i], dense[i + 1]
        h = math.atan2(bx - ax, by - ay)
        right = (math.cos(h), -math.sin(h))  # south-ish when heading east
        size = rng.uniform(80.0, 300.0)
        off = near_m + rng.uniform(0.0, 300.0) + size
        cx, cy = ax + right[0] * off, ay + right[1] * off
        sides = rng.randint(4, 7)
        poly = []
        for k in range(sides):
            a = 2 * math.pi * k / sides + rng.uniform(-0.3, 0.3)
            r = size * rng.uniform(0.7, 1.0)
            poly.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        out.append(poly)
    return out


def box_around(points: Sequence[XY], pad_m: float) -> list[XY]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1, y0, y1 = min(xs) - pad_m, max(xs) + pad_m, min(ys) - pad_m, max(ys) + pad_m
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _densify(route: Sequence[XY], step_m: float) -> list[XY]:
    out = [route[0]]
    for (ax, ay), (bx, by) in itertools.pairwise(route):
        n = max(1, math.ceil(math.hypot(bx - ax, by - ay) / step_m))
        out.extend((ax + (bx - ax) * i / n, ay + (by - ay) * i / n) for i in range(1, n + 1))
    return out


def generated_mission(
    seed: int, length_m: float, keep_out_count: int = 20, **kw: object
) -> Mission:
    """A seeded winding route with keep-outs south of it, a border north of it and a keep-in box."""
    rng = random.Random(seed)
    route = winding_route(rng, length_m)
    return make_mission(
        route,
        keep_outs=keep_outs_beside(rng, route, keep_out_count),
        border=border_north_of(route, 400.0),
        border_buffer_m=150.0,
        keep_in=box_around(route, 2500.0),
        **kw,  # type: ignore[arg-type]
    )
