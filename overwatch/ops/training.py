"""Training runs: the built-in simulator with a scenario, and a live session against it.

:class:`SimProcess` starts ``overwatch sim`` as its own process (as a real
drone and tracker would be: reached only over the network) on free loopback
ports, and stops it by PID. The demo and the end-to-end tests use it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from overwatch.errors import SimulatorError
from overwatch.process import end_with_parent


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: SITL's ports are taken from below the kernel's ephemeral range (32768 and up on Linux),
#: so a port the kernel hands out for ``bind(0)`` (a simulator's, a test's) never meets one
PORT_BLOCK_RANGE = (10000, 32000)


def free_port_block(count: int = 5) -> int:
    """The first of ``count`` consecutive TCP and UDP ports on 127.0.0.1 that are free now
    (SITL's serial0 listens on the first, serial1 and serial2 on the next two, RC input
    on UDP + 4), from :data:`PORT_BLOCK_RANGE`."""
    low, high = PORT_BLOCK_RANGE
    for _ in range(200):
        base = random.randrange(low, high - count)
        try:
            with contextlib.ExitStack() as stack:
                for offset in range(count):
                    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                        s = stack.enter_context(socket.socket(socket.AF_INET, kind))
                        s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise SimulatorError(f"no block of {count} free ports on 127.0.0.1")


@dataclass
class SimProcess:
    """``overwatch sim`` with a scenario, in a child process on free ports.

    ``video_port`` (a free UDP port) turns on vehicle 1's synthetic camera:
    RTP/H.264 to 127.0.0.1:``video_port``, described by :attr:`video_sdp`.
    ``sitl`` (an ``arducopter`` binary) runs real ArduPilot SITL instead of the
    built-in simulator, the scenario beside it.
    """

    mission: Path
    scenario: Path | None
    run_dir: Path
    speedup: float = 10.0
    extra_args: tuple[str, ...] = ()
    tcp_port: int = field(default_factory=free_port)
    patrol_port: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))
    sightings_port: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))
    video_port: int | None = None
    video_fps: int = 15
    sitl: str | None = None
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        if self.sitl is not None:
            self.tcp_port = free_port_block()

    @property
    def connect_url(self) -> str:
        return f"tcp:127.0.0.1:{self.tcp_port}"

    @property
    def patrol_url(self) -> str:
        return f"nmea+udp://127.0.0.1:{self.patrol_port}"

    @property
    def sightings_url(self) -> str:
        return f"cot+udp://127.0.0.1:{self.sightings_port}"

    @property
    def video_sdp(self) -> Path:
        """The SDP file of the camera's RTP stream (written when ``video_port`` is set)."""
        return self.run_dir / "camera.sdp"

    def command(self) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "overwatch",
            "sim",
            str(self.mission),
            "--speedup",
            repr(self.speedup),
            "--base-port",
            str(self.tcp_port),
        ]
        if self.sitl is not None:
            cmd += ["--sitl", self.sitl]
        if self.scenario is not None:
            cmd += [
                "--scenario",
                str(self.scenario),
                "--patrol-out",
                f"nmea+udp://127.0.0.1:{self.patrol_port}",
                "--sightings-out",
                f"127.0.0.1:{self.sightings_port}",
                "--truth",
                str(self.run_dir / "truth.jsonl"),
            ]
            if self.video_port is not None:
                cmd += [
                    "--video-out",
                    f"127.0.0.1:{self.video_port}",
                    "--video-sdp",
                    str(self.video_sdp),
                    "--video-fps",
                    str(self.video_fps),
                ]
        return cmd + list(self.extra_args)

    def start(self, timeout_s: float = 120.0) -> SimProcess:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with (self.run_dir / "simulator.log").open("wb") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=end_with_parent,
            )
        # so an operator (or a test) can stop exactly this simulator, by PID
        (self.run_dir / "simulator.pid").write_text(f"{self.process.pid}\n")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = (self.run_dir / "simulator.log").read_text(errors="replace")
                raise SimulatorError(f"the simulator exited at start-up:\n{text}")
            # it says so once every vehicle serves (SITL: after its parameter check)
            if "vehicle 1: " in (self.run_dir / "simulator.log").read_text(errors="replace"):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", self.tcp_port)) == 0:
                        return self
            time.sleep(0.05)
        self.stop()
        raise SimulatorError(f"the simulator did not listen on {self.connect_url} in time")

    def stop(self, timeout_s: float = 5.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout_s)

    def kill(self) -> None:
        """Kill the simulator outright (a crashed drone or a cut cable)."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(5.0)

    def __enter__(self) -> SimProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
