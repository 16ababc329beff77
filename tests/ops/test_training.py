"""The simulator child process: it never outlives the program that started it, and its
vehicle's GCS failsafe allows for the speed-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from overwatch.link import Link
from overwatch.ops.training import SimProcess
from simulator.failsafes import gcs_failsafe_timeout_s

ROOT = Path(__file__).resolve().parents[2]

STARTER = """
import sys, time
from pathlib import Path
from overwatch.ops.training import SimProcess
sim = SimProcess(Path(sys.argv[1]), None, Path(sys.argv[2]), speedup=1.0).start()
print(sim.process.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    return status != "Z"


def test_killing_the_parent_ends_the_simulator(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            STARTER,
            str(ROOT / "missions" / "vehicle-patrol.yaml"),
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    sim_pid = int(parent.stdout.readline())
    assert _alive(sim_pid)
    assert int((tmp_path / "simulator.pid").read_text()) == sim_pid
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(5)
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while _alive(sim_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = _alive(sim_pid)
    if alive:
        os.kill(sim_pid, signal.SIGKILL)
    assert not alive, "the simulator outlived the program that started it"


@pytest.mark.parametrize(
    ("extra", "expected_s"), [((), 20.0), (("--param", "FS_GCS_TIMEOUT=7.5"), 7.5)]
)
async def test_a_training_vehicle_gives_the_ground_station_two_wall_seconds(
    tmp_path: Path, extra: tuple[str, ...], expected_s: float
) -> None:
    # at 10x ArduCopter's 5 s are half a wall second: a busy laptop misses that, and the drone
    # goes home; training allows 2 s of wall time, unless the trainer sets the timeout itself
    assert gcs_failsafe_timeout_s(1.0) == 5.0 and gcs_failsafe_timeout_s(10.0) == 20.0
    mission = ROOT / "missions" / "vehicle-patrol.yaml"
    with SimProcess(mission, None, tmp_path, speedup=10.0, extra_args=extra) as sim:
        link = Link(sim.connect_url)
        await link.start()
        try:
            vehicle = await link.wait_vehicle(timeout_s=30.0)
            assert await vehicle.params.get("FS_GCS_TIMEOUT") == expected_s
        finally:
            await link.close()
