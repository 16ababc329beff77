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

from overwatch.cues import CueBook
from overwatch.mission import load_mission
from overwatch.scoring.rundir import read_manifest
from tests.ops.takeover_helpers import (
    MISSION,
    altitude_m,
    assert_taken_over,
    messages,
    session_options,
    simulator,
)


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
    cruise_m = load_mission(MISSION).overwatch.altitude_agl_m
    run_dir = tmp_path / "run"
    tlog, cues = run_dir / "flight.tlog", run_dir / "cues.sqlite"
    with simulator(backend, tmp_path / "sim") as sim:
        command = [sys.executable, "-m", "overwatch", "run", *session_options(sim, run_dir)]
        first = subprocess.Popen(
            [*command, "--time-limit", "3600"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait(
                "the drone at its overwatch height",
                lambda: tlog.exists() and altitude_m(messages(tlog)) > 0.6 * cruise_m,
                first,
                timeout_s=300,
            )
            time.sleep(60.0 / sim.speedup)  # a minute of overwatch
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
        killed_at_m = altitude_m(messages(tlog))

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
    assert killed_at_m > 0.6 * cruise_m
    assert_taken_over(messages(tlog, start=len(kept)), cruise_m)
