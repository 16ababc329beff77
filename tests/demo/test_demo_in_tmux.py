"""The demo in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from overwatch.link.tlog import read_tlog
from tests.terminal import Screen, tmux

ROOT = Path(__file__).resolve().parents[2]
TMUX = shutil.which("tmux")
PROGRESS = re.compile(r"(\d+(?:\.\d+)?)/11\.9 km")
CUE_ROW = re.compile(r"\b(person|vehicle|object|unknown)\b.*\b(new|acknowledged)\b")
CAMERA_CUE = re.compile(r"new cue cue-\d+: (person|vehicle|object|unknown) \(camera")
#: the demo flies signed: the drone is given the key before the session connects
SIGNING_PASSPHRASE = "dawn patrol at the ford"
#: a text row of the video panel drawn in half-block pixels (tmux has neither kitty nor sixel)
PIXEL_ROW = re.compile(r"▀{20,}")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Screen, Path]]:
    assert TMUX, "tmux is needed for this test (scripts/sysdeps.sh installs it)"
    name = f"overwatch-test-{uuid.uuid4().hex[:8]}"
    run_dir = tmp_path / "demo"
    # Textual draws on stderr; if the demo dies, its last words stay on the screen.
    # The pane's shell can start with COLUMNS/LINES of tmux's 80×24 default, which Textual
    # would believe over the pane's real size.
    command = (
        f"unset COLUMNS LINES; cd {ROOT} && "
        f"{sys.executable} -m overwatch demo --out {run_dir} --speedup 10 "
        f"--signing-passphrase '{SIGNING_PASSPHRASE}'; "
        "echo demo exited $?; sleep 60"
    )
    tmux(name, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "160", "-y", "48", command,
         check=True)  # fmt: skip
    # a detached session keeps tmux's default size unless told otherwise
    tmux(name, "resize-window", "-t", name, "-x", "160", "-y", "48")
    try:
        yield Screen(name), run_dir
    finally:
        pid_file = run_dir / "simulator.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text())
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        tmux(name, "kill-server")  # the test's own server, on its own socket


def test_demo_flies_tracks_cues_and_shows_link_lost(demo: tuple[Screen, Path]) -> None:
    screen, run_dir = demo
    screen.wait_for("the drone airborne", lambda t: "airborne" in t, timeout_s=120)

    first = screen.wait_for("the patrol's progress", lambda t: bool(PROGRESS.search(t)), 60)
    km_before = float(PROGRESS.search(first).group(1))  # type: ignore[union-attr]
    screen.wait_for(
        "the patrol moving on",
        lambda t: bool((m := PROGRESS.search(t)) and float(m.group(1)) > km_before),
        timeout_s=60,
    )
    screen.wait_for("a threat cue in the list", lambda t: bool(CUE_ROW.search(t)), 180)
    signed = _signed_by_system(run_dir / "flight.tlog")
    assert signed[1][True] > 100 and signed[1][False] == 0, signed  # the drone signs all
    assert signed[255][True] > 10 and signed[255][False] == 0, signed  # and so do we

    pid = int((run_dir / "simulator.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    screen.wait_for("LINK LOST", lambda t: "LINK LOST" in t, timeout_s=3.0)
    assert time.monotonic() - killed <= 3.0

    screen.keys("q")


def _signed_by_system(tlog: Path) -> dict[int, dict[bool, int]]:
    """MAVLink 2 packets in ``tlog`` by sender system id: how many signed, how many not."""
    counts: dict[int, dict[bool, int]] = {1: {True: 0, False: 0}, 255: {True: 0, False: 0}}
    for _, packet in read_tlog(tlog):
        if packet[0] == 0xFD and packet[5] in counts:
            counts[packet[5]][bool(packet[2] & 0x01)] += 1
    return counts


def video_rows(text: str) -> int:
    """How many rows below the video panel's title are filled with half-block pixels."""
    lines = text.splitlines()
    top = next((i for i, line in enumerate(lines) if "Video──" in line), None)
    if top is None:
        return 0
    return sum(1 for line in lines[top + 1 :] if PIXEL_ROW.search(line))


def test_demo_shows_the_camera_and_cues_from_it(demo: tuple[Screen, Path]) -> None:
    screen, run_dir = demo
    shown = screen.wait_for("the camera's picture", lambda t: video_rows(t) >= 8, timeout_s=120)
    assert "no video" not in shown
    assert "Video──" in shown
    screen.wait_for("the video's size in the events", lambda t: "video up: 640×480" in t, 60)
    assert (run_dir / "camera.sdp").is_file()
    screen.wait_for("a cue from the camera", lambda t: bool(CAMERA_CUE.search(t)), 300)
    assert video_rows(screen.text()) >= 8, "the picture went away"
    screen.keys("q")
