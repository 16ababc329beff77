"""COMMAND_LONG / COMMAND_INT with acknowledgement, retries and typed failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import CommandRejected, LinkTimeout
from overwatch.link import events as ev
from overwatch.link.decode import enum_name

if TYPE_CHECKING:
    from overwatch.link.link import Link

MAV_RESULT_ACCEPTED = mavlink.MAV_RESULT_ACCEPTED
MAV_RESULT_IN_PROGRESS = mavlink.MAV_RESULT_IN_PROGRESS


def command_name(command: int) -> str:
    """``MAV_CMD_COMPONENT_ARM_DISARM`` for 400."""
    return enum_name("MAV_CMD", command)


class CommandSender:
    """Sends commands to one component and waits for the matching COMMAND_ACK.

    Each attempt waits ``timeout_s`` seconds; COMMAND_LONG retries carry the
    ``confirmation`` field incremented (0, 1, 2 …) as MAVLink asks. An ACK of
    ``IN_PROGRESS`` extends the wait. Commands with the same MAV_CMD are sent
    one at a time, because a COMMAND_ACK only names the MAV_CMD.
    """

    def __init__(
        self,
        link: Link,
        sysid: int,
        compid: int,
        *,
        timeout_s: float = 1.5,
        attempts: int = 3,
    ) -> None:
        self.link = link
        self.sysid = sysid
        self.compid = compid
        self.timeout_s = timeout_s
        self.attempts = attempts
        self._locks: dict[int, asyncio.Lock] = {}

    def _is_ack(self, command: int) -> Callable[[ev.Event], bool]:
        own_sysid = self.link.sysid

        def matches(event: ev.Event) -> bool:
            return (
                isinstance(event, ev.CommandAck)
                and event.command == command
                and event.sysid == self.sysid
                and event.target_system in (0, own_sysid)
            )

        return matches

    async def long(
        self,
        label: str,
        command: int,
        params: Sequence[float] = (),
        *,
        timeout_s: float | None = None,
        attempts: int | None = None,
    ) -> ev.CommandAck:
        """Send COMMAND_LONG ``command`` with up to 7 ``params``; the ACCEPTED ack.

        ``label`` names the operation in errors (``"arm()"``). Raises
        :class:`CommandRejected` for any other MAV_RESULT and
        :class:`LinkTimeout` when no ack arrives after all attempts.
        """
        padded = [float(p) for p in params] + [0.0] * (7 - len(params))

        def send(attempt: int) -> None:
            self.link.mav.command_long_send(
                target_system=self.sysid,
                target_component=self.compid,
                command=command,
                confirmation=attempt,
                param1=padded[0],
                param2=padded[1],
                param3=padded[2],
                param4=padded[3],
                param5=padded[4],
                param6=padded[5],
                param7=padded[6],
            )

        return await self._run(label, command, send, timeout_s, attempts)

    async def int_(
        self,
        label: str,
        command: int,
        *,
        frame: int,
        params: Sequence[float] = (),
        lat_deg: float = 0.0,
        lon_deg: float = 0.0,
        z: float = 0.0,
        timeout_s: float | None = None,
        attempts: int | None = None,
    ) -> ev.CommandAck:
        """Send COMMAND_INT (position as degrees, scaled to 1e7 here); like :meth:`long`."""
        padded = [float(p) for p in params] + [0.0] * (4 - len(params))

        def send(_attempt: int) -> None:
            self.link.mav.command_int_send(
                target_system=self.sysid,
                target_component=self.compid,
                frame=frame,
                command=command,
                current=0,
                autocontinue=0,
                param1=padded[0],
                param2=padded[1],
                param3=padded[2],
                param4=padded[3],
                x=round(lat_deg * 1e7),
                y=round(lon_deg * 1e7),
                z=z,
            )

        return await self._run(label, command, send, timeout_s, attempts)

    async def _run(
        self,
        label: str,
        command: int,
        send: Callable[[int], None],
        timeout_s: float | None,
        attempts: int | None,
    ) -> ev.CommandAck:
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        attempts = self.attempts if attempts is None else attempts
        matches = self._is_ack(command)
        lock = self._locks.setdefault(command, asyncio.Lock())
        async with lock:
            for attempt in range(attempts):
                future = self.link.waiter(matches)
                send(attempt)
                try:
                    while True:
                        async with asyncio.timeout(timeout_s):
                            ack = await asyncio.shield(future)
                        assert isinstance(ack, ev.CommandAck)
                        if ack.result != MAV_RESULT_IN_PROGRESS:
                            break
                        future = self.link.waiter(matches)  # keep waiting for the final answer
                except TimeoutError:
                    self.link.cancel_waiter(future)
                    continue
                if ack.result == MAV_RESULT_ACCEPTED:
                    return ack
                raise CommandRejected(label, ack.result, ack.result_name, command_name(command))
        raise LinkTimeout(
            f"{label}: no COMMAND_ACK for {command_name(command)} from vehicle {self.sysid} "
            f"after {attempts} attempts of {timeout_s:g} s"
        )
