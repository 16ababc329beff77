"""Typed events decoded from MAVLink messages, in SI-ish units named in each field.

Every event carries the ``sysid``/``compid`` of the component that sent it.
The scaling from MAVLink's integers (1e7 degrees, mm, cm/s, centidegrees, mV,
cA) happens once, in :mod:`overwatch.link.decode`; nothing downstream scales.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from overwatch.items import MissionItem


@dataclass(frozen=True)
class Event:
    """Base of every link event: who sent it."""

    sysid: int
    compid: int


@dataclass(frozen=True)
class Heartbeat(Event):
    """HEARTBEAT: vehicle type, ArduCopter mode name, armed flag."""

    mav_type: int
    autopilot: int
    base_mode: int
    custom_mode: int
    mode: str
    armed: bool
    system_status: int


@dataclass(frozen=True)
class GlobalPosition(Event):
    """GLOBAL_POSITION_INT: fused position (WGS84 degrees, metres) and NED velocity (m/s).

    ``heading_deg`` is None when the vehicle does not know it (wire value 65535);
    ``time_boot_s`` is the vehicle's own clock (simulated time on SITL).
    """

    lat_deg: float
    lon_deg: float
    alt_msl_m: float
    alt_rel_m: float
    vn_m_s: float
    ve_m_s: float
    vd_m_s: float
    heading_deg: float | None
    time_boot_s: float = 0.0


@dataclass(frozen=True)
class Attitude(Event):
    """ATTITUDE: Euler angles in degrees, rates in degrees per second."""

    roll_deg: float
    pitch_deg: float
    yaw_deg: float
    roll_rate_deg_s: float
    pitch_rate_deg_s: float
    yaw_rate_deg_s: float


@dataclass(frozen=True)
class SysStatus(Event):
    """SYS_STATUS: main battery (V, A, %) and sensor health bits.

    ``current_a``/``remaining_pct`` are None when the vehicle does not measure them.
    """

    voltage_v: float
    current_a: float | None
    remaining_pct: float | None
    sensors_present: int
    sensors_enabled: int
    sensors_health: int


@dataclass(frozen=True)
class Battery(Event):
    """BATTERY_STATUS for one battery ``instance``.

    ``time_remaining_s`` is the vehicle's own estimate, None when it has none.
    """

    instance: int
    voltage_v: float | None
    current_a: float | None
    remaining_pct: float | None
    consumed_mah: float | None
    time_remaining_s: float | None


@dataclass(frozen=True)
class GpsRaw(Event):
    """GPS_RAW_INT: fix type (GPS_FIX_TYPE: 3 = 3D), satellites, HDOP (None if unknown)."""

    fix_type: int
    satellites: int | None
    hdop: float | None
    lat_deg: float
    lon_deg: float
    alt_msl_m: float
    ground_speed_m_s: float | None


@dataclass(frozen=True)
class VfrHud(Event):
    """VFR_HUD: speeds (m/s), heading (deg), throttle (%), altitude MSL (m), climb (m/s)."""

    airspeed_m_s: float
    groundspeed_m_s: float
    heading_deg: float
    throttle_pct: float
    alt_msl_m: float
    climb_m_s: float


@dataclass(frozen=True)
class StatusText(Event):
    """STATUSTEXT: MAV_SEVERITY (0 emergency … 7 debug) and the text."""

    severity: int
    text: str


@dataclass(frozen=True)
class CommandAck(Event):
    """COMMAND_ACK: which MAV_CMD, the MAV_RESULT and its name, progress (%) if any."""

    command: int
    result: int
    result_name: str
    progress_pct: int | None
    target_system: int
    target_component: int


@dataclass(frozen=True)
class MissionCurrent(Event):
    """MISSION_CURRENT: the mission item being flown (``total`` None if not sent)."""

    seq: int
    total: int | None


@dataclass(frozen=True)
class MissionItemReached(Event):
    """MISSION_ITEM_REACHED: the vehicle reached mission item ``seq``."""

    seq: int


@dataclass(frozen=True)
class HomePosition(Event):
    """HOME_POSITION: home in WGS84 degrees and metres above mean sea level."""

    lat_deg: float
    lon_deg: float
    alt_msl_m: float


@dataclass(frozen=True)
class ExtendedSysState(Event):
    """EXTENDED_SYS_STATE: MAV_LANDED_STATE and its short name (ON_GROUND, IN_AIR, …)."""

    landed_state: int
    landed_state_name: str


@dataclass(frozen=True)
class EkfStatus(Event):
    """EKF_STATUS_REPORT: EKF_STATUS_FLAGS bits and normalised variances (1.0 = limit)."""

    flags: int
    velocity_variance: float
    pos_horiz_variance: float
    pos_vert_variance: float
    compass_variance: float
    terrain_alt_variance: float

    @property
    def pos_horiz_abs_ok(self) -> bool:
        """The EKF has an absolute horizontal position (EKF_POS_HORIZ_ABS, bit 16)."""
        return bool(self.flags & 16)


@dataclass(frozen=True)
class GimbalAttitude(Event):
    """Gimbal attitude in degrees (GIMBAL_DEVICE_ATTITUDE_STATUS or MOUNT_STATUS)."""

    roll_deg: float
    pitch_deg: float
    yaw_deg: float


@dataclass(frozen=True)
class MissionCount(Event):
    """MISSION_COUNT: how many items of ``mission_type`` the sender holds."""

    count: int
    mission_type: int


@dataclass(frozen=True)
class MissionRequest(Event):
    """MISSION_REQUEST or MISSION_REQUEST_INT (``int_form``) for item ``seq``."""

    seq: int
    mission_type: int
    int_form: bool


@dataclass(frozen=True)
class MissionItemMessage(Event):
    """MISSION_ITEM_INT (or legacy MISSION_ITEM) decoded to a :class:`MissionItem`."""

    seq: int
    item: MissionItem


@dataclass(frozen=True)
class MissionAck(Event):
    """MISSION_ACK: MAV_MISSION_RESULT and its name."""

    result: int
    result_name: str
    mission_type: int


@dataclass(frozen=True)
class ParamValue(Event):
    """PARAM_VALUE: name, value, MAV_PARAM_TYPE, index and total count."""

    name: str
    value: float
    param_type: int
    index: int
    count: int


@dataclass(frozen=True)
class LinkLost(Event):
    """Synthetic: nothing heard from ``sysid`` for ``silent_s`` seconds."""

    silent_s: float


@dataclass(frozen=True)
class LinkRecovered(Event):
    """Synthetic: ``sysid`` is heard again after a :class:`LinkLost`, silent ``outage_s``."""

    outage_s: float


def _fast_init(cls: type[Event]) -> None:
    """Give a frozen event class an ``__init__`` that fills ``__dict__`` in one call.

    The dataclass-generated frozen ``__init__`` calls ``object.__setattr__``
    once per field, which is most of the cost of an event on the telemetry path
    (thousands a second). The instances stay frozen: assignment still raises
    ``FrozenInstanceError``. Signature and field order are unchanged.
    """
    names = [f.name for f in fields(cls)]
    source = (
        f"def __init__(self, {', '.join(names)}):\n"
        f"    self.__dict__.update({', '.join(f'{n}={n}' for n in names)})\n"
    )
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]


def _all_subclasses(cls: type[Event]) -> list[type[Event]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


_EVENT_CLASSES: list[type[Event]] = [Event, *_all_subclasses(Event)]
for _event_class in _EVENT_CLASSES:
    _fast_init(_event_class)
