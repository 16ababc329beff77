"""Where the UI gets its snapshots from: a small protocol and a ready-made holder.

The UI never waits on the live session. It asks a :class:`SnapshotSource` for
the latest :class:`~overwatch.ops.state.SessionSnapshot` on a timer (about
10 Hz) and renders it; when the link dies the session keeps publishing
snapshots that say so (``drone.link_lost``, ``drone.last_message_age_s``), and
the UI shows them like any other. A source that can also push
(:class:`PushSnapshotSource`) is consumed in a worker instead of polled.

>>> from overwatch.ops.state import SessionSnapshot
>>> holder = LatestSnapshot(SessionSnapshot(time_s=0.0))
>>> holder.publish(SessionSnapshot(time_s=1.0))
>>> holder.latest().time_s
1.0
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from overwatch.ops.state import SessionSnapshot


@runtime_checkable
class SnapshotSource(Protocol):
    """Anything that can say what the session looks like right now."""

    def latest(self) -> SessionSnapshot:
        """The newest snapshot; cheap, never blocks, never raises."""
        ...


@runtime_checkable
class PushSnapshotSource(SnapshotSource, Protocol):
    """A source that can also announce each new snapshot as it is made."""

    def changes(self) -> AsyncIterator[SessionSnapshot]:
        """Yield every new snapshot (the newest may replace ones not yet taken)."""
        ...


class LatestSnapshot:
    """A thread-safe-enough holder: the ops layer publishes, the UI polls.

    Publishing replaces the held snapshot (a rebinding, atomic in CPython), so
    a producer on another thread or task needs no lock. :meth:`changes` lets a
    consumer on the UI's event loop wait for the next one instead of polling.
    """

    def __init__(self, first: SessionSnapshot) -> None:
        self._latest = first
        self._version = 0
        self._changed: asyncio.Event | None = None

    def latest(self) -> SessionSnapshot:
        return self._latest

    def publish(self, snapshot: SessionSnapshot) -> None:
        """Make ``snapshot`` the latest one (call from the event loop for :meth:`changes`)."""
        self._latest = snapshot
        self._version += 1
        if self._changed is not None:
            self._changed.set()

    async def changes(self) -> AsyncIterator[SessionSnapshot]:
        """Yield the latest snapshot each time one is published after this call.

        A slow consumer skips snapshots it had no time for; it never gets a stale one.
        """
        if self._changed is None:
            self._changed = asyncio.Event()
        seen = self._version
        while True:
            if self._version == seen:
                self._changed.clear()
                await self._changed.wait()
                continue
            seen = self._version
            yield self._latest
