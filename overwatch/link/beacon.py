"""A tracked position sent through the link as a MAVLink system of its own.

ArduPilot's FOLLOW mode follows the system named by ``FOLL_SYSID`` from its
``GLOBAL_POSITION_INT``. The FOLLOW baseline makes the patrol's tracker such a
system: its latest fix goes out through the drone's link as sysid 200 (say).
The units are converted here, once: degrees to 1e7, metres to millimetres,
m/s to cm/s, degrees to centidegrees.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from overwatch.link.link import Link


class PositionBeacon:
    """Sends one tracked position per :meth:`send` as system ``sysid`` on ``link``."""

    def __init__(self, link: Link, sysid: int, compid: int = 1) -> None:
        self.sysid = sysid
        self._codec: Any = link.encoder_as(sysid, compid)
        self.sent = 0

    def send(
        self,
        *,
        time_s: float,
        lat_deg: float,
        lon_deg: float,
        alt_msl_m: float,
        speed_m_s: float | None = None,
        course_deg: float | None = None,
    ) -> None:
        """GLOBAL_POSITION_INT for the position, stamped ``time_s`` (its milliseconds wrap)."""
        course = course_deg or 0.0
        speed = speed_m_s or 0.0
        heading = math.radians(course)
        self._codec.global_position_int_send(
            int(time_s * 1000) & 0xFFFFFFFF,
            round(lat_deg * 1e7),
            round(lon_deg * 1e7),
            round(alt_msl_m * 1000),
            0,
            round(speed * math.cos(heading) * 100),
            round(speed * math.sin(heading) * 100),
            0,
            round(course * 100) % 36000,
        )
        self.sent += 1
