"""Take-off and touchdown: when the motors may lift the vehicle, and what landing does.

As ArduCopter's takeoff.cpp, land detector and auto-disarm check behave on SITL:
a take-off from the ground spools the motors up for :data:`TAKEOFF_SPOOL_S`
before the vehicle leaves the ground; an armed vehicle on the ground without a
take-off stays there, and disarms after DISARM_DELAY seconds; touching down
disarms in LAND and RTL (and after a landing asked to disarm, as a mission's LAND).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.navigation import NAV_TAKEOFF

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

#: From the take-off command until the vehicle leaves the ground, simulated seconds.
TAKEOFF_SPOOL_S = 3.0


class Takeoff:
    """The take-off and landing state of the vehicle ``ap`` (simulated seconds)."""

    def __init__(self, ap: Autopilot) -> None:
        self._ap = ap
        self._allowed = False
        self._climb_at_s = 0.0
        self._landed_since_s: float | None = None
        self._landing_disarms = False

    def start(self, z: float) -> None:
        """Climb to ``z`` (m above the origin), after spooling up if on the ground."""
        ap = self._ap
        ap.nav.climb_to(z)
        if ap.body.on_ground:
            self._climb_at_s = ap.time_s + TAKEOFF_SPOOL_S
        self._allowed = True
        self._landed_since_s = None

    def cancel(self) -> None:
        """On the ground, a take-off in progress is called off: the vehicle stays there."""
        if self._ap.body.on_ground:
            self._allowed = False

    def land_at(self, x: float, y: float, disarm: bool) -> None:
        """Land at (x, y); ``disarm`` on touchdown whatever the mode."""
        self._ap.nav.land_at(x, y)
        self._landing_disarms = disarm

    def holds_on_ground(self) -> bool:
        """Whether the vehicle stays on the ground this step (no take-off, or spooling up)."""
        ap = self._ap
        return ap.body.on_ground and (not self._allowed or ap.time_s < self._climb_at_s)

    def on_arm(self) -> None:
        """Armed on the ground: no take-off yet; the auto-disarm timer starts."""
        self._landed_since_s = self._ap.time_s
        self._allowed = False

    def on_disarm(self) -> None:
        """Disarmed: no take-off, no auto-disarm timer."""
        self._allowed = False
        self._landed_since_s = None

    def on_mode_change(self) -> None:
        """A landing's request to disarm lasts until the mode changes."""
        self._landing_disarms = False

    def touchdown(self) -> None:
        """The vehicle has just touched down: stop, disarm if the landing says so, and
        tell the mode."""
        ap = self._ap
        self._allowed = False
        self._landed_since_s = ap.time_s
        ap.nav.idle()
        if ap.armed and (ap.flight_mode.disarms_on_touchdown or self._landing_disarms):
            ap.disarm("landed")
        self._landing_disarms = False
        ap.flight_mode.touchdown()

    def auto_disarm(self) -> None:
        """Disarm after DISARM_DELAY seconds armed on the ground without a take-off."""
        ap = self._ap
        if not ap.armed or not ap.body.on_ground or ap.nav.kind == NAV_TAKEOFF:
            self._landed_since_s = None if not ap.body.on_ground else self._landed_since_s
            return
        delay = ap.params["DISARM_DELAY"]
        if delay <= 0:
            return
        if self._landed_since_s is None:
            self._landed_since_s = ap.time_s
        elif ap.time_s - self._landed_since_s >= delay:
            ap.disarm("auto disarm")
