"""GUIDED position targets (SET_POSITION_TARGET_GLOBAL_INT): when ArduCopter takes them.

Positions are metres north/east of :data:`HOME`; answers are rounded or
banded so the two backends' flight models need not agree to the centimetre.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.differential.harness import HOME, Station
from tests.differential.probes_commands import armed_guided, disarmed_guided
from tests.differential.probes_mission import FENCE, Item, upload

LAT, LON, _ = HOME
M_PER_DEG = 111_319.5
POS_ONLY = 0b0000_1101_1111_1000  # ignore velocity, acceleration, yaw and yaw rate
POS_VEL = 0b0000_1101_1100_0000  # position and velocity; ignore acceleration and yaw rate


def to_latlon(north_m: float, east_m: float) -> tuple[float, float]:
    return (
        LAT + north_m / M_PER_DEG,
        LON + east_m / (M_PER_DEG * math.cos(math.radians(LAT))),
    )


def where(s: Station) -> tuple[float, float, float]:
    """(north, east, up) metres from home, from the latest GLOBAL_POSITION_INT."""
    gp = s.latest("GLOBAL_POSITION_INT")
    north = (gp.lat * 1e-7 - LAT) * M_PER_DEG
    east = (gp.lon * 1e-7 - LON) * M_PER_DEG * math.cos(math.radians(LAT))
    return north, east, gp.relative_alt / 1000.0


def target(
    s: Station,
    north_m: float,
    east_m: float,
    alt_m: float,
    vel_ned: tuple[float, float, float] | None = None,
) -> None:
    lat, lon = to_latlon(north_m, east_m)
    vn, ve, vd = vel_ned or (0.0, 0.0, 0.0)
    s.mav.set_position_target_global_int_send(
        0,
        1,
        1,
        mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        POS_ONLY if vel_ned is None else POS_VEL,
        round(lat * 1e7),
        round(lon * 1e7),
        alt_m,
        vn,
        ve,
        vd,
        0,
        0,
        0,
        0,
        0,
    )


def stream_target(
    s: Station, seconds: float, north_m: float, east_m: float, alt_m: float
) -> tuple[float, float]:
    """Send one target at 5 Hz (vehicle time) for ``seconds``; (max alt, min distance)."""
    end = s.vehicle_s + seconds
    top, closest = -1e9, 1e9
    while s.vehicle_s < end:
        target(s, north_m, east_m, alt_m)
        s.wait(0.2)
        n, e, u = where(s)
        top = max(top, u)
        closest = min(closest, math.hypot(n - north_m, e - east_m))
    return top, closest


def hover(s: Station, alt_m: float = 20.0) -> tuple[float, float, float]:
    """Armed, taken off to ``alt_m`` and holding; returns where."""
    *_, u = where(s)
    if not (s.armed() and u > alt_m - 2.0):
        armed_guided(s)
        s.takeoff(alt_m)
        s.until(lambda: where(s)[2] > alt_m - 0.5, 60.0, "take-off")
        s.wait(3.0)
    return where(s)


def land(s: Station) -> None:
    s.set_mode(9)
    s.until(lambda: not s.armed(), 120.0, "landed and disarmed")
    s.wait(1.0)


def band(value: float, edges: tuple[float, ...]) -> str:
    """Which band of ``edges`` ``value`` lies in: "<a", "a-b", ">z"."""
    if value < edges[0]:
        return f"<{edges[0]:g}"
    for lo, hi in itertools.pairwise(edges):
        if value < hi:
            return f"{lo:g}-{hi:g}"
    return f">{edges[-1]:g}"


def probe_ground_rules(s: Station) -> dict[str, Any]:
    """Targets on the ground: disarmed, armed without a take-off, and during one."""
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    disarmed_guided(s)
    top, _ = stream_target(s, 3.0, 30.0, 0.0, 20.0)
    out["disarmed: climbs"] = top > 1.0
    out["disarmed: still disarmed"] = not s.armed()
    armed_guided(s)
    top, _ = stream_target(s, 3.0, 30.0, 0.0, 20.0)
    out["armed, no take-off: climbs"] = top > 1.0
    out["armed, no take-off: still armed"] = s.armed()
    # take-off, and position targets from the next moment on (what a hasty client does)
    armed_guided(s)
    ack = s.takeoff(20.0)
    out["take-off ack"] = ack is not None and ack.result == 0
    top, closest = stream_target(s, 15.0, 40.0, 0.0, 20.0)
    out["targets at once after take-off: top alt"] = band(top, (1.0, 10.0, 18.0))
    out["targets at once after take-off: reached"] = closest < 3.0
    if s.armed():
        land(s)
    # take-off, and targets only once it is climbing
    armed_guided(s)
    s.takeoff(20.0)
    s.until(lambda: where(s)[2] > 5.0, 30.0, "climbing past 5 m")
    top, closest = stream_target(s, 25.0, 40.0, 0.0, 20.0)
    out["targets while climbing: top alt"] = band(top, (1.0, 10.0, 18.0))
    out["targets while climbing: reached"] = closest < 3.0
    land(s)
    return out


def probe_feed_forward(s: Station) -> dict[str, Any]:
    """Velocity feed-forward with a position target, in the air."""
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    n0, e0, _ = hover(s)
    # one target here, moving north at 3 m/s: ArduCopter moves the target along the
    # velocity until GUID_TIMEOUT (3 s) passes without a new one, then holds
    target(s, n0, e0, 20.0, (3.0, 0.0, 0.0))
    s.wait(12.0)
    n1, e1, _ = where(s)
    out["one pos+vel target: went north (m)"] = band(n1 - n0, (1.0, 5.0, 8.0, 12.0, 20.0))
    out["one pos+vel target: went east (m)"] = band(abs(e1 - e0), (1.0,))
    # a target moving north at 4 m/s, sent at 5 Hz, with and without its velocity
    lags = {}
    for with_vel in (False, True):
        n0, e0, _ = where(s)
        start = s.vehicle_s
        lag = 0.0
        while s.vehicle_s - start < 20.0:
            tn = n0 + 4.0 * (s.vehicle_s - start)
            target(s, tn, e0, 20.0, (4.0, 0.0, 0.0) if with_vel else None)
            s.wait(0.2)
            if s.vehicle_s - start > 12.0:
                lag = max(lag, tn - where(s)[0])
        lags[with_vel] = lag
        target(s, where(s)[0], e0, 20.0)
        s.wait(5.0)
    out["moving target, position only: lag (m)"] = band(lags[False], (1.0, 2.5))
    out["moving target, with velocity: lag (m)"] = band(lags[True], (1.0, 2.5))
    out["feed-forward shortens the lag"] = lags[True] < lags[False]
    land(s)
    return out


def square(north_m: float, east_m: float, half_m: float) -> list[Item]:
    """An inclusion polygon: a square ``2 * half_m`` across centred on (north, east)."""
    corners = ((-1, -1), (1, -1), (1, 1), (-1, 1))
    out: list[Item] = []
    for dn, de in corners:
        lat, lon = to_latlon(north_m + dn * half_m, east_m + de * half_m)
        out.append((5001, 0, 4, lat, lon, 0, 0))
    return out


def probe_fence_and_range(s: Station) -> dict[str, Any]:
    """Arming outside an inclusion fence; targets outside it, and very far away."""
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    disarmed_guided(s)
    n0, e0, _ = where(s)
    s.set_param("FENCE_TYPE", 4)
    s.set_param("FENCE_ACTION", 0)  # report only: the probe is about targets
    out["fence upload"] = upload(s, square(n0 + 300.0, e0, 100.0), FENCE)["ack"]
    s.set_param("FENCE_ENABLE", 1)
    s.wait(1.0)
    mark = len(s.received)
    ack = s.arm()
    s.wait(0.5)
    # the periodic "PreArm:" report of the same check may come before or after
    arm_texts = [t for t in s.texts_since(mark) if not t.startswith("PreArm")]
    out["arm outside the fence"] = (ack is not None and ack.result == 0, arm_texts)
    out["fence upload around the vehicle"] = upload(s, square(n0, e0, 100.0), FENCE)["ack"]
    s.wait(1.0)
    n0, e0, _ = hover(s)
    mark = len(s.received)
    stream_target(s, 8.0, n0 + 300.0, e0, 20.0)
    n1, e1, _ = where(s)
    out["outside the fence: moved (m)"] = band(math.hypot(n1 - n0, e1 - e0), (3.0, 50.0))
    out["outside the fence: says"] = s.texts_since(mark)
    _, closest = stream_target(s, 20.0, n0 + 50.0, e0, 20.0)
    out["inside the fence: reached"] = closest < 3.0
    s.set_param("FENCE_ENABLE", 0)
    s.mav.mission_clear_all_send(1, 1, FENCE)
    s.recv("MISSION_ACK", 5.0)
    n0, e0, _ = where(s)
    mark = len(s.received)
    stream_target(s, 8.0, n0 + 100_000.0, e0, 20.0)
    n1, e1, _ = where(s)
    out["100 km away: moved (m)"] = band(math.hypot(n1 - n0, e1 - e0), (3.0, 20.0))
    out["100 km away: says"] = s.texts_since(mark)
    land(s)
    return out
