"""The MAVLink mission protocol (MISSION, FENCE and RALLY lists), vehicle side.

Upload: MISSION_COUNT → the vehicle asks for each item with MISSION_REQUEST
(not _INT, as ArduPilot does), re-asks if an item does not come within
``resend_s`` and gives up with MISSION_ACK OPERATION_CANCELLED after
``timeout_s`` of silence; a wrong item gets MISSION_ACK INVALID_SEQUENCE and
the transfer goes on; an invalid item ends it with the matching error.
Download: MISSION_REQUEST_LIST → MISSION_COUNT, then MISSION_REQUEST_INT or
MISSION_REQUEST → MISSION_ITEM_INT or MISSION_ITEM.

These link-protocol timers run on *wall* time (``wall_now``), unlike the
vehicle's: at a 200× speed-up a 1 s re-request on simulated time would flood
a client that answers at network speed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.items import MissionType
from simulator import modes
from simulator.mission_store import (
    CAPACITY,
    MissionStore,
    StoredItem,
    validate_fence,
    validate_item,
)

Emit = Callable[[Any, Any], None]
"""``emit(link, message)``: send a reply on the link a request came from."""


@dataclass
class _Upload:
    link: Any
    sysid: int
    compid: int
    count: int
    items: list[StoredItem] = field(default_factory=list)
    last_rx_s: float = 0.0
    last_request_s: float = 0.0
    #: A partial write (MISSION_WRITE_PARTIAL_LIST) replaces items ``start``..``start+count-1``.
    start: int = 0
    partial: bool = False

    @property
    def next_seq(self) -> int:
        return self.start + len(self.items)


class MissionTransfer:
    """Vehicle side of the mission protocol for all three list types."""

    def __init__(
        self,
        store: MissionStore,
        emit: Emit,
        wall_now: Callable[[], float],
        home_item: Callable[[], StoredItem],
        on_changed: Callable[[int], None],
        can_clear: Callable[[int], bool],
        resend_s: float = 1.0,
        timeout_s: float = 8.0,
        warn: Callable[[str], None] = lambda _text: None,
    ) -> None:
        self._warn = warn
        self._store = store
        self._emit = emit
        self._now = wall_now
        self._home_item = home_item
        self._on_changed = on_changed
        self._can_clear = can_clear
        self.resend_s = resend_s
        self.timeout_s = timeout_s
        self._uploads: dict[int, _Upload] = {}
        self.requests_sent = 0

    # -- upload ----------------------------------------------------------------

    def handle_count(self, msg: Any, link: Any) -> None:
        mtype = int(getattr(msg, "mission_type", 0))
        if mtype not in CAPACITY:
            self._ack(link, msg, modes.MISSION_UNSUPPORTED, mtype)
            return
        busy = self._uploads.get(mtype)
        if busy is not None and busy.link is not link:
            self._ack(link, msg, modes.MISSION_DENIED, mtype)
            return
        if msg.count > CAPACITY[mtype]:
            self._uploads.pop(mtype, None)
            self._ack(link, msg, modes.MISSION_NO_SPACE, mtype)
            return
        if msg.count == 0:
            self._uploads.pop(mtype, None)
            self._store.clear(mtype)
            self._on_changed(mtype)
            self._ack(link, msg, modes.MISSION_ACCEPTED, mtype)
            return
        now = self._now()
        up = _Upload(link, msg.get_srcSystem(), msg.get_srcComponent(), msg.count, last_rx_s=now)
        self._uploads[mtype] = up
        self._request(up, mtype, now)

    def handle_item(self, msg: Any, link: Any, is_int: bool) -> None:
        mtype = int(getattr(msg, "mission_type", 0))
        up = self._uploads.get(mtype)
        if up is None or up.link is not link:
            # ArduPilot answers a stray item with an error ack
            self._ack(link, msg, modes.MISSION_ERROR, mtype)
            return
        if msg.seq != up.next_seq:
            self._ack(link, msg, modes.MISSION_INVALID_SEQUENCE, mtype)
            return
        item = _to_stored(msg, is_int)
        result = validate_item(item, mtype)
        if mtype == MissionType.MISSION and msg.seq == 0 and not up.partial:
            result = modes.MISSION_ACCEPTED  # item 0 is home: whatever came is replaced
        if result != modes.MISSION_ACCEPTED:
            del self._uploads[mtype]
            self._ack(link, msg, result, mtype)
            return
        up.items.append(item.as_stored(mtype))
        now = self._now()
        up.last_rx_s = now
        if len(up.items) < up.count:
            self._request(up, mtype, now)
            return
        del self._uploads[mtype]
        items = up.items
        if up.partial:
            stored = self._store.get(mtype)
            items = [*stored[: up.start], *up.items, *stored[up.start + up.count :]]
        if mtype == MissionType.FENCE:
            result = validate_fence(items)
            if result != modes.MISSION_ACCEPTED:
                self._ack(link, msg, result, mtype)
                return
        self._store.replace(mtype, items)
        self._on_changed(mtype)
        self._ack(link, msg, modes.MISSION_ACCEPTED, mtype)

    def handle_write_partial(self, msg: Any, link: Any) -> None:
        """MISSION_WRITE_PARTIAL_LIST: ask for items start..end and write them in place.

        As ArduPilot: DENIED while an upload runs, ERROR (and "Flight plan update
        rejected") when either index is past the list's length or end < start.
        An ``end_index`` equal to the length appends one item.
        """
        mtype = int(getattr(msg, "mission_type", 0))
        if mtype not in CAPACITY:
            self._ack(link, msg, modes.MISSION_UNSUPPORTED, mtype)
            return
        if mtype in self._uploads:
            self._ack(link, msg, modes.MISSION_DENIED, mtype)
            return
        length = len(self._items_for_download(mtype))
        start, end = int(msg.start_index), int(msg.end_index)
        if not 0 <= start <= length or not start <= end <= length:
            self._warn("Flight plan update rejected")
            self._ack(link, msg, modes.MISSION_ERROR, mtype)
            return
        now = self._now()
        up = _Upload(
            link,
            msg.get_srcSystem(),
            msg.get_srcComponent(),
            end - start + 1,
            last_rx_s=now,
            start=start,
            partial=True,
        )
        self._uploads[mtype] = up
        self._request(up, mtype, now)

    def poll(self) -> None:
        """Re-request overdue items and cancel stalled uploads (call often)."""
        now = self._now()
        for mtype, up in list(self._uploads.items()):
            if now - up.last_rx_s > self.timeout_s:
                del self._uploads[mtype]
                self._emit(
                    up.link,
                    mav.MAVLink_mission_ack_message(
                        up.sysid, up.compid, modes.MISSION_OPERATION_CANCELLED, mtype
                    ),
                )
            elif now - up.last_request_s > self.resend_s:
                self._request(up, mtype, now)

    def upload_in_progress(self, mission_type: int) -> bool:
        return mission_type in self._uploads

    def _request(self, up: _Upload, mtype: int, now: float) -> None:
        up.last_request_s = now
        self.requests_sent += 1
        self._emit(
            up.link,
            mav.MAVLink_mission_request_message(up.sysid, up.compid, up.next_seq, mtype),
        )

    # -- download and clear -----------------------------------------------------

    def handle_request_list(self, msg: Any, link: Any) -> None:
        mtype = int(getattr(msg, "mission_type", 0))
        if mtype not in CAPACITY:
            self._ack(link, msg, modes.MISSION_UNSUPPORTED, mtype)
            return
        count = len(self._items_for_download(mtype))
        self._emit(
            link,
            mav.MAVLink_mission_count_message(
                msg.get_srcSystem(), msg.get_srcComponent(), count, mtype
            ),
        )

    def handle_request(self, msg: Any, link: Any, as_int: bool) -> None:
        mtype = int(getattr(msg, "mission_type", 0))
        if mtype not in CAPACITY:
            self._ack(link, msg, modes.MISSION_UNSUPPORTED, mtype)
            return
        items = self._items_for_download(mtype)
        if not 0 <= msg.seq < len(items):
            self._ack(link, msg, modes.MISSION_INVALID_SEQUENCE, mtype)
            return
        item = items[msg.seq].for_download()
        sys_, comp = msg.get_srcSystem(), msg.get_srcComponent()
        if as_int:
            reply = mav.MAVLink_mission_item_int_message(
                sys_,
                comp,
                msg.seq,
                item.frame,
                item.command,
                0,
                item.autocontinue,
                item.param1,
                item.param2,
                item.param3,
                item.param4,
                item.x,
                item.y,
                item.z,
                mtype,
            )
        else:
            reply = mav.MAVLink_mission_item_message(
                sys_,
                comp,
                msg.seq,
                item.frame,
                item.command,
                0,
                item.autocontinue,
                item.param1,
                item.param2,
                item.param3,
                item.param4,
                item.x * 1e-7,
                item.y * 1e-7,
                item.z,
                mtype,
            )
        self._emit(link, reply)

    def handle_clear_all(self, msg: Any, link: Any) -> None:
        mtype = int(getattr(msg, "mission_type", 0))
        if mtype == 255:  # MAV_MISSION_TYPE_ALL
            types = list(CAPACITY)
        elif mtype in CAPACITY:
            types = [mtype]
        else:
            self._ack(link, msg, modes.MISSION_UNSUPPORTED, mtype)
            return
        if not all(self._can_clear(t) for t in types):
            self._ack(link, msg, modes.MISSION_ERROR, mtype)
            return
        for t in types:
            self._uploads.pop(t, None)
            self._store.clear(t)
            self._on_changed(t)
        self._ack(link, msg, modes.MISSION_ACCEPTED, mtype)

    def _items_for_download(self, mtype: int) -> list[StoredItem]:
        items = self._store.get(mtype)
        if mtype == MissionType.MISSION and items:
            return [self._home_item(), *items[1:]]
        return items

    def _ack(self, link: Any, msg: Any, result: int, mtype: int) -> None:
        self._emit(
            link,
            mav.MAVLink_mission_ack_message(
                msg.get_srcSystem(), msg.get_srcComponent(), result, mtype
            ),
        )


def _to_stored(msg: Any, is_int: bool) -> StoredItem:
    if is_int:
        x, y = int(msg.x), int(msg.y)
    else:
        x, y = round(msg.x * 1e7), round(msg.y * 1e7)
    return StoredItem(
        command=int(msg.command),
        frame=int(msg.frame),
        param1=float(msg.param1),
        param2=float(msg.param2),
        param3=float(msg.param3),
        param4=float(msg.param4),
        x=x,
        y=y,
        z=float(msg.z),
        autocontinue=int(msg.autocontinue),
    )
