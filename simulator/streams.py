"""Which telemetry messages the vehicle sends, and when (simulated time).

Nothing but HEARTBEAT goes out until a client asks: MAV_CMD_SET_MESSAGE_INTERVAL
sets one message's interval, REQUEST_DATA_STREAM (or an SR0_* parameter) a
group's rate, as ArduPilot's stream groups do. A message due several times
within one simulation tick is sent once (at high speed-ups a burst of stale
copies would only load the link).
"""

from __future__ import annotations

from collections.abc import Iterable

# message ids
HEARTBEAT = 0
SYS_STATUS = 1
SYSTEM_TIME = 2
GPS_RAW_INT = 24
ATTITUDE = 30
LOCAL_POSITION_NED = 32
GLOBAL_POSITION_INT = 33
MISSION_CURRENT = 42
NAV_CONTROLLER_OUTPUT = 62
VFR_HUD = 74
BATTERY_STATUS = 147
AUTOPILOT_VERSION = 148
MOUNT_STATUS = 158
FENCE_STATUS = 162
EKF_STATUS_REPORT = 193
HOME_POSITION = 242
EXTENDED_SYS_STATE = 245
GIMBAL_DEVICE_ATTITUDE_STATUS = 285

#: MAV_DATA_STREAM id → (SR0_ parameter, message ids), as ArduCopter groups them.
GROUPS: dict[int, tuple[str, tuple[int, ...]]] = {
    1: ("SR0_RAW_SENS", ()),
    2: (
        "SR0_EXT_STAT",
        (
            SYS_STATUS,
            MISSION_CURRENT,
            GPS_RAW_INT,
            NAV_CONTROLLER_OUTPUT,
            FENCE_STATUS,
            EXTENDED_SYS_STATE,
        ),
    ),
    3: ("SR0_RC_CHAN", ()),
    4: ("SR0_RAW_CTRL", ()),
    6: ("SR0_POSITION", (GLOBAL_POSITION_INT, LOCAL_POSITION_NED)),
    10: ("SR0_EXTRA1", (ATTITUDE,)),
    11: ("SR0_EXTRA2", (VFR_HUD,)),
    12: (
        "SR0_EXTRA3",
        (SYSTEM_TIME, BATTERY_STATUS, EKF_STATUS_REPORT, GIMBAL_DEVICE_ATTITUDE_STATUS),
    ),
}
MAV_DATA_STREAM_ALL = 0


class StreamSchedule:
    """Intervals (simulated seconds) per message id, and when each is next due."""

    def __init__(self) -> None:
        self._group_rate_hz: dict[int, float] = {}
        self._explicit_s: dict[int, float] = {}  # from SET_MESSAGE_INTERVAL; <0 disables
        self._interval_s: dict[int, float] = {}
        self._next_s: dict[int, float] = {}

    def set_group_rate(self, stream_id: int, rate_hz: float, now_s: float) -> list[int]:
        """Set a MAV_DATA_STREAM group's rate (0 stops it); returns the groups touched."""
        ids = list(GROUPS) if stream_id == MAV_DATA_STREAM_ALL else [stream_id]
        ids = [i for i in ids if i in GROUPS]
        for sid in ids:
            self._group_rate_hz[sid] = max(0.0, rate_hz)
        self._rebuild(now_s)
        return ids

    def set_interval(self, msg_id: int, interval_s: float | None, now_s: float) -> None:
        """Set one message's interval; ``None`` restores the group default, <0 disables."""
        if interval_s is None:
            self._explicit_s.pop(msg_id, None)
        else:
            self._explicit_s[msg_id] = interval_s
        self._rebuild(now_s)

    def interval_s(self, msg_id: int) -> float:
        """Current interval in seconds, or -1 if not streamed."""
        return self._interval_s.get(msg_id, -1.0)

    def _rebuild(self, now_s: float) -> None:
        intervals: dict[int, float] = {}
        for sid, rate in self._group_rate_hz.items():
            if rate > 0:
                for msg_id in GROUPS[sid][1]:
                    intervals[msg_id] = min(intervals.get(msg_id, 1e9), 1.0 / rate)
        for msg_id, interval in self._explicit_s.items():
            if interval < 0:
                intervals.pop(msg_id, None)
            else:
                intervals[msg_id] = interval
        self._interval_s = intervals
        self._next_s = {m: self._next_s.get(m, now_s) for m in intervals}

    def due(self, now_s: float) -> Iterable[int]:
        """Message ids due at ``now_s``; each is rescheduled one interval on."""
        out = []
        for msg_id, when in self._next_s.items():
            if when <= now_s:
                out.append(msg_id)
                interval = self._interval_s[msg_id]
                nxt = when + interval
                self._next_s[msg_id] = nxt if nxt > now_s else now_s + interval
        return out
