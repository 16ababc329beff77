"""The simulator child process never outlives the program that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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
