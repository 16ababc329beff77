"""Helpers: a fleet running in its own thread, and a blocking MAVLink ground station.

The fleet runs its asyncio loop in a background thread so each test can talk
to it with plain blocking sockets and pymavlink's encoder, the way a ground
station would — over real loopback TCP.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator import SimulatedFleet

HOME = (13.5, 2.1, 220.0)


class FleetThread:
    """A SimulatedFleet serving from a background thread (ephemeral ports)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("home", HOME)
        kwargs.setdefault("base_port", 0)
        kwargs.setdefault("gps_fix_delay_s", 1.0)
        kwargs.setdefault("ekf_gps_delay_s", 2.0)
        self.fleet = SimulatedFleet(**kwargs)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to the test thread
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.fleet:
            self._ready.set()
            await self._stop.wait()

    def start(self) -> FleetThread:
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        if self._error is not None:
            raise self._error

    def port(self, i: int = 0) -> int:
        port = self.fleet.vehicles[i].tcp_port
        assert port is not None
        return port

    @property
    def ap(self) -> Any:
        return self.fleet.vehicles[0].autopilot

    def sim_time(self) -> float:
        return float(self.fleet.time_s)

    def wait_sim(self, seconds: float) -> None:
        end = self.sim_time() + seconds
        while self.sim_time() < end:
            time.sleep(0.005)


def seq_is(seq: int) -> Callable[[Any], bool]:
    """A message condition: ``msg.seq == seq``."""
    return lambda msg: bool(msg.seq == seq)


