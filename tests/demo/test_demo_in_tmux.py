"""The demo in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TMUX = shutil.which("tmux")
PROGRESS = re.compile(r"(\d+(?:\.\d+)?)/11\.9 km")
CUE_ROW = re.compile(r"\b(person|vehicle|object|unknown)\b.*\b(new|acknowledged)\b")


class Screen:
    def __init__(self, name: str) -> None:
        self.name = name

    def text(self) -> str:
        out = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return out.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, what: str, ok: Callable[[str], bool], timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if ok(text):
                return text
            time.sleep(0.25)
        raise AssertionError(f"{what} not on screen within {timeout_s:g} s; screen was:\n{text}")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Screen, Path]]:
    assert TMUX, "tmux is needed for this test (scripts/sysdeps.sh installs it)"
    name = f"overwatch-test-{uuid.uuid4().hex[:8]}"
    run_dir = tmp_path / "demo"
    # Textual draws on stderr; if the demo dies, its last words stay on the screen
    command = (
        f"cd {ROOT} && {sys.executable} -m overwatch demo --out {run_dir} --speedup 10; "
        "echo demo exited $?; sleep 60"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "160", "-y", "48", command], check=True
    )
    # a detached session keeps tmux's default size unless told otherwise
    subprocess.run(["tmux", "resize-window", "-t", name, "-x", "160", "-y", "48"], check=False)
    try:
        yield Screen(name), run_dir
    finally:
        pid_file = run_dir / "simulator.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text())
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


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

    pid = int((run_dir / "simulator.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    screen.wait_for("LINK LOST", lambda t: "LINK LOST" in t, timeout_s=3.0)
    assert time.monotonic() - killed <= 3.0

    screen.keys("q")
