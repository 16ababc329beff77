"""The two vehicles the differential probes ask, and a ground station that asks them.

A :class:`Target` is one running vehicle, built-in or SITL, reached over
loopback TCP by a blocking :class:`Station` (the ground station of
``tests/simulator/conftest.py``, sysid 255). Every wait is in *vehicle* time:
the station reads ``time_boot_ms`` from what the vehicle sends, so a busy
machine slows a probe down but never changes its answer. Wall-clock limits
here only stop a probe that waits for something that never comes.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.ops.training import free_port_block
from simulator import SimulatedFleet
from simulator.parameters import Parameters
from simulator.sitl import DEFAULT_PARAMS, SitlInstance
from tests.simulator.conftest import Gcs

#: Home of every probed vehicle (lat, lon, alt MSL).
HOME = (13.5, 2.1, 220.0)
#: Give up on a vehicle that stays silent this long (wall seconds): a hang, not a measurement.
STUCK_S = 60.0
#: Vehicle seconds per wall second. SITL's physics runs at 1.2 kHz: 10× is what it keeps up
#: with on a small machine; the built-in simulator's answers do not depend on it.
#: STATUSTEXT that start-up, sensors and SITL's own physics send whenever they please.
CHATTER = ("EKF", "GPS", "AHRS", "Field Elevation", "PreArm", "RC", "Throttle", "SIM ")
SPEEDUP = {"builtin": 40.0, "sitl": 10.0}


class _LoopThread:
    """An async context manager kept open in a thread of its own."""

    def __init__(self, make: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self._make = make
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self.value: Any = None
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
        async with self._make() as value:
            self.value = value
            self._ready.set()
            await self._stop.wait()

    def start(self) -> Any:
        self._thread.start()
        self._ready.wait(STUCK_S + 30)
        if self._error is not None:
            raise self._error
        return self.value

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@contextlib.asynccontextmanager
async def _sitl(speedup: float, params: dict[str, float]) -> AsyncIterator[SitlInstance]:
    # the launcher layers ArduPilot's own copter defaults under ours, then ``params``
    inst = SitlInstance(
        home=(*HOME, 0.0), speedup=speedup, base_port=free_port_block(), params=params
    )
    await inst.start(timeout_s=STUCK_S)
    try:
        yield inst
    finally:
        await inst.stop()


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def read_parm(path: Path) -> dict[str, float]:
    """NAME VALUE lines of an ArduPilot .parm file (comments after #)."""
    out: dict[str, float] = {}
    for line in path.read_text().splitlines():
        words = line.split("#", 1)[0].replace(",", " ").split()
        if len(words) >= 2:
            out[words[0]] = float(words[1])
    return out


@dataclass
class Target:
    """One running vehicle of ``backend`` ("builtin" or "sitl") listening on ``port``."""

    backend: str
    port: int
    _runner: _LoopThread

    def station(self, sysid: int = 255) -> Station:
        return Station(self.port, sysid)

    def stop(self) -> None:
        self._runner.stop()


def start_target(
    backend: str, params: dict[str, float] | None = None, speedup: float | None = None
) -> Target:
    """Boot a vehicle at :data:`HOME`; ``params`` are set at boot on either backend."""
    params = dict(params or {})
    speedup = SPEEDUP[backend] if speedup is None else speedup
    if backend == "builtin":
        known = set(Parameters("4.8").wire_names())
        shipped = {k: v for k, v in read_parm(DEFAULT_PARAMS).items() if k in known}
        fleet = SimulatedFleet(
            home=HOME,
            base_port=0,
            speedup=speedup,
            params={**shipped, **params},
            param_naming="4.8",
        )
        runner = _LoopThread(lambda: fleet)
        runner.start()
        port = fleet.vehicles[0].tcp_port
        assert port is not None
        return Target(backend, port, runner)
    runner = _LoopThread(lambda: _sitl(speedup, params))
    inst: SitlInstance = runner.start()
    return Target(backend, inst.port, runner)


@contextlib.contextmanager
def running(backend: str, params: dict[str, float] | None = None) -> Iterator[Target]:
    target = start_target(backend, params)
    try:
        yield target
    finally:
        target.stop()


class Station(Gcs):
    """A ground station that tracks the vehicle's own clock (``time_boot_ms``).

    Its HEARTBEAT goes out from a thread of its own 50 times a wall second (at least
    once a vehicle second at the speed-ups used here) while ``beating`` is set, also
    while the test talks to the other backend, so neither vehicle's GCS failsafe
    trips unless a probe means it to.
    """

    def __init__(self, port: int, sysid: int = 255) -> None:
        super().__init__(port, sysid)
        self.vehicle_ms = 0
        self.texts: list[str] = []
        self.beating = True
        self._write_lock = threading.Lock()
        self._beat_mav = mav.MAVLink(self, srcSystem=sysid, srcComponent=190)
        self._closing = threading.Event()
        self._beater = threading.Thread(target=self._beat, daemon=True)
        self._beater.start()

    def _beat(self) -> None:
        while not self._closing.wait(0.02):
            if self.beating:
                with contextlib.suppress(OSError):
                    self._beat_mav.heartbeat_send(
                        mav.MAV_TYPE_GCS, mav.MAV_AUTOPILOT_INVALID, 0, 0, 0
                    )

    def write(self, data: bytes) -> None:
        with self._write_lock:
            self.sock.sendall(data)

    def close(self) -> None:
        self._closing.set()
        self._beater.join(2.0)
        super().close()

    def _read(self) -> None:
        before = len(self.received)
        super()._read()
        for msg in self.received[before:]:
            if msg.get_srcSystem() != 1:
                continue
            stamp = getattr(msg, "time_boot_ms", None)
            if isinstance(stamp, int):
                self.vehicle_ms = max(self.vehicle_ms, stamp)
            if msg.get_type() == "STATUSTEXT":
                self.texts.append(str(msg.text))

    @property
    def vehicle_s(self) -> float:
        return self.vehicle_ms / 1000.0

    def stream(self, name: str, rate_hz: float) -> Any:
        """SET_MESSAGE_INTERVAL for message ``name``; returns the COMMAND_ACK."""
        msg_id = getattr(mav, f"MAVLINK_MSG_ID_{name}")
        interval = -1.0 if rate_hz <= 0 else 1e6 / rate_hz
        return self.command(mav.MAV_CMD_SET_MESSAGE_INTERVAL, msg_id, interval)

    def clock(self) -> None:
        """Make sure the vehicle's clock reaches us (SYSTEM_TIME at 5 Hz). A vehicle
        still booting may not answer yet: ask until it acknowledges."""
        deadline = time.monotonic() + STUCK_S
        while time.monotonic() < deadline:
            ack = self.stream("SYSTEM_TIME", 5)
            if ack is not None and ack.result == mav.MAV_RESULT_ACCEPTED:
                return
        raise TimeoutError("the vehicle never accepted a SYSTEM_TIME stream")

    def wait(self, seconds: float) -> list[Any]:
        """Everything received during ``seconds`` of vehicle time."""
        start = len(self.received)
        self._read()
        end = self.vehicle_s + seconds
        deadline = time.monotonic() + STUCK_S
        moved_at, last_s = time.monotonic(), self.vehicle_s
        while self.vehicle_s < end:
            now = time.monotonic()
            if now > deadline:
                kinds = sorted({m.get_type() for m in self.received[-200:]})
                raise TimeoutError(
                    f"vehicle clock stuck at {self.vehicle_s:.1f} s (lately heard: {kinds})"
                )
            if self.vehicle_s != last_s:
                moved_at, last_s = now, self.vehicle_s
            elif now - moved_at > 5.0:  # a stream request lost at boot: ask again
                moved_at = now
                self.mav.command_long_send(
                    1,
                    1,
                    mav.MAV_CMD_SET_MESSAGE_INTERVAL,
                    0,
                    mav.MAVLINK_MSG_ID_SYSTEM_TIME,
                    200_000,
                    0,
                    0,
                    0,
                    0,
                    0,
                )
            self._read()
        self._pending.clear()
        return self.received[start:]

    def until(self, cond: Callable[[], bool], vehicle_s: float, what: str = "condition") -> float:
        """Read until ``cond()`` holds; the vehicle time it took (raises after ``vehicle_s``)."""
        start = self.vehicle_s
        deadline = time.monotonic() + STUCK_S + vehicle_s
        while not cond():
            if self.vehicle_s - start > vehicle_s or time.monotonic() > deadline:
                raise TimeoutError(f"{what} not reached in {vehicle_s:g} vehicle s")
            self._read()
        return self.vehicle_s - start

    def latest(self, kind: str) -> Any:
        for msg in reversed(self.received):
            if msg.get_type() == kind:
                return msg
        return None

    def fresh(self, kind: str, vehicle_s: float = 10.0) -> Any:
        """The next ``kind`` message received from now on."""
        mark = len(self.received)
        self.until(lambda: any(m.get_type() == kind for m in self.received[mark:]), vehicle_s, kind)
        return next(m for m in self.received[mark:] if m.get_type() == kind)

    def texts_since(self, mark: int) -> list[str]:
        return [str(m.text) for m in self.received[mark:] if m.get_type() == "STATUSTEXT"]

    def news_since(self, mark: int) -> list[str]:
        """STATUSTEXTs since ``mark`` without the start-up and sensor :data:`CHATTER`."""
        return [t for t in self.texts_since(mark) if not t.startswith(CHATTER)]

    def heartbeat_of_vehicle(self) -> Any:
        return self.latest_from("HEARTBEAT", 1)

    def latest_from(self, kind: str, sysid: int) -> Any:
        for msg in reversed(self.received):
            if msg.get_type() == kind and msg.get_srcSystem() == sysid:
                return msg
        return None

    def mode(self) -> int:
        hb = self.latest_from("HEARTBEAT", 1)
        return -1 if hb is None else int(hb.custom_mode)

    def armed(self) -> bool:
        hb = self.latest_from("HEARTBEAT", 1)
        return hb is not None and bool(hb.base_mode & mav.MAV_MODE_FLAG_SAFETY_ARMED)

    def arm_until_armed(self, attempts: int = 40) -> None:
        """Arm, and see it in the heartbeat. A vehicle booted moments ago, or slowed by a busy
        machine, may answer "not yet" (or disarm again before it shows): ask again, every
        half second; fail with what the vehicle said."""
        mark = len(self.received)
        for _ in range(attempts):
            ack = self.arm()
            if ack is not None and ack.result == mav.MAV_RESULT_ACCEPTED:
                with contextlib.suppress(TimeoutError):
                    self.until(self.armed, 5.0, "armed heartbeat")
                    return
            time.sleep(0.5)
        raise AssertionError(f"never armed; the vehicle said {self.texts_since(mark)}")

    def alt_rel_m(self) -> float:
        gp = self.latest("GLOBAL_POSITION_INT")
        return math.nan if gp is None else gp.relative_alt / 1000.0

    def ready(self, vehicle_s: float = 120.0) -> None:
        """Wait until the vehicle would arm in GUIDED: the EKF has an absolute
        position (EKF_STATUS_REPORT, not in constant-position mode) and home is set."""
        self.clock()
        self.stream("GLOBAL_POSITION_INT", 10)
        self.stream("EKF_STATUS_REPORT", 2)
        self.stream("HOME_POSITION", 1)

        def position_ok() -> bool:
            ekf = self.latest("EKF_STATUS_REPORT")
            return (
                ekf is not None
                and bool(ekf.flags & mav.EKF_POS_HORIZ_ABS)
                and not ekf.flags & mav.EKF_CONST_POS_MODE
                and self.latest("HOME_POSITION") is not None
            )

        self.until(position_ok, vehicle_s, "EKF position estimate")
        self.wait(2.0)

    def mission_exchange(self, send: Callable[[], None], kinds: tuple[str, ...]) -> Any:
        send()
        return self.recv(kinds, 5.0)


def result_name(ack: Any) -> str:
    """A COMMAND_ACK's result by name ("ACCEPTED"), or "NO ACK"."""
    if ack is None:
        return "NO ACK"
    return str(mav.enums["MAV_RESULT"][ack.result].name).removeprefix("MAV_RESULT_")


def mission_result(ack: Any) -> str:
    if ack is None:
        return "NO ACK"
    return str(mav.enums["MAV_MISSION_RESULT"][ack.type].name).removeprefix("MAV_MISSION_")
