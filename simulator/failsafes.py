"""Failsafes: GCS heartbeat loss, low battery, and the geofence.

Each check reads the autopilot's parameters (FS_GCS_*, BATT_*, FENCE_*) and
state, says what happened in a STATUSTEXT worded as ArduCopter words it, and
applies the configured action (RTL, LAND, BRAKE or disarm).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.items import MissionType
from simulator import modes
from simulator.geodesy import point_in_polygon
from simulator.mission_store import fence_geometry
from simulator.modes import Mode

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

_Polygons = list[list[tuple[float, float]]]
_Circles = list[tuple[float, float, float]]
FenceShapes = tuple[_Polygons, _Polygons, _Circles, _Circles]
"""Inclusion polygons, exclusion polygons, inclusion and exclusion circles (metres)."""

# FENCE_TYPE bits (AC_Fence's, MAVLink's FENCE_TYPE)
FENCE_ALT_MAX: int = mav.FENCE_TYPE_ALT_MAX
FENCE_CIRCLE: int = mav.FENCE_TYPE_CIRCLE
FENCE_POLYGON: int = mav.FENCE_TYPE_POLYGON
FENCE_ALT_MIN: int = mav.FENCE_TYPE_ALT_MIN


def gcs_failsafe_timeout_s(speedup: float) -> float:
    """FS_GCS_TIMEOUT (vehicle seconds) for a training vehicle at ``speedup``.

    The vehicle counts its GCS failsafe in its own seconds, the ground station
    beats in wall seconds: ArduCopter's 5 s are half a second of wall time at
    10×, and a ground station on a busy laptop that is not scheduled for that
    long sends the drone home (measured: SITL at 10× went RTL mid-patrol, the
    session's heartbeats up to 2.3 s apart, with two test suites side by side
    on 2 cores). ``overwatch sim`` gives the ground station the wall-clock tolerance it
    has in the field — two seconds, never less than ArduCopter's 5 vehicle
    seconds — so a failsafe in training means a link really lost.
    """
    return max(5.0, 2.0 * speedup)


def check_failsafes(ap: Autopilot) -> None:
    gcs_failsafe(ap)
    battery_failsafe(ap)
    if ap.params["FENCE_ENABLE"]:
        fence_check(ap)


def failsafe_action(ap: Autopilot, action: str) -> None:
    """Apply 'rtl', 'land', 'brake' or 'disarm' (landed vehicles simply disarm)."""
    if not ap.flying:
        ap.disarm("failsafe")
        return
    if action == "disarm":
        ap.disarm("terminate")
        return
    if action == "rtl" and ap.mode != Mode.LAND:
        if ap.mode == Mode.RTL or ap.set_mode(Mode.RTL):
            return
        action = "land"
    if action == "brake" and ap.set_mode(Mode.BRAKE):
        return
    if ap.mode != Mode.LAND:
        ap.set_mode(Mode.LAND)


def gcs_failsafe(ap: Autopilot) -> None:
    enable = int(ap.params["FS_GCS_ENABLE"])
    last = ap.last_gcs_heartbeat_s
    if enable == 0 or last is None:
        return
    lost = ap.time_s - last > ap.params["FS_GCS_TIMEOUT"]
    if lost and not ap.gcs_failsafe:
        ap.gcs_failsafe = True
        ap.statustext(modes.SEV_CRITICAL, "GCS Failsafe")
        if enable == 2 and ap.mode == Mode.AUTO:
            return
        failsafe_action(ap, "land" if enable in (4, 5) else "rtl")
    elif not lost and ap.gcs_failsafe:
        ap.gcs_failsafe = False
        ap.statustext(modes.SEV_CRITICAL, "GCS Failsafe Cleared")


def battery_failsafe(ap: Autopilot) -> None:
    p = ap.params
    bat = ap.battery
    remaining_mah = bat.capacity_mah - bat.consumed_mah
    crt = (p["BATT_CRT_VOLT"] > 0 and bat.voltage_v < p["BATT_CRT_VOLT"]) or (
        p["BATT_CRT_MAH"] > 0 and remaining_mah < p["BATT_CRT_MAH"]
    )
    low = (p["BATT_LOW_VOLT"] > 0 and bat.voltage_v < p["BATT_LOW_VOLT"]) or (
        p["BATT_LOW_MAH"] > 0 and remaining_mah < p["BATT_LOW_MAH"]
    )
    level = 2 if crt else 1 if low else 0
    if level == 0:
        ap.battery_low_since_s = None
        return
    if ap.battery_low_since_s is None:
        ap.battery_low_since_s = ap.time_s
    if ap.time_s - ap.battery_low_since_s < p["BATT_LOW_TIMER"] or level <= ap.battery_failsafe:
        return
    ap.battery_failsafe = level
    word = "critical" if level == 2 else "low"
    ap.statustext(
        modes.SEV_CRITICAL,
        f"Battery 1 is {word} {bat.voltage_v:.2f}V used {bat.consumed_mah:.0f} mAh",
    )
    act = int(p["BATT_FS_CRT_ACT"] if level == 2 else p["BATT_FS_LOW_ACT"])
    action = {1: "land", 2: "rtl", 3: "rtl", 4: "land", 5: "disarm", 6: "rtl", 7: "brake"}.get(act)
    if action is not None:
        ap.statustext(modes.SEV_WARNING, "Battery Failsafe")
        failsafe_action(ap, action)


def fence_shapes(ap: Autopilot) -> FenceShapes:
    """Fence geometry in metres, cached per fence upload."""
    items = ap.store.get(MissionType.FENCE)
    if ap.fence_cache[0] != ap.store.version[MissionType.FENCE]:
        geo = fence_geometry(items)
        to = ap.plane.to_xy
        polys_in = [[to(a, o) for a, o in poly] for poly in geo.inclusion_polygons]
        polys_out = [[to(a, o) for a, o in poly] for poly in geo.exclusion_polygons]
        circ_in = [(*to(a, o), r) for a, o, r in geo.inclusion_circles]
        circ_out = [(*to(a, o), r) for a, o, r in geo.exclusion_circles]
        shapes = (polys_in, polys_out, circ_in, circ_out)
        ap.fence_cache = (ap.store.version[MissionType.FENCE], shapes)
    return ap.fence_cache[1]


def fence_breach_flags(ap: Autopilot) -> int:
    """What the vehicle breaches now, as FENCE_TYPE bits (1 alt, 2 circle, 4 polygon)."""
    return fence_breaches_at(ap, ap.body.x_m, ap.body.y_m, ap.alt_rel_m)


#: AC_Fence's names of its fence types, by FENCE_TYPE bit.
_FENCE_NAMES = (
    (FENCE_ALT_MAX, "Max Alt"),
    (FENCE_CIRCLE, "Circle"),
    (FENCE_POLYGON, "Polygon"),
    (FENCE_ALT_MIN, "Min Alt"),
)


def fence_names(flags: int) -> str:
    """AC_Fence's words for breached fences: "Polygon fence", "Max Alt and Circle fence"."""
    names = [name for bit, name in _FENCE_NAMES if flags & bit]
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]} fence"
    return f"{names[0]} fence" if names else "fence"


