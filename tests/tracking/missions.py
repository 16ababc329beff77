"""Missions built in code for tracker and guidance tests (no YAML loader needed).

Shapes are given in local metres around a fixed origin in the Sahel and turned
into WGS84 with a :class:`LocalFrame`; the mission's own frame (centred on its
extent) differs by well under a millimetre per kilometre.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from overwatch.geo import LocalFrame
from overwatch.mission import (
    Airspace,
    Border,
    BoundingParams,
    Camera,
    GeoPoint,
    Halt,
    KeepOut,
    Launch,
    LeadParams,
    Mission,
    MissionGeometry,
    Overwatch,
    Patrol,
    StaticParams,
    Vehicle,
)
from overwatch.mission.model import RecoveryName

ORIGIN = LocalFrame(13.5, 2.1)
START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
START_S = START.timestamp()

XY = Sequence[tuple[float, float]]


def pts(xy_m: XY) -> tuple[GeoPoint, ...]:
    return tuple(GeoPoint(*ORIGIN.to_wgs84(float(x), float(y))) for x, y in xy_m)


def make_mission(
    route_xy_m: XY,
    *,
    speed_m_s: float = 8.0,
    leg_speeds_m_s: Sequence[float] | None = None,
    halts: Sequence[tuple[float, float]] = (),
    launch_xy_m: tuple[float, float] | None = None,
    rally_xy_m: XY = (),
    keep_outs_xy_m: Sequence[XY] = (),
    border_xy_m: XY | None = None,
    border_buffer_m: float = 200.0,
    keep_in_xy_m: XY | None = None,
    strategy: str = "lead",
    endurance_s: float = 1800.0,
    reserve_fraction: float = 0.2,
    altitude_agl_m: float = 80.0,
    lead_min_s: float = 30.0,
    lead_max_s: float = 300.0,
    target_lead_s: float | None = None,
    bounding: BoundingParams | None = None,
    static: StaticParams | None = None,
    recovery: RecoveryName | None = None,
) -> Mission:
    legs = len(route_xy_m) - 1
    speeds = tuple(leg_speeds_m_s) if leg_speeds_m_s is not None else (speed_m_s,) * legs
    launch = launch_xy_m if launch_xy_m is not None else route_xy_m[0]
    return Mission(
        name="test",
        patrol=Patrol(
            callsign="P1",
            route=pts(route_xy_m),
            speed_m_s=speed_m_s,
            leg_speeds_m_s=speeds,
            halts=tuple(Halt(at_m=a, duration_s=d, name=f"h{i}") for i, (a, d) in enumerate(halts)),
            start_time=START,
        ),
        vehicle=Vehicle(
            name="quad",
            sysid=1,
            cruise_speed_m_s=12.0,
            max_speed_m_s=15.0,
            climb_rate_m_s=3.0,
            descent_rate_m_s=2.0,
            endurance_s=endurance_s,
            reserve_fraction=reserve_fraction,
            camera=Camera(),
        ),
        launch=Launch(
            site=pts([launch])[0], with_patrol=True, rally=pts(rally_xy_m), recovery=recovery
        ),
        airspace=Airspace(
            keep_in=pts(keep_in_xy_m) if keep_in_xy_m is not None else None,
            keep_out=tuple(KeepOut(f"ko{i}", pts(p)) for i, p in enumerate(keep_outs_xy_m)),
            border=Border("border", pts(border_xy_m), border_buffer_m) if border_xy_m else None,
        ),
        overwatch=Overwatch(
            strategy=strategy,  # type: ignore[arg-type]
            altitude_agl_m=altitude_agl_m,
            lead_min_s=lead_min_s,
            lead_max_s=lead_max_s,
            lead=LeadParams(target_lead_s=target_lead_s),
            bounding=bounding or BoundingParams(),
            static=static or StaticParams(),
        ),
    )


def geometry(route_xy_m: XY, **kwargs: object) -> MissionGeometry:
    return MissionGeometry.of(make_mission(route_xy_m, **kwargs))  # type: ignore[arg-type]
