"""Run a live session on its own thread and event loop, away from the UI's.

The UI reads :meth:`SessionThread.latest` — an immutable snapshot the session
thread publishes several times a second — and calls the
:class:`~overwatch.ops.state.SessionCommands` methods of :attr:`commands`,
which run on the session's loop and hand back the vehicle's answer (or its
refusal) to the caller's loop. No socket is ever touched on the UI's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from overwatch.ops.operator import OperatorCommands
from overwatch.ops.session import LiveSession
from overwatch.ops.state import LatLon, SessionSnapshot

T = TypeVar("T")


class SessionThread:
    """Owns a :class:`LiveSession` on a background thread."""

    def __init__(self, session: LiveSession, *, publish_hz: float = 8.0) -> None:
        self.session = session
        self.publish_hz = publish_hz
        self._snapshot = SessionSnapshot(time_s=time.time())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._main, name="overwatch-session", daemon=True)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.error: BaseException | None = None
        self.commands = _CommandProxy(self)

    def start(self, timeout_s: float = 60.0) -> None:
        self._thread.start()
        self._ready.wait(timeout_s)

    def latest(self) -> SessionSnapshot:
        return self._snapshot

    def stop(self, timeout_s: float = 10.0) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and loop.is_running():
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout_s)

    def call(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        if self._loop is None:
            coro.close()
            raise RuntimeError("the session thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # reported to the UI, never lost silently
            self.error = exc
            self._ready.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.session.start()
            self._ready.set()
            while not self._stop.is_set():
                self._snapshot = self.session.snapshot()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0 / self.publish_hz):
                        await self._stop.wait()
        finally:
            await self.session.close()


class _CommandProxy:
    """SessionCommands whose calls run on the session's loop (``addressed``: bound to one
    drone of a team, see :meth:`OperatorCommands.addressed`)."""

    def __init__(self, owner: SessionThread, addressed: tuple[int | None] | None = None) -> None:
        self._owner = owner
        self._addressed = addressed

    def addressed(self, crew: int | None) -> _CommandProxy:
        """These commands addressed to drone ``crew`` (None: the one on duty)."""
        return _CommandProxy(self._owner, (crew,))

    @property
    def _commands(self) -> OperatorCommands:
        commands = self._owner.session.commands
        return commands if self._addressed is None else commands.addressed(self._addressed[0])

    async def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(self._owner.call(coro))

    async def start_overwatch(self) -> None:
        await self._run(self._commands.start_overwatch())

    async def hold(self) -> None:
        await self._run(self._commands.hold())

    async def resume(self) -> None:
        await self._run(self._commands.resume())

    async def return_to_launch(self) -> None:
        await self._run(self._commands.return_to_launch())

    async def land(self) -> None:
        await self._run(self._commands.land())

    async def set_strategy(self, name: str) -> None:
        await self._run(self._commands.set_strategy(name))

    async def start_follow_baseline(self) -> None:
        await self._run(self._commands.start_follow_baseline())

    async def arm_and_takeoff(self) -> None:
        await self._run(self._commands.arm_and_takeoff())

    async def look_at(self, position: LatLon) -> None:
        await self._run(self._commands.look_at(position))

    async def mark_cue(self, position: LatLon, kind: str = "unknown", note: str = "") -> str:
        return await self._run(self._commands.mark_cue(position, kind, note))

    async def acknowledge_cue(self, cue_id: str) -> None:
        await self._run(self._commands.acknowledge_cue(cue_id))

    async def dismiss_cue(self, cue_id: str) -> None:
        await self._run(self._commands.dismiss_cue(cue_id))

    async def note_cue(self, cue_id: str, text: str) -> None:
        await self._run(self._commands.note_cue(cue_id, text))