class Gcs:
    """A blocking ground station on one TCP connection (MAVLink 2, sysid 255 by default)."""

    def __init__(self, port: int, sysid: int = 255, compid: int = 190) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.settimeout(0.05)
        self.mav = mav.MAVLink(self, srcSystem=sysid, srcComponent=compid)
        self.mav.robust_parsing = True
        self.received: list[Any] = []
        self._pending: list[Any] = []
        self.consume = False

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()

    def _read(self) -> None:
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return
        if not data:
            raise ConnectionError("the simulator closed the connection")
        for msg in self.mav.parse_buffer(data) or []:
            if msg.get_type() != "BAD_DATA":
                self.received.append(msg)
                self._pending.append(msg)

    def recv(
        self,
        kind: str | tuple[str, ...],
        timeout: float = 5.0,
        cond: Callable[[Any], bool] | None = None,
    ) -> Any:
        """Next message of ``kind`` or None after ``timeout`` wall seconds.

        Earlier messages of other kinds stay queued unless ``consume`` is set.
        """
        kinds = (kind,) if isinstance(kind, str) else kind
        end = time.monotonic() + timeout
        while True:
            for i, msg in enumerate(self._pending):
                if msg.get_type() in kinds and (cond is None or cond(msg)):
                    if self.consume:
                        del self._pending[: i + 1]
                    else:
                        del self._pending[i]
                    return msg
            if self.consume:
                self._pending.clear()
            if time.monotonic() > end:
                return None
            self._read()

    def drain(self, seconds: float) -> list[Any]:
        """Everything received during ``seconds`` of wall time."""
        end = time.monotonic() + seconds
        out: list[Any] = []
        while time.monotonic() < end:
            self._read()
            out.extend(self._pending)
            self._pending.clear()
        return out

    def heartbeat(self) -> None:
        self.mav.heartbeat_send(mav.MAV_TYPE_GCS, mav.MAV_AUTOPILOT_INVALID, 0, 0, 0)

    def command(self, command: int, *params: float, target: int = 1, timeout: float = 5.0) -> Any:
        """COMMAND_LONG; returns its COMMAND_ACK (or None)."""
        p = [*params, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0][:7]
        self.mav.command_long_send(target, 1, command, 0, *p)
        return self.recv("COMMAND_ACK", timeout, cond=lambda m: m.command == command)

    def command_int(
        self,
        command: int,
        frame: int,
        p1: float = 0,
        p2: float = 0,
        p3: float = 0,
        p4: float = 0,
        x: int = 0,
        y: int = 0,
        z: float = 0,
    ) -> Any:
        self.mav.command_int_send(1, 1, frame, command, 0, 0, p1, p2, p3, p4, x, y, z)
        return self.recv("COMMAND_ACK", 5.0, cond=lambda m: m.command == command)

    def set_mode(self, mode: int) -> Any:
        return self.command(mav.MAV_CMD_DO_SET_MODE, 1, mode)

    def set_param(self, name: str, value: float) -> Any:
        self.mav.param_set_send(1, 1, name.encode(), value, mav.MAV_PARAM_TYPE_REAL32)
        return self.recv("PARAM_VALUE", 5.0, cond=lambda m: m.param_id == name)

    def wait_heartbeat(self, cond: Callable[[Any], bool], timeout: float = 10.0) -> Any:
        """The first heartbeat matching ``cond`` received from now on."""
        self._pending = [m for m in self._pending if m.get_type() != "HEARTBEAT"]
        return self.recv("HEARTBEAT", timeout, cond=cond)

    def upload(self, items: Sequence[Sequence[float]], mission_type: int = 0) -> Any:
        """Upload (command, frame, p1, lat, lon, alt, p2) items; returns the MISSION_ACK."""
        self.mav.mission_count_send(1, 1, len(items), mission_type)
        while True:
            req = self.recv(("MISSION_REQUEST", "MISSION_REQUEST_INT", "MISSION_ACK"), 5.0)
            if req is None or req.get_type() == "MISSION_ACK":
                return req
            cmd, frame, p1, lat, lon, alt, p2 = items[req.seq]
            cmd, frame = int(cmd), int(frame)
            self.mav.mission_item_int_send(
                1,
                1,
                req.seq,
                frame,
                cmd,
                0,
                1,
                p1,
                p2,
                0,
                0,
                round(lat * 1e7),
                round(lon * 1e7),
                alt,
                mission_type,
            )

    def download(self, mission_type: int = 0) -> list[Any]:
        self.mav.mission_request_list_send(1, 1, mission_type)
        count = self.recv("MISSION_COUNT", 5.0)
        assert count is not None
        items = []
        for seq in range(count.count):
            self.mav.mission_request_int_send(1, 1, seq, mission_type)
            item = self.recv("MISSION_ITEM_INT", 5.0, cond=seq_is(seq))
            assert item is not None
            items.append(item)
        self.mav.mission_ack_send(1, 1, 0, mission_type)
        return items

    def arm(self, force: bool = False) -> Any:
        return self.command(mav.MAV_CMD_COMPONENT_ARM_DISARM, 1, 21196 if force else 0)

    def takeoff(self, alt_m: float) -> Any:
        return self.command(mav.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, alt_m)


StartFleet = Callable[..., FleetThread]
GcsFactory = Callable[..., "Gcs"]


@pytest.fixture
def start_fleet() -> Iterator[Callable[..., FleetThread]]:
    started: list[FleetThread] = []

    def start(**kwargs: Any) -> FleetThread:
        ft = FleetThread(**kwargs).start()
        started.append(ft)
        return ft

    yield start
    for ft in started:
        ft.stop()


@pytest.fixture
def gcs_factory() -> Iterator[Callable[..., Gcs]]:
    opened: list[Gcs] = []

    def connect(port: int, sysid: int = 255) -> Gcs:
        g = Gcs(port, sysid)
        opened.append(g)
        return g

    yield connect
    for g in opened:
        g.close()


def ready_guided(ft: FleetThread, gcs: Gcs) -> None:
    """Wait for the EKF, switch to GUIDED and arm."""
    while not ft.ap.ekf_ok:
        time.sleep(0.01)
    assert gcs.set_mode(4).result == 0
    ack = gcs.arm()
    assert ack is not None and ack.result == 0


def fly_to_alt(ft: FleetThread, gcs: Gcs, alt_m: float) -> None:
    ready_guided(ft, gcs)
    assert gcs.takeoff(alt_m).result == 0
    deadline = time.monotonic() + 20
    while ft.ap.alt_rel_m < alt_m - 1.0:
        assert time.monotonic() < deadline, "takeoff did not reach altitude"
        time.sleep(0.01)
