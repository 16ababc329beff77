"""Fly a planned sortie in AUTO: upload, verify, set parameters, arm, start, follow.

The steps report through a callback so the command line can print progress
and tests can assert what happened. A refusal stops the flight with the
vehicle's own words: the MAV_RESULT and the STATUSTEXT it sent with it.

Progress is followed from MISSION_ITEM_REACHED, and from MISSION_CURRENT
when a MISSION_ITEM_REACHED is lost on a poor link: the vehicle cannot be
working on item *k* unless every navigation item before *k* is done.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from overwatch.errors import CommandRejected, LinkTimeout
from overwatch.items import Cmd, MissionItem, MissionType, is_nav_command
from overwatch.link import Vehicle
from overwatch.link import events as ev
from overwatch.planning.model import Plan, Sortie

Report = Callable[[str], object]
T = TypeVar("T")

#: ArduCopter FENCE_TYPE bits
FENCE_ALT_MAX = 1
FENCE_POLYGON = 4
#: ArduCopter FENCE_ACTION: 1 = RTL or land
FENCE_ACTION_RTL = 1

#: How long a refusal's STATUSTEXT may trail its COMMAND_ACK (s).
REFUSAL_WORDS_GRACE_S = 0.3


def gcs_heartbeat_hz(speedup: float = 1.0) -> float:
    """The ground station's HEARTBEAT rate (Hz of wall time) for a vehicle at ``speedup``.

    ArduCopter's GCS failsafe (FS_GCS_TIMEOUT, 5 s) counts the vehicle's
    seconds; a simulator at 50× real time counts them 50 times faster. Ten
    heartbeats per timeout keep a lossy link or a busy event loop from
    tripping it. ``speedup`` 1 (a real vehicle) gives 1 Hz, as MAVLink asks.
    """
    return max(1.0, 2.0 * speedup)


@dataclass(frozen=True)
class LinkTuning:
    """How hard the ground station tries: attempts and per-attempt timeouts (s).

    The link layer's defaults suit a good radio. On a lossy one each command
    and parameter write is worth more attempts, and mission items a shorter
    re-send time (each lost step otherwise costs a whole ``item_timeout_s``).
    """

    command_attempts: int = 3
    command_timeout_s: float = 1.5
    param_attempts: int = 3
    param_timeout_s: float = 1.0
    item_timeout_s: float = 1.0

    def apply(self, vehicle: Vehicle) -> None:
        vehicle.commands.attempts = self.command_attempts
        vehicle.commands.timeout_s = self.command_timeout_s
        vehicle.params.attempts = self.param_attempts
        vehicle.params.timeout_s = self.param_timeout_s
        vehicle.mission.item_timeout_s = self.item_timeout_s


#: For a link that loses a fifth of its packets or more.
LOSSY_LINK = LinkTuning(
    command_attempts=10, command_timeout_s=1.0, param_attempts=10, item_timeout_s=0.25
)


#: how many times a vehicle that disarmed before taking off is armed and started again
START_ATTEMPTS = 3


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


def flight_parameters(plan: Plan) -> dict[str, float]:
    """The fence and failsafe parameters a plan needs (ArduCopter 4.8 names and units;
    :meth:`~overwatch.link.params.Params.set_value` converts for older firmware)."""
    air = plan.mission.airspace
    ow = plan.mission.overwatch
    fence_type = FENCE_ALT_MAX | (FENCE_POLYGON if plan.fence_items else 0)
    return {
        "FENCE_ENABLE": 1.0,
        "FENCE_TYPE": float(fence_type),
        "FENCE_ACTION": float(FENCE_ACTION_RTL),
        "FENCE_ALT_MAX": float(air.max_alt_agl_m),
        "FS_GCS_ENABLE": 1.0,
        "RTL_ALT_M": round(ow.altitude_agl_m, 2),
        "WP_SPD": round(plan.mission.vehicle.cruise_speed_m_s, 2),
    }


async def prepare(vehicle: Vehicle, plan: Plan, sortie: Sortie, report: Report) -> None:
    """Upload and verify fence, rally and mission; set the parameters the plan needs."""
    for name, items, kind in (
        ("fence", plan.fence_items, MissionType.FENCE),
        ("rally points", plan.rally_items, MissionType.RALLY),
        (f"mission for sortie {sortie.index + 1}", sortie.items, MissionType.MISSION),
    ):
        report(f"uploading {name} ({len(items)} items)…")
        await vehicle.mission.upload(list(items), kind, verify=True)
        report(f"{name}: uploaded and verified")
    for name, value in flight_parameters(plan).items():
        stored = await vehicle.params.set_value(name, value)
        report(f"parameter {name} = {stored:g}")


async def fly_sortie(
    vehicle: Vehicle,
    items: Sequence[MissionItem],
    report: Report,
    *,
    timeout_s: float = 3600.0,
) -> FlightResult:
    """Arm in GUIDED, start the mission, and follow it until the vehicle disarms.

    Reports every navigation item as it is done, mode changes, the vehicle's
    STATUSTEXT and link losses. A refused command raises
    :class:`CommandRejected` carrying what the vehicle said;
    :class:`LinkTimeout` if the vehicle has not disarmed after ``timeout_s``
    (wall seconds).

    ArduCopter disarms a copter left on the ground for ``DISARM_DELAY`` (10 s),
    and still accepts MISSION_START when disarmed: over a bad link the start can
    arrive after that. A vehicle that disarms before it ever left the ground is
    armed and started again, up to :data:`START_ATTEMPTS` times.
    """
    started_s = time.monotonic()
    progress = FlightProgress(tuple(items), report)
    remove = vehicle.link.add_listener(progress.on_event, sysid=vehicle.sysid)
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            await in_vehicle_words(vehicle, vehicle.set_mode("GUIDED"))
            report("mode GUIDED")
            await in_vehicle_words(vehicle, vehicle.arm())
            progress.armed_seen = True
            report("armed")
            await in_vehicle_words(vehicle, vehicle.start_mission())
            progress.started = True
            report(f"mission started: {len(progress.nav)} navigation items")
            try:
                async with asyncio.timeout(timeout_s):
                    await progress.ended.wait()
            except TimeoutError:
                raise LinkTimeout(
                    f"vehicle {vehicle.sysid} still armed {timeout_s:g} s after the mission "
                    f"started (mode {vehicle.state.mode}, current item "
                    f"{vehicle.state.mission_current_seq})"
                ) from None
            if progress.left_ground or attempt == START_ATTEMPTS:
                break
            report(
                "the vehicle disarmed on the ground before it took off (DISARM_DELAY ran out "
                f"before the start reached it): arming again ({attempt + 1} of {START_ATTEMPTS})"
            )
            progress.restart()
    finally:
        remove()
    result = progress.result(vehicle, started_s)
    report(f"landed and disarmed: {len(result.passed)} of {len(result.nav_seqs)} items done")
    return result


async def in_vehicle_words(vehicle: Vehicle, command: Awaitable[T]) -> T:
    """Await ``command``; if the vehicle refuses it, add what it said in STATUSTEXT.

    ArduPilot explains a refusal ("PreArm: Need Position Estimate") in a
    STATUSTEXT sent with, or just after, the COMMAND_ACK. The raised
    :class:`CommandRejected` keeps the MAV_RESULT and carries those words in
    ``detail``.
    """
    said: list[str] = []

    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.StatusText) and event.text not in said:
            said.append(event.text)

    remove = vehicle.link.add_listener(listen, sysid=vehicle.sysid)
    try:
        try:
            return await command
        except CommandRejected as exc:
            await asyncio.sleep(REFUSAL_WORDS_GRACE_S)
            if not said:
                raise
            words = "vehicle says: " + " / ".join(said)
            detail = f"{exc.detail}; {words}" if exc.detail else words
            raise CommandRejected(exc.command, exc.result, exc.result_name, detail) from None
    finally:
        remove()
