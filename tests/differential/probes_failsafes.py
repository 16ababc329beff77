"""Failsafes (GCS, battery, fence) and how RTL, LAND and AUTO flights end."""

from __future__ import annotations

import re
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.differential.harness import Station
from tests.differential.probes_commands import armed_guided
from tests.differential.probes_guided import LAT, LON, hover, to_latlon, where
from tests.differential.probes_mission import MISSION, Item, upload

RTL, LAND, AUTO, GUIDED = 6, 9, 3, 4
MODE_NAMES = {0: "STABILIZE", 3: "AUTO", 4: "GUIDED", 5: "LOITER", 6: "RTL", 9: "LAND"}


def said(s: Station, mark: int) -> list[str]:
    """What the vehicle said since ``mark``, numbers replaced by "#", chatter left out."""
    out: list[str] = []
    for text in s.news_since(mark):
        norm = re.sub(r"-?\d+(\.\d+)?", "#", text)
        if norm not in out:
            out.append(norm)
    return out


def mode_name(s: Station) -> str:
    return MODE_NAMES.get(s.mode(), str(s.mode()))


def ending(s: Station, mark: int, vehicle_s: float = 240.0) -> dict[str, Any]:
    """Wait for the disarm that ends a return or landing; what the vehicle did."""
    modes_seen: list[str] = []
    s.wait(0.3)  # the HEARTBEAT of a mode change just acknowledged

    def disarmed() -> bool:
        name = mode_name(s)
        if not modes_seen or modes_seen[-1] != name:
            modes_seen.append(name)
        return not s.armed()

    s.until(disarmed, vehicle_s, "disarm after landing")
    s.wait(1.0)
    *_, u = where(s)
    return {
        "modes": modes_seen,
        "mode after": mode_name(s),
        "said": said(s, mark),
        "on the ground": abs(u) < 1.0,
    }


def probe_gcs_failsafe(s: Station) -> dict[str, Any]:
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    hover(s, 20.0)
    mark = len(s.received)
    s.beating = False
    took = s.until(lambda: s.mode() != GUIDED, 30.0, "GCS failsafe")
    out["after (s)"] = "4-8" if 4.0 <= took <= 8.0 else f"{took:.1f}"
    out["mode"] = mode_name(s)
    s.wait(1.0)
    out["said"] = said(s, mark)
    s.beating = True
    mark = len(s.received)
    out["ending"] = ending(s, mark)
    return out


def probe_battery_failsafe(s: Station) -> dict[str, Any]:
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    hover(s, 20.0)
    mark = len(s.received)
    s.set_param("BATT_LOW_VOLT", 13.5)  # above a full 3S pack: low at once
    took = s.until(lambda: s.mode() != GUIDED, 40.0, "battery failsafe")
    out["after (s)"] = "9-13" if 9.0 <= took <= 13.0 else f"{took:.1f}"
    out["mode"] = mode_name(s)
    s.wait(1.0)
    out["said"] = said(s, mark)
    mark = len(s.received)
    out["ending"] = ending(s, mark)
    s.set_param("BATT_LOW_VOLT", 10.5)
    # the failsafe stays latched after landing: no arming until a reboot
    s.set_mode(GUIDED)
    s.wait(1.0)
    mark = len(s.received)
    ack = s.arm()
    s.wait(0.5)
    out["arm after landing"] = (
        ack is not None and ack.result == 0,
        [t for t in s.texts_since(mark) if t.startswith("Arm")],
    )
    return out


def probe_fence_failsafe(s: Station) -> dict[str, Any]:
    s.stream("GLOBAL_POSITION_INT", 10)
    out: dict[str, Any] = {}
    hover(s, 20.0)
    s.set_param("FENCE_TYPE", 1)
    s.set_param("FENCE_ALT_MAX", 15)
    s.set_param("FENCE_ACTION", 1)  # RTL
    mark = len(s.received)
    s.set_param("FENCE_ENABLE", 1)
    s.until(lambda: s.mode() != GUIDED, 20.0, "fence breach")
    out["mode"] = mode_name(s)
    s.wait(1.0)
    out["said"] = said(s, mark)
    mark = len(s.received)
    out["ending"] = ending(s, mark)
    s.set_param("FENCE_ENABLE", 0)
    s.set_param("FENCE_ALT_MAX", 120)
    return out


def probe_land(s: Station) -> dict[str, Any]:
    s.stream("GLOBAL_POSITION_INT", 10)
    hover(s, 20.0)
    mark = len(s.received)
    ack = s.set_mode(LAND)
    return {"ack": ack is not None and ack.result == 0, "ending": ending(s, mark)}


def probe_auto_mission(s: Station) -> dict[str, Any]:
    """A mission flown from the ground: take-off, two waypoints, RTL."""
    s.stream("GLOBAL_POSITION_INT", 10)
    s.stream("MISSION_CURRENT", 2)
    n0, e0, _ = where(s)
    lat1, lon1 = to_latlon(n0 + 40.0, e0)
    lat2, lon2 = to_latlon(n0 + 40.0, e0 + 40.0)
    items: list[Item] = [
        (16, 0, 0, LAT, LON, 0.0, 0),
        (22, 3, 0, 0.0, 0.0, 15.0, 0),
        (16, 3, 0, lat1, lon1, 15.0, 0),
        (16, 3, 0, lat2, lon2, 15.0, 0),
        (20, 2, 0, 0.0, 0.0, 0.0, 0),
    ]
    out: dict[str, Any] = {"upload": upload(s, items, MISSION)["ack"]}
    armed_guided(s)
    mark = len(s.received)
    ack = s.command(mav.MAV_CMD_MISSION_START, 0, 0)
    out["mission start"] = ack is not None and ack.result == 0
    out["ending"] = ending(s, mark, 400.0)
    reached = [m.seq for m in s.received[mark:] if m.get_type() == "MISSION_ITEM_REACHED"]
    out["items reached"] = sorted(set(reached))
    s.set_mode(GUIDED)
    s.mav.mission_clear_all_send(1, 1, MISSION)
    s.recv("MISSION_ACK", 5.0)
    return out
