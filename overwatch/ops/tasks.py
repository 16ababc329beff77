"""The background tasks of a live session's parts, each isolated from the others.

A task that fails is logged and noted in the session's log, and the others go
on: the patrol feed must not stop because the video did. A vehicle command run
in the background (:meth:`TaskSet.command`) notes its refusal instead of
raising. :meth:`TaskSet.close` cancels and awaits them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from overwatch.errors import OverwatchError
from overwatch.ops.inputs import NoteFn

log = logging.getLogger(__name__)


class TaskSet:
    """Tasks that run until they end or :meth:`close` (see the module docstring)."""

    def __init__(self, note: NoteFn) -> None:
        self._note = note
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``coro``; if it fails, log it and note ``"<name> stopped: …"``."""

        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one concern failing must not stop the others
                log.exception("task %s failed", name)
                self._note("error", f"{name} stopped: {exc}")

        return self._add(asyncio.create_task(guarded(), name=name), coro)

    def command(self, what: str, coro: Coroutine[Any, Any, object]) -> None:
        """Run a vehicle command without blocking the caller; note a refusal as a warning."""

        async def run() -> None:
            try:
                await coro
            except OverwatchError as exc:
                self._note("warning", f"{what}: {exc}")

        self._add(asyncio.create_task(run(), name=what), coro)

    def _add(
        self, task: asyncio.Task[None], coro: Coroutine[Any, Any, object]
    ) -> asyncio.Task[None]:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        # a task cancelled before it ran (at close) never awaited ``coro``: close it quietly
        task.add_done_callback(lambda _: coro.close())
        return task

    def running(self) -> set[str]:
        """The names of the tasks still running."""
        return {task.get_name() for task in self._tasks if not task.done()}

    async def close(self) -> None:
        """Cancel every task and wait for each to end."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


__all__ = ["TaskSet"]
