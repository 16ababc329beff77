"""What the take-over tests share: the simulator they fly, the session's options, and the
checks on the tlog that a restarted ground station took the flight over where it was
(no second takeoff, still armed, no sinking before its first setpoint)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.link import read_tlog
from overwatch.ops.training import SimProcess

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
SCENARIO = ROOT / "missions" / "vehicle-patrol.scenario.yaml"
SPEEDUP = {"builtin": 20.0, "sitl": 10.0}


def simulator(backend: str, run_dir: Path) -> SimProcess:
    """The scenario's simulator on ``backend`` ("builtin" or "sitl", from $ARDUPILOT_SITL)."""
    sitl = os.environ["ARDUPILOT_SITL"] if backend == "sitl" else None
    extra = ("--ekf-delay", "10") if sitl is None else ()
    return SimProcess(
        MISSION, SCENARIO, run_dir, speedup=SPEEDUP[backend], extra_args=extra, sitl=sitl
    )


def session_options(sim: SimProcess, run_dir: Path) -> list[str]:
    """``run``'s and ``ui``'s arguments for a session on ``sim`` kept in ``run_dir``."""
    return [
        str(MISSION),
        "--connect", sim.connect_url, "--patrol", sim.patrol_url,
        "--sightings", sim.sightings_url, "--speedup", repr(sim.speedup),
        "--run-dir", str(run_dir),
    ]  # fmt: skip


def messages(tlog: Path, start: int = 0) -> list[Any]:
    """The packets in ``tlog`` from byte ``start`` on, decoded (both ways)."""
    codec = mavlink.MAVLink(None)
    codec.robust_parsing = True
    data = tlog.read_bytes()[start:]
    part = tlog.with_suffix(".part")
    part.write_bytes(data)
    out = []
    for _, packet in read_tlog(part):
        try:
            out.append(codec.decode(bytearray(packet)))
        except mavlink.MAVError:
            continue
    return out


def altitude_m(messages: list[Any]) -> float:
    """The drone's last altitude above home in ``messages`` (0 before any)."""
    alts = [m.relative_alt / 1000 for m in messages if m.get_type() == "GLOBAL_POSITION_INT"]
    return alts[-1] if alts else 0.0


def commands(messages: list[Any], sysid: int = 255) -> list[int]:
    """The MAV_CMDs that ``sysid`` sent."""
    return [
        m.command
        for m in messages
        if m.get_type() in ("COMMAND_LONG", "COMMAND_INT") and m.get_srcSystem() == sysid
    ]


def setpoint_indexes(messages: list[Any], sysid: int = 255) -> list[int]:
    """Where in ``messages`` ``sysid`` sent a GUIDED position target."""
    return [
        i
        for i, m in enumerate(messages)
        if m.get_type() == "SET_POSITION_TARGET_GLOBAL_INT" and m.get_srcSystem() == sysid
    ]


def assert_taken_over(after: list[Any], cruise_m: float) -> None:
    """``after`` (the tlog since the restart) shows the flight taken over in the air: no
    second takeoff, the vehicle armed from its first heartbeat on, and the drone still up
    when the new session sent its first setpoint."""
    assert mavlink.MAV_CMD_NAV_TAKEOFF not in commands(after)
    heartbeats = [m for m in after if m.get_type() == "HEARTBEAT" and m.get_srcSystem() == 1]
    assert heartbeats and heartbeats[0].base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    setpoints = setpoint_indexes(after)
    assert setpoints, "the new session never steered the drone"
    lowest = min(
        m.relative_alt / 1000
        for m in after[: setpoints[0] + 1]
        if m.get_type() == "GLOBAL_POSITION_INT"
    )
    assert lowest > 0.5 * cruise_m, f"the drone sank to {lowest:.0f} m before the take-over"
