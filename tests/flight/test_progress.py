"""How ``overwatch fly`` follows a flight from events, lost MISSION_ITEM_REACHED included.

The flights in the other files exercise this end to end; here each rule is
checked on a scripted event sequence, the way a lossy link can deliver it.
"""

from __future__ import annotations

from overwatch.items import Cmd, Frame, MissionItem, home_placeholder
from overwatch.link import events as ev
from overwatch.ops.flight_progress import FlightProgress, nav_seqs

ITEMS = (
    home_placeholder(),
    MissionItem(Cmd.NAV_TAKEOFF, Frame.GLOBAL_RELATIVE_ALT, alt_m=30),
    MissionItem(Cmd.DO_CHANGE_SPEED, Frame.MISSION, param1=1, param2=12, param3=-1),
    MissionItem(Cmd.NAV_WAYPOINT, Frame.GLOBAL_RELATIVE_ALT, lat_deg=13.5, lon_deg=2.1, alt_m=30),
    MissionItem(Cmd.NAV_WAYPOINT, Frame.GLOBAL_RELATIVE_ALT, lat_deg=13.6, lon_deg=2.1, alt_m=30),
    MissionItem(Cmd.NAV_LAND, Frame.GLOBAL_RELATIVE_ALT, lat_deg=13.6, lon_deg=2.1),
)


def heartbeat(mode: str, armed: bool) -> ev.Heartbeat:
    return ev.Heartbeat(1, 1, 2, 3, 0, 0, mode, armed, 4)


def started() -> tuple[FlightProgress, list[str]]:
    lines: list[str] = []
    progress = FlightProgress(ITEMS, lines.append)
    progress.on_event(heartbeat("GUIDED", True))
    progress.started = True
    progress.on_event(heartbeat("AUTO", True))
    return progress, lines


def test_navigation_items_skip_home_and_do_commands() -> None:
    assert nav_seqs(ITEMS) == (1, 3, 4, 5)


def test_every_item_reached_in_order() -> None:
    progress, lines = started()
    for seq in (1, 3, 3, 4, 5):  # a duplicated MISSION_ITEM_REACHED is counted once
        progress.on_event(ev.MissionItemReached(1, 1, seq))
    progress.on_event(heartbeat("AUTO", False))
    assert progress.reached == [1, 3, 4, 5] and sorted(progress.passed) == [1, 3, 4, 5]
    assert progress.ended.is_set() and progress.landed
    assert "item 3 (WAYPOINT) reached — 2 of 4 done" in lines
    assert progress.modes == ["GUIDED", "AUTO"]


def test_a_lost_reached_message_is_inferred_from_mission_current() -> None:
    progress, lines = started()
    progress.on_event(ev.MissionItemReached(1, 1, 1))
    progress.on_event(ev.MissionCurrent(1, 1, 3, 5))
    progress.on_event(ev.MissionCurrent(1, 1, 4, 5))  # item 3's MISSION_ITEM_REACHED was lost
    assert progress.reached == [1] and sorted(progress.passed) == [1, 3]
    assert any(line.startswith("item 3 (WAYPOINT) passed") for line in lines)
    progress.on_event(ev.MissionItemReached(1, 1, 5))  # and item 4's too
    assert sorted(progress.passed) == [1, 3, 4, 5]


def test_landing_ends_the_last_item_when_its_message_is_lost() -> None:
    progress, _lines = started()
    for seq in (1, 3, 4):
        progress.on_event(ev.MissionItemReached(1, 1, seq))
    progress.on_event(ev.MissionCurrent(1, 1, 5, 5))
    progress.on_event(heartbeat("AUTO", False))
    assert sorted(progress.passed) == [1, 3, 4, 5] and progress.ended.is_set()


def test_an_interrupted_flight_is_not_complete() -> None:
    progress, lines = started()
    progress.on_event(ev.MissionItemReached(1, 1, 1))
    progress.on_event(ev.LinkLost(1, 0, 3.2))
    progress.on_event(ev.LinkRecovered(1, 1, 12.5))
    progress.on_event(heartbeat("RTL", True))
    progress.on_event(heartbeat("RTL", False))
    assert sorted(progress.passed) == [1] and progress.modes[-1] == "RTL"
    assert progress.link_losses == 1
    assert "LINK LOST: nothing heard for 3.2 s" in lines
    assert "link recovered after 12.5 s" in lines


def test_disarmed_heartbeats_before_the_start_do_not_end_it() -> None:
    lines: list[str] = []
    progress = FlightProgress(ITEMS, lines.append)
    progress.on_event(heartbeat("GUIDED", False))
    progress.on_event(heartbeat("GUIDED", True))
    progress.on_event(heartbeat("GUIDED", False))  # late, reordered: the start has not happened
    assert not progress.ended.is_set()


def test_a_landing_in_rtl_mode_is_not_the_missions_landing() -> None:
    progress, _lines = started()
    for seq in (1, 3, 4):
        progress.on_event(ev.MissionItemReached(1, 1, seq))
    progress.on_event(ev.MissionCurrent(1, 1, 5, 5))
    progress.on_event(heartbeat("RTL", True))  # a failsafe during the final approach
    progress.on_event(heartbeat("RTL", False))
    assert sorted(progress.passed) == [1, 3, 4] and progress.ended.is_set()
