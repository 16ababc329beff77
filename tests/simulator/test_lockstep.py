"""The virtual-time event loop and the in-process MAVLink link of :mod:`simulator.lockstep`."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator.fleet import SimulatedFleet
from simulator.lockstep import InProcessLink, VirtualTimeLoop, run_lockstep


def test_an_hour_of_sleeping_takes_no_wall_time_and_keeps_its_order() -> None:
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        woke.append((name, asyncio.get_running_loop().time()))

    async def main() -> float:
        await asyncio.gather(sleeper("hour", 3600.0), sleeper("minute", 60.0), sleeper("now", 0))
        return asyncio.get_running_loop().time()

    wall = time.monotonic()
    assert run_lockstep(main, start_s=100.0) == 3700.0
    assert time.monotonic() - wall < 60.0  # not an hour: the clock jumped
    assert woke == [("now", 100.0), ("minute", 160.0), ("hour", 3700.0)]


def test_a_timeout_fires_on_the_virtual_clock() -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(30.0):
                await asyncio.Event().wait()
        except TimeoutError:
            return loop.time()
        raise AssertionError("the wait ended without a timeout")

    assert run_lockstep(main) == 30.0


def test_work_in_a_thread_is_waited_for_when_nothing_else_is_due() -> None:
    """With no timer to jump to, the loop waits for real: a thread's result still arrives."""
    done = threading.Event()

    def work() -> str:
        time.sleep(0.05)
        done.set()
        return "done"

    async def main() -> str:
        return await asyncio.to_thread(work)

    assert run_lockstep(main) == "done" and done.is_set()


def test_a_fleet_in_lockstep_answers_over_an_in_process_link() -> None:
    """A vehicle served with no socket: a heartbeat a virtual second, every second, and a
    COMMAND_LONG answered over the same link."""
    heard: list[tuple[float, str]] = []
    codec = mav.MAVLink(None, srcSystem=255, srcComponent=190)
    parser = mav.MAVLink(None)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        fleet = SimulatedFleet(home=(13.5, 2.1, 220.0), speedup=10.0)
        fleet.lockstep(loop.time)

        def to_ground(frame: bytes) -> None:
            for msg in parser.parse_buffer(frame) or []:
                heard.append((fleet.time_s, msg.get_type()))

        link = InProcessLink(to_ground)
        fleet.vehicles[0].attach(link)
        await fleet.start(serve=False)
        await fleet.run_for(5.0)
        request = codec.command_long_encode(
            1, 1, mav.MAV_CMD_REQUEST_MESSAGE, 0, mav.MAVLINK_MSG_ID_AUTOPILOT_VERSION,
            0, 0, 0, 0, 0, 0,
        )  # fmt: skip
        link.from_ground(request.pack(codec))
        await fleet.run_for(1.0)
        await fleet.stop()

    run_lockstep(main)
    beats = [t for t, kind in heard if kind == "HEARTBEAT"]
    assert len(beats) >= 5
    assert all(0.9 <= b - a <= 1.1 for a, b in itertools.pairwise(beats))
    kinds = [kind for _, kind in heard]
    assert "COMMAND_ACK" in kinds and "AUTOPILOT_VERSION" in kinds


def test_the_loop_is_an_ordinary_selector_loop_otherwise() -> None:
    loop = VirtualTimeLoop()
    try:
        assert loop.run_until_complete(asyncio.sleep(0, result=42)) == 42
        assert loop.time() == 0.0
    finally:
        loop.close()
