"""Continuous relief, live: which drone of the team watches, and when the next one takes off.

One drone is on duty: its camera is the watch. While it watches, the
coordinator works out, every tick, when it must leave (its energy margin, as
its guidance reckons it, less the return margin) and how long the best
drone on the ground needs to be on station beside it: arming, the climb, the
transit to where the watch will be, the planned ``overlap`` and a margin. When
the first is no longer than the second, the fresh drone is launched; once it
has been on station for ``overlap`` seconds, the tired one is sent home to land
and wait for a fresh battery. Both figures are re-worked each tick, so a
patrol that speeds up or halts moves the relief with it.

When something goes wrong the watch is never left to chance:

- the fresh drone fails to arm or to climb: the tired one stays on station as
  long as its reserve allows (its own guidance turns it home at the margin),
  the launch is tried again, and a note says what will go unwatched;
- the drone on duty is lost (its link, or its autopilot took it over: a
  failsafe RTL or LAND): the best other drone takes over at once, from the air
  when one is up, else by launching;
- no drone is left: the note says so.

With ``relief: swap`` the drone on duty breaks for battery swaps by itself (as a
single drone does) and the others only take over when it is lost. The FOLLOW
baseline takes turns without anticipation: the next drone takes off only when
the one on duty has turned for home.

The coordinator is pure, like the controller: the session hands it each
drone's :class:`CrewInput` and the time, and carries out the
:data:`TeamAction` list it returns.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from overwatch.guidance import GuidanceCommand, GuidanceState

#: the fresh drone aims to be on station this much before it must be, s (the planner's),
#: and its lead time is stretched by this share: a real autopilot climbs slower than the
#: airframe's rate and slows into its setpoint, and a battery that drains faster than its
#: nominal rate brings the tired drone's leave nearer by more than a second a second
#: (measured on ArduPilot SITL: the fresh drone on station 70 s too late at 0)
ARRIVAL_MARGIN_S = 10.0
LEAD_TIME_SLACK = 0.25
#: seconds allowed for the mode change and arming before the climb begins
ARM_S = 10.0
#: the fresh drone is on station when this close to its guidance's setpoint, m
ON_STATION_M = 60.0
#: a drone on the ground is ready for a sortie when its battery reads at least this, %
READY_PCT = 90.0
#: a launch that failed is tried again after this, s
RETRY_LAUNCH_S = 30.0
#: flight modes in which the autopilot, not guidance, has the drone (a failsafe's)
AUTOPILOT_MODES = frozenset({"RTL", "LAND", "SMART_RTL", "BRAKE", "AUTO_RTL"})
#: guidance states in which a drone watches the road
WATCHING = frozenset(
    {
        GuidanceState.WATCH_AHEAD,
        GuidanceState.LOITER_AHEAD,
        GuidanceState.ESCORT,
        GuidanceState.BOUNDING,
        GuidanceState.STATIC_WATCH,
        GuidanceState.RUN_AHEAD,
        GuidanceState.WATCH_OFF_ROUTE,
        GuidanceState.CONTINGENCY_ORBIT,
        GuidanceState.CONTINGENCY_HOLD_CHECKPOINT,
    }
)
#: guidance states in which a drone has turned for home
HOMEWARD = frozenset({GuidanceState.RETURNING, GuidanceState.LANDING})


class Role(enum.StrEnum):
    """What one drone of the team is doing (its value is what screens show)."""

    UNHEARD = "not heard"  # no heartbeat yet
    STANDBY = "standby"  # on the ground, battery ready
    TURNAROUND = "turnaround"  # on the ground, waiting for a fresh battery
    LAUNCHING = "launching"  # arming and climbing
    TO_STATION = "to station"  # up, flying out to take over the watch
    ON_STATION = "on station"  # on duty: its camera is the watch
    OVERLAP = "overlap"  # on station beside the drone it relieves
    RELIEVED = "relieved"  # handed over, flying home (or up with no duty)
    LOST = "lost"  # link lost, or the autopilot took it over


@dataclass(frozen=True)
class CrewInput:
    """One drone as the coordinator sees it this tick.

    ``command`` is its guidance's last answer (None before the patrol's first
    fix); ``station_distance_m`` how far it is from that command's setpoint;
    ``launching`` whether its driver is arming or climbing it; ``launch_failures``
    how many of its launches failed, the last for ``launch_error``; ``airborne``
    armed and up.
    """

    heard: bool
    link_lost: bool = False
    armed: bool = False
    airborne: bool = False
    mode: str = ""
    battery_pct: float | None = None
    command: GuidanceCommand | None = None
    station_distance_m: float | None = None
    launching: bool = False
    launch_failures: int = 0
    launch_error: str = ""
    #: seconds it needs from the ground to be on station beside the drone on duty
    lead_time_s: float = 0.0


@dataclass(frozen=True)
class Launch:
    """Arm drone ``crew`` and take it off to the watch (``again``: it was refused before)."""

    crew: int
    why: str
    again: bool = False


@dataclass(frozen=True)
class Relieve:
    """Drone ``crew`` is relieved: home to land and swap its battery."""

    crew: int


@dataclass(frozen=True)
class TeamNote:
    level: str
    text: str


TeamAction = Launch | Relieve | TeamNote


@dataclass
class _Relief:
    """A relief under way: ``fresh`` takes over from ``tired``."""

    tired: int
    fresh: int
    started_s: float
    on_station_s: float | None = None


@dataclass
class TeamLog:
    """What the team did, for the run's report: each relief, each take-over, each failure."""

    reliefs: list[tuple[float, int, int]] = field(default_factory=list)  # (t, tired, fresh)
    #: (time lost, drone lost, drone taking over, seconds until it was ordered up or on duty)
    takeovers: list[tuple[float, int, int | None, float]] = field(default_factory=list)
    failed_launches: list[tuple[float, int, str]] = field(default_factory=list)


