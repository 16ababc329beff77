"""Flight modes as ArduCopter builds them: one object per mode, owning its state.

Each mode is a :class:`FlightMode` with ArduCopter's ``Mode`` life cycle:
:meth:`~FlightMode.can_enter` (the refusals of ``Mode::init``),
:meth:`~FlightMode.enter` (``init``), :meth:`~FlightMode.update` (``run``,
once per simulation step) and :meth:`~FlightMode.exit`. The autopilot
switches between them in one place (``Autopilot.set_mode``). The modes fly
through the autopilot's :class:`~simulator.navigator.Navigator`. AUTO
(:mod:`simulator.auto_mission`) and FOLLOW (:mod:`simulator.follow_mode`)
live in modules of their own; AUTO runs RTL's phases through this module's
:class:`Rtl`, as ArduCopter's ``ModeAuto`` runs ``copter.mode_rtl``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from overwatch.items import MissionType
from simulator import modes
from simulator.failsafes import FENCE_ALT_MAX, fence_breaches_at
from simulator.modes import Mode

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

Vector = tuple[float, float, float]


class FlightMode:
    """One flight mode of the vehicle ``ap``; the default holds position when flying."""

    number: ClassVar[Mode]
    #: Whether MAV_CMD_NAV_TAKEOFF is accepted in this mode (``Mode::has_user_takeoff``).
    has_user_takeoff: ClassVar[bool] = False
    #: Whether the heading and the gimbal follow a region of interest in this mode.
    uses_roi: ClassVar[bool] = False
    #: Whether touching down disarms the vehicle in this mode.
    disarms_on_touchdown: ClassVar[bool] = False

    def __init__(self, ap: Autopilot) -> None:
        self.ap = ap

    @property
    def name(self) -> str:
        """ArduCopter's name for the mode, as its messages say it ("Land")."""
        return modes.MODE_NAMES[self.number]

    def allows_arming(self) -> bool:
        """Whether the vehicle may be armed in this mode (``Mode::allows_arming``)."""
        return self.number in modes.ARMABLE

    def prearm_failures(self) -> list[str]:
        """What this mode adds to the pre-arm checks, in ArduCopter's words."""
        return []

    def can_enter(self) -> bool:
        """The mode's own refusals (the position check is the autopilot's); False after
        saying why in a STATUSTEXT."""
        return True

    def enter(self) -> None:
        """Start the mode: hold position if flying, else command nothing."""
        if self.ap.flying:
            self.ap.nav.hold_here()
        else:
            self.ap.nav.idle()

    def update(self) -> None:
        """One simulation step of the mode (before the navigator flies)."""

    def exit(self) -> None:
        """Leave the mode (before the next one enters)."""

    def touchdown(self) -> None:
        """The vehicle touched down in this mode (after any disarm it caused)."""

    def _refuse(self) -> bool:
        self.ap.statustext(
            modes.SEV_WARNING, f"Mode change to {self.number.name} failed: init failed"
        )
        return False

    def _yaw_by_wp_behavior(self) -> None:
        """WP_YAW_BEHAVIOR 0 keeps the heading; any other value faces along the track."""
        if int(self.ap.params["WP_YAW_BEHAVIOR"]):
            self.ap.nav.yaw_along_track()
        else:
            self.ap.nav.hold_yaw()


class Stabilize(FlightMode):
    """STABILIZE: the pilot flies (no sticks here, so the vehicle holds where it is)."""

    number = Mode.STABILIZE


class AltHold(FlightMode):
    """ALT_HOLD: the pilot flies, the autopilot holds the height."""

    number = Mode.ALT_HOLD
    has_user_takeoff = True


class Loiter(FlightMode):
    """LOITER: hold position."""

    number = Mode.LOITER
    has_user_takeoff = True


class Brake(FlightMode):
    """BRAKE: stop as fast as possible and hold there."""

    number = Mode.BRAKE


class Guided(FlightMode):
    """GUIDED: fly the position and velocity targets the ground station sends."""

    number = Mode.GUIDED
    has_user_takeoff = True
    uses_roi = True

    def enter(self) -> None:
        """Hold position if flying, facing along the track as WP_YAW_BEHAVIOR says."""
        if self.ap.flying:
            self._yaw_by_wp_behavior()
        super().enter()

    def set_destination(self, x: float, y: float, z: float, velocity: Vector | None) -> bool:
        """Fly to (x, y, z) (m), with a velocity feed-forward (m/s) if given; False
        (and nothing changes but a take-off cancelled) if :meth:`target_allowed` refuses."""
        if not self.target_allowed(x, y, z):
            return False
        self.ap.nav.goto(x, y, z, velocity)
        return True

    def set_velocity(self, ve: float, vn: float, vu: float) -> None:
        """Fly a velocity (east, north, up m/s), as a new target at the vehicle's position."""
        b = self.ap.body
        self.target_allowed(b.x_m, b.y_m, b.z_m)
        self.ap.nav.set_velocity(ve, vn, vu)

    def target_allowed(self, x: float, y: float, z: float) -> bool:
        """ArduCopter's GUIDED rules for a new target (mode_guided.cpp, measured on SITL).

        A target replaces a take-off in progress: on the ground, the vehicle then stays
        there. A destination outside an enabled fence is refused (ignored: no ack).
        """
        ap = self.ap
        ap.takeoff.cancel()
        if ap.params["FENCE_ENABLE"] > 0:
            alt_rel = z - ap.home_xyz[2]
            if fence_breaches_at(ap, x, y, alt_rel) & int(ap.params["FENCE_TYPE"]):
                return False
        return True


