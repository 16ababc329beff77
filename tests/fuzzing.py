"""Shared hypothesis strategies for the fuzz tests: how outside input goes wrong.

``examples(n)`` gives ``n`` examples under the ``ci`` profile and the fuzz
profile's count (times ``share``) under ``HYPOTHESIS_PROFILE=fuzz`` (see
tests/conftest.py), so ``just fuzz`` runs the very same tests, harder.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st

T = TypeVar("T")

FUZZING = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "fuzz"


def examples(ci: int, share: float = 1.0) -> settings:
    """Settings with ``ci`` examples, or the fuzz profile's count × ``share`` when fuzzing."""
    if FUZZING:
        return settings(max_examples=max(ci, int(settings().max_examples * share)))
    return settings(max_examples=ci)


class Big(bytes):
    """Bytes that print short: hypothesis would refuse to show a 70 kB example."""

    def __repr__(self) -> str:
        return f"Big({len(self)} bytes: {bytes(self[:40])!r}…)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def _flip(good: bytes, position: int, value: int) -> bytes:
    data = bytearray(good)
    data[position % len(data)] = value
    return bytes(data)


def _splice(good: bytes, position: int, junk: bytes) -> bytes:
    position %= len(good) + 1
    return good[:position] + junk + good[position:]


def mutations(good: bytes, oversize_to: int = 70_000) -> st.SearchStrategy[bytes]:
    """``good`` gone wrong: random bytes, truncated, one byte changed, bytes spliced in,
    bytes cut out, or grown past ``oversize_to`` bytes."""
    n = len(good)
    return st.one_of(
        st.binary(max_size=2 * n),
        st.integers(0, n - 1).map(lambda cut: good[:cut]),
        st.integers(1, n).map(lambda cut: good[cut:]),
        st.tuples(st.integers(0, n - 1), st.integers(0, 255)).map(lambda t: _flip(good, *t)),
        st.tuples(st.integers(0, n), st.binary(min_size=1, max_size=40)).map(
            lambda t: _splice(good, *t)
        ),
        st.tuples(st.integers(0, n - 1), st.integers(1, 40)).map(
            lambda t: good[: t[0]] + good[t[0] + t[1] :]
        ),
        st.sampled_from([b" ", b"x", b"<", good]).map(
            lambda pad: Big(good + pad * (oversize_to // len(pad) + 1))
        ),
    )


class LoopThread:
    """An asyncio event loop in its own thread, kept across hypothesis examples.

    A feed (or a link) started once on it reads every example's bytes in
    turn, so a test checks that one long-running loop survives them all.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float = 60.0) -> T:
        """Run ``coro`` on the loop and wait for its result (the timeout only guards a hang)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)

    def close(self) -> None:
        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.loop.shutdown_asyncgens()

        self.run(cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()
