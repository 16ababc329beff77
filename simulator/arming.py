"""Pre-arm checks as ArduCopter runs them: what fails, in its words, and when it says so."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulator import modes
from simulator.failsafes import fence_names

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

#: Failing pre-arm checks are repeated this often while disarmed (PREARM_DISPLAY_PERIOD).
PREARM_DISPLAY_S = 30.0


class PrearmChecks:
    """The pre-arm checks of the vehicle ``ap`` and their once-a-second report."""

    def __init__(self, ap: Autopilot) -> None:
        self._ap = ap
        self._ok = False
        self._report_now = False
        self._shown_s = 0.0
        self._checked_s = -1

    def failures(self) -> list[str]:
        """What ArduCopter's pre-arm checks say for the current mode, in its words."""
        ap = self._ap
        if ap.params["ARMING_CHECK"] == 0:
            return []
        out: list[str] = []
        mode = ap.mode
        if mode in modes.NEEDS_POSITION and not ap.home_set:
            out.append("AHRS: waiting for home")
        elif not ap.startup.ahrs_ready:
            out.append("AHRS: EKF3 still initialising")
        elif mode in modes.NEEDS_POSITION and not ap.ekf_ok:
            out.append("Need Position Estimate")
        out.extend(ap.flight_mode.prearm_failures())
        low = ap.params["BATT_LOW_VOLT"]
        if low > 0 and ap.battery.voltage_v < low:
            out.append("Battery 1 below minimum arming voltage")
        if ap.failsafes.battery_level:
            out.append("Battery failsafe")  # latched until a fresh pack (or a reboot)
        if ap.failsafes.gcs:
            out.append("GCS failsafe on")
        if ap.params["FENCE_ENABLE"] > 0 and (breached := ap.fence_breach_flags()):
            out.append(f"Vehicle breaching {fence_names(breached)}")
        return out

    def report(self) -> None:
        """ArduPilot shows failing pre-arm checks ("PreArm: …") every 30 s while disarmed,
        and at once (4 s apart at most) when they go from passing to failing."""
        ap = self._ap
        if ap.armed:
            self._ok = True
            return
        second = math.floor(ap.time_s)
        if second == self._checked_s:
            return  # ArduCopter runs its pre-arm checks once a second
        self._checked_s = second
        failures = self.failures()
        ok = not failures
        now = ap.time_s
        if not ok and self._ok:
            self._report_now = True
        self._ok = ok
        since = now - self._shown_s
        if (self._report_now and since > 4.0) or since > PREARM_DISPLAY_S:
            self._report_now = False
            self._shown_s = now
            for text in failures:
                ap.statustext(modes.SEV_CRITICAL, f"PreArm: {text}")
