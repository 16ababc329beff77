"""Training runs: the built-in simulator with a scenario, and a live session against it.

:class:`SimProcess` starts ``overwatch sim`` as its own process (as a real
drone and tracker would be: reached only over the network) on free loopback
ports, and stops it by PID. The demo and the end-to-end tests use it.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from overwatch.errors import SimulatorError
from overwatch.mission import load_mission
from overwatch.process import end_with_parent

#: the line ``overwatch sim`` prints for each vehicle once they all serve:
#: ``vehicle 1: tcp:127.0.0.1:5760 (sysid 1)``, and with SITL
#: ``vehicle 2: tcp:127.0.0.1:5770 (ArduPilot SITL, sysid 2)``
VEHICLE_LINE = re.compile(
    r"^vehicle (?P<number>\d+): (?P<url>\S+)(?: \((?:[^)]*, )?sysid (?P<sysid>\d+)\))?$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class SimVehicle:
    """One vehicle ``overwatch sim`` serves: its number (from 1), URL and system id."""

    number: int
    url: str
    sysid: int


def vehicles_announced(text: str) -> list[SimVehicle]:
    """The vehicles ``overwatch sim``'s output ``text`` announces, in order (a line without
    a sysid, as ``python -m simulator`` prints it, has sysid = its number).

    >>> text = ("vehicle 1: tcp:127.0.0.1:5760 (sysid 1)\\n"
    ...         "vehicle 2: tcp:127.0.0.1:5770 (ArduPilot SITL, sysid 2)\\n")
    >>> [(v.url, v.sysid) for v in vehicles_announced(text)]
    [('tcp:127.0.0.1:5760', 1), ('tcp:127.0.0.1:5770', 2)]
    """
    found = []
    for m in VEHICLE_LINE.finditer(text):
        number = int(m["number"])
        found.append(SimVehicle(number, m["url"], int(m["sysid"] or number)))
    return found


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

    ``vehicles`` is ``--vehicles`` (None: the simulator's default, one per drone of the
    mission); vehicle *i* listens on ``tcp_port`` + 10·*i*. Once started, :attr:`urls`
    and :attr:`sysids` say where each one serves and who it is, as the simulator
    printed them; :attr:`connect_url` is the first one's.
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
    vehicles: int | None = None
    process: subprocess.Popen[bytes] | None = None
    #: every vehicle the simulator announced at start-up, in order
    served: list[SimVehicle] = field(default_factory=list)

    def __post_init__(self) -> None:
        count = self.vehicle_count
        if self.sitl is not None:
            # SITL instance i: serial0..2 on base + 10·i .. + 2, RC input on + 4
            self.tcp_port = free_port_block(10 * (count - 1) + 5)
        elif count > 1:
            self.tcp_port = free_port_block(10 * (count - 1) + 1)

    @property
    def vehicle_count(self) -> int:
        """How many vehicles the simulator will serve: ``vehicles``, ``--vehicles`` in
        ``extra_args``, else one per drone of the mission."""
        if self.vehicles is not None:
            return self.vehicles
        args = list(self.extra_args)
        for i, arg in enumerate(args):
            value = args[i + 1] if arg == "--vehicles" and i + 1 < len(args) else None
            if arg.startswith("--vehicles="):
                value = arg.partition("=")[2]
            if value is not None and value.isdigit():
                return int(value)
        return len(load_mission(self.mission).drones)

    @property
    def connect_url(self) -> str:
        """Vehicle 1's URL."""
        return f"tcp:127.0.0.1:{self.tcp_port}"

    @property
    def urls(self) -> list[str]:
        """Every vehicle's URL, vehicle 1's first (known once started)."""
        return [v.url for v in self.served]

    @property
    def sysids(self) -> list[int]:
        """Every vehicle's MAVLink system id, in the order of :attr:`urls`."""
        return [v.sysid for v in self.served]

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
        if self.vehicles is not None:
            cmd += ["--vehicles", str(self.vehicles)]
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
        count = self.vehicle_count
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = (self.run_dir / "simulator.log").read_text(errors="replace")
                raise SimulatorError(f"the simulator exited at start-up:\n{text}")
            # a line per vehicle once it serves (SITL: after its parameter check)
            text = (self.run_dir / "simulator.log").read_text(errors="replace")
            served = vehicles_announced(text)
            if len(served) >= count:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", self.tcp_port)) == 0:
                        self.served = served
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
