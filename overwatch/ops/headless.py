"""Drive a live session without a screen: take off, watch the patrol to its end, come home.

Progress is one line, redrawn (rich), so it reads well over SSH and in logs.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.text import Text

from overwatch.errors import LinkTimeout, OverwatchError
from overwatch.ops.session import LiveSession
from overwatch.ops.shortfall import below_plan
from overwatch.ops.state import DroneView, SessionSnapshot


@dataclass(frozen=True)
class RunOutcome:
    """How a headless run ended."""

    reason: str  # "patrol arrived", "static watch complete", "interrupted", "time limit"
    lead_coverage: float | None
    cues: int
    landed: bool
    airborne: bool = True  # a takeoff reached its height (or the drone was flying already)
    link_lost: bool = False  # nothing was heard from the vehicle at the end
    planned: float | None = None  # the plan's lead coverage (None: not planned)
    live_floor: float = 0.0  # the share of ``planned`` the live figure must reach
    #: why a patrol watched more than 3 points below its plan fell short (else empty)
    shortfall: tuple[str, ...] = ()

    def below_plan(self) -> str | None:
        """What is wrong when a whole patrol was watched far worse than planned."""
        live, planned = self.lead_coverage, self.planned
        if self.reason != "patrol arrived" or live is None or planned is None:
            return None
        if live >= self.live_floor * planned:
            return None
        return (
            f"live lead coverage {live:.1%} is below {self.live_floor:.0%} of the plan's "
            f"{planned:.1%} (overwatch.live_floor)"
        )

    def problems(self) -> list[str]:
        """Why the job was not done (empty when it was)."""
        found = []
        if not self.airborne:
            found.append("the drone never got airborne, so nothing was watched")
        if self.link_lost:
            found.append("the link to the vehicle was lost")
        if self.airborne and not self.landed:
            found.append("the drone was not seen to land and disarm")
        if self.reason == "interrupted":
            found.append("the run was interrupted")
        below = self.below_plan()
        if below is not None:
            found.append(below)
        return found


def progress_line(snap: SessionSnapshot) -> Text:
    """One line: vehicle, patrol, coverage, cues, guidance state."""
    d, p, c = snap.drone, snap.patrol, snap.coverage
    text = Text()
    if d.link_lost:
        age = f"{d.last_message_age_s:.0f} s" if d.last_message_age_s is not None else "—"
        text.append(f"LINK LOST ({age}) ", style="bold red")
    text.append(f"{d.mode} {'armed' if d.armed else 'disarmed'} ")
    if d.alt_rel_m is not None:
        text.append(f"{d.alt_rel_m:4.0f} m ")
    if d.battery_pct is not None:
        text.append(f"bat {d.battery_pct:3.0f}% ")
    if p.station_m is not None:
        text.append(f"| patrol {p.station_m / 1000:5.2f}/{p.route_length_m / 1000:.2f} km ")
    text.append(f"{p.feed_status} ", style="green" if p.feed_status == "LIVE" else "yellow")
    if c.lead_coverage is not None:
        text.append(f"| coverage {c.lead_coverage:6.1%} ")
        if c.planned is not None:
            text.append(f"(plan {c.planned:.1%}) ")
    text.append(f"| cues {len(snap.cues)} | {d.guidance_state}")
    if len(snap.drones) > 1:
        text.append(" | " + " · ".join(_team_member(v) for v in snap.drones))
    if d.stop_request is not None:
        text.append(f" | ASK: {d.stop_request}", style="bold yellow")
    return text


def _team_member(drone: DroneView) -> str:
    """One drone of a team on the progress line: its name, role and battery."""
    battery = f" {drone.battery_pct:.0f}%" if drone.battery_pct is not None else ""
    return f"{drone.name} {drone.role}{battery}"


async def run_headless(
    session: LiveSession,
    *,
    console: Console | None = None,
    ready_timeout_s: float = 120.0,
    time_limit_s: float | None = None,
    on_tick: Callable[[SessionSnapshot], None] | None = None,
) -> RunOutcome:
    """Run ``session`` (already constructed, not started) from take-off to landing.

    When the job is done (the patrol arrived; a static watch lasted its duration)
    or ``time_limit_s`` seconds of session time have passed since the launch
    (patrol time, simulated in training, so a busy machine does not cut an
    exercise short), the drone flies to home or the quickest rally point and
    lands; the run ends when it has disarmed (or after 900 s of session time)."""
    console = console or Console(stderr=True)
    await session.start()
    notes = _Notes(session, console)
    notes.print_new()
    with console.status("waiting for the vehicle and the patrol…") as status:

        def report(text: str) -> None:
            notes.print_new()
            status.update(text)
            if text.startswith("not yet"):
                console.print(f"[yellow]{text}[/yellow]", soft_wrap=True)

        await launch_when_ready(session, report, timeout_s=ready_timeout_s)
    reason = "interrupted"
    launched_s = session.clock.now()
    with _Progress(console) as live:
        live.notes = notes
        try:
            while True:
                snap = session.snapshot()
                live.update(progress_line(snap))
                if on_tick is not None:
                    on_tick(snap)
                done = session.controller.finished(session.clock.now(), session.tracker)
                if done is not None:
                    reason = done
                    break
                if time_limit_s is not None and session.clock.now() - launched_s > time_limit_s:
                    reason = "time limit"
                    break
                await asyncio.sleep(0.25)
            await session.commands.return_to_nearest_site()
            landed = await _wait_landed(session, session.clock.wall_seconds(900.0), live)
        except asyncio.CancelledError:
            landed = False
    summary = session.coverage.summary()
    heard = [crew.vehicle for crew in session.crews if crew.vehicle is not None]
    planned = session.config.planned_lead_coverage
    shortfall: tuple[str, ...] = ()
    if reason == "patrol arrived" and below_plan(summary.lead_coverage, planned):
        slip = session.tracker.estimate(session.clock.now()).schedule_slip_s
        shortfall = tuple(session.controller.shortfall.reasons(summary, slip))
    return RunOutcome(
        reason,
        summary.lead_coverage,
        len(session.cues),
        landed,
        airborne=any(crew.flight.airborne_once for crew in session.crews),
        link_lost=any(vehicle.state.link_lost for vehicle in heard),
        planned=planned,
        live_floor=session.mission.overwatch.live_floor,
        shortfall=shortfall,
    )


async def launch_when_ready(
    session: LiveSession, report: Callable[[str], object], timeout_s: float = 180.0
) -> None:
    """Wait for the vehicle and the patrol's first fix, then take off and start overwatch.

    ArduCopter refuses to arm until its EKF uses GPS; each refusal is reported
    ("not yet: …") and the request repeated until it is accepted or
    ``timeout_s`` runs out.
    """
    vehicle = session.vehicle
    if vehicle is None:
        raise LinkTimeout("no vehicle connected")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    await vehicle.wait_ready(timeout_s=timeout_s, progress_cb=lambda t: report(f"vehicle: {t}"))
    report("waiting for the patrol's first fix…")
    while session.tracker.prediction() is None:
        if loop.time() > deadline:
            raise LinkTimeout(
                f"no fix from the patrol feed {session.config.patrol_feed} within {timeout_s:g} s"
            )
        await asyncio.sleep(0.1)
    while True:
        try:
            await session.commands.start_overwatch()
            return
        except OverwatchError as exc:
            if loop.time() > deadline:
                raise
            report(f"not yet: {exc}")
            await asyncio.sleep(session.clock.wall_seconds(3.0))


class _Notes:
    """Prints the session's notes (take-off, take-over, warnings) as they come, one line each."""

    def __init__(self, session: LiveSession, console: Console) -> None:
        self.session = session
        self.console = console
        self.printed = 0

    def print_new(self) -> None:
        session = self.session
        new = min(session.notes_total - self.printed, len(session.events))
        self.printed = session.notes_total
        for line in list(session.events)[len(session.events) - new :] if new else ():
            prefix = "" if line.level == "info" else f"{line.level}: "
            self.console.print(Text(prefix + line.text), soft_wrap=True)