def fence_breaches_at(ap: Autopilot, x: float, y: float, alt_rel_m: float) -> int:
    """Which enabled-type fences a point (metric frame, metres above home) lies outside of."""
    p = ap.params
    kinds = int(p["FENCE_TYPE"])
    breaches = 0
    if kinds & FENCE_ALT_MAX and alt_rel_m > p["FENCE_ALT_MAX"]:
        breaches |= FENCE_ALT_MAX
    circle_m = math.hypot(x - ap.home_xyz[0], y - ap.home_xyz[1])
    if kinds & FENCE_CIRCLE and circle_m > p["FENCE_RADIUS"]:
        breaches |= FENCE_CIRCLE
    if kinds & FENCE_POLYGON:
        polys_in, polys_out, circ_in, circ_out = fence_shapes(ap)
        outside = any(not point_in_polygon(x, y, poly) for poly in polys_in) or any(
            math.hypot(x - cx, y - cy) > r for cx, cy, r in circ_in
        )
        inside_excl = any(point_in_polygon(x, y, poly) for poly in polys_out) or any(
            math.hypot(x - cx, y - cy) < r for cx, cy, r in circ_out
        )
        if outside or inside_excl:
            breaches |= FENCE_POLYGON
    return breaches


def fence_check(ap: Autopilot) -> None:
    breaches = ap.fence_breach_flags()
    new = breaches & ~ap.fence_breaches
    cleared = ap.fence_breaches and not breaches
    ap.fence_breaches = breaches
    if cleared and ap.flying:
        ap.statustext(modes.SEV_NOTICE, "Fence breach cleared")
    if not new or not ap.flying:
        return
    ap.fence_breach_count += 1
    ap.fence_breach_time_s = ap.time_s
    ap.statustext(modes.SEV_NOTICE, f"{fence_names(new)} breached")
    action = int(ap.params["FENCE_ACTION"])
    if action == 0 or ap.mode in (Mode.LAND, Mode.RTL):
        return
    failsafe_action(ap, {1: "rtl", 2: "land", 3: "rtl", 4: "brake", 5: "land"}.get(action, "rtl"))
