"""What the ground station heard: a summary of the run's MAVLink telemetry log (.tlog).

The ground truth says where the drone really was; the tlog says what the
operator's laptop was told. The after-action bundle keeps both, so a gap in
telemetry (link loss) shows beside the true track.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from overwatch.errors import RunDirError
from overwatch.link import events as ev
from overwatch.link import read_tlog
from overwatch.link.decode import Decoder, to_event
from overwatch.scoring.truth import FloatArray

#: MAV_TYPE_GCS and MAV_AUTOPILOT_INVALID: heartbeats from ground stations, not vehicles
_MAV_TYPE_GCS = 6
_MAV_AUTOPILOT_INVALID = 8


@dataclass(frozen=True, eq=False)
class TlogSummary:
    """Counts and the vehicle's reported track from a .tlog.

    ``positions`` columns: ``unix_s, lat_deg, lon_deg, alt_rel_m`` (GLOBAL_POSITION_INT
    from the vehicle, in log order); ``unix_s`` is the ground station's clock when
    the packet was logged.
    """

    path: Path
    packets: int
    decoded: int
    bad_packets: int
    first_unix_s: float | None
    last_unix_s: float | None
    vehicle_sysids: tuple[int, ...]
    positions: FloatArray

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.path.name,
            "packets": self.packets,
            "decoded": self.decoded,
            "bad_packets": self.bad_packets,
            "first_unix_s": self.first_unix_s,
            "last_unix_s": self.last_unix_s,
            "vehicle_sysids": list(self.vehicle_sysids),
            "positions": len(self.positions),
        }


def summarize_tlog(path: Path) -> TlogSummary:
    """Read ``path`` and keep what the after-action bundle shows."""
    decoder = Decoder()
    stamps: list[float] = []
    vehicles: set[int] = set()
    fixes: dict[int, list[tuple[float, float, float, float]]] = {}
    try:
        records = list(read_tlog(path))
    except OSError as exc:
        raise RunDirError(f"{path}: cannot read the telemetry log: {exc.strerror or exc}") from None
    for unix_s, packet in records:
        stamps.append(unix_s)
        for message in decoder.feed(packet):
            event = to_event(message)
            if isinstance(event, ev.Heartbeat):
                if event.mav_type != _MAV_TYPE_GCS and event.autopilot != _MAV_AUTOPILOT_INVALID:
                    vehicles.add(event.sysid)
            elif isinstance(event, ev.GlobalPosition) and (event.lat_deg, event.lon_deg) != (0, 0):
                # ArduPilot reports 0°, 0° until it has a position: not a place it flew
                fixes.setdefault(event.sysid, []).append(
                    (unix_s, event.lat_deg, event.lon_deg, event.alt_rel_m)
                )
    track = [row for sysid in sorted(vehicles) for row in fixes.get(sysid, [])]
    if not vehicles and len(fixes) == 1:
        track = next(iter(fixes.values()))  # a log that starts after the last heartbeat
    positions = np.asarray(sorted(track), dtype=float).reshape(-1, 4)
    return TlogSummary(
        path=path,
        packets=len(records),
        decoded=decoder.messages,
        bad_packets=decoder.bad_packets,
        first_unix_s=stamps[0] if stamps else None,
        last_unix_s=stamps[-1] if stamps else None,
        vehicle_sysids=tuple(sorted(vehicles)),
        positions=positions,
    )
