"""MAVLink telemetry messages built from the autopilot's state (scaling happens here)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator import streams
from simulator.modes import GUIDED_FLAG_MODES
from simulator.navigation import NAV_LAND, NAV_TAKEOFF

if TYPE_CHECKING:
    from simulator.autopilot import Autopilot

_CUSTOM_MODE_ENABLED: int = mav.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
_GUIDED_ENABLED: int = mav.MAV_MODE_FLAG_GUIDED_ENABLED
_STABILIZE_ENABLED: int = mav.MAV_MODE_FLAG_STABILIZE_ENABLED
_MANUAL_INPUT_ENABLED: int = mav.MAV_MODE_FLAG_MANUAL_INPUT_ENABLED
_SAFETY_ARMED: int = mav.MAV_MODE_FLAG_SAFETY_ARMED

_EKF_BEFORE_GPS = (
    mav.ESTIMATOR_ATTITUDE
    | mav.ESTIMATOR_VELOCITY_VERT
    | mav.ESTIMATOR_POS_VERT_ABS
    | mav.ESTIMATOR_CONST_POS_MODE
)
_EKF_WITH_GPS = (
    mav.ESTIMATOR_ATTITUDE
    | mav.ESTIMATOR_VELOCITY_HORIZ
    | mav.ESTIMATOR_VELOCITY_VERT
    | mav.ESTIMATOR_POS_HORIZ_REL
    | mav.ESTIMATOR_POS_HORIZ_ABS
    | mav.ESTIMATOR_POS_VERT_ABS
    | mav.ESTIMATOR_PRED_POS_HORIZ_REL
    | mav.ESTIMATOR_PRED_POS_HORIZ_ABS
)
# SYS_STATUS sensor bits as ArduCopter SITL 64a9c787 sends them: the bits that do not
# change during start-up, then GPS (fix), AHRS (EKF origin set), the pre-arm check
# (passing) and the geofence (enabled; healthy unless breached) on top.
_S = mav
_PRESENT = 0x5371_FC0F
_ENABLED = 0x5241_9C0F
_HEALTH = 0x4751_9C0F
_GPS = _S.MAV_SYS_STATUS_SENSOR_GPS
_AHRS = _S.MAV_SYS_STATUS_AHRS
_PREARM = _S.MAV_SYS_STATUS_PREARM_CHECK
_FENCE = _S.MAV_SYS_STATUS_GEOFENCE
_GIMBAL_FLAGS = (
    mav.GIMBAL_DEVICE_FLAGS_ROLL_LOCK
    | mav.GIMBAL_DEVICE_FLAGS_PITCH_LOCK
    | mav.GIMBAL_DEVICE_FLAGS_YAW_IN_VEHICLE_FRAME
)
FLIGHT_SW_VERSION = (4 << 24) | (5 << 16) | (7 << 8) | 255  # 4.5.7 official


def heartbeat(ap: Autopilot) -> Any:
    base = _STABILIZE_ENABLED | _MANUAL_INPUT_ENABLED | _CUSTOM_MODE_ENABLED
    if ap.mode in GUIDED_FLAG_MODES:
        base |= _GUIDED_ENABLED
    if ap.armed:
        base |= _SAFETY_ARMED
    status = mav.MAV_STATE_STANDBY
    if ap.armed:
        failsafe = ap.failsafes.gcs or ap.failsafes.battery_level
        status = mav.MAV_STATE_CRITICAL if failsafe else mav.MAV_STATE_ACTIVE
    return mav.MAVLink_heartbeat_message(
        mav.MAV_TYPE_QUADROTOR, mav.MAV_AUTOPILOT_ARDUPILOTMEGA, base, int(ap.mode), status, 3
    )


def _boot_ms(ap: Autopilot) -> int:
    return int(ap.time_s * 1000.0) & 0xFFFFFFFF


def global_position_int(ap: Autopilot) -> Any:
    b = ap.body
    if not ap.gps_fix:  # ArduCopter sends a position from the first GPS fix on
        return mav.MAVLink_global_position_int_message(_boot_ms(ap), 0, 0, 0, 0, 0, 0, 0, 0)
    lat, lon, alt = ap.position()
    return mav.MAVLink_global_position_int_message(
        _boot_ms(ap),
        round(lat * 1e7),
        round(lon * 1e7),
        round(alt * 1000.0),
        round(ap.alt_rel_m * 1000.0),
        round(b.vy_m_s * 100.0),
        round(b.vx_m_s * 100.0),
        round(-b.vz_m_s * 100.0),
        round(b.yaw_deg * 100.0) % 36000,
    )


def local_position_ned(ap: Autopilot) -> Any:
    b = ap.body
    return mav.MAVLink_local_position_ned_message(
        _boot_ms(ap), b.y_m, b.x_m, -b.z_m, b.vy_m_s, b.vx_m_s, -b.vz_m_s
    )


def attitude(ap: Autopilot) -> Any:
    b = ap.body
    yaw = math.radians(b.yaw_deg)
    if yaw > math.pi:
        yaw -= 2 * math.pi
    return mav.MAVLink_attitude_message(
        _boot_ms(ap),
        math.radians(b.roll_deg),
        math.radians(b.pitch_deg),
        yaw,
        0.0,
        0.0,
        math.radians(b.yaw_rate_deg_s),
    )


def sensor_bits(ap: Autopilot) -> tuple[int, int, int]:
    """SYS_STATUS (present, enabled, health) for the vehicle's state."""
    present, enabled, health = _PRESENT, _ENABLED, _HEALTH
    if ap.gps_fix:
        present |= _GPS
        enabled |= _GPS
        health |= _GPS
    if ap.home_set:
        enabled |= _AHRS
        health |= _AHRS
    if ap.armed or not ap.prearm_failures():
        health |= _PREARM
    if ap.params["FENCE_ENABLE"] > 0:
        enabled |= _FENCE
    if ap.failsafes.fence_breaches:
        health &= ~_FENCE
    return present, enabled, health


