"""``overwatch ui`` killed mid-patrol (``kill -9``) and started again with the same
``--run-dir`` takes the flight over where it is, as ``overwatch run`` does
(tests/ops/test_takeover.py): no second takeoff, no sinking, the run directory, cues and
tlog kept and added to, and the drone steered on. The UI runs in a real terminal (a tmux
pane); the operator starts the overwatch with ``s``, as in the field. On the built-in
simulator and on ArduPilot SITL."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from overwatch.cues import CueBook
from overwatch.mission import load_mission
from overwatch.scoring.rundir import read_manifest
from tests.ops.takeover_helpers import (
    MISSION,
    ROOT,
    altitude_m,
    assert_taken_over,
    messages,
    session_options,
    setpoint_indexes,
    simulator,
)
from tests.terminal import Screen, tmux

TMUX = shutil.which("tmux")
#: the toast the UI shows when the vehicle refuses a command (it goes after 8 s)
REFUSED = "start overwatch failed"
#: a 3D fix or better on the drone panel (SITL's GPS reports RTK)
GPS_FIX = re.compile(r"GPS (3D|DGPS|RTK)")
PROGRESS = re.compile(r"(\d+\.\d)/11\.9 km")
#: the coverage strip with a figure and road watched (█) by this session
COVERAGE = re.compile(r"^Lead cov \d+% .*█", re.MULTILINE)


class Terminal(Screen):
    """One tmux pane on the test's own tmux server, kept when its program exits (so its
    last screen can be read, and a program started in it again)."""

    def __init__(self, name: str, conf: Path) -> None:
        super().__init__(name)
        self.conf = conf
        self.started = False

    def run(self, command: str) -> int:
        """Run ``command`` in the pane (again, once the last one is dead); its PID."""
        if not self.started:
            tmux(self.name, "-f", str(self.conf), "new-session", "-d", "-s", self.name,
                 "-x", "160", "-y", "48", "-c", str(ROOT), command, check=True)  # fmt: skip
            # a detached session keeps tmux's default size unless told otherwise
            tmux(self.name, "resize-window", "-t", self.name, "-x", "160", "-y", "48")
            self.started = True
        else:
            assert self.dead(), "the pane's last program is still running"
            tmux(self.name, "respawn-pane", "-t", self.name, "-c", str(ROOT), command, check=True)
        return int(self.display("#{pane_pid}"))


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    assert TMUX, "tmux is needed for this test (scripts/sysdeps.sh installs it)"
    conf = tmp_path / "tmux.conf"
    conf.write_text("set -g remain-on-exit on\n")
    screen = Terminal(f"overwatch-ui-test-{uuid.uuid4().hex[:8]}", conf)
    try:
        yield screen
    finally:
        socket = screen.display("#{socket_path}") if screen.started else ""
        tmux(screen.name, "kill-server")  # the test's own server, on its own socket
        if socket:
            Path(socket).unlink(missing_ok=True)


def ui_command(options: list[str]) -> str:
    """``overwatch ui`` as the pane's own process (``exec``: the pane's PID is its PID).
    COLUMNS and LINES from the pane's shell would override the pane's real size."""
    ui = [sys.executable, "-m", "overwatch", "ui", *options]
    return "exec env -u COLUMNS -u LINES " + shlex.join(ui)


def patrol_km(text: str) -> float:
    """How far along its route the patrol panel shows the patrol (0 before a fix)."""
    shown = PROGRESS.search(text)
    return float(shown.group(1)) if shown else 0.0


def is_ui(pid: int) -> bool:
    """``pid`` runs ``overwatch ui`` (after the pane's ``exec``)."""
    args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return args[1:4] == [b"-m", b"overwatch", b"ui"]


def start_overwatch(screen: Screen, timeout_s: float) -> str:
    """Press ``s`` as an operator does: again after a refusal (a vehicle not ready yet)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        screen.keys("s")
        text = screen.wait_for(
            "the answer to s", lambda t: "overwatch started" in t or REFUSED in t, timeout_s
        )
        if "overwatch started" in text:
            return text
        screen.wait_for("the refusal's notice gone", lambda t: REFUSED not in t, 60)
    raise AssertionError(f"the overwatch did not start within {timeout_s:g} s")


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("backend", ["builtin", pytest.param("sitl", marks=pytest.mark.sitl)])
def test_a_killed_ui_takes_the_flight_over_again(
    backend: str, tmp_path: Path, terminal: Terminal
) -> None:
    cruise_m = load_mission(MISSION).overwatch.altitude_agl_m
    run_dir = tmp_path / "run"
    tlog, cues = run_dir / "flight.tlog", run_dir / "cues.sqlite"

    def at_height(_: str) -> bool:
        return tlog.exists() and altitude_m(messages(tlog)) > 0.6 * cruise_m

    with simulator(backend, tmp_path / "sim") as sim:
        command = ui_command(session_options(sim, run_dir))
        first = terminal.run(command)
        terminal.wait_for("overwatch ui as the pane's process", lambda _: is_ui(first), 30)
        terminal.wait_for("the vehicle's GPS fix", lambda t: bool(GPS_FIX.search(t)), 180)
        start_overwatch(terminal, timeout_s=300)
        terminal.wait_for("the drone at its overwatch height", at_height, timeout_s=300)
        terminal.wait_for("the patrol under way", lambda t: patrol_km(t) > 0.5, timeout_s=300)
        time.sleep(60.0 / sim.speedup)  # a minute of overwatch
        started = read_manifest(run_dir / "run.json").started_utc
        before = {cue.id for cue in CueBook(cues).cues()}
        os.kill(first, signal.SIGKILL)
        assert terminal.wait_exit(timeout_s=30) == f"signal {int(signal.SIGKILL)}"
        kept = tlog.read_bytes()
        killed_at_m = altitude_m(messages(tlog))

        second = terminal.run(command)
        terminal.wait_for("overwatch ui as the pane's process", lambda _: is_ui(second), 30)
        # the operator waits to see the drone in the air, then starts the overwatch
        terminal.wait_for("the drone in the air", lambda t: "ARMED  airborne" in t, 180)
        shown = start_overwatch(terminal, timeout_s=300)
        assert "taking over in flight at" in shown, shown
        assert "resuming the run in" in shown, shown  # in the event log, not only on stderr
        assert "taking off" not in shown, shown

        terminal.wait_for(
            "the new session's setpoints",
            lambda _: bool(setpoint_indexes(messages(tlog, start=len(kept)))),
            timeout_s=120,
        )
        time.sleep(60.0 / sim.speedup)  # a minute of overwatch after the take-over
        steered = terminal.wait_for(
            "road watched since the restart", lambda t: bool(COVERAGE.search(t)), 300
        )
        terminal.keys("q")
        assert terminal.wait_exit(timeout_s=60) == "status 0", terminal.text()
        after = messages(tlog, start=len(kept))

    assert "ARMED  airborne" in steered and "LINK LOST" not in steered, steered
    # the run directory went on: the same manifest, the cues from before, the tlog added to
    assert read_manifest(run_dir / "run.json").started_utc == started
    assert before <= {cue.id for cue in CueBook(cues).cues()}
    assert tlog.read_bytes().startswith(kept) and len(after) > 1_000
    # no second takeoff, the drone stayed up until the new session steered it, and after
    assert killed_at_m > 0.6 * cruise_m
    assert_taken_over(after, cruise_m)
    lowest = min(m.relative_alt / 1000 for m in after if m.get_type() == "GLOBAL_POSITION_INT")
    assert lowest > 0.5 * cruise_m, f"the drone sank to {lowest:.0f} m after the take-over"
