"""FOLLOW mode: a lead (another system id) sends GLOBAL_POSITION_INT; the vehicle follows.

The lead's messages go out on the probe's own connection under system id
:data:`LEAD`, as Overwatch forwards the patrol.
"""

from __future__ import annotations

import math
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.differential.harness import Station
from tests.differential.probes_failsafes import said
from tests.differential.probes_guided import band, hover, land, to_latlon, where
from tests.differential.probes_params import read

LEAD = 77
FOLLOW = 23


class Lead:
    """A lead vehicle moving north at ``speed_m_s`` along the ground, sent as system LEAD."""

    def __init__(self, s: Station, north_m: float, east_m: float, speed_m_s: float) -> None:
        self.s = s
        self.mav = mav.MAVLink(s, srcSystem=LEAD, srcComponent=1)
        self.north_m, self.east_m, self.speed_m_s = north_m, east_m, speed_m_s
        self.last_s = s.vehicle_s

    def send(self) -> None:
        now = self.s.vehicle_s
        self.north_m += self.speed_m_s * (now - self.last_s)
        self.last_s = now
        lat, lon = to_latlon(self.north_m, self.east_m)
        self.mav.global_position_int_send(
            int(now * 1000) & 0xFFFFFFFF,
            round(lat * 1e7),
            round(lon * 1e7),
            round(220.0 * 1000),
            0,
            round(self.speed_m_s * 100),
            0,
            0,
            0,
        )

    def run(self, seconds: float) -> None:
        end = self.s.vehicle_s + seconds
        while self.s.vehicle_s < end:
            self.send()
            self.s.wait(0.2)


def speed(s: Station) -> float:
    gp = s.latest("GLOBAL_POSITION_INT")
    return math.hypot(gp.vx, gp.vy) / 100.0


def probe_follow(s: Station) -> dict[str, Any]:
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    for name, value in (
        ("FOLL_ENABLE", 1),
        ("FOLL_SYSID", LEAD),
        ("FOLL_OFS_TYPE", 1),  # offsets relative to the lead's heading
        ("FOLL_OFS_X", -15.0),  # behind
        ("FOLL_OFS_Y", 0.0),
        ("FOLL_OFS_Z", -20.0),  # above (offsets are NED)
        ("FOLL_ALT_TYPE", 1),  # relative altitude
        ("FOLL_YAW_BEHAVE", 1),  # face the lead
        ("FOLL_DIST_MAX", 300.0),
    ):
        s.set_param(name, value)
        s.wait(0.1)
        out[f"set {name}"] = read(s, name)[-1] == value
    n0, e0, _ = hover(s, 20.0)
    lead = Lead(s, n0 + 20.0, e0, 3.0)
    lead.run(1.0)
    mark = len(s.received)
    ack = s.set_mode(FOLLOW)
    out["enter FOLLOW"] = ack is not None and ack.result == 0
    lead.run(40.0)
    n, e, u = where(s)
    out["behind the lead (m)"] = band(
        math.hypot(n - (lead.north_m - 15.0), e - lead.east_m), (3.0, 8.0, 15.0)
    )
    out["altitude above the lead (m)"] = band(u, (17.0, 23.0))
    out["speed with the lead (m/s)"] = band(speed(s), (2.0, 4.0))
    out["said"] = said(s, mark)
    # the lead falls silent: FOLLOW stops after FOLL_TIMEOUT and holds
    mark = len(s.received)
    s.wait(10.0)
    out["lead silent: speed (m/s)"] = band(speed(s), (0.5,))
    out["lead silent: mode"] = s.mode()
    out["lead silent: said"] = said(s, mark)
    # a lead beyond FOLL_DIST_MAX: hold, whatever it does
    n0, e0, _ = where(s)
    s.set_param("FOLL_DIST_MAX", 50.0)
    far = Lead(s, n0 + 150.0, e0, 0.0)
    mark = len(s.received)
    far.run(10.0)
    n1, e1, _ = where(s)
    out["lead too far: moved (m)"] = band(math.hypot(n1 - n0, e1 - e0), (3.0,))
    out["lead too far: said"] = said(s, mark)
    s.set_mode(4)
    land(s)
    return out
