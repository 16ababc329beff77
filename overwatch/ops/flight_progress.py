"""Following a sortie flown in AUTO, from the vehicle's events: what was done, in order.

Progress is followed from MISSION_ITEM_REACHED, and from MISSION_CURRENT
when a MISSION_ITEM_REACHED is lost on a poor link: the vehicle cannot be
working on item *k* unless every navigation item before *k* is done. Each step
is reported once, through a callback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from overwatch.items import Cmd, MissionItem, is_nav_command
from overwatch.link import Vehicle
from overwatch.link import events as ev

#: prints or records one line of progress
Report = Callable[[str], object]


def nav_seqs(items: Sequence[MissionItem]) -> tuple[int, ...]:
    """Sequence numbers of the navigation items of a mission (item 0, home, excluded)."""
    return tuple(seq for seq, item in enumerate(items) if seq > 0 and is_nav_command(item.command))


def item_label(item: MissionItem) -> str:
    """``WAYPOINT`` for MAV_CMD_NAV_WAYPOINT; the number for a command we have no name for."""
    try:
        name = Cmd(item.command).name
    except ValueError:
        return str(item.command)
    return name.removeprefix("NAV_")


@dataclass(frozen=True)
class FlightResult:
    """What happened during a flight.

    ``reached``: MISSION_ITEM_REACHED sequence numbers in the order they
    arrived (no repeats). ``passed``: navigation items known done, reported
    or inferred from MISSION_CURRENT, in mission order. ``modes``: each mode
    the heartbeat showed, in order, without repeats in a row.
    """

    nav_seqs: tuple[int, ...]
    reached: tuple[int, ...]
    passed: tuple[int, ...]
    item_count: int
    modes: tuple[str, ...]
    link_losses: int
    landed: bool
    disarmed: bool
    duration_s: float

    @property
    def complete(self) -> bool:
        """Every navigation item was done, in order."""
        return self.passed == self.nav_seqs


@dataclass
class FlightProgress:
    """Follows a flight from the vehicle's events and reports each step once."""

    items: tuple[MissionItem, ...]
    report: Report
    nav: tuple[int, ...] = ()
    reached: list[int] = field(default_factory=list)
    passed: list[int] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    link_losses: int = 0
    armed_seen: bool = False
    started: bool = False
    landed: bool = False
    #: the vehicle was seen off the ground (landed state, or an item done)
    left_ground: bool = False
    current_seq: int | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.nav = nav_seqs(self.items)

    def restart(self) -> None:
        """The vehicle disarmed before it took off: follow the next start afresh."""
        self.started = self.landed = False
        self.ended.clear()

    def _pass(self, seq: int, how: str) -> None:
        if seq in self.passed or seq not in self.nav:
            return
        self.passed.append(seq)
        self.left_ground = True
        number = self.nav.index(seq) + 1
        label = item_label(self.items[seq])
        self.report(f"item {seq} ({label}) {how} — {number} of {len(self.nav)} done")

    def _pass_before(self, seq: int, how: str) -> None:
        for earlier in self.nav:
            if earlier < seq:
                self._pass(earlier, how)

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.MissionItemReached):
            if event.seq in self.reached:
                return
            self.reached.append(event.seq)
            self._pass_before(event.seq, "passed (its MISSION_ITEM_REACHED was lost)")
            self._pass(event.seq, "reached")
        elif isinstance(event, ev.MissionCurrent):
            if self.started and event.seq != self.current_seq:
                self.current_seq = event.seq
                self._pass_before(event.seq, "passed (its MISSION_ITEM_REACHED was lost)")
        elif isinstance(event, ev.Heartbeat):
            if not self.modes or self.modes[-1] != event.mode:
                self.modes.append(event.mode)
                if self.armed_seen:
                    self.report(f"mode {event.mode}")
            if event.armed:
                self.armed_seen = True
            elif self.started and not self.ended.is_set():
                self._on_disarmed()
        elif isinstance(event, ev.ExtendedSysState):
            on_ground = event.landed_state_name.endswith("ON_GROUND")
            if self.armed_seen and on_ground:
                self.landed = True
            if self.started and not on_ground and event.landed_state_name != "UNDEFINED":
                self.left_ground = True
        elif isinstance(event, ev.StatusText):
            self.report(f"vehicle: {event.text}")
        elif isinstance(event, ev.LinkLost):
            self.link_losses += 1
            self.report(f"LINK LOST: nothing heard for {event.silent_s:.1f} s")
        elif isinstance(event, ev.LinkRecovered):
            self.report(f"link recovered after {event.outage_s:.1f} s")

    def _on_disarmed(self) -> None:
        self.landed = True  # ArduCopter disarms in flight only when forced
        last = self.nav[-1] if self.nav else None
        # the landing was current, or everything before it was done: ArduCopter resets
        # MISSION_CURRENT to 1 as it disarms, and on a lossy link the landing's own
        # MISSION_CURRENT may never be heard
        landing_begun = last is not None and (
            self.current_seq == last or all(seq in self.passed for seq in self.nav[:-1])
        )
        if (
            last is not None
            and landing_begun
            and self.modes[-1:] == ["AUTO"]  # landed by the mission, not by an RTL or LAND mode
            and self.items[last].command in (Cmd.NAV_LAND, Cmd.NAV_RETURN_TO_LAUNCH)
        ):
            self._pass_before(last, "passed (its MISSION_ITEM_REACHED was lost)")
            self._pass(last, "done: landed (its MISSION_ITEM_REACHED was lost)")
        self.ended.set()

    def result(self, vehicle: Vehicle, started_s: float) -> FlightResult:
        return FlightResult(
            nav_seqs=self.nav,
            reached=tuple(self.reached),
            passed=tuple(sorted(self.passed)),
            item_count=len(self.items),
            modes=tuple(self.modes),
            link_losses=self.link_losses,
            landed=self.landed,
            disarmed=not vehicle.state.armed,
            duration_s=time.monotonic() - started_s,
        )


__all__ = ["FlightProgress", "FlightResult", "Report", "item_label", "nav_seqs"]
