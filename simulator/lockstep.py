"""Lockstep runs: the simulator, its scenario and a ground station in one process, on one
virtual clock, as fast as the CPU allows.

:class:`VirtualTimeLoop` is an asyncio event loop whose clock does not follow the wall: when
nothing is ready to run it jumps straight to the next timer. Everything in the run sleeps
on that clock — the vehicles' physics, the scenario's patrol and sensor, the ground
station's ticks, heartbeats and timeouts — so an hour's patrol takes what its computation
takes, and a busy machine only makes it slower, never different::

    loop = VirtualTimeLoop()
    try:
        result = loop.run_until_complete(exercise())
    finally:
        loop.close()

The bytes between the parts go through memory: :class:`InProcessLink` is a vehicle's
MAVLink link to a ground station in the same process (the fleet started with
``serve=False`` and :meth:`~simulator.fleet.SimulatedFleet.lockstep`), and the scenario
runner hands its NMEA and CoT to functions (``patrol_sink``, ``sightings_sink``). With no
socket and no thread in the run, it is deterministic: the same inputs give the same log.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable
from typing import Any

from simulator.faults import FrameSplitter
from simulator.transport import Link

#: Loop iterations with callbacks ready between two polls of the real selector. A run in
#: lockstep has no socket; what the selector watches is the loop's own wake-up pipe, whose
#: callbacks are queued already (polling only drains it), and any real file a test adds.
_BUSY_POLL_EVERY = 32


class _JumpingSelector(selectors.DefaultSelector):
    """Polls the real selector without waiting; when nothing is ready and the loop would
    sleep until its next timer, moves the loop's clock there instead. While callbacks are
    ready it polls one iteration in :data:`_BUSY_POLL_EVERY` (a poll is a system call)."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop
        self._busy = 0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout == 0:
            self._busy += 1
            if self._busy % _BUSY_POLL_EVERY:
                return []
            return super().select(0)
        events = super().select(0)
        if events:
            return events
        if timeout is None:  # no timer at all: only a thread or a real socket can wake it
            return super().select(None)
        self._loop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on a virtual clock that jumps to the next timer when idle (see the
    module docstring). ``time()`` starts at ``start_s``."""

    def __init__(self, start_s: float = 0.0) -> None:
        self._virtual_s = start_s
        super().__init__(_JumpingSelector(self))

    def time(self) -> float:
        return self._virtual_s

    def advance(self, seconds: float) -> None:
        """Move the clock on by ``seconds`` (the selector does, when the loop is idle)."""
        self._virtual_s += max(0.0, seconds)


class InProcessLink(Link):
    """A vehicle's MAVLink link to a ground station in this process.

    What the vehicle sends goes to ``to_ground`` (the ground station's transport); what
    the ground station writes comes in through :meth:`from_ground`. Each hand-over is
    scheduled on the loop, as bytes on a wire arrive after the write that sent them.
    """

    def __init__(self, to_ground: Callable[[bytes], None], name: str = "in-process") -> None:
        super().__init__(name)
        self._to_ground = to_ground
        self._splitter = FrameSplitter()
        self._loop = asyncio.get_running_loop()

    def send_frame(self, frame: bytes) -> None:
        if not self.closed:
            self._loop.call_soon(self._to_ground, frame)

    def from_ground(self, data: bytes) -> None:
        """Bytes the ground station wrote: cut into frames for the vehicle."""
        if not self.closed:
            self._loop.call_soon(self._deliver, data)

    def _deliver(self, data: bytes) -> None:
        if self.closed:
            return
        for frame in self._splitter.feed(data):
            self.on_frame(frame)

    def close(self) -> None:
        if not self.closed:
            super().close()
            self.on_close()


def run_lockstep(main: Callable[[], Any], start_s: float = 0.0) -> Any:
    """Run the coroutine ``main()`` to its end on a fresh :class:`VirtualTimeLoop`."""
    loop = VirtualTimeLoop(start_s)
    try:
        return loop.run_until_complete(main())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


__all__ = ["InProcessLink", "VirtualTimeLoop", "run_lockstep"]
