"""Synthetic, deterministic session snapshots along a mission's route.

For the UI's tests, benchmark and screenshots (and for trying the UI without
a drone): the patrol at a given station, the drone ahead of it with its
camera footprint, ``n_cues`` cues scattered along the road, coverage, events
and a small video frame. Same arguments, same snapshot.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from overwatch.mission import MissionGeometry
from overwatch.ops.state import (
    CoverageView,
    CueView,
    DroneView,
    EventLine,
    LatLon,
    PatrolView,
    SessionSnapshot,
    Severity,
)

T0_S = 1_796_103_000.0  # 2026-12-01 06:30 UTC, a fixed moment for screenshots
KINDS = ("vehicle", "person", "group", "motorbike", "object")
PATROL_SPEED_M_S = 8.3


def _along(geometry: MissionGeometry, station_m: float) -> tuple[float, float, float]:
    """``(x_m, y_m, heading_deg)`` at ``station_m`` along the route."""
    route = geometry.route
    s = min(max(station_m, 0.0), route.length)
    p = route.interpolate(s)
    q = route.interpolate(min(route.length, s + 5.0))
    r = route.interpolate(max(0.0, s - 5.0))
    heading = math.degrees(math.atan2(q.x - r.x, q.y - r.y)) % 360.0
    return float(p.x), float(p.y), heading


def _to_wgs84(geometry: MissionGeometry, x: float, y: float) -> LatLon:
    lat, lon = geometry.frame.to_wgs84(x, y)
    return (round(lat, 7), round(lon, 7))


def _trail(geometry: MissionGeometry, end_m: float, length_m: float) -> tuple[LatLon, ...]:
    stations = np.arange(max(0.0, end_m - length_m), end_m + 1e-6, 50.0)
    return tuple(_to_wgs84(geometry, *_along(geometry, float(s))[:2]) for s in stations)


def video_frame(width: int = 64, height: int = 36, phase: int = 0) -> npt.NDArray[np.uint8]:
    """A small RGB test picture: a sand-coloured gradient with a dark vehicle-sized block."""
    y, x = np.mgrid[0:height, 0:width]
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    frame[..., 0] = 150 + (x * 60 // max(1, width)).astype(np.uint8)
    frame[..., 1] = 120 + (y * 60 // max(1, height)).astype(np.uint8)
    frame[..., 2] = 80
    frame[height // 2 - 1 : height // 2 + 3, 10 + phase % 40 : 16 + phase % 40] = (30, 30, 30)
    return frame


def _drone_at(
    geometry: MissionGeometry, lead_m: float, link_lost: bool, age_offset_s: float
) -> DroneView:
    """A drone watching the road at ``lead_m`` along the route, with its footprint and trail."""
    dx, dy, d_heading = _along(geometry, lead_m)
    heading_rad = math.radians(d_heading)
    ahead = np.array([math.sin(heading_rad), math.cos(heading_rad)])
    side = np.array([ahead[1], -ahead[0]])
    centre = np.array([dx, dy]) + ahead * 80.0
    corners = [
        centre - ahead * 40 - side * 60,
        centre - ahead * 40 + side * 60,
        centre + ahead * 120 + side * 140,
        centre + ahead * 120 - side * 140,
    ]
    footprint = tuple(_to_wgs84(geometry, float(c[0]), float(c[1])) for c in corners)
    return DroneView(
        position=_to_wgs84(geometry, dx, dy),
        alt_rel_m=80.0,
        groundspeed_m_s=9.4,
        heading_deg=round(d_heading, 1),
        mode="GUIDED",
        armed=True,
        airborne=True,
        battery_pct=64.0,
        battery_v=15.6,
        battery_time_left_s=1_140.0,
        gps_fix="3D FIX",
        gps_satellites=14,
        link_quality_pct=0.0 if link_lost else 97.0,
        last_message_age_s=(12.4 if link_lost else 0.3) + age_offset_s,
        link_lost=link_lost,
        mission_item=None,
        guidance_state="LEAD +1.5 km",
        footprint=footprint,
        trail=_trail(geometry, lead_m, 800.0),
    )


def synthetic_snapshot(
    geometry: MissionGeometry,
    *,
    time_s: float = T0_S,
    station_m: float = 3_000.0,
    n_cues: int = 12,
    seed: int = 7,
    link_lost: bool = False,
    with_video: bool = True,
    age_offset_s: float = 0.0,
) -> SessionSnapshot:
    """A plausible moment of a session (see the module docstring)."""
    rng = np.random.default_rng(seed)
    route_m = float(geometry.route.length)
    px, py, p_heading = _along(geometry, station_m)
    drone = _drone_at(geometry, min(route_m, station_m + 1_500.0), link_lost, age_offset_s)
    patrol = PatrolView(
        source="nmea udp:10110",
        feed_status="LIVE",
        fix_age_s=0.8,
        position=_to_wgs84(geometry, px, py),
        heading_deg=round(p_heading, 1),
        speed_m_s=PATROL_SPEED_M_S,
        station_m=station_m,
        route_length_m=route_m,
        next_checkpoint="checkpoint",
        eta_next_checkpoint_s=185.0,
        off_route_m=6.0,
        trail=_trail(geometry, station_m, 600.0),
    )
    cues = []
    stations = rng.uniform(0.0, route_m, n_cues)
    offsets = rng.uniform(-350.0, 350.0, n_cues)
    severities = list(Severity)
    for i in range(n_cues):
        x, y, h = _along(geometry, float(stations[i]))
        normal = np.array([math.cos(math.radians(h)), -math.sin(math.radians(h))])
        cx, cy = np.array([x, y]) + normal * offsets[i]
        eta = (stations[i] - station_m) / PATROL_SPEED_M_S if stations[i] > station_m else None
        cues.append(
            CueView(
                cue_id=f"c{i:03d}",
                kind=KINDS[i % len(KINDS)],
                position=_to_wgs84(geometry, float(cx), float(cy)),
                sigma_m=15.0,
                eta_s=None if eta is None else round(float(eta), 1),
                off_route_m=round(abs(float(offsets[i])), 0),
                confidence=round(float(rng.uniform(0.4, 0.99)), 2),
                age_s=round(float(rng.uniform(5.0, 900.0)) + age_offset_s, 1),
                status=("new", "new", "acknowledged", "dismissed")[i % 4],
                severity=severities[int(rng.integers(0, len(severities)))],
                source="detector",
                notes=("seen twice",) if i % 5 == 0 else (),
            )
        )
    coverage = CoverageView(
        lead_coverage=0.62,
        watched_to_m=min(route_m, station_m + 1_200.0),
        unwatched_ahead=((min(route_m, station_m + 2_500.0), min(route_m, station_m + 3_600.0)),),
    )
    events = (
        EventLine(time_s - 300.0, "info", "patrol feed LIVE (nmea udp:10110)"),
        EventLine(time_s - 240.0, "info", "armed, taking off to 80 m"),
        EventLine(time_s - 200.0, "info", "overwatch started: lead"),
        EventLine(time_s - 60.0, "warning", "cue c003 vehicle 210 m off route"),
    ) + ((EventLine(time_s - 12.4, "error", "link lost: no heartbeat"),) if link_lost else ())
    return SessionSnapshot(
        time_s=time_s,
        drone=drone,
        patrol=patrol,
        cues=tuple(cues),
        coverage=coverage,
        events=events,
        strategy="lead",
        video_frame=video_frame() if with_video else None,
        video_status="rtp 1280x720 12 fps" if with_video else "no video",
    )


def synthetic_team_snapshot(
    geometry: MissionGeometry,
    *,
    names: tuple[str, ...] = ("Hexa-1", "Hexa-2"),
    duty: int | None = 0,
    station_m: float = 3_000.0,
    **options: Any,
) -> SessionSnapshot:
    """:func:`synthetic_snapshot` with a team: drone 1 on station (the single drone's),
    drone 2 flying out to relieve it 900 m behind, with a fuller battery; more drones
    wait on the ground at launch. ``duty`` is the index on duty (None: none yet)."""
    single = synthetic_snapshot(geometry, station_m=station_m, **options)
    route_m = float(geometry.route.length)
    lead_m = min(route_m, station_m + 1_500.0)
    watching = replace(single.drone, name=names[0], sysid=1, role="on station")
    relief = replace(
        _drone_at(geometry, max(0.0, lead_m - 900.0), False, 0.0),
        name=names[1],
        sysid=2,
        role="to station",
        alt_rel_m=65.0,
        groundspeed_m_s=14.8,
        battery_pct=97.0,
        battery_v=16.7,
        battery_time_left_s=1_900.0,
        guidance_state="TRANSIT",
    )
    launch = geometry.frame.to_wgs84(float(geometry.launch.x), float(geometry.launch.y))
    waiting = tuple(
        DroneView(
            position=(round(launch[0], 7), round(launch[1], 7)),
            alt_rel_m=0.0,
            mode="STABILIZE",
            battery_pct=100.0,
            gps_fix="3D FIX",
            link_lost=False,
            last_message_age_s=0.4,
            name=name,
            sysid=3 + i,
            role="standby",
        )
        for i, name in enumerate(names[2:])
    )
    drones = (watching, relief, *waiting)
    shown = drones[duty] if duty is not None else drones[0]
    return replace(single, drone=shown, drones=drones, duty=duty)