class ReliefCoordinator:
    """Who is on duty, and when the next drone takes off (see the module docstring).

    ``names`` are the drones' names for notes; ``overlap_s`` the planned overlap;
    ``mode`` ``continuous`` or ``swap``; ``anticipate`` off for the FOLLOW
    baseline (the next drone goes up when the one on duty turns home).
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        overlap_s: float,
        return_margin_s: float,
        mode: str = "continuous",
        anticipate: bool = True,
    ) -> None:
        self.names = tuple(names)
        self.overlap_s = overlap_s
        self.return_margin_s = return_margin_s
        self.mode = mode
        self.anticipate = anticipate
        self.duty: int | None = None
        self.relief: _Relief | None = None
        self.roles: list[Role] = [Role.UNHEARD] * len(self.names)
        self.log = TeamLog()
        self._lost: set[int] = set()  # drones seen lost, until they are back
        self._retry_after: dict[int, float] = {}
        self._failures_seen: dict[int, int] = {}
        self._lost_at: tuple[float, int] | None = None
        self._warned_alone = False
        self._started = False  # nothing is launched before the operator starts overwatch

    @property
    def size(self) -> int:
        return len(self.names)

    def finish(self) -> None:
        """The job is done (every drone comes home): no more launches, reliefs or notes."""
        self._started = False
        self.relief = None

    def started(self, crew: int) -> None:
        """``crew`` was launched by the operator's start: it is on duty."""
        self.duty = crew
        self._started = True

    # -- the tick -------------------------------------------------------------------

    def step(
        self, now_s: float, crews: Sequence[CrewInput], *, watch_left_s: float | None = None
    ) -> list[TeamAction]:
        """Roles for this tick and what to do. ``watch_left_s``: how long the road still
        needs watching, until the patrol is ``lead_min`` from its end (None: not known), so
        no drone takes off for a watch that ends first."""
        actions: list[TeamAction] = []
        if not self._started:
            self._update_roles(crews)
            return actions
        actions += self._failed_launches(now_s, crews)
        actions += self._check_duty(now_s, crews)
        if self.duty is None:
            actions += self._take_over(now_s, crews)
        elif self.relief is not None:
            actions += self._relieving(now_s, crews)
        elif self.mode == "continuous":
            actions += self._maybe_relieve(now_s, crews, watch_left_s)
        self._update_roles(crews)
        return actions

    def _failed_launches(self, now_s: float, crews: Sequence[CrewInput]) -> list[TeamAction]:
        out: list[TeamAction] = []
        for i, c in enumerate(crews):
            if c.launch_failures <= self._failures_seen.get(i, 0):
                continue
            self._failures_seen[i] = c.launch_failures
            self._retry_after[i] = now_s + RETRY_LAUNCH_S
            said_before = any(e == c.launch_error for _, j, e in self.log.failed_launches if j == i)
            self.log.failed_launches.append((now_s, i, c.launch_error))
            text = f"{self.names[i]} did not take off: {c.launch_error}"
            relief = self.relief
            if relief is not None and relief.fresh == i:
                self.relief = None
                text += (
                    f"; {self.names[relief.tired]} stays on station as long as its reserve "
                    "allows, and the road is unwatched after it leaves until another drone is up"
                )
            elif self.duty == i:
                self.duty = None
            if not said_before:  # tried again, refused again for the same reason: said already
                out.append(TeamNote("warning", text))
        return out

    def _check_duty(self, now_s: float, crews: Sequence[CrewInput]) -> list[TeamAction]:
        """The drone on duty lost, or turned home by its own guidance: no one is on duty."""
        out: list[TeamAction] = []
        for i, c in enumerate(crews):
            back = c.heard and not c.link_lost and (not c.armed or c.mode not in AUTOPILOT_MODES)
            if i in self._lost and back:
                self._lost.discard(i)
                out.append(TeamNote("info", f"{self.names[i]} is back ({c.mode or 'no mode'})"))
        duty = self.duty
        if duty is None:
            return out
        c = crews[duty]
        why = _lost_why(c)
        if why is not None:
            self._lost.add(duty)
            self._lost_at = (now_s, duty)
            self.duty = None
            self._drop_relief_of(duty)
            name = self.names[duty]
            out.append(TeamNote("error", f"{name} lost ({why}): another drone takes over"))
            if self.duty is not None:  # the drone relieving it was on its way already
                self._log_takeover(now_s, self.duty)
                out.append(TeamNote("info", f"{self.names[self.duty]} takes over the watch"))
        elif (
            c.command is not None
            and c.command.state in HOMEWARD
            and not c.launching
            and (self.relief is None or self.relief.tired != duty)
        ):
            # its own guidance turned it home (its reserve, a swap, the operator's return)
            if self.mode == "swap" and c.command.energy.swap_station_m is not None:
                return out  # a planned swap at a halt: it comes back by itself
            self.duty = None
            self._lost_at = (now_s, duty)
            self._drop_relief_of(duty)
            gap = c.command.gap
            if gap is not None and self._started:
                out.append(
                    TeamNote(
                        "warning",
                        f"{self.names[duty]} turned home with no drone to relieve it: km "
                        f"{gap.start_m / 1000:.2f}–{gap.end_m / 1000:.2f} is expected to go "
                        f"unwatched ({gap.reason})",
                    )
                )
        elif (
            self.relief is not None
            and self.relief.tired == duty
            and c.command is not None
            and c.command.state in HOMEWARD
        ):  # it left before the fresh one was on station
            fresh = self.relief.fresh
            self.relief = None
            self.duty = fresh
            out.append(
                TeamNote(
                    "warning",
                    f"{self.names[duty]} left for its reserve before {self.names[fresh]} "
                    "was on station: the road is unwatched until it is",
                )
            )
        return out

    def _drop_relief_of(self, crew: int) -> None:
        """The relief ``crew`` was part of is over; a fresh drone already up goes on duty."""
        relief = self.relief
        if relief is None:
            return
        self.relief = None
        if relief.tired == crew:
            self.duty = relief.fresh

    def _take_over(self, now_s: float, crews: Sequence[CrewInput]) -> list[TeamAction]:
        """No one on duty: the best drone in the air takes the watch, else the best one on
        the ground takes off."""
        lost = self._lost_at
        up = [
            i
            for i, c in enumerate(crews)
            if c.airborne
            and not c.link_lost
            and i not in self._lost
            and c.mode not in AUTOPILOT_MODES
            and c.command is not None
            and c.command.state not in HOMEWARD
        ]
        up += [i for i, c in enumerate(crews) if c.launching and i not in up]
        if up:
            best = min(up, key=lambda i: crews[i].station_distance_m or 0.0)
            self.duty = best
            self._log_takeover(now_s, best)
            if lost is not None:
                return [TeamNote("info", f"{self.names[best]} takes over the watch from the air")]
            return []
        ready = self._ready(now_s, crews)
        if not ready:
            if not self._warned_alone and lost is not None:
                self._warned_alone = True
                return [
                    TeamNote(
                        "warning",
                        "no other drone is ready to take over: the road is unwatched until one is",
                    )
                ]
            return []
        best = min(ready, key=lambda i: crews[i].lead_time_s)
        self.duty = best
        self._warned_alone = False
        self._log_takeover(now_s, best)
        why = "to take the watch"
        if lost is not None:
            left = lost[1]
            why += " again" if left == best else f": {self.names[left]} has left it"
        return [Launch(best, why, again=best in self._failures_seen)]

    def _log_takeover(self, now_s: float, crew: int) -> None:
        lost = self._lost_at
        if lost is None:
            return
        self._lost_at = None
        self.log.takeovers.append((lost[0], lost[1], crew, now_s - lost[0]))

    def _maybe_relieve(
        self, now_s: float, crews: Sequence[CrewInput], watch_left_s: float | None
    ) -> list[TeamAction]:
        if not self.anticipate:
            return []
        duty = self.duty
        assert duty is not None
        c = crews[duty]
        if c.command is None or c.command.state not in WATCHING:
            return []
        margin = c.command.energy.margin_s
        if margin is None:
            return []
        leave_in = margin - self.return_margin_s
        if watch_left_s is not None and watch_left_s <= leave_in:
            return []  # the watch ends before the battery runs down
        ready = self._ready(now_s, crews)
        if not ready:
            return []
        best = min(ready, key=lambda i: crews[i].lead_time_s)
        lead_time_s = crews[best].lead_time_s * (1.0 + LEAD_TIME_SLACK)
        if leave_in > lead_time_s + self.overlap_s + ARRIVAL_MARGIN_S:
            return []
        self.relief = _Relief(duty, best, now_s)
        why = f"to relieve {self.names[duty]} (it must leave in {leave_in:.0f} s)"
        return [Launch(best, why, again=best in self._failures_seen)]

    def _relieving(self, now_s: float, crews: Sequence[CrewInput]) -> list[TeamAction]:
        relief = self.relief
        assert relief is not None
        fresh = crews[relief.fresh]
        if _lost_why(fresh) is not None:
            self.relief = None
            self._lost.add(relief.fresh)
            return [
                TeamNote(
                    "warning",
                    f"{self.names[relief.fresh]} lost on its way out: "
                    f"{self.names[relief.tired]} stays on station",
                )
            ]
        if relief.on_station_s is None:
            on = (
                fresh.airborne
                and not fresh.launching
                and fresh.command is not None
                and fresh.command.state in WATCHING
                and (fresh.station_distance_m or 0.0) <= ON_STATION_M
            )
            if on:
                relief.on_station_s = now_s
            return []
        if now_s - relief.on_station_s < self.overlap_s:
            return []
        self.relief = None
        self.duty = relief.fresh
        self.log.reliefs.append((now_s, relief.tired, relief.fresh))
        return [
            Relieve(relief.tired),
            TeamNote(
                "info",
                f"{self.names[relief.fresh]} has the watch; {self.names[relief.tired]} "
                "flies home for a fresh battery",
            ),
        ]

    def _ready(self, now_s: float, crews: Sequence[CrewInput]) -> list[int]:
        """Drones on the ground with a fresh battery, heard, and not waiting to retry."""
        return [
            i
            for i, c in enumerate(crews)
            if c.heard
            and not c.link_lost
            and not c.armed
            and not c.launching
            and i not in self._lost
            and (c.battery_pct is None or c.battery_pct >= READY_PCT)
            and now_s >= self._retry_after.get(i, -math.inf)
        ]

    def _update_roles(self, crews: Sequence[CrewInput]) -> None:
        relief = self.relief
        for i, c in enumerate(crews):
            role: Role
            if not c.heard:
                role = Role.UNHEARD
            elif i in self._lost or c.link_lost:
                role = Role.LOST
            elif c.launching:
                role = Role.LAUNCHING
            elif relief is not None and i == relief.fresh:
                role = Role.OVERLAP if relief.on_station_s is not None else Role.TO_STATION
            elif i == self.duty:
                watching = c.command is not None and c.command.state in WATCHING
                role = Role.ON_STATION if watching else Role.TO_STATION
                if relief is not None and relief.on_station_s is not None:
                    role = Role.OVERLAP
            elif c.airborne or c.armed:
                role = Role.RELIEVED
            elif c.battery_pct is not None and c.battery_pct < READY_PCT:
                role = Role.TURNAROUND
            else:
                role = Role.STANDBY
            self.roles[i] = role


def _lost_why(c: CrewInput) -> str | None:
    """Why a drone can no longer watch: its link is lost, or a failsafe mode has it."""
    if not c.heard:
        return None
    if c.link_lost:
        return "link lost"
    landing = c.command is not None and c.command.state is GuidanceState.LANDING
    if c.armed and c.mode in AUTOPILOT_MODES and not c.launching:
        if landing and c.mode == "LAND":
            return None  # its guidance landed it
        return f"the autopilot flies it in {c.mode}"
    return None


__all__ = [
    "AUTOPILOT_MODES",
    "CrewInput",
    "Launch",
    "ReliefCoordinator",
    "Relieve",
    "Role",
    "TeamAction",
    "TeamLog",
    "TeamNote",
]