class Land(FlightMode):
    """LAND: descend where the vehicle is and disarm on the ground."""

    number = Mode.LAND
    disarms_on_touchdown = True

    def enter(self) -> None:
        """Land straight below."""
        self.ap.start_land(self.ap.body.x_m, self.ap.body.y_m)


# RTL phases
RTL_CLIMB = 0
RTL_RETURN = 1
RTL_LOITER = 2
RTL_FINAL = 3
RTL_LAND = 4


class Rtl(FlightMode):
    """RTL: climb, fly home (or to the nearest rally point), loiter, then land or hover
    at RTL_ALT_FINAL, as ArduCopter's ModeRTL does."""

    number = Mode.RTL
    disarms_on_touchdown = True

    def __init__(self, ap: Autopilot) -> None:
        super().__init__(ap)
        self.phase = RTL_CLIMB
        self.target: Vector = (0.0, 0.0, 0.0)  # the return point at the return height
        self._loiter_until_s = 0.0

    def can_enter(self) -> bool:
        """Armed, RTL needs a home."""
        return self._refuse() if self.ap.armed and not self.ap.home_set else True

    def enter(self) -> None:
        """Pick the return point and height, then climb (on the ground: nothing to do)."""
        ap = self.ap
        p = ap.params
        b = ap.body
        home = ap.home_xyz
        target = home
        best = math.hypot(b.x_m - target[0], b.y_m - target[1])
        rally_alt: float | None = None
        for item in ap.store.get(MissionType.RALLY):
            x, y, z = ap.xyz_of(item.lat_deg, item.lon_deg, item.z, item.relative_alt)
            d = math.hypot(b.x_m - x, b.y_m - y)
            if d < best:
                best, target, rally_alt = d, (x, y, home[2]), z - home[2]
        rtl_alt = p["RTL_ALT"] / 100.0 if rally_alt is None else rally_alt
        alt_rel = ap.alt_rel_m
        climb_to = max(alt_rel + p["RTL_CLIMB_MIN"] / 100.0, rtl_alt)
        if p["FENCE_ENABLE"] and int(p["FENCE_TYPE"]) & FENCE_ALT_MAX:
            climb_to = min(climb_to, p["FENCE_ALT_MAX"] - p["FENCE_MARGIN"])
        climb_to = max(climb_to, alt_rel) if alt_rel < rtl_alt else alt_rel
        self.target = (target[0], target[1], home[2] + climb_to)
        if int(p["WP_YAW_BEHAVIOR"]) in (1, 3):  # 2 faces the next waypoint except in RTL
            ap.nav.yaw_along_track()
        else:
            ap.nav.hold_yaw()
        rtl_speed = p["RTL_SPEED"] / 100.0
        ap.nav.set_speed(rtl_speed if rtl_speed > 0 else None)
        if not ap.flying:
            self.phase = RTL_LAND
            ap.nav.idle()
            return
        self.phase = RTL_CLIMB
        ap.nav.climb_or_goto(b.x_m, b.y_m, max(b.z_m, self.target[2]))

    def update(self) -> None:
        """Advance the phases."""
        self.advance()

    def advance(self) -> bool:
        """Advance the phases; True once landed (or holding at RTL_ALT_FINAL)."""
        ap = self.ap
        nav = ap.nav
        if self.phase == RTL_CLIMB:
            if ap.body.z_m >= nav.target[2] - 0.5:
                self.phase = RTL_RETURN
                nav.goto(*self.target)
        elif self.phase == RTL_RETURN:
            if nav.at_target():
                self.phase = RTL_LOITER
                self._loiter_until_s = ap.time_s + ap.params["RTL_LOIT_TIME"] / 1000.0
        elif self.phase == RTL_LOITER:
            if ap.time_s >= self._loiter_until_s:
                final = ap.params["RTL_ALT_FINAL"] / 100.0
                if final > 0:
                    self.phase = RTL_FINAL
                    nav.goto(self.target[0], self.target[1], ap.home_xyz[2] + final)
                else:
                    self.phase = RTL_LAND
                    ap.start_land(self.target[0], self.target[1])
        elif self.phase == RTL_FINAL:
            return nav.at_target()
        else:
            return not ap.flying
        return False
