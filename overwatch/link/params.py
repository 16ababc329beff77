"""Parameters: read one, fetch all (re-requesting gaps), set and verify, resolve renamed names."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import ParameterError
from overwatch.link import events as ev
from overwatch.param_names import RENAMED, alternatives, convert

if TYPE_CHECKING:
    from overwatch.link.link import Link

ProgressCallback = Callable[[int, int], object]


def _as_float32(value: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


class Params:
    """The parameters of one vehicle, with a cache of every PARAM_VALUE heard.

    Each request waits ``timeout_s`` seconds for its PARAM_VALUE and is sent at
    most ``attempts`` times; failures raise :class:`ParameterError`.
    """

    def __init__(
        self,
        link: Link,
        sysid: int,
        compid: int,
        *,
        timeout_s: float = 1.0,
        attempts: int = 3,
    ) -> None:
        self.link = link
        self.sysid = sysid
        self.compid = compid
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.values: dict[str, ev.ParamValue] = {}
        self.count: int | None = None
        self._by_index: dict[int, str] = {}
        link.add_listener(self._remember, sysid=sysid)

    def _remember(self, event: ev.Event) -> None:
        if isinstance(event, ev.ParamValue):
            self.values[event.name] = event
            self.count = event.count
            if 0 <= event.index < event.count:
                self._by_index[event.index] = event.name

    def _request_read(self, name: str = "", index: int = -1) -> None:
        self.link.mav.param_request_read_send(self.sysid, self.compid, name.encode("ascii"), index)

    async def _ask(
        self,
        what: str,
        send: Callable[[], None],
        match: Callable[[ev.Event], bool],
        attempts: int | None = None,
    ) -> ev.ParamValue | None:
        for _ in range(self.attempts if attempts is None else attempts):
            future = self.link.waiter(match)
            send()
            try:
                async with asyncio.timeout(self.timeout_s):
                    answer = await future
            except TimeoutError:
                self.link.cancel_waiter(future)
                continue
            assert isinstance(answer, ev.ParamValue)
            return answer
        return None

    async def get(self, name: str, *, attempts: int | None = None) -> float:
        """Read parameter ``name`` from the vehicle (not the cache)."""
        name = name.upper()
        answer = await self._ask(
            name,
            lambda: self._request_read(name),
            lambda e: isinstance(e, ev.ParamValue) and e.name == name,
            attempts,
        )
        if answer is None:
            tries = self.attempts if attempts is None else attempts
            raise ParameterError(
                f"parameter {name}: no answer from vehicle {self.sysid} after {tries} requests "
                "(does it exist on this firmware?)"
            )
        return float(answer.value)

    async def fetch_all(
        self,
        progress_cb: ProgressCallback | None = None,
        *,
        quiet_s: float = 1.0,
        rounds: int = 10,
    ) -> dict[str, float]:
        """Every parameter: PARAM_REQUEST_LIST, then re-request missing indices.

        ``progress_cb(received, total)`` is called as values arrive. After
        ``quiet_s`` seconds without a new value the missing indices are asked
        for one by one, up to ``rounds`` times.
        """
        received: dict[int, str] = {}
        total: int | None = None
        arrived = asyncio.Event()

        def collect(event: ev.Event) -> None:
            nonlocal total
            if isinstance(event, ev.ParamValue) and 0 <= event.index < event.count:
                total = event.count
                if event.index not in received:
                    received[event.index] = event.name
                    if progress_cb is not None:
                        progress_cb(len(received), total)
                arrived.set()

        remove = self.link.add_listener(collect, sysid=self.sysid)
        try:
            self.link.mav.param_request_list_send(self.sysid, self.compid)
            quiet_rounds = 0
            while total is None or len(received) < total:
                arrived.clear()
                try:
                    async with asyncio.timeout(quiet_s):
                        await arrived.wait()
                    continue
                except TimeoutError:
                    quiet_rounds += 1
                if quiet_rounds > rounds:
                    have = len(received)
                    raise ParameterError(
                        f"parameter download from vehicle {self.sysid}: {have} of "
                        f"{total if total is not None else '?'} received after {rounds} re-requests"
                    )
                if total is None:
                    self.link.mav.param_request_list_send(self.sysid, self.compid)
                else:
                    for index in range(total):
                        if index not in received:
                            self._request_read(index=index)
        finally:
            remove()
        return {name: float(self.values[name].value) for name in received.values()}

    async def set(self, name: str, value: float) -> float:
        """Set ``name`` to ``value`` and check the vehicle's echoed PARAM_VALUE.

        Returns the value the vehicle now holds. Raises :class:`ParameterError`
        if there is no echo, or the echo holds a different value.
        """
        name = name.upper()
        known = self.values.get(name)
        if known is None:
            await self.get(name)
            known = self.values[name]
        wanted = _as_float32(value)

        def send() -> None:
            self.link.mav.param_set_send(
                self.sysid, self.compid, name.encode("ascii"), value, known.param_type
            )

        def echo(e: ev.Event) -> bool:
            return isinstance(e, ev.ParamValue) and e.name == name

        # A PARAM_VALUE holding another value may be a late answer to an earlier read
        # (or a duplicate): send the set again; only a vehicle that keeps answering
        # with another value has refused it.
        last: ev.ParamValue | None = None
        for _ in range(self.attempts):
            answer = await self._ask(name, send, echo, attempts=1)
            if answer is None:
                continue
            last = answer
            if _as_float32(answer.value) == wanted:
                return float(answer.value)
        if last is None:
            raise ParameterError(
                f"set {name}={value:g}: no PARAM_VALUE echo from vehicle {self.sysid}"
            )
        raise ParameterError(
            f"set {name}={value:g}: vehicle {self.sysid} holds {last.value:g} instead"
        )

    async def resolve(self, name: str) -> str:
        """The name this vehicle uses for parameter ``name`` (see :func:`alternatives`).

        Looks in the cache first; once :meth:`fetch_all` has completed the cache
        is the whole list and answers alone. Otherwise each candidate is asked
        for, and silence is taken as absence (on a lossy link, fetch first).
        """
        candidates = alternatives(name)
        for candidate in candidates:
            if candidate in self.values:
                return candidate
        if not self.complete:
            for candidate in candidates:
                try:
                    await self.get(candidate)
                    return candidate
                except ParameterError:
                    continue
        raise ParameterError(
            f"parameter {name}: vehicle {self.sysid} has none of {', '.join(candidates)}"
        )

    async def set_value(self, name: str, value: float) -> float:
        """Set parameter ``name`` to ``value`` in ``name``'s own units, on any firmware.

        ``name`` may be any version's name (see :data:`RENAMED`): the vehicle's own
        name is found with :meth:`resolve` and ``value`` converted to its units
        (``set_value("RTL_ALT_M", 80)`` sets RTL_ALT to 8000 on a 4.6 vehicle).
        Returns the value the vehicle now holds, in ``name``'s units.
        """
        actual = await self.resolve(name)
        held = await self.set(actual, convert(value, name, actual))
        return convert(held, actual, name)

    async def get_value(self, name: str) -> float:
        """Read parameter ``name`` (any version's name), in ``name``'s own units."""
        actual = await self.resolve(name)
        return convert(await self.get(actual), actual, name)

    @property
    def complete(self) -> bool:
        """Every index of the vehicle's parameter list has been heard."""
        return self.count is not None and len(self._by_index) >= self.count


PARAM_TYPE_REAL32 = mavlink.MAV_PARAM_TYPE_REAL32

__all__ = ["RENAMED", "Params", "alternatives", "convert"]
