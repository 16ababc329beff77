"""Start-up as ArduCopter SITL goes through it (measured on SITL 64a9c787).

The AHRS is ready about 6 s after boot, the GPS has a fix at ``gps_fix_delay_s``,
the EKF sets its origin (and home) 10 s after the fix (or halfway to the EKF
for short delays), and uses GPS for position at ``ekf_gps_delay_s``; each step
is announced in a STATUSTEXT worded as ArduPilot words it. Times are simulated
seconds since boot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator import modes

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

#: Simulated seconds from boot until the AHRS has aligned (SITL: "tilt alignment complete").
AHRS_READY_S = 6.0
#: The EKF sets its origin, and the vehicle its home, this long after the first GPS fix.
ORIGIN_AFTER_FIX_S = 10.0


class StartUp:
    """The start-up of the vehicle ``ap``: GPS fix, EKF origin (home), EKF on GPS."""

    def __init__(self, ap: Autopilot) -> None:
        self._ap = ap
        self.gps_fix = False
        self.ekf_ok = False
        self._gps_fix_at_s = 0.0

    @property
    def ahrs_ready(self) -> bool:
        """Whether the AHRS has aligned (sooner when the test's GPS fix comes sooner)."""
        return self._ap.time_s >= min(AHRS_READY_S, self._ap.config.gps_fix_delay_s)

    def step(self) -> None:
        """Advance the start-up to the vehicle's time now."""
        ap = self._ap
        t = ap.time_s
        ekf_s = ap.config.ekf_gps_delay_s
        if not self.gps_fix and t >= ap.config.gps_fix_delay_s:
            self.gps_fix = True
            self._gps_fix_at_s = t
        # compressed start-ups (short test delays) keep SITL's order: fix, origin, EKF
        origin_after_s = min(ORIGIN_AFTER_FIX_S, max(0.0, ekf_s - self._gps_fix_at_s) / 2.0)
        if not ap.home_set and self.gps_fix and t >= self._gps_fix_at_s + origin_after_s:
            ap.set_home(*ap.home_xyz)  # the origin: home where the vehicle booted
            ap.statustext(modes.SEV_INFO, "EKF3 IMU0 origin set")
            ap.statustext(modes.SEV_INFO, f"Field Elevation Set: {ap.origin_alt_msl_m:.0f}m")
        if not self.ekf_ok and t >= ekf_s and self.gps_fix:
            self.ekf_ok = True
            ap.statustext(modes.SEV_INFO, "EKF3 IMU0 is using GPS")
