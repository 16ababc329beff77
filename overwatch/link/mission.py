"""The MAVLink mission protocol for missions, fences and rally points.

Upload, download, clear and verify :class:`~overwatch.items.MissionItem`
lists of one :class:`~overwatch.items.MissionType`. Every step is resent on
its own timeout, so transfers survive heavy packet loss; the whole transfer
has a deadline too.

For ``MissionType.MISSION``, item 0 is home on ArduPilot: pass a list that
starts with :func:`overwatch.items.home_placeholder`. ArduPilot overwrites it
with the real home, so :meth:`MissionClient.verify` does not compare it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import MissionTransferError
from overwatch.items import MissionItem, MissionType, as_ardupilot_stores
from overwatch.link import events as ev

if TYPE_CHECKING:
    from overwatch.link.link import Link

E = TypeVar("E", bound=ev.Event)
MAV_MISSION_ACCEPTED = mavlink.MAV_MISSION_ACCEPTED
MAV_MISSION_INVALID_SEQUENCE = mavlink.MAV_MISSION_INVALID_SEQUENCE
MAV_MISSION_ERROR = mavlink.MAV_MISSION_ERROR


class _Inbox:
    """The vehicle's events of one transfer, queued from before the first request is sent."""

    def __init__(self, link: Link, sysid: int) -> None:
        self.queue: asyncio.Queue[ev.Event] = asyncio.Queue()
        self._remove = link.add_listener(self.queue.put_nowait, sysid=sysid)

    async def next(self, match: Callable[[ev.Event], bool], timeout_s: float) -> ev.Event | None:
        """The next matching event, or None after ``timeout_s`` seconds."""
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    event = await self.queue.get()
                    if match(event):
                        return event
        except TimeoutError:
            return None

    def close(self) -> None:
        self._remove()


