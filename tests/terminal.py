"""A real terminal for the tests: a tmux pane on its own server, typed into with send-keys
and read with capture-pane."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def tmux(socket: str, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """tmux on its own server (``-L``): the size asked for holds, whatever else tmux runs."""
    return subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, check=check
    )


def _zombie(pid: str) -> bool:
    """``pid`` has ended and waits for its parent to collect its exit status."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"


class Screen:
    """The pane of the tmux session ``name``, on the tmux server of the same name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def text(self) -> str:
        return tmux(self.name, "capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *keys: str) -> None:
        tmux(self.name, "send-keys", "-t", self.name, *keys, check=True)

    def display(self, form: str) -> str:
        """A tmux format about the pane, such as ``#{pane_pid}``."""
        return tmux(self.name, "display", "-p", "-t", self.name, form).stdout.strip()

    def dead(self) -> bool:
        """The pane's program has exited (seen when the server keeps dead panes:
        ``remain-on-exit``)."""
        return self.display("#{pane_dead}") == "1"

    def wait_exit(self, timeout_s: float) -> str:
        """How the pane's program ended, once it has: ``status N`` or ``signal N`` (the
        server keeps dead panes: ``remain-on-exit``)."""
        pid = self.display("#{pane_pid}")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status, _, signal = self.display("#{pane_dead_status}|#{pane_dead_signal}").partition(
                "|"
            )
            if signal:
                return f"signal {signal}"
            if status:
                return f"status {status}"
            if _zombie(pid):
                # tmux built with libutempter misses the SIGCHLD of a pane's program that
                # lands while it waits for utempter's helper (SIGCHLD set to default then):
                # any other child's end makes it collect the exit status
                tmux(self.name, "run-shell", "true")
            time.sleep(0.1)
        raise AssertionError(f"the pane's program (PID {pid}) still ran after {timeout_s:g} s")

    def wait_for(self, what: str, ok: Callable[[str], bool], timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if ok(text):
                return text
            if self.dead():
                raise AssertionError(f"the pane's program exited before {what}; screen:\n{text}")
            time.sleep(0.25)
        size = self.display("#{window_width}×#{window_height}")
        raise AssertionError(
            f"{what} not on screen within {timeout_s:g} s; screen ({size}) was:\n{text}"
        )
