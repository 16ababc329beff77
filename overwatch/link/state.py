"""What the link knows about one vehicle, kept current from decoded events."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from overwatch.link import events as ev

#: EKF_STATUS_FLAGS bits ArduCopter needs before it will fly on GPS:
#: attitude, horizontal and vertical velocity, horizontal and vertical absolute position.
EKF_REQUIRED_FLAGS = 1 | 2 | 4 | 16 | 32


class SenderQuality:
    """Packet reception from one (sysid, compid), from MAVLink sequence numbers.

    Looks at the last ``window`` received packets: ``percent_received`` is
    received / (received + missed) over that window.
    """

    def __init__(self, window: int = 200) -> None:
        self.last_seq: int | None = None
        self.received = 0
        self.missed = 0
        self._gaps: deque[int] = deque(maxlen=window)

    def update(self, seq: int) -> None:
        gap = 0
        if self.last_seq is not None:
            gap = (seq - self.last_seq - 1) % 256
            if gap >= 128:  # a restart or reordering, not 128+ losses
                gap = 0
        self.last_seq = seq
        self.received += 1
        self.missed += gap
        self._gaps.append(gap)

    @property
    def percent_received(self) -> float:
        """Percent of packets received over the recent window (100 before any gap)."""
        if not self._gaps:
            return 100.0
        return 100.0 * len(self._gaps) / (len(self._gaps) + sum(self._gaps))


class BatteryTimeEstimator:
    """Estimates time left (s) from how fast the remaining percentage falls over ``window_s``."""

    def __init__(self, window_s: float = 120.0) -> None:
        self.window_s = window_s
        self._samples: deque[tuple[float, float]] = deque()

    def add(self, now_s: float, remaining_pct: float) -> None:
        self._samples.append((now_s, remaining_pct))
        while self._samples and now_s - self._samples[0][0] > self.window_s:
            self._samples.popleft()

    def time_left_s(self) -> float | None:
        if len(self._samples) < 2:
            return None
        (t0, p0), (t1, p1) = self._samples[0], self._samples[-1]
        if t1 - t0 < 5.0 or p0 <= p1:
            return None
        return p1 / ((p0 - p1) / (t1 - t0))


@dataclass
class VehicleState:
    """The latest known state of one vehicle; None means "not heard yet".

    Positions are WGS84 degrees, altitudes metres (``_msl_m`` above mean sea
    level, ``_rel_m`` above home), velocities m/s north/east/down, angles degrees.
    ``last_message_s`` is on the event loop's monotonic clock.
    """

    sysid: int
    heartbeat_seen: bool = False
    mav_type: int | None = None
    mode: str | None = None
    custom_mode: int | None = None
    armed: bool = False
    system_status: int | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_msl_m: float | None = None
    alt_rel_m: float | None = None
    vn_m_s: float | None = None
    ve_m_s: float | None = None
    vd_m_s: float | None = None
    heading_deg: float | None = None
    groundspeed_m_s: float | None = None
    roll_deg: float | None = None
    pitch_deg: float | None = None
    yaw_deg: float | None = None
    battery_voltage_v: float | None = None
    battery_current_a: float | None = None
    battery_remaining_pct: float | None = None
    battery_time_left_s: float | None = None
    gps_fix_type: int | None = None
    gps_satellites: int | None = None
    gps_hdop: float | None = None
    ekf_flags: int | None = None
    landed_state: str | None = None
    #: the vehicle's clock (seconds since its boot) from its newest position report
    vehicle_time_s: float = 0.0
    home: ev.HomePosition | None = None
    mission_current_seq: int | None = None
    mission_reached: list[int] = field(default_factory=list)
    status_texts: deque[ev.StatusText] = field(default_factory=lambda: deque(maxlen=100))
    gimbal_roll_deg: float | None = None
    gimbal_pitch_deg: float | None = None
    gimbal_yaw_deg: float | None = None
    last_message_s: float | None = None
    link_lost: bool = False
    lost_since_s: float = 0.0
    senders: dict[int, SenderQuality] = field(default_factory=dict)
    _battery_estimator: BatteryTimeEstimator = field(default_factory=BatteryTimeEstimator)
    _vehicle_time_left_s: float | None = None

    # -- derived -------------------------------------------------------------

    @property
    def has_position(self) -> bool:
        """A position is known, and the EKF (if it reports) has an absolute horizontal fix."""
        if self.lat_deg is None or self.lon_deg is None:
            return False
        return self.ekf_flags is None or bool(self.ekf_flags & 16)

    @property
    def ekf_ok(self) -> bool | None:
        """All flags GPS flight needs are set (None before any EKF_STATUS_REPORT)."""
        if self.ekf_flags is None:
            return None
        return self.ekf_flags & EKF_REQUIRED_FLAGS == EKF_REQUIRED_FLAGS

    def link_quality_pct(self, compid: int | None = None) -> float:
        """Percent of packets received, for one component or the worst of all heard."""
        if compid is not None:
            sender = self.senders.get(compid)
            return sender.percent_received if sender else 0.0
        if not self.senders:
            return 0.0
        return min(s.percent_received for s in self.senders.values())

    def age_s(self, now_s: float) -> float | None:
        """Seconds since anything was heard from this vehicle (None: never)."""
        return None if self.last_message_s is None else now_s - self.last_message_s

    # -- updates --------------------------------------------------------------

    def note_packet(self, compid: int, seq: int, now_s: float) -> None:
        """Any packet from this vehicle: sequence bookkeeping and age."""
        sender = self.senders.get(compid)
        if sender is None:
            sender = self.senders[compid] = SenderQuality()
        sender.update(seq)
        self.last_message_s = now_s

    def apply(self, event: ev.Event, now_s: float) -> None:
        """Fold one typed event into the state."""
        update = _UPDATES.get(type(event))
        if update is not None:
            update(self, event, now_s)

    def _on_heartbeat(self, event: ev.Heartbeat, _now_s: float) -> None:
        if event.mav_type in _NOT_A_VEHICLE:
            return
        self.heartbeat_seen = True
        self.mav_type = event.mav_type
        self.mode = event.mode
        self.custom_mode = event.custom_mode
        self.armed = event.armed
        self.system_status = event.system_status

    def _on_global_position(self, event: ev.GlobalPosition, _now_s: float) -> None:
        self.lat_deg = event.lat_deg
        self.lon_deg = event.lon_deg
        self.alt_msl_m = event.alt_msl_m
        self.alt_rel_m = event.alt_rel_m
        self.vehicle_time_s = max(self.vehicle_time_s, event.time_boot_s)
        self.vn_m_s = vn = event.vn_m_s
        self.ve_m_s = ve = event.ve_m_s
        self.vd_m_s = event.vd_m_s
        if event.heading_deg is not None:
            self.heading_deg = event.heading_deg
        self.groundspeed_m_s = (vn * vn + ve * ve) ** 0.5

    def _on_attitude(self, event: ev.Attitude, _now_s: float) -> None:
        self.roll_deg = event.roll_deg
        self.pitch_deg = event.pitch_deg
        self.yaw_deg = event.yaw_deg

    def _on_sys_status(self, event: ev.SysStatus, now_s: float) -> None:
        self.battery_voltage_v = event.voltage_v
        self.battery_current_a = event.current_a
        if event.remaining_pct is not None:
            self.battery_remaining_pct = event.remaining_pct
            self._battery_estimator.add(now_s, event.remaining_pct)
        self._update_time_left()

    def _on_battery(self, event: ev.Battery, _now_s: float) -> None:
        if event.instance == 0:
            self._vehicle_time_left_s = event.time_remaining_s
            self._update_time_left()

    def _on_gps_raw(self, event: ev.GpsRaw, _now_s: float) -> None:
        self.gps_fix_type = event.fix_type
        self.gps_satellites = event.satellites
        self.gps_hdop = event.hdop

    def _on_ekf_status(self, event: ev.EkfStatus, _now_s: float) -> None:
        self.ekf_flags = event.flags

    def _on_extended_sys_state(self, event: ev.ExtendedSysState, _now_s: float) -> None:
        self.landed_state = event.landed_state_name

    def _on_home_position(self, event: ev.HomePosition, _now_s: float) -> None:
        self.home = event

    def _on_mission_current(self, event: ev.MissionCurrent, _now_s: float) -> None:
        self.mission_current_seq = event.seq

    def _on_mission_item_reached(self, event: ev.MissionItemReached, _now_s: float) -> None:
        self.mission_reached.append(event.seq)

    def _on_status_text(self, event: ev.StatusText, _now_s: float) -> None:
        self.status_texts.append(event)

    def _on_gimbal_attitude(self, event: ev.GimbalAttitude, _now_s: float) -> None:
        self.gimbal_roll_deg = event.roll_deg
        self.gimbal_pitch_deg = event.pitch_deg
        self.gimbal_yaw_deg = event.yaw_deg

    def _update_time_left(self) -> None:
        if self._vehicle_time_left_s is not None:
            self.battery_time_left_s = self._vehicle_time_left_s
        else:
            self.battery_time_left_s = self._battery_estimator.time_left_s()


#: MAV_TYPEs whose heartbeats describe no vehicle:
#: GCS (6), ONBOARD_CONTROLLER (18), gimbal (26), camera (30).
_NOT_A_VEHICLE = frozenset({6, 18, 26, 30})

#: Which method folds which event type into the state (a dict: one lookup per event).
_UPDATES: dict[type[ev.Event], Callable[[VehicleState, Any, float], None]] = {
    ev.Heartbeat: VehicleState._on_heartbeat,
    ev.GlobalPosition: VehicleState._on_global_position,
    ev.Attitude: VehicleState._on_attitude,
    ev.SysStatus: VehicleState._on_sys_status,
    ev.Battery: VehicleState._on_battery,
    ev.GpsRaw: VehicleState._on_gps_raw,
    ev.EkfStatus: VehicleState._on_ekf_status,
    ev.ExtendedSysState: VehicleState._on_extended_sys_state,
    ev.HomePosition: VehicleState._on_home_position,
    ev.MissionCurrent: VehicleState._on_mission_current,
    ev.MissionItemReached: VehicleState._on_mission_item_reached,
    ev.StatusText: VehicleState._on_status_text,
    ev.GimbalAttitude: VehicleState._on_gimbal_attitude,
}