def sys_status(ap: Autopilot) -> Any:
    bat = ap.battery
    present, enabled, health = sensor_bits(ap)
    return mav.MAVLink_sys_status_message(
        present,
        enabled,
        health,
        100,
        round(bat.voltage_v * 1000.0),
        round(bat.current_a * 100.0),
        round(bat.remaining_fraction * 100.0),
        0,
        0,
        0,
        0,
        0,
        0,
    )


#: BATTERY_STATUS.charge_state by battery failsafe level (none, low, critical)
_CHARGE_STATES = (
    mav.MAV_BATTERY_CHARGE_STATE_OK,
    mav.MAV_BATTERY_CHARGE_STATE_LOW,
    mav.MAV_BATTERY_CHARGE_STATE_CRITICAL,
)


def battery_status(ap: Autopilot) -> Any:
    bat = ap.battery
    cells = [65535] * 10
    cell_mv = round(bat.voltage_v / bat.cells * 1000.0)
    for i in range(bat.cells):
        cells[i] = cell_mv
    return mav.MAVLink_battery_status_message(
        0,
        0,
        1,
        32767,
        cells,
        round(bat.current_a * 100.0),
        round(bat.consumed_mah),
        -1,
        round(bat.remaining_fraction * 100.0),
        0,
        _CHARGE_STATES[ap.failsafes.battery_level],
    )


def gps_raw_int(ap: Autopilot) -> Any:
    b = ap.body
    if not ap.gps_fix:
        return mav.MAVLink_gps_raw_int_message(
            int(ap.time_s * 1e6), mav.GPS_FIX_TYPE_NO_FIX, 0, 0, 0, 9999, 9999, 0, 0, 0
        )
    lat, lon, alt = ap.position()
    cog = round(math.degrees(math.atan2(b.vx_m_s, b.vy_m_s)) % 360.0 * 100.0) % 36000
    return mav.MAVLink_gps_raw_int_message(
        int(ap.time_s * 1e6),
        mav.GPS_FIX_TYPE_3D_FIX,
        round(lat * 1e7),
        round(lon * 1e7),
        round(alt * 1000.0),
        121,
        200,
        round(b.groundspeed_m_s() * 100.0),
        cog,
        10,
    )


def vfr_hud(ap: Autopilot) -> Any:
    b = ap.body
    throttle = 0 if not ap.armed else (15 if b.on_ground else 45)
    _, _, alt = ap.position()
    return mav.MAVLink_vfr_hud_message(
        b.airspeed_m_s(ap.wind),
        b.groundspeed_m_s(),
        round(b.yaw_deg) % 360,
        throttle,
        alt,
        b.vz_m_s,
    )


