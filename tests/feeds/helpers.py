"""Shared fixtures for feed tests: free loopback ports and bounded collection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from overwatch.feeds.base import Feed
from overwatch.feeds.fix import PatrolFix
from overwatch.ops.training import free_port

__all__ = ["collect", "free_port", "running", "tcp_server"]


async def collect(feed: Feed, count: int, timeout_s: float = 10.0) -> list[PatrolFix]:
    """The first ``count`` fixes of ``feed`` (fails the test on timeout)."""
    out: list[PatrolFix] = []

    async def run() -> None:
        async with contextlib.aclosing(feed.fixes()) as fixes:
            async for fix in fixes:
                out.append(fix)
                if len(out) >= count:
                    return

    await asyncio.wait_for(run(), timeout_s)
    return out


@contextlib.asynccontextmanager
async def running(feed: Feed) -> AsyncIterator[asyncio.Queue[PatrolFix]]:
    """Run ``feed`` in a task; yields the queue its fixes land in."""
    queue: asyncio.Queue[PatrolFix] = asyncio.Queue()

    async def pump() -> None:
        async with contextlib.aclosing(feed.fixes()) as fixes:
            async for fix in fixes:
                queue.put_nowait(fix)

    task = asyncio.create_task(pump())
    try:
        yield queue
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def tcp_server(handler: Handler) -> AsyncIterator[int]:
    """A real TCP server on 127.0.0.1 (free port); yields the port.

    On exit every connection is closed and every handler finished, so no
    socket outlives the test's event loop.
    """
    tasks: set[asyncio.Task[None]] = set()

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except asyncio.CancelledError:
            pass  # the test is over; a cancelled handler task would be logged as an error
        finally:
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
