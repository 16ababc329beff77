"""Arming, pre-arm reporting and SYS_STATUS probes, from boot until the vehicle is ready.

One probe, :func:`probe_boot`, walks a freshly booted vehicle through
its start-up in vehicle time (GPS fix about 10 s after boot, EKF using
GPS about 40 s) and asks it to arm at fixed moments; then
:func:`probe_modes` asks it to arm in each mode once it is ready.
"""

from __future__ import annotations

from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.differential.harness import Station, result_name

S = mav.enums["MAV_SYS_STATUS_SENSOR"]
#: The SYS_STATUS bits a ground station acts on, by short name.
BITS = {
    "gyro": mav.MAV_SYS_STATUS_SENSOR_3D_GYRO,
    "accel": mav.MAV_SYS_STATUS_SENSOR_3D_ACCEL,
    "mag": mav.MAV_SYS_STATUS_SENSOR_3D_MAG,
    "baro": mav.MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE,
    "gps": mav.MAV_SYS_STATUS_SENSOR_GPS,
    "motors": mav.MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS,
    "geofence": mav.MAV_SYS_STATUS_GEOFENCE,
    "ahrs": mav.MAV_SYS_STATUS_AHRS,
    "battery": mav.MAV_SYS_STATUS_SENSOR_BATTERY,
    "prearm": mav.MAV_SYS_STATUS_PREARM_CHECK,
}
GUIDED, STABILIZE = 4, 0


def sensors(s: Station) -> dict[str, list[str]]:
    """Which of :data:`BITS` the next SYS_STATUS says are present, enabled and healthy."""
    st = s.fresh("SYS_STATUS")
    out: dict[str, list[str]] = {}
    for field, value in (
        ("present", st.onboard_control_sensors_present),
        ("enabled", st.onboard_control_sensors_enabled),
        ("health", st.onboard_control_sensors_health),
    ):
        out[field] = sorted(name for name, bit in BITS.items() if value & bit)
    return out


def arm_attempt(s: Station, mode: int) -> dict[str, Any]:
    """Enter ``mode`` and ask to arm: the ack, the words the vehicle said, and whether
    its heartbeat then showed it armed (it is disarmed again before returning)."""
    s.set_mode(mode)
    s.until(lambda: s.mode() == mode, 5.0, f"mode {mode}")
    mark = len(s.received)
    ack = s.arm()
    armed = False
    if ack is not None and ack.result == mav.MAV_RESULT_ACCEPTED:
        s.until(s.armed, 5.0, "armed heartbeat")
        armed = True
        s.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 0)
        s.until(lambda: not s.armed(), 5.0, "disarmed heartbeat")
    s.wait(0.3)
    # the periodic "PreArm:" report may fall inside the attempt or not: probe_boot looks
    # at it over a longer window
    texts = [t for t in s.texts_since(mark) if not t.startswith("PreArm")]
    return {"ack": result_name(ack), "texts": texts, "armed": armed}


def early(attempt: dict[str, Any], *, last: bool) -> dict[str, Any]:
    """An arm attempt during start-up, where SITL's list of failing checks depends on the
    moment (accelerometers, EKF attitude …): the ack, the prefixes of its reasons, and
    (``last``) the reason the list ends with."""
    reasons = [t for t in attempt["texts"] if t.startswith(("Arm:", "PreArm:"))]
    out = {
        "ack": attempt["ack"],
        "armed": attempt["armed"],
        "prefixes": sorted({t.split(":", 1)[0] for t in reasons}),
    }
    if last:
        out["last reason"] = reasons[-1] if reasons else None
    return out


def at(s: Station, vehicle_s: float) -> None:
    if s.vehicle_s < vehicle_s:
        s.wait(vehicle_s - s.vehicle_s)


def probe_boot(s: Station) -> dict[str, Any]:
    """Start-up, as the ground station sees it (needs a vehicle booted less than 3 s ago)."""
    s.stream("SYS_STATUS", 4)
    s.stream("GPS_RAW_INT", 2)
    s.stream("GLOBAL_POSITION_INT", 4)
    s.stream("HOME_POSITION", 1)
    out: dict[str, Any] = {}
    assert s.vehicle_s < 5.0, f"vehicle already {s.vehicle_s:.1f} s old"
    at(s, 4.0)
    out["4 s sensors"] = sensors(s)
    out["4 s stabilize"] = early(arm_attempt(s, STABILIZE), last=False)
    out["5 s guided"] = early(arm_attempt(s, GUIDED), last=True)
    at(s, 14.0)
    gps = s.fresh("GPS_RAW_INT")
    out["14 s gps has 3D fix"] = gps.fix_type >= 3
    out["14 s position"] = s.fresh("GLOBAL_POSITION_INT").lat != 0
    out["14 s home"] = s.latest("HOME_POSITION") is not None
    out["14 s sensors"] = sensors(s)
    at(s, 26.0)
    out["26 s home"] = s.latest("HOME_POSITION") is not None
    prearm_mark = len(s.received)
    s.set_mode(STABILIZE)
    s.wait(1.5)
    out["26 s stabilize sensors"] = sensors(s)
    out["27 s guided"] = arm_attempt(s, GUIDED)
    s.wait(1.5)
    out["28 s guided sensors"] = sensors(s)
    at(s, 36.0)
    # checks that start failing (STABILIZE → GUIDED) are reported at once as "PreArm:"
    out["26-36 s PreArm reports"] = sorted(
        {t for t in s.texts_since(prearm_mark) if t.startswith("PreArm")}
    )
    s.set_mode(STABILIZE)
    s.until(lambda: any("using GPS" in t for t in s.texts), 30.0, "EKF using GPS")
    s.wait(2.0)
    out["ready stabilize sensors"] = sensors(s)
    s.set_mode(GUIDED)
    s.wait(1.5)
    out["ready guided sensors"] = sensors(s)
    out["ready guided"] = arm_attempt(s, GUIDED)
    s.set_mode(STABILIZE)
    return out


def probe_modes(s: Station) -> dict[str, Any]:
    """Arming in each mode, and disarming, on a ready vehicle on the ground."""
    s.ready()  # after probe_boot, a slowed vehicle may not be yet
    out: dict[str, Any] = {}
    for name, number in (
        ("AUTO", 3),
        ("RTL", 6),
        ("LAND", 9),
        ("BRAKE", 17),
        ("FOLLOW", 23),
        ("LOITER", 5),
        ("ALT_HOLD", 2),
        ("STABILIZE", 0),
        ("GUIDED", 4),
    ):
        out[name] = arm_attempt(s, number)
    s.set_mode(GUIDED)
    s.wait(0.3)
    s.arm_until_armed()
    mark = len(s.received)
    ack = s.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 0)
    s.until(lambda: not s.armed(), 5.0, "disarmed heartbeat")
    s.wait(0.3)
    out["disarm"] = {"ack": result_name(ack), "texts": s.texts_since(mark), "armed": s.armed()}
    mark = len(s.received)
    ack = s.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 0)
    s.wait(0.3)
    out["disarm when disarmed"] = {"ack": result_name(ack), "texts": s.texts_since(mark)}
    s.arm_until_armed()
    mark = len(s.received)
    took = s.until(lambda: not s.armed(), 30.0, "auto disarm")
    s.wait(0.3)
    # DISARM_DELAY is 10 s; heartbeats come at 1 Hz
    out["auto disarm"] = {"after 8-12 s": 8.0 <= took <= 12.0, "texts": s.texts_since(mark)}
    return out