def ekf_status_report(ap: Autopilot) -> Any:
    flags = _EKF_WITH_GPS if ap.ekf_ok else _EKF_BEFORE_GPS
    return mav.MAVLink_ekf_status_report_message(flags, 0.02, 0.01, 0.01, 0.02, 0.0, 0.0)


def extended_sys_state(ap: Autopilot) -> Any:
    b = ap.body
    if b.on_ground:
        landed = mav.MAV_LANDED_STATE_ON_GROUND
    elif ap.nav.kind == NAV_TAKEOFF and b.z_m < ap.nav.target[2] - 0.5:
        landed = mav.MAV_LANDED_STATE_TAKEOFF
    elif ap.nav.kind == NAV_LAND:
        landed = mav.MAV_LANDED_STATE_LANDING
    else:
        landed = mav.MAV_LANDED_STATE_IN_AIR
    return mav.MAVLink_extended_sys_state_message(mav.MAV_VTOL_STATE_UNDEFINED, landed)


def home_position(ap: Autopilot) -> Any | None:
    if not ap.home_set:
        return None
    lat, lon, alt = ap.home_lat_lon_alt()
    return mav.MAVLink_home_position_message(
        round(lat * 1e7),
        round(lon * 1e7),
        round(alt * 1000.0),
        0.0,
        0.0,
        0.0,
        [1.0, 0.0, 0.0, 0.0],
        0.0,
        0.0,
        0.0,
        int(ap.time_s * 1e6),
    )


def mission_current(ap: Autopilot) -> Any:
    return ap.mission.mission_current_message()


def system_time(ap: Autopilot) -> Any:
    unix_us = int((ap.start_unix_s + ap.time_s) * 1e6) if ap.gps_fix else 0
    return mav.MAVLink_system_time_message(unix_us, _boot_ms(ap))


def gimbal_device_attitude_status(ap: Autopilot) -> Any:
    g = ap.gimbal
    p, y = math.radians(g.pitch_deg) / 2.0, math.radians(g.yaw_deg) / 2.0
    q = [
        math.cos(p) * math.cos(y),
        -math.sin(p) * math.sin(y),
        math.sin(p) * math.cos(y),
        math.cos(p) * math.sin(y),
    ]
    earth_yaw = math.radians(g.yaw_deg + ap.body.yaw_deg)
    return mav.MAVLink_gimbal_device_attitude_status_message(
        0, 0, _boot_ms(ap), _GIMBAL_FLAGS, q, 0.0, 0.0, 0.0, 0, earth_yaw, 0.0, 1
    )


def mount_status(ap: Autopilot) -> Any:
    g = ap.gimbal
    return mav.MAVLink_mount_status_message(
        0, 0, round(g.pitch_deg * 100.0), 0, round(g.yaw_deg * 100.0), g.mode
    )


def breach_type(breaches: int) -> int:
    """FENCE_STATUS.breach_type for a FENCE_TYPE bit set of breaches, as ArduPilot's
    ``GCS_MAVLINK::send_fence_status`` translates it: a circle or polygon breach is
    BOUNDARY, else the altitude ceiling is MAXALT (a floor breach is reported as none)."""
    if breaches & (mav.FENCE_TYPE_CIRCLE | mav.FENCE_TYPE_POLYGON):
        return int(mav.FENCE_BREACH_BOUNDARY)
    if breaches & mav.FENCE_TYPE_ALT_MAX:
        return int(mav.FENCE_BREACH_MAXALT)
    return int(mav.FENCE_BREACH_NONE)


def fence_status(ap: Autopilot) -> Any:
    return mav.MAVLink_fence_status_message(
        1 if ap.failsafes.fence_breaches else 0,
        ap.failsafes.fence_breach_count,
        breach_type(ap.failsafes.fence_breaches),
        int(ap.failsafes.fence_breach_time_s * 1000.0),
    )


def nav_controller_output(ap: Autopilot) -> Any:
    b = ap.body
    tx, ty, tz = ap.nav.target
    dx, dy = tx - b.x_m, ty - b.y_m
    bearing = round(math.degrees(math.atan2(dx, dy)))
    return mav.MAVLink_nav_controller_output_message(
        b.roll_deg,
        b.pitch_deg,
        bearing,
        bearing,
        min(65535, round(math.hypot(dx, dy))),
        tz - b.z_m,
        0.0,
        0.0,
    )


