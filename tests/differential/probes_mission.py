"""Mission, fence and rally protocol probes: what the vehicle answers, normalised.

Each probe runs on a disarmed vehicle on the ground and returns plain data
(message names, results, sequence numbers, stored fields) so the two
backends' answers can be compared with ``==``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.differential.harness import HOME, Station, mission_result
from tests.simulator.conftest import seq_is

LAT, LON, _ = HOME
MISSION = mav.MAV_MISSION_TYPE_MISSION
FENCE = mav.MAV_MISSION_TYPE_FENCE
RALLY = mav.MAV_MISSION_TYPE_RALLY
REQUESTS = ("MISSION_REQUEST", "MISSION_REQUEST_INT")
ANSWERS = (*REQUESTS, "MISSION_ACK")

#: (command, frame, param1, lat, lon, alt, param2)
Item = tuple[int, int, float, float, float, float, float]

MISSION_ITEMS: list[Item] = [
    (16, 0, 0, LAT, LON, 0.0, 0),  # home
    (22, 3, 0, 0.0, 0.0, 20.0, 0),  # takeoff
    (178, 2, 1, 0.0, 0.0, 0.0, 7.5),  # DO_CHANGE_SPEED sent with frame MISSION
    (16, 3, 2.5, LAT + 0.001, LON, 30.0, 0),  # waypoint, 2.5 s hold
    (16, 6, 0, LAT + 0.001, LON + 0.001, 30.0, 0),  # frame GLOBAL_RELATIVE_ALT_INT
    (20, 2, 0, 0.0, 0.0, 0.0, 0),  # RTL
]
FENCE_ITEMS: list[Item] = [
    (5001, 0, 4, LAT - 0.01, LON - 0.01, 0, 0),
    (5001, 0, 4, LAT + 0.01, LON - 0.01, 0, 0),
    (5001, 0, 4, LAT + 0.01, LON + 0.01, 0, 0),
    (5001, 0, 4, LAT - 0.01, LON + 0.01, 0, 0),
    (5004, 0, 50, LAT + 0.002, LON + 0.002, 0, 0),  # exclusion circle, 50 m
]
RALLY_ITEMS: list[Item] = [
    (5100, 3, 0, LAT + 0.003, LON, 40.0, 0),
    (5100, 3, 0, LAT, LON + 0.003, 45.0, 0),
]


def send_item(s: Station, seq: int, item: Item, mtype: int) -> None:
    cmd, frame, p1, lat, lon, alt, p2 = item
    s.mav.mission_item_int_send(
        1, 1, seq, frame, cmd, 0, 1, p1, p2, 0, 0, round(lat * 1e7), round(lon * 1e7), alt, mtype
    )


def answer(s: Station, timeout: float = 5.0) -> Any:
    return s.recv(ANSWERS, timeout)


def describe(msg: Any) -> tuple[str, ...]:
    """("MISSION_REQUEST", seq) / ("MISSION_ACK", result) / ("none",)."""
    if msg is None:
        return ("none",)
    if msg.get_type() == "MISSION_ACK":
        return ("MISSION_ACK", mission_result(msg))
    return (msg.get_type(), str(msg.seq))


def upload(s: Station, items: Sequence[Item], mtype: int) -> dict[str, Any]:
    """Upload ``items``; the kinds of request the vehicle used and the final ack."""
    s.mav.mission_count_send(1, 1, len(items), mtype)
    kinds: set[str] = set()
    asked: list[int] = []
    while True:
        msg = answer(s)
        if msg is None or msg.get_type() == "MISSION_ACK":
            return {"requests": sorted(kinds), "asked": asked, "ack": describe(msg)}
        kinds.add(msg.get_type())
        if not asked or asked[-1] != msg.seq:
            asked.append(int(msg.seq))
        send_item(s, msg.seq, items[msg.seq], mtype)


def download(s: Station, mtype: int) -> list[tuple[Any, ...]]:
    """Every stored item: (seq, command, frame, param1, param2, lat, lon, alt) rounded."""
    s.mav.mission_request_list_send(1, 1, mtype)
    count = s.recv("MISSION_COUNT", 5.0)
    assert count is not None, "no MISSION_COUNT"
    out: list[tuple[Any, ...]] = []
    for seq in range(count.count):
        s.mav.mission_request_int_send(1, 1, seq, mtype)
        item = s.recv("MISSION_ITEM_INT", 5.0, cond=seq_is(seq))
        assert item is not None, f"no item {seq}"
        out.append(
            (
                item.seq,
                item.command,
                item.frame,
                round(item.param1, 2),
                round(item.param2, 2),
                item.x if seq or mtype else "home",
                item.y if seq or mtype else "home",
                round(item.z, 1) if seq or mtype else "home",
            )
        )
    s.mav.mission_ack_send(1, 1, 0, mtype)
    return out


def count_of(s: Station, mtype: int) -> int:
    s.mav.mission_request_list_send(1, 1, mtype)
    count = s.recv("MISSION_COUNT", 5.0)
    assert count is not None, "no MISSION_COUNT"
    if count.count:
        s.mav.mission_ack_send(1, 1, 0, mtype)
    return int(count.count)


def clear(s: Station, mtype: int) -> tuple[str, ...]:
    s.mav.mission_clear_all_send(1, 1, mtype)
    return describe(s.recv("MISSION_ACK", 5.0))


def settle(s: Station) -> None:
    """Let any transfer in progress time out and drop what is queued."""
    s.wait(0.3)
    s._pending.clear()


def probe_lists(s: Station) -> dict[str, Any]:
    """Upload, download and clear each list; the answers."""
    out: dict[str, Any] = {"mission count at boot": count_of(s, MISSION)}
    for name, items, mtype in (
        ("mission", MISSION_ITEMS, MISSION),
        ("fence", FENCE_ITEMS, FENCE),
        ("rally", RALLY_ITEMS, RALLY),
    ):
        out[f"{name} upload"] = upload(s, items, mtype)
        out[f"{name} stored"] = download(s, mtype)
        out[f"{name} clear"] = clear(s, mtype)
        out[f"{name} count after clear"] = count_of(s, mtype)
    return out


def probe_errors(s: Station) -> dict[str, Any]:
    """The answers to protocol mistakes."""
    out: dict[str, Any] = {}
    settle(s)
    # a request for an item that is not there
    upload(s, MISSION_ITEMS[:3], MISSION)
    s.mav.mission_request_list_send(1, 1, MISSION)
    s.recv("MISSION_COUNT", 5.0)
    s.mav.mission_request_int_send(1, 1, 7, MISSION)
    out["request out of range"] = describe(s.recv(("MISSION_ITEM_INT", "MISSION_ACK"), 3.0))
    settle(s)
    # an item nobody asked for
    send_item(s, 1, MISSION_ITEMS[1], MISSION)
    out["stray item"] = describe(s.recv(ANSWERS, 2.0))
    settle(s)
    # the wrong item in an upload, then the right one
    s.mav.mission_count_send(1, 1, 3, MISSION)
    first = answer(s)
    out["bad seq first request"] = describe(first)
    send_item(s, 2, MISSION_ITEMS[2], MISSION)
    out["bad seq answer"] = describe(answer(s))
    steps = []
    for _ in range(5):
        msg = answer(s)
        steps.append(describe(msg))
        if msg is None or msg.get_type() == "MISSION_ACK":
            break
        send_item(s, msg.seq, MISSION_ITEMS[msg.seq], MISSION)
    out["bad seq then"] = steps[-1]
    out["bad seq stored"] = count_of(s, MISSION)
    settle(s)
    # lists longer than the vehicle holds
    for name, mtype, count in (
        ("mission", MISSION, 30000),
        ("fence", FENCE, 1000),
        ("rally", RALLY, 1000),
    ):
        s.mav.mission_count_send(1, 1, count, mtype)
        out[f"{name} count {count}"] = describe(answer(s))
        settle(s)
    return out


def probe_partial(s: Station) -> dict[str, Any]:
    """MISSION_WRITE_PARTIAL_LIST: replace items 2..3 of a stored mission."""
    settle(s)
    out: dict[str, Any] = {"upload": upload(s, MISSION_ITEMS, MISSION)["ack"]}
    replacement: list[Item] = [
        (16, 3, 0, LAT + 0.002, LON, 35.0, 0),
        (16, 3, 0, LAT + 0.002, LON + 0.002, 36.0, 0),
    ]
    s.mav.mission_write_partial_list_send(1, 1, 2, 3, MISSION)
    asked = []
    ack: Any = None
    for _ in range(6):
        msg = answer(s)
        if msg is None or msg.get_type() == "MISSION_ACK":
            ack = msg
            break
        asked.append(int(msg.seq))
        send_item(s, msg.seq, replacement[msg.seq - 2], MISSION)
    out["asked"] = asked
    out["ack"] = describe(ack)
    out["stored"] = download(s, MISSION)
    s.mav.mission_write_partial_list_send(1, 1, 4, 9, MISSION)
    mark = len(s.received)
    out["past the end"] = describe(answer(s, 2.0))
    s.wait(0.2)
    out["past the end says"] = s.news_since(mark)
    settle(s)
    clear(s, MISSION)
    return out