class _Progress:
    """One redrawn line on a terminal; in a log, the same line every ``every_s`` seconds."""

    def __init__(self, console: Console, every_s: float = 10.0) -> None:
        self.console = console
        self.every_s = every_s
        self._live = Live(console=console, refresh_per_second=4) if console.is_terminal else None
        self._last = -math.inf
        self.notes: _Notes | None = None

    def __enter__(self) -> _Progress:
        if self._live is not None:
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def update(self, line: Text) -> None:
        if self.notes is not None:
            self.notes.print_new()
        if self._live is not None:
            self._live.update(line)
        elif time.monotonic() - self._last >= self.every_s:
            self._last = time.monotonic()
            self.console.print(line, soft_wrap=True)


async def _wait_landed(session: LiveSession, timeout_s: float, live: _Progress) -> bool:
    """Every drone heard has landed and disarmed (within ``timeout_s``). A drone whose link
    is lost is not waited for, and is not counted as landed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        live.update(progress_line(session.snapshot()))
        heard = [(c.vehicle.state, c.flight) for c in session.crews if c.vehicle is not None]
        up = [s for s, flight in heard if not s.link_lost and (s.armed or flight.launching)]
        if not up:
            return not any(s.armed for s, _ in heard if s.link_lost)
        await asyncio.sleep(0.25)
    return False
