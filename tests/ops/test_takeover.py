"""A ground station killed mid-patrol (``kill -9``) and started again takes the flight over
where it is: no second takeoff, no landing; the cue store, the run directory and the tlog
are picked up and added to, and the patrol keeps being watched. On the built-in simulator
and on ArduPilot SITL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.cues import CueBook
from overwatch.link import read_tlog
from overwatch.mission import load_mission
from overwatch.ops.training import SimProcess
from overwatch.scoring.rundir import read_manifest

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
SCENARIO = ROOT / "missions" / "vehicle-patrol.scenario.yaml"
SPEEDUP = {"builtin": 20.0, "sitl": 10.0}


def _messages(tlog: Path, start: int = 0) -> list[Any]:
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


def _altitude_m(messages: list[Any]) -> float:
    alts = [m.relative_alt / 1000 for m in messages if m.get_type() == "GLOBAL_POSITION_INT"]
    return alts[-1] if alts else 0.0


def _commands(messages: list[Any], sysid: int = 255) -> list[int]:
    return [
        m.command
        for m in messages
        if m.get_type() in ("COMMAND_LONG", "COMMAND_INT") and m.get_srcSystem() == sysid
    ]


def _wait(what: str, ok: Any, process: subprocess.Popen[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ok():
            return
        if process.poll() is not None:
            raise AssertionError(f"overwatch run exited ({process.returncode}) before {what}")
        time.sleep(0.5)
    raise AssertionError(f"{what} not seen within {timeout_s:g} s")


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("backend", ["builtin", pytest.param("sitl", marks=pytest.mark.sitl)])
def test_a_killed_ground_station_takes_the_flight_over_again(backend: str, tmp_path: Path) -> None:
    speedup = SPEEDUP[backend]
    sitl = os.environ["ARDUPILOT_SITL"] if backend == "sitl" else None
    extra = ("--ekf-delay", "10") if sitl is None else ()
    cruise_m = load_mission(MISSION).overwatch.altitude_agl_m
    run_dir = tmp_path / "run"
    tlog, cues = run_dir / "flight.tlog", run_dir / "cues.sqlite"
    with SimProcess(
        MISSION, SCENARIO, tmp_path / "sim", speedup=speedup, extra_args=extra, sitl=sitl
    ) as sim:
        command = [
            sys.executable, "-m", "overwatch", "run", str(MISSION),
            "--connect", sim.connect_url, "--patrol", sim.patrol_url,
            "--sightings", sim.sightings_url, "--speedup", repr(speedup),
            "--run-dir", str(run_dir),
        ]  # fmt: skip
        first = subprocess.Popen(
            [*command, "--time-limit", "3600"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait(
                "the drone at its overwatch height",
                lambda: tlog.exists() and _altitude_m(_messages(tlog)) > 0.6 * cruise_m,
                first,
                timeout_s=300,
            )
            time.sleep(60.0 / speedup)  # a minute of overwatch
            started = read_manifest(run_dir / "run.json").started_utc
            before = {cue.id for cue in CueBook(cues).cues()}
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate()
        assert first.returncode == -signal.SIGKILL
        kept = tlog.read_bytes()
        killed_at_m = _altitude_m(_messages(tlog))

        second = subprocess.run(
            [*command, "--time-limit", "300"],
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert second.returncode == 0, second.stdout + second.stderr
    assert "resuming the run in" in second.stderr
    assert "taking over in flight at" in second.stderr, second.stderr
    assert second.stdout.startswith("time limit: lead coverage")
    assert "landed" in second.stdout and "NOT landed" not in second.stdout
    # the run directory went on: the same manifest, the cues from before, the tlog added to
    assert read_manifest(run_dir / "run.json").started_utc == started
    assert before <= {cue.id for cue in CueBook(cues).cues()}
    assert tlog.read_bytes().startswith(kept) and tlog.stat().st_size > len(kept) + 10_000
    # no second takeoff, and the drone stayed up until the new session steered it
    after = _messages(tlog, start=len(kept))
    assert mavlink.MAV_CMD_NAV_TAKEOFF not in _commands(after)
    assert killed_at_m > 0.6 * cruise_m
    heartbeats = [m for m in after if m.get_type() == "HEARTBEAT" and m.get_srcSystem() == 1]
    assert heartbeats and heartbeats[0].base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    setpoints = [i for i, m in enumerate(after) if m.get_type() == "SET_POSITION_TARGET_GLOBAL_INT"]
    assert setpoints, "the new session never steered the drone"
    lowest = min(
        m.relative_alt / 1000
        for m in after[: setpoints[0] + 1]
        if m.get_type() == "GLOBAL_POSITION_INT"
    )
    assert lowest > 0.5 * cruise_m, f"the drone sank to {lowest:.0f} m before the take-over"
