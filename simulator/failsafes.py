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


class Failsafes:
    """The failsafe state of one vehicle, and the checks that change it.

    The GCS failsafe (latched while the ground station is silent), the battery
    failsafe level (0 none, 1 low, 2 critical; latched until a fresh pack) and
    the fences breached now (FENCE_TYPE bits), with the breach count and the
    simulated time of the last breach that FENCE_STATUS reports.
    """

    def __init__(self, ap: Autopilot) -> None:
        self._ap = ap
        self.last_gcs_heartbeat_s: float | None = None
        self.gcs = False
        self.battery_level = 0
        self._battery_low_since_s: float | None = None
        self.fence_breaches = 0
        self.fence_breach_count = 0
        self.fence_breach_time_s = 0.0
        self._fence_cache: tuple[int, FenceShapes] = (-1, ([], [], [], []))

    def heard_gcs(self) -> None:
        """A HEARTBEAT from the ground station (SYSID_MYGCS) arrived."""
        self.last_gcs_heartbeat_s = self._ap.time_s

    def on_arm(self) -> None:
        """Arming starts afresh: no GCS or battery failsafe, no low-battery timer."""
        self.gcs = False
        self.battery_level = 0
        self._battery_low_since_s = None

    def on_fresh_pack(self) -> None:
        """A full pack went in: the battery failsafe is over."""
        self.battery_level = 0

    def check(self) -> None:
        """Run the checks (while armed), each acting as ArduCopter's does."""
        self._gcs_check()
        self._battery_check()
        if self._ap.params["FENCE_ENABLE"]:
            self._fence_check()

    def _gcs_check(self) -> None:
        ap = self._ap
        enable = int(ap.params["FS_GCS_ENABLE"])
        last = self.last_gcs_heartbeat_s
        if enable == 0 or last is None:
            return
        lost = ap.time_s - last > ap.params["FS_GCS_TIMEOUT"]
        if lost and not self.gcs:
            self.gcs = True
            ap.statustext(modes.SEV_CRITICAL, "GCS Failsafe")
            options = int(ap.params["FS_OPTIONS"])
            if options & _FS_OPT_GCS_CONTINUE_IF_AUTO and ap.mode == Mode.AUTO:
                return
            if options & _FS_OPT_GCS_CONTINUE_IF_PILOT_CONTROL and ap.mode in _PILOT_MODES:
                return
            failsafe_action(ap, _GCS_ACTIONS.get(enable, "rtl"))
        elif not lost and self.gcs:
            self.gcs = False
            ap.statustext(modes.SEV_CRITICAL, "GCS Failsafe Cleared")

    def _battery_check(self) -> None:
        ap = self._ap
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
            self._battery_low_since_s = None
            return
        if self._battery_low_since_s is None:
            self._battery_low_since_s = ap.time_s
        waited_s = ap.time_s - self._battery_low_since_s
        if waited_s < p["BATT_LOW_TIMER"] or level <= self.battery_level:
            return
        self.battery_level = level
        word = "critical" if level == 2 else "low"
        ap.statustext(
            modes.SEV_CRITICAL,
            f"Battery 1 is {word} {bat.voltage_v:.2f}V used {bat.consumed_mah:.0f} mAh",
        )
        act = int(p["BATT_FS_CRT_ACT"] if level == 2 else p["BATT_FS_LOW_ACT"])
        action = _BATTERY_ACTIONS.get(act)
        if action is not None:
            ap.statustext(modes.SEV_WARNING, "Battery Failsafe")
            failsafe_action(ap, action)

    def fence_shapes(self) -> FenceShapes:
        """Fence geometry in metres, cached per fence upload."""
        ap = self._ap
        items = ap.store.get(MissionType.FENCE)
        if self._fence_cache[0] != ap.store.version[MissionType.FENCE]:
            geo = fence_geometry(items)
            to = ap.plane.to_xy
            polys_in = [[to(a, o) for a, o in poly] for poly in geo.inclusion_polygons]
            polys_out = [[to(a, o) for a, o in poly] for poly in geo.exclusion_polygons]
            circ_in = [(*to(a, o), r) for a, o, r in geo.inclusion_circles]
            circ_out = [(*to(a, o), r) for a, o, r in geo.exclusion_circles]
            shapes = (polys_in, polys_out, circ_in, circ_out)
            self._fence_cache = (ap.store.version[MissionType.FENCE], shapes)
        return self._fence_cache[1]

    def _fence_check(self) -> None:
        ap = self._ap
        breaches = fence_breach_flags(ap)
        new = breaches & ~self.fence_breaches
        cleared = self.fence_breaches and not breaches
        self.fence_breaches = breaches
        if cleared and ap.flying:
            ap.statustext(modes.SEV_NOTICE, "Fence breach cleared")
        if not new or not ap.flying:
            return
        self.fence_breach_count += 1
        self.fence_breach_time_s = ap.time_s
        ap.statustext(modes.SEV_NOTICE, f"{fence_names(new)} breached")
        action = int(ap.params["FENCE_ACTION"])
        if action == 0 or ap.mode in (Mode.LAND, Mode.RTL):
            return
        failsafe_action(ap, _FENCE_ACTIONS.get(action, "rtl"))


#: FS_GCS_ENABLE values as ArduCopter's failsafe_gcs_on_event reads them: 4 (SmartRTL or
#: LAND) and 5 land, 7 brakes (BRAKE or LAND); 1, 2 (its old "continue in AUTO", now an
#: FS_OPTIONS bit), 3 (SmartRTL or RTL), 6 (DO_LAND_START or RTL) and any other value fly RTL
_GCS_ACTIONS = {4: "land", 5: "land", 7: "brake"}
#: FS_OPTIONS bits that keep flying on a GCS failsafe: in AUTO, and in a pilot's mode
_FS_OPT_GCS_CONTINUE_IF_AUTO = 1 << 1
_FS_OPT_GCS_CONTINUE_IF_PILOT_CONTROL = 1 << 4
#: the modes the simulator has that ArduCopter does not count as autopilot modes
_PILOT_MODES = (Mode.STABILIZE, Mode.ALT_HOLD, Mode.LOITER)
#: BATT_FS_LOW_ACT / BATT_FS_CRT_ACT values: what the simulator does for each
#: (SmartRTL and the DO_LAND_START variants fly a plain RTL or LAND here)
_BATTERY_ACTIONS = {1: "land", 2: "rtl", 3: "rtl", 4: "land", 5: "disarm", 6: "rtl", 7: "brake"}
#: FENCE_ACTION values
_FENCE_ACTIONS = {1: "rtl", 2: "land", 3: "rtl", 4: "brake", 5: "land"}


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
        polys_in, polys_out, circ_in, circ_out = ap.failsafes.fence_shapes()
        outside = any(not point_in_polygon(x, y, poly) for poly in polys_in) or any(
            math.hypot(x - cx, y - cy) > r for cx, cy, r in circ_in
        )
        inside_excl = any(point_in_polygon(x, y, poly) for poly in polys_out) or any(
            math.hypot(x - cx, y - cy) < r for cx, cy, r in circ_out
        )
        if outside or inside_excl:
            breaches |= FENCE_POLYGON
    return breaches
