"""Starting the FOLLOW baseline: ArduPilot's own FOLLOW mode after the patrol's position.

The baseline the lead strategy is measured against. The session forwards the
patrol's fixes to the drone as another MAVLink system (``PATROL_SYSID``); FOLLOW
holds when that target is beyond ``FOLL_DIST_MAX``, so the drone is first flown
in GUIDED to the offset ahead of the patrol (:func:`follow_approach` says where,
and when it is close enough), then handed to FOLLOW. From then on the
controller's :class:`~overwatch.ops.controller.FollowBaselinePilot` keeps
feeding the target and takes the drone back for an energy return.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

from overwatch.guidance import VehicleSnapshot, mission_follow_parameters
from overwatch.mission import MissionGeometry
from overwatch.tracking import PatrolEstimate

if TYPE_CHECKING:
    from overwatch.link import Vehicle
    from overwatch.ops.driver import VehicleDriver

#: the patrol's tracker, as the MAVLink system FOLLOW mode follows (FOLL_SYSID)
PATROL_SYSID = 200
#: FOLLOW is engaged this close (m) to its offset ahead of the patrol
FOLLOW_ENGAGE_M = 100.0


def follow_approach(
    geometry: MissionGeometry,
    est: PatrolEstimate,
    snap: VehicleSnapshot,
    *,
    within_m: float,
    target_within_m: float,
) -> tuple[float, float] | None:
    """Where to fly (lat, lon) to reach FOLLOW's offset ahead of the patrol; ``None`` once
    within ``within_m`` of it or ``target_within_m`` of the patrol (FOLLOW takes over)."""
    if est.station_m is None:
        raise ValueError("the patrol's station is not known yet")
    ahead_m = geometry.mission.overwatch.baseline.offset_ahead_m
    line = geometry.route
    point = line.interpolate(min(est.station_m + ahead_m, line.length))
    x, y = geometry.frame.to_local(snap.lat_deg, snap.lon_deg)
    if math.hypot(float(point.x) - x, float(point.y) - y) <= within_m:
        return None
    if (
        est.x_m is not None
        and est.y_m is not None
        and math.hypot(est.x_m - x, est.y_m - y) <= target_within_m
    ):
        return None
    return geometry.frame.to_wgs84(float(point.x), float(point.y))


async def start(driver: VehicleDriver, vehicle: Vehicle) -> None:
    """FOLLOW's parameters, the patrol forwarded, take-off if need be, the approach in
    GUIDED, then FOLLOW."""
    mission = driver.mission
    params = mission_follow_parameters(mission, target_sysid=PATROL_SYSID)
    for name, value in params.items():
        await vehicle.params.set_value(name, value)
    if driver.controller.strategy != "follow-baseline":
        driver.controller.use("follow-baseline")
    driver.forward_patrol_position()
    await driver.set_cruise_speed(vehicle)
    if driver.needs_takeoff(vehicle):
        await driver.arm_and_takeoff()
        await wait_altitude(driver, vehicle, mission.overwatch.altitude_agl_m * 0.8)
    await vehicle.gimbal(mission.vehicle.camera.gimbal_pitch_deg, 0.0)
    await _approach(driver, vehicle, FOLLOW_ENGAGE_M, params["FOLL_DIST_MAX"] - FOLLOW_ENGAGE_M)
    await vehicle.set_mode("FOLLOW")
    driver.controller.active = True
    driver.note("info", "FOLLOW baseline started")


async def _approach(
    driver: VehicleDriver,
    vehicle: Vehicle,
    within_m: float,
    target_within_m: float,
    timeout_s: float = 600.0,
) -> None:
    """Fly (GUIDED) towards FOLLOW's offset until :func:`follow_approach` says done."""
    loop = asyncio.get_running_loop()
    clock = driver.clock
    deadline = loop.time() + clock.wall_seconds(timeout_s)
    alt = driver.mission.overwatch.altitude_agl_m
    while loop.time() < deadline:
        snap = driver.vehicle_snapshot()
        est = driver.tracker.estimate(clock.now())
        if snap is not None and est.station_m is not None:
            goal = follow_approach(
                driver.geometry, est, snap, within_m=within_m, target_within_m=target_within_m
            )
            if goal is None:
                return
            if vehicle.state.mode == "GUIDED":
                vehicle.goto(*goal, alt)
        await asyncio.sleep(clock.wall_seconds(0.5))


async def wait_altitude(driver: VehicleDriver, vehicle: Vehicle, alt_rel_m: float) -> None:
    """Until the drone is ``alt_rel_m`` above home (at most 120 s of session time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + driver.clock.wall_seconds(120.0)
    while (vehicle.state.alt_rel_m or 0.0) < alt_rel_m and loop.time() < deadline:
        await asyncio.sleep(driver.clock.wall_seconds(0.5))