class MissionClient:
    """Mission/fence/rally transfers with one vehicle.

    ``item_timeout_s`` is how long to wait for each answer before resending;
    ``transfer_timeout_s`` bounds a whole upload or download.
    """

    def __init__(
        self,
        link: Link,
        sysid: int,
        compid: int,
        *,
        item_timeout_s: float = 1.0,
        transfer_timeout_s: float = 60.0,
    ) -> None:
        self.link = link
        self.sysid = sysid
        self.compid = compid
        self.item_timeout_s = item_timeout_s
        self.transfer_timeout_s = transfer_timeout_s
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def _transfer(self) -> AsyncIterator[_Inbox]:
        async with self._lock:
            inbox = _Inbox(self.link, self.sysid)
            try:
                yield inbox
            finally:
                inbox.close()

    def _deadline(self) -> Callable[[], float]:
        loop = asyncio.get_running_loop()
        end_s = loop.time() + self.transfer_timeout_s
        return lambda: end_s - loop.time()

    # -- sending helpers ---------------------------------------------------------

    def _send_item(self, seq: int, item: MissionItem, mission_type: MissionType) -> None:
        self.link.mav.mission_item_int_send(
            target_system=self.sysid,
            target_component=self.compid,
            seq=seq,
            frame=int(item.frame),
            command=int(item.command),
            current=0,
            autocontinue=int(item.autocontinue),
            param1=item.param1,
            param2=item.param2,
            param3=item.param3,
            param4=item.param4,
            x=round(item.lat_deg * 1e7),
            y=round(item.lon_deg * 1e7),
            z=item.alt_m,
            mission_type=int(mission_type),
        )

    # -- upload -------------------------------------------------------------------

    async def upload(
        self,
        items: Sequence[MissionItem],
        mission_type: MissionType = MissionType.MISSION,
        *,
        verify: bool = True,
    ) -> None:
        """Send ``items`` as the vehicle's ``mission_type`` list, then (``verify``) read it back.

        Answers both MISSION_REQUEST and MISSION_REQUEST_INT with
        MISSION_ITEM_INT. When no request comes within ``item_timeout_s`` the
        last item is sent again (the count, before any request); ArduPilot's
        MAV_MISSION_INVALID_SEQUENCE answer to a duplicate is not an error.
        If the final acknowledgement is lost and a resend is refused, the list
        is read back to decide (even with ``verify=False``). Raises
        :class:`MissionTransferError` carrying the MAV_MISSION_RESULT when the
        vehicle refuses, or on timeout.
        """
        kind = mission_type.name.lower()
        count = len(items)
        final_ack_ambiguous = False
        refusal: ev.MissionAck | None = None
        async with self._transfer() as inbox:
            remaining_s = self._deadline()

            def send_count() -> None:
                self.link.mav.mission_count_send(
                    self.sysid, self.compid, count, mission_type=int(mission_type)
                )

            def relevant(e: ev.Event) -> bool:
                return (
                    isinstance(e, ev.MissionRequest | ev.MissionAck)
                    and e.mission_type == mission_type
                )

            send_count()
            last_sent: int | None = None
            highest_sent = -1
            resent = False  # the last item went out again on a timeout, not on a request
            while True:
                left_s = remaining_s()
                if left_s <= 0:
                    raise MissionTransferError(
                        f"{kind} upload of {count} items timed out after "
                        f"{self.transfer_timeout_s:g} s ({highest_sent + 1} items requested)"
                    )
                event = await inbox.next(relevant, min(self.item_timeout_s, left_s))
                if event is None:  # the request or our answer was lost: say it again
                    if last_sent is None:
                        send_count()
                    else:
                        self._send_item(last_sent, items[last_sent], mission_type)
                        resent = True
                        if last_sent == count - 1:
                            final_ack_ambiguous = True
                    continue
                if isinstance(event, ev.MissionRequest):
                    if 0 <= event.seq < count:
                        self._send_item(event.seq, items[event.seq], mission_type)
                        last_sent = event.seq
                        highest_sent = max(highest_sent, event.seq)
                        resent = False
                    continue
                assert isinstance(event, ev.MissionAck)
                if event.result == MAV_MISSION_INVALID_SEQUENCE:
                    # ArduPilot's answer to a duplicate; it keeps receiving. After our
                    # resend of item k it means k was stored and the request for k+1 lost:
                    # offer k+1 once rather than wait for the vehicle's 1 s re-request.
                    if resent and last_sent is not None and last_sent + 1 < count:
                        self._send_item(last_sent + 1, items[last_sent + 1], mission_type)
                        highest_sent = max(highest_sent, last_sent + 1)
                        resent = False
                    continue
                all_sent = highest_sent == count - 1
                if event.result == MAV_MISSION_ACCEPTED:
                    if all_sent:
                        break
                    continue  # a stale acceptance from an earlier transfer
                if all_sent and (final_ack_ambiguous or event.result == MAV_MISSION_ERROR):
                    # This may answer a resend of an item the vehicle already stored (its
                    # acceptance was lost), or a copy of the last item that a duplicating
                    # link delivered after the upload ended (ArduPilot answers such a
                    # stray item with MAV_MISSION_ERROR): only reading the list back can tell.
                    refusal = event
                    break
                raise MissionTransferError(
                    f"{kind} upload of {count} items refused by vehicle {self.sysid}",
                    event.result,
                    event.result_name,
                )
        if refusal is not None:
            try:
                await self.verify(items, mission_type)
            except MissionTransferError:
                raise MissionTransferError(
                    f"{kind} upload of {count} items refused by vehicle {self.sysid}",
                    refusal.result,
                    refusal.result_name,
                ) from None
        elif verify:
            await self.verify(items, mission_type)

    # -- download -------------------------------------------------------------------

    async def download(self, mission_type: MissionType = MissionType.MISSION) -> list[MissionItem]:
        """The vehicle's ``mission_type`` list (for MISSION, item 0 is home)."""
        kind = mission_type.name.lower()
        async with self._transfer() as inbox:
            remaining_s = self._deadline()

            def check_time(what: str) -> float:
                left_s = remaining_s()
                if left_s <= 0:
                    raise MissionTransferError(
                        f"{kind} download timed out after {self.transfer_timeout_s:g} s "
                        f"waiting for {what}"
                    )
                return min(self.item_timeout_s, left_s)

            count: int | None = None
            while count is None:
                wait_s = check_time("MISSION_COUNT")
                self.link.mav.mission_request_list_send(
                    self.sysid, self.compid, mission_type=int(mission_type)
                )
                answer = await inbox.next(
                    lambda e: isinstance(e, ev.MissionCount) and e.mission_type == mission_type,
                    wait_s,
                )
                if isinstance(answer, ev.MissionCount):
                    count = answer.count
            items: list[MissionItem] = []
            for seq in range(count):
                while len(items) == seq:
                    wait_s = check_time(f"item {seq} of {count}")
                    self.link.mav.mission_request_int_send(
                        self.sysid, self.compid, seq, mission_type=int(mission_type)
                    )
                    got = await inbox.next(
                        lambda e, s=seq: _is_item(e, s, mission_type),  # type: ignore[misc]
                        wait_s,
                    )
                    if isinstance(got, ev.MissionItemMessage):
                        items.append(got.item)
                    elif isinstance(got, ev.MissionAck):
                        raise MissionTransferError(
                            f"{kind} download of item {seq} refused by vehicle {self.sysid}",
                            got.result,
                            got.result_name,
                        )
            self.link.mav.mission_ack_send(
                self.sysid, self.compid, MAV_MISSION_ACCEPTED, mission_type=int(mission_type)
            )
            return items

    # -- clear -------------------------------------------------------------------------

    async def clear(self, mission_type: MissionType = MissionType.MISSION) -> None:
        """Delete the vehicle's ``mission_type`` list (MISSION_CLEAR_ALL, acknowledged)."""
        kind = mission_type.name.lower()
        async with self._transfer() as inbox:
            remaining_s = self._deadline()
            while (left_s := remaining_s()) > 0:
                self.link.mav.mission_clear_all_send(
                    self.sysid, self.compid, mission_type=int(mission_type)
                )
                ack = await inbox.next(
                    lambda e: isinstance(e, ev.MissionAck) and e.mission_type == mission_type,
                    min(self.item_timeout_s, left_s),
                )
                if isinstance(ack, ev.MissionAck):
                    if ack.result == MAV_MISSION_ACCEPTED:
                        return
                    raise MissionTransferError(
                        f"{kind} clear refused by vehicle {self.sysid}", ack.result, ack.result_name
                    )
        raise MissionTransferError(
            f"{kind} clear: no MISSION_ACK within {self.transfer_timeout_s:g} s"
        )

    # -- verify -------------------------------------------------------------------------

    async def verify(
        self, items: Sequence[MissionItem], mission_type: MissionType = MissionType.MISSION
    ) -> None:
        """Download and compare with what ArduPilot keeps of ``items``.

        Each sent item is compared, as :func:`~overwatch.items.as_ardupilot_stores`
        says ArduPilot holds it, with what the vehicle returns
        (:meth:`MissionItem.same_as`). For MISSION, item 0 (home, rewritten by
        ArduPilot) is not compared.
        Raises :class:`MissionTransferError` naming the first difference.
        """
        kind = mission_type.name.lower()
        stored = await self.download(mission_type)
        if len(stored) != len(items):
            raise MissionTransferError(
                f"{kind} verify: vehicle {self.sysid} holds {len(stored)} items, "
                f"{len(items)} were sent"
            )
        first = 1 if mission_type == MissionType.MISSION else 0
        for seq in range(first, len(items)):
            sent = as_ardupilot_stores(replace(items[seq], mission_type=mission_type))
            if not sent.same_as(stored[seq]):
                raise MissionTransferError(
                    f"{kind} verify: item {seq} differs: sent {sent}, vehicle holds {stored[seq]}"
                )


def _is_item(event: ev.Event, seq: int, mission_type: MissionType) -> bool:
    if isinstance(event, ev.MissionItemMessage):
        return event.seq == seq and event.item.mission_type == mission_type
    return (
        isinstance(event, ev.MissionAck)
        and event.mission_type == mission_type
        and (event.result != MAV_MISSION_ACCEPTED)
    )
