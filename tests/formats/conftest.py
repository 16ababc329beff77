"""A hand-built Plan (the planner is written elsewhere): two sorties near Tillabéri, Niger.

Everything the exporters read is set on purpose: a keep-in, a keep-out, a
border with a buffer, two rally points, mission items with a NaN yaw and
position-less commands, a fence with an inclusion polygon given
counter-clockwise, an exclusion polygon, a circle and a return point, and
two coverage gaps.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from overwatch.items import Cmd, Frame, MissionItem, MissionType, home_placeholder
from overwatch.mission import (
    Airspace,
    Border,
    Camera,
    GeoPoint,
    KeepOut,
    Launch,
    Mission,
    MissionGeometry,
    Overwatch,
    Patrol,
    Vehicle,
)
from overwatch.planning.model import Coverage, Gap, Plan, Sortie, Trajectory

LAUNCH = GeoPoint(14.2000, 1.4500)
LAUNCH_ALT_MSL_M = 212.0
ROUTE = (GeoPoint(14.2000, 1.4500), GeoPoint(14.2300, 1.4700), GeoPoint(14.2600, 1.4750))
KEEP_IN_CCW = (  # counter-clockwise on a north-up map: SW, SE, NE, NW
    GeoPoint(14.1800, 1.4300),
    GeoPoint(14.1800, 1.5000),
    GeoPoint(14.2800, 1.5000),
    GeoPoint(14.2800, 1.4300),
)
KEEP_OUT = (
    GeoPoint(14.2200, 1.4800),
    GeoPoint(14.2250, 1.4900),
    GeoPoint(14.2200, 1.4950),
    GeoPoint(14.2150, 1.4900),
    GeoPoint(14.2150, 1.4820),
)
BORDER = (GeoPoint(14.1700, 1.4350), GeoPoint(14.2900, 1.4400))
RALLY = (GeoPoint(14.2100, 1.4550), GeoPoint(14.2450, 1.4720))
ALT_REL_M = 80.0


def build_mission() -> Mission:
    return Mission(
        name="Tillabéri East",
        patrol=Patrol(
            callsign="BRAVO-2",
            route=ROUTE,
            speed_m_s=8.0,
            leg_speeds_m_s=(8.0, 8.0),
            halts=(),
            start_time=datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
        ),
        vehicle=Vehicle(
            name="quad",
            sysid=1,
            cruise_speed_m_s=12.0,
            max_speed_m_s=16.0,
            climb_rate_m_s=3.0,
            descent_rate_m_s=2.0,
            endurance_s=1500.0,
            reserve_fraction=0.25,
            camera=Camera(),
        ),
        launch=Launch(site=LAUNCH, with_patrol=True, rally=RALLY, alt_msl_m=LAUNCH_ALT_MSL_M),
        airspace=Airspace(
            keep_in=KEEP_IN_CCW,
            keep_out=(KeepOut("market", KEEP_OUT),),
            border=Border("NE-BF", BORDER, 500.0),
        ),
        overwatch=Overwatch(),
    )


def sortie_items(waypoints: list[tuple[float, float]]) -> tuple[MissionItem, ...]:
    """Home, take-off, speed, waypoints (NaN yaw), ROI, loiter, RTL."""
    items = [
        home_placeholder(LAUNCH.lat_deg, LAUNCH.lon_deg, LAUNCH_ALT_MSL_M),
        MissionItem(Cmd.NAV_TAKEOFF, Frame.GLOBAL_RELATIVE_ALT, alt_m=ALT_REL_M,
                    lat_deg=LAUNCH.lat_deg, lon_deg=LAUNCH.lon_deg),
        MissionItem(Cmd.DO_CHANGE_SPEED, Frame.MISSION, param1=1.0, param2=12.0, param3=-1.0),
    ]  # fmt: skip
    items += [
        MissionItem(Cmd.NAV_WAYPOINT, Frame.GLOBAL_RELATIVE_ALT_INT, param4=math.nan,
                    lat_deg=lat, lon_deg=lon, alt_m=ALT_REL_M)
        for lat, lon in waypoints
    ]  # fmt: skip
    lat, lon = waypoints[-1]
    items += [
        MissionItem(Cmd.DO_SET_ROI_LOCATION, Frame.GLOBAL_RELATIVE_ALT,
                    lat_deg=lat + 0.002, lon_deg=lon, alt_m=0.0),
        MissionItem(Cmd.NAV_LOITER_TIME, Frame.GLOBAL_RELATIVE_ALT, param1=30.0,
                    lat_deg=lat, lon_deg=lon, alt_m=ALT_REL_M),
        MissionItem(Cmd.DO_SET_ROI_NONE, Frame.MISSION),
        MissionItem(Cmd.NAV_RETURN_TO_LAUNCH, Frame.MISSION),
    ]  # fmt: skip
    return tuple(items)


def fence_items() -> tuple[MissionItem, ...]:
    def vertex(cmd: Cmd, p: GeoPoint, n: int) -> MissionItem:
        return MissionItem(cmd, Frame.GLOBAL, param1=float(n), lat_deg=p.lat_deg,
                           lon_deg=p.lon_deg, mission_type=MissionType.FENCE)  # fmt: skip

    inc = Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION
    exc = Cmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION
    return (
        MissionItem(Cmd.NAV_FENCE_RETURN_POINT, Frame.GLOBAL_RELATIVE_ALT, lat_deg=14.2050,
                    lon_deg=1.4560, alt_m=60.0, mission_type=MissionType.FENCE),
        *(vertex(inc, p, len(KEEP_IN_CCW)) for p in KEEP_IN_CCW),
        *(vertex(exc, p, len(KEEP_OUT)) for p in KEEP_OUT),
        MissionItem(Cmd.NAV_FENCE_CIRCLE_EXCLUSION, Frame.GLOBAL, param1=150.0, lat_deg=14.2500,
                    lon_deg=1.4900, mission_type=MissionType.FENCE),
    )  # fmt: skip


def rally_items() -> tuple[MissionItem, ...]:
    return tuple(
        MissionItem(Cmd.NAV_RALLY_POINT, Frame.GLOBAL_RELATIVE_ALT, lat_deg=p.lat_deg,
                    lon_deg=p.lon_deg, alt_m=60.0, mission_type=MissionType.RALLY)
        for p in RALLY
    )  # fmt: skip


def build_trajectory(geometry: MissionGeometry, windows: list[tuple[float, float, int]],
                     end_s: float, step_s: float = 2.0) -> Trajectory:  # fmt: skip
    """A drone that climbs at launch, flies 20 m/s up the route and back down, per window."""
    t = np.arange(0.0, end_s + step_s / 2, step_s)
    n = len(t)
    x, y = np.zeros(n), np.zeros(n)
    alt = np.zeros(n)
    sortie = np.full(n, -1, dtype=np.int64)
    route = geometry.route
    for start, end, index in windows:
        m = (t >= start) & (t <= end)
        tau = t[m] - start
        along = np.minimum(tau, (end - start) - tau) * 10.0
        pts = [route.interpolate(min(float(s), route.length)) for s in along]
        x[m] = [p.x for p in pts]
        y[m] = [p.y for p in pts]
        alt[m] = np.minimum(ALT_REL_M, np.minimum(tau, (end - start) - tau) * 3.0)
        sortie[m] = index
    yaw = np.degrees(np.arctan2(np.gradient(x), np.gradient(y))) % 360.0
    return Trajectory(
        t_s=t,
        x_m=x,
        y_m=y,
        alt_rel_m=alt,
        yaw_deg=yaw,
        gimbal_pitch_deg=np.full(n, -45.0),
        sortie=sortie,
        watching=(sortie >= 0) & (alt >= ALT_REL_M - 1e-9),
    )


def coverage(gaps: tuple[Gap, ...]) -> Coverage:
    stations = np.arange(0.0, 7000.0, 10.0)
    return Coverage(
        lead_coverage=0.8,
        longest_gap_m=max((g.length_m for g in gaps), default=0.0),
        gaps=gaps,
        sample_count=len(stations) * 5,
        station_m=stations,
        station_fraction=np.ones_like(stations),
    )


def build_plan() -> Plan:
    mission = build_mission()
    geometry = MissionGeometry.of(mission)
    wp1 = [(14.2100, 1.4570), (14.2250, 1.4670), (14.2300, 1.4700)]
    wp2 = [(14.2350, 1.4710), (14.2500, 1.4740), (14.2600, 1.4750)]
    traj = build_trajectory(geometry, [(0.0, 700.0, 0), (900.0, 1500.0, 1)], 1600.0)
    baseline = build_trajectory(geometry, [(0.0, 650.0, 0)], 1600.0)
    sorties = tuple(
        Sortie(
            index=i,
            takeoff_t_s=t0,
            landing_t_s=t1,
            takeoff_xy_m=(float(geometry.launch.x), float(geometry.launch.y)),
            landing_xy_m=(float(geometry.launch.x), float(geometry.launch.y)),
            items=sortie_items(wps),
            distance_m=5000.0,
            reserve_at_landing=0.3,
        )
        for i, (t0, t1, wps) in enumerate([(0.0, 700.0, wp1), (900.0, 1500.0, wp2)])
    )
    gaps = (Gap(1200.0, 1650.0, "battery swap"), Gap(5200.0, 5400.0, "keep-out"))
    return Plan(
        mission=mission,
        geometry=geometry,
        strategy="lead",
        trajectory=traj,
        sorties=sorties,
        fence_items=fence_items(),
        rally_items=rally_items(),
        coverage=coverage(gaps),
        baseline_trajectory=baseline,
        baseline_coverage=coverage(()),
    )


@pytest.fixture(scope="session")
def plan() -> Plan:
    return build_plan()