#: AUTOPILOT_VERSION.capabilities (RESERVED3 and RESERVED2 are bits ArduPilot still sets)
_CAPABILITIES = (
    mav.MAV_PROTOCOL_CAPABILITY_MISSION_FLOAT
    | mav.MAV_PROTOCOL_CAPABILITY_MISSION_INT
    | mav.MAV_PROTOCOL_CAPABILITY_COMMAND_INT
    | mav.MAV_PROTOCOL_CAPABILITY_FTP
    | mav.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_LOCAL_NED
    | mav.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_GLOBAL_INT
    | mav.MAV_PROTOCOL_CAPABILITY_RESERVED3
    | mav.MAV_PROTOCOL_CAPABILITY_FLIGHT_TERMINATION
    | mav.MAV_PROTOCOL_CAPABILITY_MAVLINK2
    | mav.MAV_PROTOCOL_CAPABILITY_MISSION_FENCE
    | mav.MAV_PROTOCOL_CAPABILITY_RESERVED2
)


def autopilot_version(ap: Autopilot) -> Any:
    return mav.MAVLink_autopilot_version_message(
        _CAPABILITIES, FLIGHT_SW_VERSION, 0, 0, 0, [0] * 8, [0] * 8, [0] * 8, 0, 0, ap.sysid
    )


#: MAVLink ids of the camera messages a vehicle with a synthetic camera answers
CAMERA_INFORMATION: int = mav.MAVLINK_MSG_ID_CAMERA_INFORMATION
VIDEO_STREAM_INFORMATION: int = mav.MAVLINK_MSG_ID_VIDEO_STREAM_INFORMATION
#: the autopilot attribute holding the camera's advertisement (see :func:`attach_camera`)
_CAMERA_ATTRIBUTE = "camera_advertisement"


def attach_camera(
    ap: Autopilot, information: Mapping[str, object], stream: Mapping[str, object]
) -> None:
    """Let ``ap`` answer MAV_CMD_REQUEST_MESSAGE for its camera.

    ``information`` / ``stream`` are the CAMERA_INFORMATION and
    VIDEO_STREAM_INFORMATION fields in MAVLink units (``as_mavlink()`` of
    :mod:`simulator.camera.advertise`); ``time_boot_ms`` is filled in per reply.
    """
    setattr(ap, _CAMERA_ATTRIBUTE, (dict(information), dict(stream)))


def camera_message(ap: Autopilot, message_id: int) -> Any | None:
    """CAMERA_INFORMATION or VIDEO_STREAM_INFORMATION; None without a camera attached."""
    advert: tuple[dict[str, object], dict[str, object]] | None = getattr(
        ap, _CAMERA_ATTRIBUTE, None
    )
    if advert is None:
        return None
    information, stream = advert
    if message_id == CAMERA_INFORMATION:
        return mav.MAVLink_camera_information_message(
            **{**information, "time_boot_ms": _boot_ms(ap)}
        )
    if message_id == VIDEO_STREAM_INFORMATION:
        return mav.MAVLink_video_stream_information_message(**stream)
    return None


BUILDERS: dict[int, Callable[[Autopilot], Any]] = {
    streams.HEARTBEAT: heartbeat,
    streams.SYS_STATUS: sys_status,
    streams.SYSTEM_TIME: system_time,
    streams.GPS_RAW_INT: gps_raw_int,
    streams.ATTITUDE: attitude,
    streams.LOCAL_POSITION_NED: local_position_ned,
    streams.GLOBAL_POSITION_INT: global_position_int,
    streams.MISSION_CURRENT: mission_current,
    streams.NAV_CONTROLLER_OUTPUT: nav_controller_output,
    streams.VFR_HUD: vfr_hud,
    streams.BATTERY_STATUS: battery_status,
    streams.AUTOPILOT_VERSION: autopilot_version,
    streams.MOUNT_STATUS: mount_status,
    streams.FENCE_STATUS: fence_status,
    streams.EKF_STATUS_REPORT: ekf_status_report,
    streams.HOME_POSITION: home_position,
    streams.EXTENDED_SYS_STATE: extended_sys_state,
    streams.GIMBAL_DEVICE_ATTITUDE_STATUS: gimbal_device_attitude_status,
}
